"""CardDAV benchmark: the same vdirsyncer workload against kith and
Radicale, in one run (see bench/carddav.sh, which builds kith and calls this).

For each server: upload N seeded cards (bench/gen_contacts.py, one card per
file) with `vdirsyncer sync`; a no-op re-sync; a re-sync after 100 cards
changed on the server; a fresh client's full download; one
addressbook-multiget of every card; and what a client that polls with
sync-collection or getctag (DAVx5, iOS) transfers when nothing changed.
For each step: wall time, the server's CPU time (from /proc), and the bytes
both ways (vdirsyncer talks through a counting proxy); /proc counts CPU in
10 ms ticks, so the cheap steps are repeated and reported per run. At the end, the
server's peak memory (VmHWM). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on {port}")


class Proxy:
    """A TCP proxy on loopback that counts the bytes it carries."""

    def __init__(self, target: int):
        self.target = target
        self.port = free_port()
        self.sent = 0  # client -> server
        self.received = 0  # server -> client
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port))
        self.server.listen(64)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            client, _ = self.server.accept()
            upstream = socket.create_connection(("127.0.0.1", self.target))
            # Forward each piece at once, as a real proxy does: Nagle's
            # wait for the client's delayed ACK is not the servers' doing.
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self.pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, client, False), daemon=True).start()

    def pipe(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while data := src.recv(65536):
                with self.lock:
                    if up:
                        self.sent += len(data)
                    else:
                        self.received += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def total(self) -> int:
        with self.lock:
            return self.sent + self.received


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def peak_mib(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def split_cards(vcf: pathlib.Path, out: pathlib.Path, n: int) -> list[pathlib.Path]:
    text = vcf.read_bytes().decode("utf-8")
    cards = re.findall(r"BEGIN:VCARD\r\n.*?END:VCARD\r\n", text, re.S)[:n]
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i, card in enumerate(cards):
        # Every client sends a UID (Radicale refuses cards without one).
        if "\r\nUID:" not in card:
            card = card.replace("\r\nEND:VCARD", f"\r\nUID:bench-{i:05d}@example.test\r\nEND:VCARD")
        f = out / f"card-{i:05d}.vcf"
        f.write_text(card, encoding="utf-8", newline="")
        files.append(f)
    return files


class Server:
    name: str
    pid: int
    book_url: str  # through the proxy
    direct_book: str  # without the proxy
    auth: tuple[str, str]


def start_kith(kith: str, work: pathlib.Path) -> tuple[subprocess.Popen, Server]:
    data = work / "kith-data"
    k = [kith, "--data-dir", str(data)]
    subprocess.run(k + ["user", "add", "alice", "--password-stdin"], input=b"correct horse\n", check=True, capture_output=True)
    password = subprocess.run(k + ["token", "create", "--dav", "--name", "bench"], check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    proc = subprocess.Popen(k + ["serve", "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=open(work / "kith.log", "w"))
    wait_port(port)
    s = Server()
    s.name, s.pid, s.auth = "kith", proc.pid, ("alice", password)
    s.direct_book = f"http://127.0.0.1:{port}/dav/alice/contacts/"
    s.port = port
    return proc, s


def start_radicale(venv: pathlib.Path, work: pathlib.Path) -> tuple[subprocess.Popen, Server]:
    port = free_port()
    (work / "users").write_text("alice:alicepw\n")
    (work / "radicale.conf").write_text(f"""[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {work / 'users'}
htpasswd_encryption = plain
[storage]
filesystem_folder = {work / 'radicale-data'}
[rights]
type = owner_only
[logging]
level = warning
""")
    proc = subprocess.Popen([str(venv / "bin" / "python"), "-m", "radicale", "--config", str(work / "radicale.conf")],
                            stdout=subprocess.DEVNULL, stderr=open(work / "radicale.log", "w"))
    wait_port(port)
    s = Server()
    s.name, s.pid, s.auth = "Radicale", proc.pid, ("alice", "alicepw")
    s.direct_book = f"http://127.0.0.1:{port}/alice/bench/"
    s.port = port
    mk = ('<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
          '<d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>')
    r = requests.request("MKCOL", s.direct_book, data=mk, auth=s.auth)
    if r.status_code not in (200, 201):
        sys.exit(f"Radicale MKCOL: {r.status_code} {r.text}")
    return proc, s


def vdirsyncer_config(work: pathlib.Path, local: pathlib.Path, status: pathlib.Path, url: str, user: str) -> pathlib.Path:
    cfg = work / f"config-{status.name}"
    cfg.write_text(f"""[general]
status_path = "{status}/"

[pair bench]
a = "local"
b = "remote"
collections = null
conflict_resolution = "b wins"

[storage local]
type = "filesystem"
path = "{local}/"
fileext = ".vcf"

[storage remote]
type = "carddav"
url = "{url}"
username = "{user}"
password.fetch = ["command", "printenv", "BENCH_DAV_PASSWORD"]
""")
    return cfg


def measure(server: Server, proxy: Proxy, action) -> dict:
    cpu0, bytes0, t0 = cpu_seconds(server.pid), proxy.total(), time.perf_counter()
    action()
    wall = time.perf_counter() - t0
    time.sleep(0.2)  # let the server finish its accounting
    return {
        "wall": wall,
        "cpu": cpu_seconds(server.pid) - cpu0,
        "bytes": proxy.total() - bytes0,
    }


def repeat(action, times: int):
    def repeated():
        for _ in range(times):
            action()
    return repeated


def per_run(m: dict, times: int) -> dict:
    """A measurement of `times` runs, per run: CPU is read from /proc in
    10 ms ticks, so a cheap step is repeated until the ticks add up."""
    return {"wall": m["wall"] / times, "cpu": m["cpu"] / times, "bytes": m["bytes"] // times, "runs": times}


def run_server(server: Server, venv: pathlib.Path, work: pathlib.Path, cards: list[pathlib.Path], changed: int,
               timeout: int, runs: dict) -> dict:
    proxy = Proxy(server.port)
    url = server.direct_book.replace(f":{server.port}/", f":{proxy.port}/")
    local = work / f"{server.name}-local"
    for f in cards:
        (local / f.name).parent.mkdir(parents=True, exist_ok=True)
        (local / f.name).write_bytes(f.read_bytes())
    env = dict(os.environ, BENCH_DAV_PASSWORD=server.auth[1])

    def vds(cfg: pathlib.Path, *args: str) -> None:
        r = subprocess.run([str(venv / "bin" / "vdirsyncer"), "-c", str(cfg), *args], env=env,
                           input="y\n" * 3, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            sys.exit(f"{server.name}: vdirsyncer {args[0]} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")

    def sync(cfg: pathlib.Path) -> None:
        vds(cfg, "sync")

    cfg = vdirsyncer_config(work, local, work / f"{server.name}-status", url, server.auth[0])
    out = {}
    vds(cfg, "discover", "bench")
    out["upload"] = per_run(measure(server, proxy, lambda: sync(cfg)), 1)
    out["noop"] = per_run(measure(server, proxy, repeat(lambda: sync(cfg), runs["noop"])), runs["noop"])
    # Change cards on the server itself (not measured), then re-sync.
    session = requests.Session()
    session.auth = server.auth
    listing = session.request("PROPFIND", server.direct_book, headers={"Depth": "1"},
                              data='<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>').text
    hrefs = sorted(set(h for h in re.findall(r"<(?:\w+:)?href>([^<]+\.vcf)</(?:\w+:)?href>", listing)))
    origin = server.direct_book.split("/", 3)[:3]
    origin = "/".join(origin)
    total = {"wall": 0.0, "cpu": 0.0, "bytes": 0}
    for round_ in range(runs["changed"]):
        start = (round_ * changed) % len(hrefs)
        for h in (hrefs + hrefs)[start:start + changed]:
            body = session.get(origin + h).text
            body = body.replace("END:VCARD", f"NOTE:changed on the server ({round_})\r\nEND:VCARD", 1)
            r = session.put(origin + h, data=body.encode("utf-8"), headers={"Content-Type": "text/vcard; charset=utf-8"})
            if r.status_code not in (200, 201, 204):
                sys.exit(f"{server.name}: PUT {h}: {r.status_code}")
        m = measure(server, proxy, lambda: sync(cfg))
        for k in total:
            total[k] += m[k]
    out["changed"] = per_run(total, runs["changed"])
    total = {"wall": 0.0, "cpu": 0.0, "bytes": 0}
    for round_ in range(runs["download"]):
        fresh_local = work / f"{server.name}-fresh-{round_}"
        fresh_local.mkdir()
        fresh = vdirsyncer_config(work, fresh_local, work / f"{server.name}-fresh-status-{round_}", url, server.auth[0])
        vds(fresh, "discover", "bench")
        m = measure(server, proxy, lambda: sync(fresh))
        for k in total:
            total[k] += m[k]
        downloaded = len(list(fresh_local.glob("*.vcf")))
        if downloaded != len(cards):
            sys.exit(f"{server.name}: a fresh client got {downloaded} cards of {len(cards)}")
    out["download"] = per_run(total, runs["download"])

    # One multiget of every card, through the proxy.
    proxied = requests.Session()
    proxied.auth = server.auth
    body = ('<c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
            '<d:prop><d:getetag/><c:address-data/></d:prop>'
            + "".join(f"<d:href>{h}</d:href>" for h in hrefs) + "</c:addressbook-multiget>")
    out["multiget"] = per_run(measure(server, proxy, repeat(lambda: proxied.request(
        "REPORT", url, data=body, headers={"Depth": "1", "Content-Type": "application/xml"}).raise_for_status(),
        runs["multiget"])), runs["multiget"])

    # What a polling client transfers when nothing changed.
    props = proxied.request("PROPFIND", url, headers={"Depth": "0"},
                            data='<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>').text
    token = re.search(r"<(?:\w+:)?sync-token>([^<]*)<", props)
    token = token.group(1) if token else ""
    sync_body = (f'<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token>'
                 '<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>')
    out["poll_sync"] = per_run(measure(server, proxy, repeat(lambda: proxied.request(
        "REPORT", url, data=sync_body, headers={"Depth": "1"}).raise_for_status(), runs["poll"])), runs["poll"])
    out["poll_ctag"] = per_run(measure(server, proxy, repeat(lambda: proxied.request(
        "PROPFIND", url, headers={"Depth": "0"},
        data='<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/></d:prop></d:propfind>').raise_for_status(),
        runs["poll"])), runs["poll"])
    out["peak_mib"] = peak_mib(server.pid)
    out["cards"] = len(cards)
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kith", required=True)
    ap.add_argument("--venv", required=True)
    ap.add_argument("--cards", type=int, default=5000)
    ap.add_argument("--radicale-cards", type=int, default=None, help="default: --cards")
    ap.add_argument("--changed", type=int, default=100)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--timeout", type=int, default=3600, help="per vdirsyncer run, seconds")
    ap.add_argument("--quick", action="store_true", help="fewer runs of the cheap steps")
    a = ap.parse_args()
    venv = pathlib.Path(a.venv).resolve()
    work = pathlib.Path(tempfile.mkdtemp(prefix="kith-carddav-bench-"))
    radicale_cards = a.radicale_cards or a.cards
    most = max(a.cards, radicale_cards)
    gen = work / "gen"
    subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("gen_contacts.py")), "--count", str(most + most // 10),
                    "--seed", str(a.seed), "--out", str(gen)], check=True, capture_output=True)
    # Runs of each step: CPU comes in 10 ms ticks, so cheap steps repeat.
    runs = ({"noop": 2, "changed": 1, "download": 1, "multiget": 5, "poll": 20} if a.quick else
            {"noop": 10, "changed": 10, "download": 3, "multiget": 20, "poll": 200})
    results = {}
    for name, n in (("kith", a.cards), ("Radicale", radicale_cards)):
        cards = split_cards(gen / "contacts.vcf", work / f"cards-{n}", n)
        if len(cards) < n:
            sys.exit(f"the generator made only {len(cards)} cards")
        print(f"== {name}: {n} cards", file=sys.stderr)
        proc, server = start_kith(a.kith, work) if name == "kith" else start_radicale(venv, work)
        try:
            results[name] = run_server(server, venv, work, cards, min(a.changed, n), a.timeout, runs)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    k, r = results["kith"], results["Radicale"]
    steps = [("upload", "upload every card (vdirsyncer sync)"),
             ("noop", "no-op re-sync (vdirsyncer: PROPFIND of every ETag)"),
             ("changed", f"re-sync after {a.changed} cards changed on the server"),
             ("download", "a fresh client downloads every card"),
             ("multiget", "one addressbook-multiget of every card"),
             ("poll_sync", "no-op poll with sync-collection (DAVx5, iOS)"),
             ("poll_ctag", "no-op poll with getctag (iOS, DAVx5 fallback)")]
    steps = [(key, f"{label} (mean of {k[key]['runs']})" if k[key]["runs"] > 1 else label) for key, label in steps]
    print(f"| step | kith wall | kith server CPU | kith bytes | Radicale wall | Radicale server CPU | Radicale bytes |")
    print("|---|---|---|---|---|---|---|")
    for key, label in steps:
        print(f"| {label} | {ms(k[key]['wall'])} | {ms(k[key]['cpu'])} | {k[key]['bytes']:,} | "
              f"{ms(r[key]['wall'])} | {ms(r[key]['cpu'])} | {r[key]['bytes']:,} |")
    print(f"| server peak memory | {k['peak_mib']:.0f} MiB | | | {r['peak_mib']:.0f} MiB | | |")
    print(f"\ncards: kith {k['cards']:,}, Radicale {r['cards']:,}")
    if k["cards"] == r["cards"]:
        ratios = ", ".join(f"{key} {r[key]['cpu'] / k[key]['cpu']:.1f}x" if k[key]["cpu"] > 0 else f"{key} (kith under a tick)"
                           for key, _ in steps)
        print(f"server CPU, Radicale / kith: {ratios}")


if __name__ == "__main__":
    main()
