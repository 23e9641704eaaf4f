#!/usr/bin/env bash
# Mail import benchmark: kith importing an mbox against Python's mailbox
# module merely reading the same file's headers, in the same run, on two
# shapes of mailbox: large messages (bodies of 1 to 12 KB, lists and bulk
# mail among them) and small ones (about 1 KB each, some 100,000 per
# 100 MB, between the owner and 5,000 correspondents).
#
#   bash bench/mail.sh [--quick] [--mb N] [--small-mb N] [--keep]
#
#   --quick       20 MB of large and 10 MB of small messages (what CI runs)
#   --mb N        size of the large-message mbox in MB (default 1024)
#   --small-mb N  size of the small-message mbox in MB (default 100)
#   --keep        keep the temporary directory
#
# Steps, for each shape: build kith (release); generate mail.mbox with
# bench/gen_mbox.py (seed 42); `kith me add-email me@home.example` in an
# empty data directory; then, each bounded by `timeout 900` and measured by
# GNU time:
#   (a) kith import mail.mbox
#   (b) bench/mailbox_headers.py mail.mbox   (Python's mailbox, headers only)
# Prints a markdown table per shape to stdout; progress goes to stderr.
set -euo pipefail

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
MB=1024
SMALL_MB=100
MODE=full
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MB=20; SMALL_MB=10; MODE=quick ;;
        --mb) MB=${2:?--mb needs a number}; shift ;;
        --small-mb) SMALL_MB=${2:?--small-mb needs a number}; shift ;;
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

export MODE REPRO="bash bench/mail.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
for SHAPE in large small; do
    SIZE=$MB
    [ "$SHAPE" = small ] && SIZE=$SMALL_MB
    DIR="$WORK/$SHAPE"
    mkdir -p "$DIR"
    log "generating a ${SIZE} MB mbox of $SHAPE messages (seed 42)"
    python3 bench/gen_mbox.py --mb "$SIZE" --seed 42 --shape "$SHAPE" --out "$DIR" >"$DIR/gen.json"
    "$KITH" --data-dir "$DIR/data" me add-email me@home.example >/dev/null
    log "kith import mail.mbox ($SHAPE)"
    timeout 900 "$TIME" -f '%e %M' -o "$DIR/kith.time" "$KITH" --data-dir "$DIR/data" import --json "$DIR/mail.mbox" >"$DIR/kith.json"
    rm -rf "$DIR/data"
    log "Python mailbox: headers of mail.mbox ($SHAPE)"
    timeout 900 "$TIME" -f '%e %M' -o "$DIR/py.time" python3 bench/mailbox_headers.py "$DIR/mail.mbox" >"$DIR/py.json"
    rm -f "$DIR/mail.mbox"
    SHAPE="$SHAPE" DIR="$DIR" python3 - <<'PYEOF'
import json, os
w = os.environ["DIR"]
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
shape = {"large": "large messages", "small": "small messages, about 1 KB each"}[os.environ["SHAPE"]]
print(f"### Mail import benchmark ({os.environ['MODE']}, {shape}: {gen['messages']:,} messages, {mb:,.0f} MB mbox)")
print()
print("| step | seconds | MB/s | peak RSS (MiB) |")
print("|---|---:|---:|---:|")
print(f"| kith import mail.mbox (headers, matching, {rep['interactions']:,} interactions and {rep['created']:,} people written) | {ks:.2f} | {mb / ks:,.0f} | {km:.0f} |")
print(f"| Python mailbox: read each message's headers | {ps:.2f} | {mb / ps:,.0f} | {pm:.0f} |")
print()
print(f"**Python seconds / kith seconds = {ps / ks:.1f}x**; kith skipped {rep['skipped']:,} messages (lists, bulk, no-reply, strangers).")
print(f"kith {os.environ['GIT_REV']}; reproduce: `{os.environ['REPRO']}`")
print()
PYEOF
done
