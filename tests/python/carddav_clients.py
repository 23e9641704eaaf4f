"""A real client round trip against `kith serve`: vdirsyncer (two-way sync)
and khard (which edits the local folder vdirsyncer keeps).

    python carddav_clients.py KITH_BINARY VENV_DIR CORPUS_DIR

Discover (vdirsyncer makes a `personal` address book), upload the vCard
corpus, change a card in kith and sync it down, change, delete and create
cards locally (khard makes one) and sync them up, a conflict (the local
side wins, as configured), a final sync that does nothing; afterwards kith
and the local folder hold the same cards, byte for byte. Exits non-zero
with the reason on the first thing that goes wrong.
"""
from __future__ import annotations

import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time

import requests

KITH, VENV, CORPUS = (pathlib.Path(a).resolve() for a in sys.argv[1:4])
VDIRSYNCER = VENV / "bin" / "vdirsyncer"
KHARD = VENV / "bin" / "khard"

# Corpus files that are broken on purpose (see the corpus's SOURCES.md).
BROKEN = re.compile(r"invalid|error|unparsable|malformed", re.I)


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cards_of_corpus(corpus: pathlib.Path) -> list[str]:
    """Each whole card of the corpus's well-formed files, one per item
    (a UID or a content once: vdirsyncer refuses a folder holding twice)."""
    out = []
    seen = set()
    for f in sorted(corpus.rglob("*.vcf")):
        if BROKEN.search(str(f.relative_to(corpus))):
            continue
        data = f.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # 8-bit charsets: vdirsyncer's folders are UTF-8
        for m in re.finditer(r"BEGIN:VCARD\r?\n.*?END:VCARD\r?\n?", text, re.S | re.I):
            card = m.group(0)
            if not re.search(r"^VERSION:", card, re.M | re.I):
                continue  # fragments without a version
            if not re.search(r"^(FN|N|EMAIL|TEL)[;:]", card, re.M | re.I):
                continue  # nothing to call the person by
            key = uid_of(card) or card
            if key in seen or card in seen:
                continue
            seen.update({key, card})
            out.append(card if card.endswith("\n") else card + "\r\n")
    return out


def uid_of(text: str) -> str | None:
    m = re.search(r"^UID:(.*?)\r?$", text, re.M | re.I)
    return m.group(1).strip() if m else None


def main() -> None:
    work = pathlib.Path(tempfile.mkdtemp(prefix="kith-carddav-clients-"))
    data = work / "data"
    kith = [str(KITH), "--data-dir", str(data)]
    subprocess.run(kith + ["user", "add", "alice", "--password-stdin"], input=b"correct horse\n", check=True, capture_output=True)
    password = subprocess.run(kith + ["token", "create", "--dav", "--name", "vdirsyncer"], check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "serve.log", "w")
    server = subprocess.Popen(kith + ["serve", "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        run(work, kith, base, password)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def run(work: pathlib.Path, kith: list[str], base: str, password: str) -> None:
    local = work / "contacts" / "personal"
    local.mkdir(parents=True)
    (work / "config").write_text(f"""[general]
status_path = "./status/"

[pair contacts]
a = "contacts_local"
b = "contacts_remote"
collections = ["personal"]
conflict_resolution = "a wins"
metadata = ["displayname"]

[storage contacts_local]
type = "filesystem"
path = "./contacts/"
fileext = ".vcf"

[storage contacts_remote]
type = "carddav"
url = "{base}/"
username = "alice"
password.fetch = ["command", "printenv", "CARDDAV_PASSWORD"]
""")
    # khard works on a folder of its own: some corpus cards crash its
    # parser (vobject), whatever --skip-unparsable says. Its new card is
    # then moved into the synced folder.
    khard_dir = work / "khard"
    khard_dir.mkdir()
    (work / "khard.conf").write_text(f"""[addressbooks]
[[personal]]
path = {khard_dir}/

[general]
default_action = list
editor = /bin/true
merge_editor = /bin/true

[vcard]
preferred_version = 3.0
private_objects = ,
""")
    env = dict(os.environ, VDIRSYNCER_CONFIG=str(work / "config"), CARDDAV_PASSWORD=password)

    def vds(*args: str, input: str | None = None) -> str:
        r = subprocess.run([str(VDIRSYNCER), *args], cwd=work, env=env, input=input, capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"vdirsyncer {' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
        return r.stdout + r.stderr

    def k(*args: str) -> str:
        r = subprocess.run(kith + list(args), capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"kith {' '.join(args)}: {r.stderr}")
        return r.stdout

    corpus = cards_of_corpus(CORPUS)
    for i, card in enumerate(corpus):
        (local / f"corpus-{i:04d}.vcf").write_text(card, encoding="utf-8", newline="")
    seeds = {}
    for i in (1, 2, 3):
        seeds[i] = local / f"seed-{i}.vcf"
        seeds[i].write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:seed-{i}@example.test\r\nFN:Seed Person {i}\r\nN:Person {i};Seed;;;\r\nEMAIL;TYPE=INTERNET:seed{i}@example.test\r\nEND:VCARD\r\n",
            encoding="utf-8", newline="")
    print(f"corpus: {len(corpus)} cards, plus 3 seeds")

    print("== discover (makes the 'personal' address book on kith)")
    vds("discover", "contacts", input="y\n" * 5)
    print("== sync 1: upload")
    out = vds("sync")
    uploaded = out.count("Copying (uploading)")
    if uploaded != len(corpus) + 3:
        fail(f"uploaded {uploaded} cards, expected {len(corpus) + 3}:\n{out}")

    print("== a change made in kith comes down")
    k("people", "edit", "seed1@example.test", "--phone", "+1 202 555 0143")
    out = vds("sync")
    if "Copying (updating) item seed-1@example.test to contacts_local" not in out:
        fail(f"the kith edit did not come down:\n{out}")
    if "+12025550143" not in seeds[1].read_text(encoding="utf-8"):
        fail("the local card lacks the phone added in kith")

    print("== local change, delete and a khard card go up")
    text = seeds[2].read_text(encoding="utf-8").replace("FN:Seed Person 2", "FN:Seed Person Two")
    seeds[2].write_text(text, encoding="utf-8", newline="")
    seeds[3].unlink()
    (work / "new.yaml").write_text("First name: Kim\nLast name: Khard\nEmail :\n    work : kim@example.test\n")
    r = subprocess.run([str(KHARD), "-c", str(work / "khard.conf"), "new", "-a", "personal", "-i", str(work / "new.yaml")], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"khard new: {r.stderr}")
    made = list(khard_dir.glob("*.vcf"))
    if len(made) != 1:
        fail(f"khard made {len(made)} cards")
    made[0].rename(local / made[0].name)
    out = vds("sync")
    if "Seed Person Two" not in k("people", "show", "seed2@example.test"):
        fail("the local rename did not reach kith")
    if subprocess.run(kith + ["people", "show", "seed3@example.test"], capture_output=True).returncode == 0:
        fail("the card deleted locally is still in kith")
    if "Kim Khard" not in k("people", "show", "kim@example.test"):
        fail("khard's new card did not reach kith")

    print("== a conflict: both sides change seed 1; the local side wins (configured)")
    k("people", "edit", "seed1@example.test", "--note", "changed in kith")
    text = seeds[1].read_text(encoding="utf-8").replace("FN:Seed Person 1", "FN:Local Wins")
    seeds[1].write_text(text, encoding="utf-8", newline="")
    vds("sync")
    if "Local Wins" not in k("people", "show", "seed1@example.test"):
        fail("the local side of the conflict did not win")

    print("== a final sync does nothing")
    out = vds("sync")
    if re.search(r"Copying|Deleting|updating|uploading", out):
        fail(f"the final sync was not a no-op:\n{out}")

    print("== kith and the folder hold the same cards")
    session = requests.Session()
    session.auth = ("alice", password)
    book = f"{base}/dav/alice/personal/"
    r = session.request("PROPFIND", book, headers={"Depth": "1"})
    hrefs = [h for h in re.findall(r"<D:href>([^<]+)</D:href>", r.text) if h.endswith(".vcf")]
    norm = lambda t: t.replace("\r\n", "\n")  # noqa: E731
    server = sorted(norm(session.get(f"{base}{h}").text) for h in hrefs)
    mine = sorted(norm(f.read_text(encoding="utf-8")) for f in local.glob("*.vcf"))
    if server != mine:
        only_kith = [c for c in server if c not in mine]
        only_local = [c for c in mine if c not in server]
        fail(f"{len(server)} cards in kith, {len(mine)} local; e.g. only in kith:\n{only_kith[:1]}\nonly local:\n{only_local[:1]}")
    print(f"OK: {len(mine)} cards the same on both sides")


if __name__ == "__main__":
    main()
