#!/usr/bin/env python3
"""The baseline for kith's mail import benchmark: Python's standard
`mailbox` module reading an mbox and, for each message, the headers kith
uses (From, To, Cc, Date, Message-ID, List-Id, Precedence). Prints JSON:
messages and seconds (in-process)."""

import json
import mailbox
import sys
import time

t0 = time.perf_counter()
n = 0
for msg in mailbox.mbox(sys.argv[1], create=False):
    for h in ("From", "To", "Cc", "Date", "Message-ID", "List-Id", "Precedence"):
        msg.get(h)
    n += 1
print(json.dumps({"messages": n, "seconds": time.perf_counter() - t0}))
