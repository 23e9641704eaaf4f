#!/usr/bin/env bash
# IMAP sync benchmark: kith's first sync of a mailbox served by Dovecot on
# this machine (headers fetched, matched and written) against Python's
# imaplib fetching the same header fields, in the same run; then syncs with
# nothing new (time, and bytes on the wire as Dovecot counts them).
#
#   bash bench/imap.sh [--quick] [--messages N] [--runs R] [--keep]
#
#   --quick        5,000 messages, one run (what CI runs)
#   --messages N   messages in the mailbox (default 100000)
#   --runs R       timed runs of each side, interleaved (default 2)
#   --keep         keep the temporary directory
#
# Steps: build kith (release); bench/gen_maildir.py writes the mailbox
# (seed 42, about 30% sent, lists and robots among the rest) into a private
# Dovecot (tests/dovecot/start.sh, loopback); one untimed imaplib pass warms
# Dovecot's indexes (the first reader of a new maildir pays for them); then,
# R times, each bounded by `timeout 900` and measured by GNU time:
#   (a) bench/imap_headers.py --bare   imaplib, UID FETCH of the header fields
#   (b) kith sources sync              a fresh data directory: kith's first sync
# and once (c) imaplib fetching and the email parser reading the addresses;
# then 5 syncs with nothing new (kith's own report of the sync, the whole
# command, and Dovecot's in=/out= byte counts of that session).
# Prints a markdown table to stdout; progress goes to stderr.
set -euo pipefail

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
MESSAGES=100000
RUNS=2
KEEP=0
MODE=full
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MESSAGES=5000; RUNS=1; MODE=quick ;;
        --messages) MESSAGES=${2:?--messages needs a number}; shift ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "imap.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "== $*" >&2; }
TIME=/usr/bin/time
"$TIME" -f '%e %M' true >/dev/null 2>&1 || { echo "imap.sh: GNU time is required (apt-get install time)" >&2; exit 1; }
[ -x /usr/sbin/dovecot ] || { echo "imap.sh: Dovecot is required (apt-get install dovecot-imapd)" >&2; exit 1; }

log "building kith (cargo build --release -p kith)"
cargo build --release -p kith >&2
KITH="${CARGO_TARGET_DIR:-$ROOT/target}/release/kith"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-imap.XXXXXX")"
chmod o+x "$WORK"  # Dovecot's mail user must reach the mailbox below it
DOVE="$WORK/dovecot"
cleanup() {
    bash tests/dovecot/stop.sh "$DOVE" >/dev/null 2>&1 || true
    if [ "$KEEP" -eq 1 ]; then echo "imap.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "generating $MESSAGES messages"
mkdir -p "$DOVE/mail/me/Maildir"
GEN=$(python3 bench/gen_maildir.py "$DOVE/mail/me/Maildir" --messages "$MESSAGES" --seed 42 --me me@example.org)
echo "$GEN" >&2
bash tests/dovecot/start.sh "$DOVE" "$PORT" me benchpw
log "warming Dovecot's indexes (untimed)"
timeout 900 python3 bench/imap_headers.py --bare 127.0.0.1 "$PORT" me benchpw >/dev/null

# GNU time's "%e %M" (seconds, peak KiB) from the last line of a file.
measure() { tail -n 1 "$1"; }
BARE=(); KITH_RUNS=(); KITH_RSS=(); BARE_RSS=()
for run in $(seq 1 "$RUNS"); do
    log "run $run: imaplib, bare fetch"
    timeout 900 "$TIME" -f '%e %M' -o "$WORK/bare.time" python3 bench/imap_headers.py --bare 127.0.0.1 "$PORT" me benchpw > "$WORK/bare.json"
    read -r secs kib < <(measure "$WORK/bare.time"); BARE+=("$secs"); BARE_RSS+=("$kib")
    log "run $run: kith, first sync"
    DATA="$WORK/kith-$run"
    mkdir -p "$DATA"
    printf '[sources]\nallow_private_addresses = true\n' > "$DATA/kith.toml"
    "$KITH" --data-dir "$DATA" me add-email me@example.org >/dev/null
    echo benchpw | "$KITH" --data-dir "$DATA" sources add imap "imap://127.0.0.1:$PORT" --login me --password-stdin --json > "$WORK/source.json"
    timeout 900 "$TIME" -f '%e %M' -o "$WORK/kith.time" "$KITH" --data-dir "$DATA" sources sync --json > "$WORK/kith-$run.json"
    read -r secs kib < <(measure "$WORK/kith.time"); KITH_RUNS+=("$secs"); KITH_RSS+=("$kib")
done
log "imaplib fetching and parsing (once)"
timeout 900 "$TIME" -f '%e %M' -o "$WORK/parse.time" python3 bench/imap_headers.py 127.0.0.1 "$PORT" me benchpw > "$WORK/parse.json"
read -r PARSE_SECS PARSE_RSS < <(measure "$WORK/parse.time")

log "syncs with nothing new"
NOOP_MS=(); NOOP_WALL=(); NOOP_IN=(); NOOP_OUT=()
for i in 1 2 3 4 5; do
    "$TIME" -f '%e %M' -o "$WORK/noop.time" "$KITH" --data-dir "$WORK/kith-$RUNS" sources sync --json > "$WORK/noop.json"
    read -r secs _ < <(measure "$WORK/noop.time")
    NOOP_WALL+=("$secs")
    NOOP_MS+=("$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert r["ok"], r; print(r["report"]["millis"])' "$WORK/noop.json")")
    sleep 0.3  # Dovecot writes the session's log line as it ends
    line=$(grep 'Logged out' "$DOVE/dovecot.log" | tail -n 1)
    NOOP_IN+=("$(sed -n 's/.*in=\([0-9]*\).*/\1/p' <<<"$line")")
    NOOP_OUT+=("$(sed -n 's/.*out=\([0-9]*\).*/\1/p' <<<"$line")")
done

REPORT=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert r["ok"], r; print(json.dumps(r["report"]))' "$WORK/kith-1.json")
export MODE MESSAGES RUNS GEN REPORT PARSE_SECS PARSE_RSS
# Arrays cannot be exported: their words go as plain variables.
export T_BARE="${BARE[*]}" T_BARE_RSS="${BARE_RSS[*]}" T_KITH="${KITH_RUNS[*]}" T_KITH_RSS="${KITH_RSS[*]}"
export T_NOOP_MS="${NOOP_MS[*]}" T_NOOP_WALL="${NOOP_WALL[*]}" T_NOOP_IN="${NOOP_IN[*]}" T_NOOP_OUT="${NOOP_OUT[*]}"
export REPRO="bash bench/imap.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
python3 - <<'PY'
import json, os
env = os.environ
f = lambda k: [float(x) for x in env[k].split()]
bare, kith = f("T_BARE"), f("T_KITH")
bare_rss, kith_rss = f("T_BARE_RSS"), f("T_KITH_RSS")
report = json.loads(env["REPORT"])
gen = json.loads(env["GEN"])
print(f"IMAP sync, {env['MODE']} mode: {int(env['MESSAGES']):,} messages in a loopback Dovecot "
      f"({gen.get('inbox', '?')} in INBOX, {gen.get('sent', '?')} sent), {env['RUNS']} run(s) interleaved; "
      f"commit {env['GIT_REV']}; `{env['REPRO']}`\n")
print("| step | wall (s) | peak memory (MiB) |")
print("|---|---|---|")
print(f"| imaplib, bare fetch of the header fields | {', '.join(f'{x:.2f}' for x in bare)} | {max(bare_rss)/1024:.0f} |")
print(f"| kith first sync (fetch, match, write) | {', '.join(f'{x:.2f}' for x in kith)} | {max(kith_rss)/1024:.0f} |")
print(f"| imaplib fetch + email parser (addresses) | {float(env['PARSE_SECS']):.2f} | {float(env['PARSE_RSS'])/1024:.0f} |")
ratio = min(kith) / min(bare)
print(f"\nkith / bare fetch: {ratio:.2f}x (best of each). kith's sync: {report['read']:,} messages read, "
      f"{report['interactions']:,} interactions, {report['created']:,} people made, {report['skipped']:,} skipped.\n")
ms, wall = f("T_NOOP_MS"), f("T_NOOP_WALL")
ins, outs = f("T_NOOP_IN"), f("T_NOOP_OUT")
print("| sync with nothing new | per sync |")
print("|---|---|")
print(f"| kith's sync (connect, log in, EXAMINE each folder, log out) | {', '.join(f'{x:.0f}' for x in ms)} ms |")
print(f"| the whole `kith sources sync` command | {', '.join(f'{x*1000:.0f}' for x in wall)} ms |")
print(f"| bytes on the wire (Dovecot: to it / from it) | {int(min(ins))}-{int(max(ins))} / {int(min(outs))}-{int(max(outs))} |")
PY
