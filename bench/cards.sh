#!/usr/bin/env bash
# Cards benchmark: what self-updating cards and reciprocity cost at size,
# on SQLite (crates/app/examples/cards_bench.rs, seeded demo people):
#   - importing a newer export where one person in ten changed job, against
#     importing the identical file again (the cost of finding what changed);
#   - the "what changed" feed (50 entries, as the home page asks);
#   - "what can I do for them" with NEEDS needs over everyone's jobs, and
#     the reach-out list that uses it;
#   - one card change reaching CONNECTIONS members' address books.
# No other tool does these things, so there is no peer in the same run:
# the identical re-import is the baseline.
#
#   bash bench/cards.sh [--quick] [--people N] [--connections C] [--needs K]
#
#   --quick   2,000 people, 5 connections, 20 needs (what CI runs)
#   default   100,000 people, 100 connections, 100 needs
set -euo pipefail
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
PEOPLE=100000
CONNECTIONS=100
NEEDS=100
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) PEOPLE=2000; CONNECTIONS=5; NEEDS=20 ;;
        --people) PEOPLE=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --needs) NEEDS=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "cards.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
cd "$(dirname "$0")/.."
cargo build --release -q -p kith-app --example cards_bench >&2
OUT=$(timeout 1800 target/release/examples/cards_bench "$PEOPLE" "$CONNECTIONS" "$NEEDS")
echo "$OUT" >&2
python3 - "$OUT" "$ORIG_ARGS" "$(git rev-parse --short HEAD)" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
args, commit = sys.argv[2], sys.argv[3]
print(f"### {r['people']:,} people (kith {commit})\n")
print("| step | ms |")
print("|---|---|")
print(f"| import {r['people']:,} people into an empty book | {r['import_first_ms']:,.0f} |")
print(f"| import the identical file again (nothing new) | {r['import_same_again_ms']:,.0f} |")
print(f"| import a newer export, one person in ten at a new organisation | {r['import_newer_export_ms']:,.0f} |")
print(f"| the feed, 50 entries ranked ({r['changes_found']} listed) | {r['feed_ms']:,.1f} |")
print(f"| help-out: {r['needs']} needs against every job and offer ({r['needs_with_helpers']} with helpers) | {r['help_out_ms']:,.1f} |")
print(f"| help-out asked again, nothing written since (kept per account) | {r['help_out_again_ms']:,.1f} |")
print(f"| the reach-out list with its give-first hints | {r['due_ms']:,.1f} |")
print(f"| one card change reaching {r['connections_reached']} of {r['connections']} connections' books | {r['propagate_ms']:,.1f} |")
print(f"\nReproduce: `bash bench/cards.sh {args}`".rstrip())
if r['connections_reached'] != r['connections']:
    sys.exit(f"the change reached {r['connections_reached']} of {r['connections']} connections")
if r['changes_found'] == 0:
    sys.exit("the newer export showed no change")
PY
