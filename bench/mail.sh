#!/usr/bin/env bash
# Mail import benchmark: kith importing an mbox against Python's mailbox
# module merely reading the same file's headers, in the same run.
#
#   bash bench/mail.sh [--quick] [--mb N] [--keep]
#
#   --quick   a 20 MB mbox instead of 1 GB (what CI runs)
#   --mb N    size of the generated mbox in megabytes (default 1024)
#   --keep    keep the temporary directory
#
# Steps: build kith (release); generate mail.mbox with bench/gen_mbox.py
# (seed 42); `kith me add-email me@home.example` in an empty data
# directory; then, each bounded by `timeout 900` and measured by GNU time:
#   (a) kith import mail.mbox
#   (b) bench/mailbox_headers.py mail.mbox   (Python's mailbox, headers only)
# Prints a markdown table to stdout; progress goes to stderr.
set -euo pipefail

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
MB=1024
MODE=full
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MB=20; MODE=quick ;;
        --mb) MB=${2:?--mb needs a number}; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "mail.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "== $*" >&2; }
TIME=/usr/bin/time
"$TIME" -f '%e %M' true >/dev/null 2>&1 || { echo "mail.sh: GNU time is required (apt-get install time)" >&2; exit 1; }

log "building kith (cargo build --release -p kith)"
cargo build --release -p kith >&2
KITH="${CARGO_TARGET_DIR:-$ROOT/target}/release/kith"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-mail.XXXXXX")"
cleanup() { if [ "$KEEP" -eq 1 ]; then echo "mail.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

log "generating a ${MB} MB mbox (seed 42)"
python3 bench/gen_mbox.py --mb "$MB" --seed 42 --out "$WORK" >"$WORK/gen.json"
"$KITH" --data-dir "$WORK/data" me add-email me@home.example >/dev/null
log "kith import mail.mbox"
timeout 900 "$TIME" -f '%e %M' -o "$WORK/kith.time" "$KITH" --data-dir "$WORK/data" import --json "$WORK/mail.mbox" >"$WORK/kith.json"
log "Python mailbox: headers of mail.mbox"
timeout 900 "$TIME" -f '%e %M' -o "$WORK/py.time" python3 bench/mailbox_headers.py "$WORK/mail.mbox" >"$WORK/py.json"

export WORK MODE REPRO="bash bench/mail.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
python3 - <<'PYEOF'
import json, os
w = os.environ["WORK"]
gen = json.load(open(os.path.join(w, "gen.json")))
rep = json.load(open(os.path.join(w, "kith.json")))[0]
py = json.load(open(os.path.join(w, "py.json")))
def timed(name):
    s, kib = open(os.path.join(w, name)).read().split()[-2:]
    return float(s), int(kib) / 1024
ks, km = timed("kith.time")
ps, pm = timed("py.time")
mb = gen["bytes"] / 1e6
if rep["records"] != gen["messages"] or py["messages"] != gen["messages"]:
    raise SystemExit(f"mail.sh: message counts differ: generated {gen['messages']}, kith {rep['records']}, Python {py['messages']}")
print(f"### Mail import benchmark ({os.environ['MODE']}: {gen['messages']:,} messages, {mb:,.0f} MB mbox)")
print()
print("| step | seconds | MB/s | peak RSS (MiB) |")
print("|---|---:|---:|---:|")
print(f"| kith import mail.mbox (headers, matching, {rep['interactions']:,} interactions and {rep['created']:,} people written) | {ks:.2f} | {mb / ks:,.0f} | {km:.0f} |")
print(f"| Python mailbox: read each message's headers | {ps:.2f} | {mb / ps:,.0f} | {pm:.0f} |")
print()
print(f"**Python seconds / kith seconds = {ps / ks:.1f}x**; kith skipped {rep['skipped']:,} messages (lists, bulk, no-reply, strangers).")
print(f"kith {os.environ['GIT_REV']}; reproduce: `{os.environ['REPRO']}`")
PYEOF
