#!/usr/bin/env python3
"""The baseline for kith's IMAP sync benchmark: what a user would otherwise
run, Python's imaplib fetching the contact-relevant headers of INBOX and the
\\Sent folder and the standard `email` parser reading the addresses.

    imap_headers.py [--bare] HOST PORT LOGIN PASSWORD

With --bare, the header blocks are only fetched (imaplib's own parsing of
the answer), not read by the email parser: the bare fetch kith's whole sync
is compared with.

Plain IMAP (no TLS; the benchmark server is a loopback Dovecot from
tests/dovecot/start.sh). LOGIN, LIST to find the folder flagged \\Sent, then
for INBOX and that folder: EXAMINE (read-only, nothing is marked \\Seen) and
UID FETCH lo:hi (BODY.PEEK[HEADER.FIELDS (FROM TO CC DATE MESSAGE-ID SUBJECT
LIST-ID PRECEDENCE AUTO-SUBMITTED)]) in UID chunks of 5,000 up to UIDNEXT-1
(1:* in one go if the server sends no UIDNEXT), each header block parsed with email.parser.BytesHeaderParser
(policy=email.policy.default) and From/To/Cc turned into addresses, Date
into a datetime. Prints one JSON line: messages, seconds (wall clock, from
connect to logout), peak_rss_kib (ru_maxrss), and per-folder counts,
addresses (total address occurrences) and distinct_addresses (case-folded).
Standard library only.
"""

import email.policy
import imaplib
import json
import re
import resource
import sys
import time
from email.parser import BytesHeaderParser

FIELDS = "FROM TO CC DATE MESSAGE-ID SUBJECT LIST-ID PRECEDENCE AUTO-SUBMITTED"
CHUNK = 5000
LIST_RE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$')


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find_sent(c):
    typ, data = c.list()
    if typ != "OK":
        return None
    i = 0
    while i < len(data):
        item = data[i]
        i += 1
        if item is None:
            continue
        if isinstance(item, tuple):  # name sent as a literal
            head, name = item[0], item[1]
            m = LIST_RE.match(head.rsplit(b" {", 1)[0] + b" x")
        else:
            m = LIST_RE.match(item)
            name = m.group("name") if m else None
            if name and name.startswith(b'"'):
                name = re.sub(rb'\\(.)', rb'\1', name[1:-1])
        if m and b"\\sent" in m.group("flags").lower().split():
            return name.decode("utf-8", "replace")
    return None


def main():
    args = sys.argv[1:]
    bare = bool(args) and args[0] == "--bare"
    if bare:
        args = args[1:]
    if len(args) != 4:
        sys.exit("usage: imap_headers.py [--bare] HOST PORT LOGIN PASSWORD")
    host, port, login, password = args[0], int(args[1]), args[2], args[3]
    parser = BytesHeaderParser(policy=email.policy.default)
    t0 = time.perf_counter()
    c = imaplib.IMAP4(host, port)
    c.login(login, password)
    sent = find_sent(c)
    if sent is None:
        print("imap_headers.py: no folder flagged \\Sent in LIST; INBOX only", file=sys.stderr)
    folders = ["INBOX"] + ([sent] if sent else [])
    per_folder = {}
    n_addr = 0
    distinct = set()
    total = 0
    for folder in folders:
        typ, data = c.select(quote(folder), readonly=True)
        if typ != "OK":
            sys.exit(f"imap_headers.py: EXAMINE {folder} failed: {data}")
        exists = int(data[0])
        uidnext = int(c.untagged_responses.get("UIDNEXT", [b"0"])[-1] or 0)
        count = 0
        if exists:
            # UID ranges lo:hi up to UIDNEXT-1 (no "*": "lo:*" would also
            # return the highest UID when lo is above it). Without UIDNEXT,
            # a single 1:*.
            ranges = ([(lo, min(lo + CHUNK - 1, uidnext - 1)) for lo in range(1, uidnext, CHUNK)]
                      if uidnext else [(1, "*")])
            for lo, hi in ranges:
                typ, data = c.uid("FETCH", f"{lo}:{hi}", f"(BODY.PEEK[HEADER.FIELDS ({FIELDS})])")
                if typ != "OK":
                    sys.exit(f"imap_headers.py: UID FETCH {lo}:{hi} in {folder} failed: {data}")
                for item in data:
                    if not isinstance(item, tuple):
                        continue
                    if bare:
                        count += 1
                        continue
                    msg = parser.parsebytes(item[1])
                    for h in ("From", "To", "Cc"):
                        v = msg[h]
                        if v is None:
                            continue
                        for a in getattr(v, "addresses", ()):
                            if a.addr_spec:
                                n_addr += 1
                                distinct.add(a.addr_spec.lower())
                    d = msg["Date"]
                    if d is not None:
                        getattr(d, "datetime", None)
                    for h in ("Message-ID", "Subject", "List-Id", "Precedence", "Auto-Submitted"):
                        msg[h]
                    count += 1
        per_folder[folder] = count
        total += count
    c.logout()
    seconds = time.perf_counter() - t0
    print(json.dumps({"messages": total, "bare": bare, "seconds": round(seconds, 3),
                      "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "folders": per_folder, "addresses": n_addr, "distinct_addresses": len(distinct)}))


if __name__ == "__main__":
    main()
