#!/usr/bin/env python3
"""Seeded search queries for bench/search.sh, drawn from a generated
contacts.vcf the way people search an address book: a family name, a given
name, the first letters of a family name (as typed, 2 to 4 letters), a given
and family name together, an organisation, an email address.

    search_queries.py CONTACTS.VCF --count N --seed S > queries.txt

One query per line, percent-encoded for a URL query string.
"""

import argparse
import random
import re
import sys
from urllib.parse import quote


def cards(path):
    """(given, family, organisation, emails) of each card, from N/ORG/EMAIL."""
    card = None
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"\r?\n[ \t]", "", f.read())  # unfold
    for line in text.splitlines():
        name, _, value = line.partition(":")
        prop = name.split(";")[0].split(".")[-1].upper()
        if prop == "BEGIN":
            card = {"given": "", "family": "", "org": "", "emails": []}
        elif prop == "END" and card is not None:
            if card["family"] or card["given"]:
                yield card
            card = None
        elif card is None:
            continue
        elif prop == "N":
            parts = value.split(";") + ["", ""]
            card["family"], card["given"] = parts[0].strip(), parts[1].strip()
        elif prop == "ORG":
            card["org"] = value.split(";")[0].replace("\\,", ",").strip()
        elif prop == "EMAIL":
            card["emails"].append(value.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vcf")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    people = list(cards(args.vcf))
    if not people:
        sys.exit(f"search_queries.py: no cards with a name in {args.vcf}")
    kinds = [
        ("family", 25), ("given", 15), ("prefix", 25), ("full", 15), ("org", 10), ("email", 10),
    ]
    out = []
    while len(out) < args.count:
        p = rng.choice(people)
        kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
        q = {
            "family": p["family"],
            "given": p["given"],
            "prefix": p["family"][: rng.randint(2, 4)],
            "full": f"{p['given']} {p['family']}",
            "org": p["org"],
            "email": p["emails"][0] if p["emails"] else "",
        }[kind].strip()
        if q:
            out.append(quote(q))
    print("\n".join(out))


if __name__ == "__main__":
    main()
