#!/usr/bin/env bash
# Following an edit: on seeded address books in SQLite
# (crates/app/examples/network_reload.rs), the first load of an account
# into the network graph, a path once loaded, the first path after one
# edit (the account read again whole) and the next. No peer does this;
# the loaded path is the baseline.
#
#   bash bench/network_reload.sh [--quick]
#
#   --quick   1,000 people (what CI runs)
#   default   1,000, 10,000 and 100,000 people
set -euo pipefail
usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
SIZES="1000 10000 100000"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SIZES="1000" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "network_reload.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
cd "$(dirname "$0")/.."
cargo build --release -q -p kith-app --example network_reload >&2
ROWS=()
for n in $SIZES; do
    ROWS+=("$(timeout 900 target/release/examples/network_reload "$n")")
done
python3 - "$ORIG_ARGS" "$(git rev-parse --short HEAD)" "${ROWS[@]}" <<'PY'
import json, sys
args, commit, rows = sys.argv[1], sys.argv[2], [json.loads(r) for r in sys.argv[3:]]
print(f"kith {commit}\n")
print("| people | first load ms | a path, loaded ms | the first path after one edit ms | the next ms |")
print("|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['people']:,} | {r['first_load_ms']:,.0f} | {r['path_loaded_ms']:,.1f} | "
          f"{r['path_after_one_edit_ms']:,.0f} | {r['path_again_ms']:,.1f} |")
print(f"\nReproduce: `bash bench/network_reload.sh {args}`".rstrip())
PY
