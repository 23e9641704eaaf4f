#!/usr/bin/env python3
"""Check that a vCard file parses with an independent parser (Python vobject).

Usage: check_vobject.py FILE [--expect N]

Every top-level component must be a VCARD with a non-empty FN. Prints
{"cards": N} on success; on failure prints a message naming the card (1-based
index in the file) to stderr and exits with status 1.
"""

import argparse
import json
import sys

try:
    import vobject
except ImportError:
    sys.exit("check_vobject: vobject is not installed; "
             "run `pip install -r tests/python/requirements.txt` (in a venv)")


def fail(msg):
    print(f"check_vobject: {msg}", file=sys.stderr)
    sys.exit(1)


def card_start_line(text, index):
    """1-based line number of the index-th BEGIN:VCARD line, or None."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().upper() == "BEGIN:VCARD":
            seen += 1
            if seen == index:
                return number
    return None


def main():
    ap = argparse.ArgumentParser(description="Parse a vCard file with vobject and check every card.")
    ap.add_argument("file")
    ap.add_argument("--expect", type=int, default=None, help="fail unless exactly this many cards parse")
    args = ap.parse_args()

    try:
        # utf-8-sig: accept (and ignore) a byte-order mark.
        with open(args.file, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as e:
        fail(f"cannot read {args.file}: {e}")
    except UnicodeDecodeError as e:
        fail(f"{args.file} is not valid UTF-8 (byte offset {e.start}): {e.reason}")

    cards = 0
    components = vobject.readComponents(text)
    while True:
        index = cards + 1
        try:
            comp = next(components)
        except StopIteration:
            break
        except Exception as e:  # vobject raises ParseError and also plain errors on odd input
            # vobject's own line numbers are unreliable, so locate the card ourselves.
            start = card_start_line(text, index)
            where = f" (its BEGIN:VCARD is on line {start})" if start else ""
            fail(f"{args.file}: card #{index}{where} does not parse: "
                 f"{type(e).__name__}: {getattr(e, 'msg', e)}")
        if comp.name.upper() != "VCARD":
            fail(f"{args.file}: component #{index} is {comp.name}, not VCARD")
        fn = comp.contents.get("fn")
        if not fn:
            fail(f"{args.file}: card #{index} (line {card_start_line(text, index)}) has no FN")
        if not str(fn[0].value).strip():
            fail(f"{args.file}: card #{index} has an empty FN")
        cards += 1

    if cards == 0:
        fail(f"{args.file}: no vCard found")
    if args.expect is not None and cards != args.expect:
        fail(f"{args.file}: expected {args.expect} cards, vobject read {cards}")
    print(json.dumps({"cards": cards}))


if __name__ == "__main__":
    main()
