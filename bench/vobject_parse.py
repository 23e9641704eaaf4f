#!/usr/bin/env python3
"""Baseline for the vCard import benchmark: parse a file with Python vobject.

Usage: vobject_parse.py FILE

Reads every component with vobject.readComponents (which also converts the
known properties, such as N, ADR and ORG, to their structured values) and
prints {"cards": N, "seconds": S, "peak_rss_mb": M}. S covers reading and
parsing the file, not interpreter start-up or importing vobject; M is the
process's peak resident set size.
"""

import json
import resource
import sys
import time

import vobject


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: vobject_parse.py FILE")
    t0 = time.perf_counter()
    cards = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for component in vobject.readComponents(f):
            if component.name.upper() == "VCARD":
                cards += 1
    seconds = time.perf_counter() - t0
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
    print(json.dumps({"cards": cards, "seconds": round(seconds, 3), "peak_rss_mb": round(peak_mb, 1)}))


if __name__ == "__main__":
    main()
