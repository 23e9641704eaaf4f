"""kith's server CPU for one addressbook-multiget of every card and one
PROPFIND listing, averaged over many requests (the /proc figures of
bench/carddav.py count in 10 ms ticks, too coarse for one request).

    .venv/bin/python bench/carddav_report_cpu.py target/release/kith CARDS REPEATS

Uploads CARDS seeded cards (bench/gen_contacts.py, as bench/carddav.py
does) with PUT, then times REPEATS multigets (gzip, as vdirsyncer asks)
and REPEATS listings. PERF=1 records the multigets with `perf`
(/tmp/perf-multiget.data).
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import carddav as cd  # noqa: E402

kith, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
work = pathlib.Path(tempfile.mkdtemp(prefix="kith-report-cpu-"))
subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("gen_contacts.py")),
                "--count", str(n + n // 10), "--out", str(work / "gen")], check=True, capture_output=True)
cards = cd.split_cards(work / "gen" / "contacts.vcf", work / "cards", n)
proc, server = cd.start_kith(kith, work)
session = requests.Session()
session.auth = server.auth
for f in cards:
    r = session.put(server.direct_book + f.name, data=f.read_bytes(),
                    headers={"Content-Type": "text/vcard; charset=utf-8", "If-None-Match": "*"})
    if r.status_code not in (201, 204):
        sys.exit(f"PUT {f.name}: {r.status_code}")
body = ('<c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
        '<d:prop><d:getetag/><c:address-data/></d:prop>'
        + "".join(f"<d:href>/dav/alice/contacts/{f.name}</d:href>" for f in cards)
        + "</c:addressbook-multiget>")


def step(name, request):
    cpu0 = cd.cpu_seconds(server.pid)
    request()  # the first, timed apart: caches warm
    time.sleep(0.3)
    first = cd.cpu_seconds(server.pid) - cpu0
    if perf and os.environ.get("PERF") == "first":
        perf.send_signal(2)
        perf.wait()
    cpu0, t0 = cd.cpu_seconds(server.pid), time.perf_counter()
    for _ in range(reps):
        request()
    wall = time.perf_counter() - t0
    time.sleep(0.3)  # let the server's accounting settle
    cpu = cd.cpu_seconds(server.pid) - cpu0
    print(f"{name}: server CPU {cpu / reps * 1000:.1f} ms, wall {wall / reps * 1000:.1f} ms (mean of {reps}); "
          f"the first {first * 1000:.0f} ms")


perf = None
if os.environ.get("PERF"):  # PERF=first: only the first multiget
    perf = subprocess.Popen(["perf", "record", "-F", "1999", "--call-graph", "dwarf,32768", "-p", str(server.pid), "-o", "/tmp/perf-multiget.data"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
step(f"multiget of {n} cards", lambda: session.request(
    "REPORT", server.direct_book, data=body,
    headers={"Depth": "1", "Content-Type": "application/xml"}).raise_for_status())
if perf:
    perf.send_signal(2)
    perf.wait()
step(f"PROPFIND listing of {n} cards", lambda: session.request(
    "PROPFIND", server.direct_book, headers={"Depth": "1"},
    data='<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>').raise_for_status())
proc.terminate()
