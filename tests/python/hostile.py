"""The hostile corpus (issue 20) against a live `kith serve`.

Usage: hostile.py KITH_BINARY [MAX_RSS_MB]

Starts kith serve on loopback with a fresh data directory, sends it the
bodies and files an attacker would (deeply nested XML and JSON, bodies of
50 MB without a password, parallel password guesses, open-redirect
targets, a ZIP holding one 1 GiB line, a ZIP bomb, 20 MB of empty cards,
one 40 MB line, cut-off cards, deeply nested calendars, a mailbox with a 1 GiB header),
checks each answer, then checks that the server still answers and that its
memory (VmRSS now, VmHWM at its peak) stayed under MAX_RSS_MB (default
300). The corpus is generated here, seeded, rather than committed: the
ZIPs expand to gigabytes.

Exit status 0 when every check held; the last line says how many passed.
"""

import concurrent.futures
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

import requests

KITH = sys.argv[1]
MAX_RSS_MB = int(sys.argv[2]) if len(sys.argv) > 2 else 300
# A fresh name each run: on PostgreSQL the database outlives the run.
USER = f"ada{os.getpid()}"

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {what}")
    else:
        failed += 1
        print(f"FAIL  {what}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def kith(data, *args, stdin=None):
    env = {k: v for k, v in os.environ.items() if k != "KITH_USER"}
    return subprocess.run(
        [KITH, "--data-dir", data, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()


def memory_mb(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    kb = lambda k: int(fields[k].split()[0]) / 1024
    return kb("VmRSS"), kb("VmHWM")


def raw_status(port, head, body_bytes):
    """Sends a request head and up to body_bytes of body; returns the status
    line (the server may answer and close before the body is sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(head.encode())
    chunk = b"A" * (1 << 20)
    sent = 0
    try:
        while sent < body_bytes:
            s.sendall(chunk[: min(len(chunk), body_bytes - sent)])
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    try:
        answer = s.recv(512)
    except (ConnectionResetError, socket.timeout):
        answer = b""
    s.close()
    return answer.split(b"\r\n", 1)[0].decode(errors="replace")


def zip_bytes(entries, compression=zipfile.ZIP_DEFLATED):
    """A ZIP of (name, chunk, times): each entry is chunk written `times`
    times, so a 1 GiB entry is built without holding it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression, compresslevel=9) as z:
        for name, head, chunk, times, tail in entries:
            with z.open(name, "w", force_zip64=True) as f:
                f.write(head)
                for _ in range(times):
                    f.write(chunk)
                f.write(tail)
    return buf.getvalue()


def main():
    work = tempfile.mkdtemp(prefix="kith-hostile-")
    data = os.path.join(work, "data")
    kith(data, "user", "add", USER, "--password-stdin", stdin="correct horse\n")
    api_token = kith(data, "--user", USER, "token", "create", "--name", "t")
    dav_token = kith(data, "--user", USER, "token", "create", "--dav", "--name", "p")
    kith(data, "--user", USER, "me", "add-email", f"{USER}@example.org")
    port = free_port()
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen(
        [KITH, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}"],
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    api = {"authorization": f"Bearer {api_token}"}
    dav = requests.auth.HTTPBasicAuth(USER, dav_token)
    answers = []  # every body the server sent, searched for server paths

    def alive(what):
        r = requests.get(f"{base}/api/v1/people", headers=api, timeout=10)
        check(r.status_code == 200, f"still answering after {what}")

    try:
        # 1. Nested bodies.
        depth = 100_000
        nested = (
            '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>'
            + "<D:x>" * depth
            + "</D:x>" * depth
            + "</D:prop></D:propfind>"
        )
        for method in ("PROPFIND", "REPORT"):
            r = requests.request(
                method, f"{base}/dav/{USER}/contacts/", data=nested, auth=dav,
                headers={"depth": "1"}, timeout=30,
            )
            answers.append(r.text)
            check(r.status_code == 400, f"{method} nesting {depth} elements: {r.status_code}")
        alive("nested XML")
        nested_json = '{"name": "x", "notes": ' + "[" * depth + "]" * depth + "}"
        r = requests.post(
            f"{base}/api/v1/people", data=nested_json, timeout=30,
            headers={**api, "content-type": "application/json"},
        )
        answers.append(r.text)
        check(r.status_code == 400, f"JSON nesting {depth} arrays: {r.status_code}")

        # 2. Bodies of 50 MB before any password, 20 of each.
        big = 50 * 1024 * 1024
        wrong = "Authorization: Basic YWRhOndyb25n\r\n"
        heads = {
            "CardDAV PUT": f"PUT /dav/{USER}/contacts/x.vcf HTTP/1.1\r\nHost: x\r\n{wrong}",
            "POST /": f"POST / HTTP/1.1\r\nHost: x\r\n{wrong}",
            "POST /login": "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        }
        for what, head in heads.items():
            statuses = {
                raw_status(port, head + f"Content-Length: {big}\r\n\r\n", big)
                for _ in range(20)
            }
            want = " 413 " if "login" in what else " 401 "
            check(all(want in s for s in statuses), f"20 x 50 MB to {what} unread: {statuses}")
        rss, _ = memory_mb(server.pid)
        check(rss < MAX_RSS_MB, f"memory after 60 unauthenticated 50 MB bodies: {rss:.0f} MB")

        # 3. Sign-in: open redirects, cross-site posts, 200 parallel guesses.
        for target in ("/\t/evil.example/", "/\r\nX: y", "//evil.example/", "/\\evil.example"):
            r = requests.post(
                f"{base}/login", allow_redirects=False, timeout=10,
                data={"name": USER, "password": "correct horse", "next": target},
            )
            check(
                r.status_code == 303 and r.headers.get("location") == "/people",
                f"next={target!r} signs in to /people: {r.status_code} {r.headers.get('location')}",
            )
        r = requests.post(
            f"{base}/login", allow_redirects=False, timeout=10,
            headers={"origin": "https://evil.example"},
            data={"name": USER, "password": "correct horse"},
        )
        check(r.status_code == 403, f"a sign-in posted from another site: {r.status_code}")

        def guess(i):
            return requests.post(
                f"{base}/login", data={"name": USER, "password": f"guess {i}"},
                allow_redirects=False, timeout=60,
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            codes = list(pool.map(guess, range(200)))
        checked = codes.count(401)
        check(checked <= 5, f"200 parallel guesses: {checked} checked, {codes.count(429)} throttled")

        # 4. Hostile files through the import API.
        gib = 1 << 30
        line = b"A" * (1 << 20)
        files = {
            "one-line.zip": zip_bytes(
                [("contacts.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:", line, gib // len(line), b"\r\nEND:VCARD\r\n")]
            ),
            "bomb.zip": zip_bytes(
                [(f"c{i}.vcf", b"", b"\0" * (1 << 20), 1024, b"") for i in range(2)]
            ),
            # Not compressed: one 40 MB line must not be held whole.
            "long-line.vcf": b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + b"A" * (40 << 20) + b"\r\nEND:VCARD\r\n",
            "empty-cards.vcf": b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n" * (20 * 1024 * 1024 // 36),
            "cut-off.vcf": (
                b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\nEMAIL:cut@example.org\r\n"
                b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Next Person\r\nEMAIL:next@example.org\r\nEND:VCARD\r\n"
            ),
            "nested.ics": (
                b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                + f"BEGIN:VEVENT\r\nDTSTART:20240101T100000Z\r\nORGANIZER:mailto:{USER}@example.org\r\n".encode()
                + b"ATTENDEE:mailto:bo@example.org\r\n"
                + b"BEGIN:VALARM\r\n" * depth
                + b"END:VALARM\r\n" * depth
                + b"END:VEVENT\r\n"
                + b"END:VCALENDAR\r\n"
            ),
            "header.mbox": (
                f"From {USER}@example.org Mon Jan  1 00:00:00 2024\nFrom: {USER}@example.org\nTo: ".encode()
                + b"(" * 200_000 + b"b@example.org\nSubject: x\n\nbody\n"
            ),
        }
        for name, content in files.items():
            rss_before, _ = memory_mb(server.pid)
            r = requests.post(
                f"{base}/api/v1/imports", headers=api, timeout=120,
                files=[("files", (name, content))],
            )
            answers.append(r.text)
            if r.status_code != 202:
                check(r.status_code in (400, 413, 422), f"{name} refused: {r.status_code} {r.text[:200]}")
                continue
            location = r.headers["location"]
            status = None
            for _ in range(1200):
                s = requests.get(f"{base}{location}", headers=api, timeout=30)
                if s.status_code == 200 and s.json()["done"]:
                    status = s
                    break
                time.sleep(0.1)
            check(status is not None, f"{name}: the import finished")
            if status is None:
                continue
            answers.append(status.text)
            rss, peak = memory_mb(server.pid)
            summary = json.dumps(status.json()["results"])[:300]
            check(
                len(status.content) < 1024 * 1024,
                f"{name}: status {len(status.content)} bytes, memory {rss_before:.0f} -> {rss:.0f} MB (peak {peak:.0f}): {summary}",
            )
        alive("the hostile files")

        # 5. What the server answered never shows where it keeps files.
        check(
            not any(data in a or "/tmp/" in a for a in answers),
            "no server path in any answer",
        )
        uploads = os.path.join(data, "tmp")
        mode = oct(os.stat(uploads).st_mode & 0o777)
        check(mode == "0o700", f"uploads wait in a private folder: {mode}")

        rss, peak = memory_mb(server.pid)
        check(rss < MAX_RSS_MB, f"memory at the end: {rss:.0f} MB (bound {MAX_RSS_MB})")
        check(peak < 2 * MAX_RSS_MB, f"peak memory: {peak:.0f} MB (bound {2 * MAX_RSS_MB})")
        check(server.poll() is None, "kith serve is still running")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    print(f"hostile: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
