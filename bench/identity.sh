#!/usr/bin/env bash
# Identity benchmark: how right kith's merges and duplicate suggestions are,
# on labelled address books (bench/gen_identity.py: LinkedIn, phone and
# Google exports of the same people, with switchboards, family emails,
# namesakes, married names, typos and job changes planted), against what a
# contacts app's "merge duplicates" offers (same name, email or phone).
#
#   bash bench/identity.sh [--quick] [--people N] [--seeds "1 2 3"] [--kith BIN]
#
#   --quick      one seed (what CI runs)
#   --kith BIN   score this kith binary (an older build, say) instead of
#                building this checkout
#   --people N   true people per book (default 250)
#   --seeds S    the seeds, one book each (default 1 2 3 4 5)
#
# Each book is imported into an empty SQLite store in one `kith import`
# (Connections.csv, contacts.vcf, google.csv, in that order), then scored by
# bench/identity_eval.py. Prints a markdown table; fails on a false merge.
set -euo pipefail
PEOPLE=250
SEEDS="1 2 3 4 5"
KITH=""
GIVEN_KITH=""
ORIG_ARGS="$*"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SEEDS="1" ;;
        --people) PEOPLE=${2:?--people needs a number}; shift ;;
        --seeds) SEEDS=${2:?--seeds needs seeds}; shift ;;
        --kith) KITH=${2:?--kith needs a binary}; GIVEN_KITH=$KITH; shift ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "identity.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -z "$KITH" ]; then
    echo "== building kith (cargo build --release -p kith)" >&2
    cargo build --release -p kith >&2
    KITH="${CARGO_TARGET_DIR:-$ROOT/target}/release/kith"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-identity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

for seed in $SEEDS; do
    dir="$WORK/$seed"
    mkdir -p "$dir/data"
    python3 bench/gen_identity.py --people "$PEOPLE" --seed "$seed" --out "$dir/gen" >/dev/null
    "$KITH" --data-dir "$dir/data" import "$dir/gen/Connections.csv" "$dir/gen/contacts.vcf" \
        "$dir/gen/google.csv" >"$dir/import.out" 2>&1 || { cat "$dir/import.out" >&2; exit 1; }
    "$KITH" --data-dir "$dir/data" export json >"$dir/export.json" 2>/dev/null
    "$KITH" --data-dir "$dir/data" dupes --json >"$dir/dupes.json"
    python3 bench/identity_eval.py "$dir/gen/labels.json" "$dir/export.json" "$dir/dupes.json" --json \
        >"$dir/score.json"
done

export WORK SEEDS PEOPLE
export REPRO="bash bench/identity.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="${GIVEN_KITH:+the binary $GIVEN_KITH, not }$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
python3 - <<'PYEOF'
import json, os
work, seeds = os.environ["WORK"], os.environ["SEEDS"].split()
print(f"### Identity benchmark ({os.environ['PEOPLE']} true people per book, seeds {', '.join(seeds)})")
print()
print("| seed | who | records | people after | false merges | merged automatically | suggestions | right | precision | people split, linked by suggestions |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
bad = 0
for seed in seeds:
    r = json.load(open(os.path.join(work, seed, "score.json")))
    b = r["baseline"]
    bad += r["false merges"]
    print(f"| {seed} | kith | {r['records']} | {r['kith people']} | {r['false merges']} | "
          f"{r['merged automatically %']}% ({r['merged automatically']} of {r['people in several records']}) | "
          f"{r['suggestions']} | {r['suggestions right']} | {r['precision %']}% | "
          f"{r['recall % (people)']}% ({r['people left split whose pieces suggestions link']}) |")
    print(f"| {seed} | same name, email or phone | {r['records']} | {r['records']} | 0 | 0% | "
          f"{b['suggestions']} | | {b['precision %']}% | {b['recall % (people)']}% |")
print()
for seed in seeds:
    r = json.load(open(os.path.join(work, seed, "score.json")))
    print(f"seed {seed}: wrong suggestions by case {r['wrong by case']}; missed pairs by case {r['missed by case']}")
print(f"kith {os.environ['GIT_REV']}; reproduce: `{os.environ['REPRO']}`")
if bad:
    raise SystemExit(f"identity.sh: {bad} false merges")
PYEOF
