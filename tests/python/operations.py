"""Two `kith serve` processes on one PostgreSQL, checked as an operator
would (issue 22, docs/operations.md):

- servers started together on an empty database print setup links of which
  exactly one works;
- an import job accepted by one server is polled on the other;
- SIGTERM during an import: the server exits 0 within its deadline and the
  job finishes on the other server (or is marked failed), never vanishes;
- sign-in throttling is shared: failures on one server count on the other;
- /metrics parses with prometheus_client's OpenMetrics parser;
- PostgreSQL stopped: /readyz and the API answer 503 with Retry-After,
  CardDAV 503 (not 401) for a correct password, /healthz 200; PostgreSQL
  started again: both servers recover by themselves.

    python operations.py KITH_BINARY POSTGRES_ADMIN_URL

PostgreSQL is stopped and started with the shell commands in
$KITH_PG_STOP and $KITH_PG_START (the test script's throwaway cluster).
Every server listens on 127.0.0.1 only; every wait is bounded.
"""

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests
from prometheus_client.openmetrics.parser import text_string_to_metric_families

KITH, ADMIN_URL = sys.argv[1], sys.argv[2]
PG_STOP, PG_START = os.environ["KITH_PG_STOP"], os.environ["KITH_PG_START"]
DB = f"kith_ops_{os.getpid()}"
BASE_URL = ADMIN_URL.rsplit("/", 1)[0]
URL = f"{BASE_URL}/{DB}"
PSQL = os.environ.get("KITH_PSQL", "psql")
DATA = tempfile.mkdtemp(prefix="kith-ops-")
checks = 0


def ok(condition, what):
    global checks
    if not condition:
        raise SystemExit(f"operations.py: FAILED: {what}")
    checks += 1
    print(f"  ok: {what}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def kith(*args, stdin=None):
    out = subprocess.run([KITH, "--data-dir", DATA, "--database", URL, *args],
                         input=stdin, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"kith {args}: {out.stderr}")
    return out.stdout


class Server:
    def __init__(self, name, metrics=False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(DATA, f"{name}.log"), "w+")
        self.metrics = f"127.0.0.1:{free_port()}" if metrics else None
        args = [KITH, "--data-dir", DATA, "--database", URL, "serve",
                "--listen", f"127.0.0.1:{self.port}", "--db-timeout", "1",
                "--shutdown-timeout", "5"]
        if self.metrics:
            args += ["--metrics-listen", self.metrics]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_up(self):
        for _ in range(200):
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise SystemExit(f"a server did not start: {self.read_log()}")

    def read_log(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def setup_link(self):
        for _ in range(100):
            m = re.search(r"/setup\?token=(\S+)", self.read_log())
            if m:
                return m.group(1)
            time.sleep(0.1)
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            return self.proc.wait(timeout=30)
        return self.proc.returncode


def vcards(n, prefix):
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{prefix} {i}\r\nN:{i};{prefix};;;\r\n"
        f"EMAIL:{prefix.lower()}{i}@example.org\r\nEND:VCARD\r\n" for i in range(n)).encode()


def poll(server, auth, location, until, seconds):
    deadline = time.time() + seconds
    job = None
    while time.time() < deadline:
        r = requests.get(server.base + location, headers=auth, timeout=10)
        ok_status = r.status_code == 200
        if not ok_status:
            return r.status_code, None
        job = r.json()
        if until(job):
            return 200, job
        time.sleep(0.1)
    return 200, job


def main():
    subprocess.run([PSQL, ADMIN_URL, "-qc", f"CREATE DATABASE {DB}"], check=True)
    servers = []
    try:
        print("two servers started together on an empty database")
        a, b = Server("a", metrics=True), Server("b")
        servers += [a, b]
        a.wait_up()
        b.wait_up()
        links = [s.setup_link() for s in (a, b)]
        ok(all(links), "each server printed a setup link")
        working = [t for t in links
                   if requests.get(a.base + f"/setup?token={t}", timeout=10).status_code == 200]
        ok(len(working) == 1, f"exactly one of the two links works ({len(working)})")
        r = requests.post(b.base + "/setup", data={"token": working[0], "name": "admin",
                                                   "password": "correct horse battery"},
                          allow_redirects=False, timeout=30)
        ok(r.status_code == 303, f"the working link made the administrator ({r.status_code})")
        for t in links:
            r = requests.get(a.base + f"/setup?token={t}", timeout=10)
            ok(r.status_code == 404, "no link works once an account can sign in")

        token = kith("--user", "admin", "token", "create").strip().splitlines()[-1]
        dav = kith("--user", "admin", "token", "create", "--dav").strip().splitlines()[-1]
        auth = {"Authorization": f"Bearer {token}"}

        print("an import job accepted by one server, polled on the other")
        r = requests.post(a.base + "/api/v1/imports", headers=auth,
                          files={"files": ("few.vcf", vcards(5, "Few"))}, timeout=30)
        ok(r.status_code == 202, f"accepted on A ({r.status_code})")
        status, job = poll(b, auth, r.headers["Location"], lambda j: j["done"], 60)
        ok(status == 200 and job and job["state"] == "done", f"done, as B answers: {job}")
        ok(job["results"][0]["report"]["created"] == 5, "its report says 5 created")

        print("SIGTERM while A imports")
        r = requests.post(a.base + "/api/v1/imports", headers=auth,
                          files={"files": ("many.vcf", vcards(30000, "Many"))}, timeout=60)
        ok(r.status_code == 202, "a large upload accepted on A")
        location = r.headers["Location"]
        poll(a, auth, location, lambda j: j["state"] != "queued", 30)
        started = time.time()
        code = a.stop()
        ok(code == 0, f"A exited 0 after SIGTERM ({code}) in {time.time() - started:.1f} s")
        ok(time.time() - started < 15, "within its shutdown deadline")
        ok("handed back" in a.read_log() or "import job ended" in a.read_log(),
           "A said what became of the job")
        status, job = poll(b, auth, location, lambda j: j["done"], 180)
        ok(status == 200, "the job is still there, as B answers")
        ok(job["done"] and job["state"] in ("done", "failed"), f"it ended: {job['state']}")
        if job["state"] == "done":
            report = job["results"][0]["report"]
            ok(report["created"] + report["merged"] + report["unchanged"] == 30000,
               f"every card of it is there once: {report}")
        else:
            ok(bool(job["error"]), f"failed with its reason: {job['error']}")
        a = Server("a2", metrics=True)
        servers.append(a)
        a.wait_up()

        print("sign-in throttling shared by the two servers")
        kith("user", "add", "bob", "--password-stdin", stdin="bob's good password\n")
        for i in range(5):
            s = (a, b)[i % 2]
            r = requests.post(s.base + "/login", data={"name": "bob", "password": f"guess {i}"},
                              allow_redirects=False, timeout=30)
            ok(r.status_code == 401, f"guess {i} refused on {'AB'[i % 2]}")
        r = requests.post(b.base + "/login", data={"name": "bob", "password": "bob's good password"},
                          allow_redirects=False, timeout=30)
        ok(r.status_code == 429, f"the sixth attempt waits on B too ({r.status_code})")

        print("metrics")
        text = requests.get(f"http://{a.metrics}/metrics", timeout=10).text
        families = {f.name: f for f in text_string_to_metric_families(text)}
        for name in ("kith_http_requests", "kith_http_request_duration_seconds", "kith_db_pool_connections",
                     "kith_import_jobs", "kith_carddav_syncs", "kith_mails", "kith_network_loads"):
            ok(name in families, f"{name} parses")
        jobs = {s.labels["state"]: s.value for s in families["kith_import_jobs"].samples}
        ok(jobs.get("done", 0) >= 1, f"import jobs by state: {jobs}")
        r = requests.get(a.base + "/metrics", timeout=10)
        ok(r.status_code == 404, "no /metrics on the main address without a token")

        print("PostgreSQL stopped")
        basic = {"Authorization": "Basic " + base64.b64encode(f"admin:{dav}".encode()).decode(),
                 "Depth": "0"}
        ok(requests.request("PROPFIND", b.base + "/dav/", headers=basic, timeout=10).status_code == 207,
           "CardDAV answers before")
        subprocess.run(PG_STOP, shell=True, check=True)
        try:
            for s, name in ((a, "A"), (b, "B")):
                started = time.time()
                r = requests.get(s.base + "/api/v1/people", headers=auth, timeout=30)
                ok(r.status_code == 503 and r.headers.get("Retry-After") == "5",
                   f"{name}: API 503 with Retry-After ({r.status_code}) in {time.time() - started:.1f} s")
                ok(time.time() - started < 5, f"{name}: answered within the acquire timeout")
                r = requests.get(s.base + "/readyz", timeout=30)
                ok(r.status_code == 503, f"{name}: /readyz 503")
                ok(requests.get(s.base + "/healthz", timeout=10).status_code == 200, f"{name}: /healthz 200")
            r = requests.request("PROPFIND", b.base + "/dav/", headers=basic, timeout=30)
            ok(r.status_code == 503, f"CardDAV 503, not 401, for a correct password ({r.status_code})")
            r = requests.get(a.base + "/login", headers={"Accept": "text/html"}, timeout=30)
            ok(r.status_code == 503 and "unavailable" in r.text, "the sign-in page says kith is unavailable")
        finally:
            subprocess.run(PG_START, shell=True, check=True)

        print("PostgreSQL started again")
        for s, name in ((a, "A"), (b, "B")):
            deadline, status = time.time() + 30, None
            while time.time() < deadline:
                status = requests.get(s.base + "/api/v1/people", headers=auth, timeout=30).status_code
                if status == 200:
                    break
                time.sleep(0.2)
            ok(status == 200, f"{name} recovered by itself")
            ok(requests.get(s.base + "/readyz", timeout=10).status_code == 200, f"{name}: /readyz 200")
        ok(requests.request("PROPFIND", a.base + "/dav/", headers=basic, timeout=10).status_code == 207,
           "CardDAV answers again")
        for s in (a, b):
            ok(s.stop() == 0, "a server stops cleanly")
        print(f"operations.py: all {checks} checks passed")
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
        subprocess.run([PSQL, ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"])


if __name__ == "__main__":
    main()
