#!/usr/bin/env bash
# CardDAV benchmark: the same vdirsyncer workload against kith and
# Radicale (PyPI) in one run, each step's wall time, server CPU time and
# bytes both ways, and each server's peak memory (bench/carddav.py).
#
#   bash bench/carddav.sh [--quick] [--cards N] [--radicale-cards M]
#
#   --quick             200 cards each, 20 changed, cheap steps repeated
#                       fewer times (what CI runs)
#   --cards N           cards for kith (default 5000)
#   --radicale-cards M  cards for Radicale (default 1000: its upload grows
#                       quadratically, 5000 take about half an hour)
#
# Needs the test venv (.venv, or $KITH_VENV) with vdirsyncer; installs
# Radicale into it when missing. Prints a markdown table to stdout.
set -euo pipefail
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
CARDS=5000
RADICALE=1000
CHANGED=100
QUICK=
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) CARDS=200; RADICALE=200; CHANGED=20; QUICK=--quick ;;
        --cards) CARDS=${2:?--cards needs a number}; shift ;;
        --radicale-cards) RADICALE=${2:?--radicale-cards needs a number}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "carddav.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV=${KITH_VENV:-$ROOT/.venv}
if ! "$VENV/bin/python" -c 'import radicale, vdirsyncer' 2>/dev/null; then
    echo "== installing Radicale into $VENV" >&2
    "$VENV/bin/pip" install -q radicale==3.9.0 vdirsyncer==0.21.0
fi
echo "== building kith (cargo build --release -p kith)" >&2
cargo build --release -p kith >&2
KITH="${CARGO_TARGET_DIR:-$ROOT/target}/release/kith"
echo "<!-- bash bench/carddav.sh${ORIG_ARGS:+ $ORIG_ARGS} at $(git rev-parse --short HEAD 2>/dev/null || echo unknown) -->"
timeout 7200 "$VENV/bin/python" bench/carddav.py --kith "$KITH" --venv "$VENV" \
    --cards "$CARDS" --radicale-cards "$RADICALE" --changed "$CHANGED" $QUICK
