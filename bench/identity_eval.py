#!/usr/bin/env python3
"""Scores kith's identity decisions against the labels of
bench/gen_identity.py: reads labels.json, `kith export json` (every person
with the records it holds) and `kith dupes --json`, and prints merges and
suggestions as precision and recall, with the wrong and missed ones by
reason.

    python3 bench/identity_eval.py labels.json export.json dupes.json [--json]

- a false merge: one kith person holding records of two true people;
- merged automatically: a true person with records in two or more sources
  who became exactly one kith person;
- a split pair: two kith persons holding records of the same true person;
  pair recall is the share of them that kith suggests, people recall the
  share of split people whose pieces suggestions link into one (accepting
  them all ends with one person);
- precision: the share of suggestions whose two persons share a true person.
"""
import collections
import itertools
import json
import sys


def all_linked(nodes, pairs):
    """Whether `pairs` (sorted tuples) link all of `nodes` into one."""
    nodes = list(nodes)
    reach, todo = {nodes[0]}, [nodes[0]]
    while todo:
        x = todo.pop()
        for y in nodes:
            if y not in reach and tuple(sorted((x, y))) in pairs:
                reach.add(y)
                todo.append(y)
    return len(reach) == len(nodes)


def baseline(labels):
    """What a contacts app's "merge duplicates" offers: every record stays a
    contact, and two contacts with the same name (accents and case
    ignored), email or phone are suggested."""
    import unicodedata

    def fold(s):
        s = unicodedata.normalize("NFKD", s.lower())
        return " ".join("".join(c for c in s if c.isalnum() or c == " ").split())

    records = labels["records"]
    attrs = labels["attributes"]
    keys = collections.defaultdict(set)
    for rec, (name, emails, phones) in attrs.items():
        keys["n:" + fold(name)].add(rec)
        for e in emails:
            if e:
                keys["e:" + e.lower()].add(rec)
        for ph in phones:
            if ph:
                keys["p:" + ph[-10:]].add(rec)
    pairs = set()
    for recs in keys.values():
        pairs.update(itertools.combinations(sorted(recs), 2))
    right = sum(1 for a, b in pairs if records[a] == records[b])
    by_truth = collections.defaultdict(list)
    for rec, t in records.items():
        by_truth[t].append(rec)
    split = [recs for recs in by_truth.values() if len(recs) > 1]
    linked = sum(all_linked(recs, pairs) for recs in split)
    return {
        "suggestions": len(pairs),
        "precision %": round(100 * right / max(1, len(pairs)), 1),
        "recall % (people)": round(100 * linked / max(1, len(split)), 1),
        "merged automatically %": 0.0,
    }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    labels_path, export_path, dupes_path = args
    labels = json.load(open(labels_path))
    records = labels["records"]
    people = json.load(open(export_path))
    dupes = json.load(open(dupes_path))

    truth_of = {}  # kith id -> set of true ids
    name_of = {}
    for p in people:
        truths = {records[f"{s['file']}:{s['line']}"] for s in p["sources"]
                  if f"{s['file']}:{s['line']}" in records}
        truth_of[p["id"]] = truths
        name_of[p["id"]] = p["name"]
    seen_records = sum(len(p["sources"]) for p in people)

    false_merges = [pid for pid, t in truth_of.items() if len(t) > 1]
    persons_of = collections.defaultdict(set)  # true id -> kith ids
    for pid, truths in truth_of.items():
        for t in truths:
            persons_of[t].add(pid)
    records_of = collections.Counter(records.values())
    multi = [t for t, n in records_of.items() if n > 1]
    merged = [t for t in multi if len(persons_of[t]) == 1 and not any(
        len(truth_of[pid]) > 1 for pid in persons_of[t])]

    split_pairs = set()
    for t, pids in persons_of.items():
        for a, b in itertools.combinations(sorted(pids), 2):
            split_pairs.add((a, b))
    suggested = {}
    for d in dupes:
        a, b = sorted(x["id"] for x in d["people"])
        suggested[(a, b)] = d
    right = [k for k in suggested if truth_of.get(k[0], set()) & truth_of.get(k[1], set())]
    wrong = [k for k in suggested if k not in set(right)]
    found = [k for k in split_pairs if k in suggested]
    missed = [k for k in split_pairs if k not in suggested]

    # A person left split is found when their pieces are linked by
    # suggestions (accepting them all makes one person).
    linked = sum(all_linked(persons_of[t], suggested) for t in multi if len(persons_of[t]) > 1)
    split_people = sum(1 for t in multi if len(persons_of[t]) > 1)

    planted_of = {}
    for kind, ids in labels.get("planted", {}).items():
        for x in ids:
            for t in (x if isinstance(x, list) else [x]):
                planted_of[t] = kind

    def why(k):
        d = suggested[k]
        first = d["reasons"][0].split(":")[0] if d["reasons"] else "?"
        tail = [r for r in d["reasons"] if r.startswith("but ")]
        return first + (f" ({tail[0]})" if tail else "")

    def case(k):
        kinds = {planted_of.get(t) for pid in k for t in truth_of.get(pid, ())} - {None}
        return ", ".join(sorted(kinds)) or "not planted"

    result = {
        "true people": labels["people"],
        "records": len(records),
        "records in kith": seen_records,
        "kith people": len(people),
        "false merges": len(false_merges),
        "people in several records": len(multi),
        "merged automatically": len(merged),
        "merged automatically %": round(100 * len(merged) / max(1, len(multi)), 1),
        "people left split": len(multi) - len(merged),
        "split pairs": len(split_pairs),
        "suggestions": len(suggested),
        "suggestions right": len(right),
        "precision %": round(100 * len(right) / max(1, len(suggested)), 1),
        "recall % (pairs suggested)": round(100 * len(found) / max(1, len(split_pairs)), 1),
        "people left split whose pieces suggestions link": f"{linked} of {split_people}",
        "recall % (people)": round(100 * linked / max(1, split_people), 1),
        "wrong by reason": collections.Counter(why(k) for k in wrong).most_common(),
        "wrong by case": collections.Counter(case(k) for k in wrong).most_common(),
        "missed by case": collections.Counter(case(k) for k in missed).most_common(),
        "missed": [[name_of[a], name_of[b]] for a, b in missed][:20],
        "false merge names": [name_of[p] for p in false_merges],
    }
    result["baseline"] = baseline(labels)
    if "--json" in sys.argv:
        json.dump(result, sys.stdout, indent=1)
        print()
        return
    for k, v in result.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
