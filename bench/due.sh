#!/usr/bin/env bash
# Due-list benchmark: GET /api/v1/due ("who to reach out to") over HTTP on
# a large address book, on SQLite and on PostgreSQL, with wrk on loopback.
#
#   bash bench/due.sh [--quick] [--people N] [--duration S] [--pg URL] [--keep]
#
#   --quick        2,000 people, a 5 MB mailbox and 3-second runs (CI)
#   --people N     contacts to generate and import (default 100,000); the
#                  mailbox is N/1,000 MB (100 MB: about 25,000 messages
#                  with 3,000 correspondents)
#   --duration S   seconds per wrk run (default 10)
#   --pg URL       a PostgreSQL server; a fresh database kith_due_<pid> is
#                  created and dropped there (default $KITH_TEST_DATABASE_URL;
#                  without either, SQLite only)
#   --keep         keep the temporary directory
#
# For each engine: import the generated contacts and mailbox into an empty
# store, give 500 people a cadence through the API (300 of the mailbox's
# correspondents, whose interactions make their strength, and 200 contacts
# never written to) and the tag "investors" one of 90 days, start
# `kith serve`, time the due list computed afresh (the first one, and one
# right after each of 10 writes), then run wrk (1 and 8 connections,
# bounded by --duration) against GET /api/v1/due, which the server keeps
# until a book moves on or a minute passes. Prints a markdown table to
# stdout; progress goes to stderr.
set -euo pipefail

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
PEOPLE=100000
DURATION=10
MODE=full
KEEP=0
PG="${KITH_TEST_DATABASE_URL:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) PEOPLE=2000; DURATION=3; MODE=quick ;;
        --people) PEOPLE=${2:?--people needs a number}; shift ;;
        --duration) DURATION=${2:?--duration needs seconds}; shift ;;
        --pg) PG=${2:?--pg needs a URL}; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "due.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
MAIL_MB=$(( PEOPLE / 1000 )); [ "$MAIL_MB" -lt 5 ] && MAIL_MB=5

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "== $*" >&2; }
command -v wrk >/dev/null || { echo "due.sh: wrk is required (apt-get install wrk)" >&2; exit 1; }

log "building kith (cargo build --release -p kith)"
cargo build --release -p kith >&2
KITH="${CARGO_TARGET_DIR:-$ROOT/target}/release/kith"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-due.XXXXXX")"
SERVER_PID=""
PG_DB=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$PG_DB" ] && psql "$PG" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1
    if [ "$KEEP" -eq 1 ]; then echo "due.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
    return 0
}
trap cleanup EXIT

log "generating $PEOPLE contacts and a $MAIL_MB MB mailbox (seed 42)"
python3 bench/gen_contacts.py --count "$PEOPLE" --seed 42 --out "$WORK/gen" >/dev/null
python3 bench/gen_mbox.py --mb "$MAIL_MB" --seed 42 --out "$WORK/gen" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench_engine LABEL DATABASE_URL_OR_EMPTY
bench_engine() {
    local label=$1 db=$2 data="$WORK/data-$1" port token
    mkdir -p "$data"
    local kith=("$KITH" --data-dir "$data")
    [ -n "$db" ] && kith+=(--database "$db")
    log "$label: importing"
    timeout 900 "${kith[@]}" import "$WORK/gen/contacts.vcf" >"$WORK/$label-import.out" 2>&1 \
        || { tail -20 "$WORK/$label-import.out" >&2; exit 1; }
    "${kith[@]}" me add-email me@home.example >/dev/null
    timeout 900 "${kith[@]}" import "$WORK/gen/mail.mbox" >>"$WORK/$label-import.out" 2>&1 \
        || { tail -20 "$WORK/$label-import.out" >&2; exit 1; }
    [ -n "$db" ] && psql "$db" -qc "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
    token=$("${kith[@]}" token create --name bench | tail -n 1)
    port=$(free_port)
    "${kith[@]}" serve --listen "127.0.0.1:$port" >"$WORK/$label-serve.log" 2>&1 &
    SERVER_PID=$!
    local base="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
    log "$label: 500 cadences and a tag cadence"
    BASE="$base" TOKEN="$token" python3 - <<'PY' >"$WORK/$label-plan.txt"
import json, os, random, urllib.error, urllib.request
base, token = os.environ["BASE"], os.environ["TOKEN"]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r) if r.status == 200 else None
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()}")
people, offset = [], 0
while True:
    page = call("GET", f"/api/v1/people?limit=500&offset={offset}")
    people += page["people"]
    if page.get("next_offset") is None:
        break
    offset = page["next_offset"]
rng = random.Random(42)
# The mailbox's correspondents: people whose values came from it.
mailed = [p for p in people if any(s.get("file", "").endswith("mail.mbox") for s in p["sources"])]
rng.shuffle(people)
chosen = {p["id"] for p in mailed[:300]}
for p in people:
    if len(chosen) >= 500:
        break
    chosen.add(p["id"])
for i, pid in enumerate(sorted(chosen)):
    call("PUT", f"/api/v1/people/{pid}/cadence", {"every_days": rng.choice([14, 30, 60, 90])})
call("PUT", "/api/v1/tags/investors/cadence", {"every_days": 90})
print(f"{len(people)} people, {len(chosen)} cadences by person, tag investors", end="")
PY
    # Computed afresh: the first list, and each one right after a write
    # (a cadence set), which makes the server compute it again.
    BASE="$base" TOKEN="$token" python3 - <<'PY' >"$WORK/$label-cold.txt"
import json, os, statistics, time, urllib.request
base, token = os.environ["BASE"], os.environ["TOKEN"]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.read()
times, due = [], []
for i in range(11):
    if i:
        call("PUT", "/api/v1/tags/investors/cadence", {"every_days": 90 + i % 2})
    t = time.perf_counter()
    due = json.loads(call("GET", "/api/v1/due"))
    times.append((time.perf_counter() - t) * 1000)
print(f"{len(due)} {times[0]:.1f} {statistics.median(times[1:]):.1f}")
PY
    read -r due_count first_ms cold_ms <"$WORK/$label-cold.txt"
    echo "; $due_count due" >>"$WORK/$label-plan.txt"
    echo "$first_ms" >"$WORK/$label-first.ms"
    echo "$cold_ms" >"$WORK/$label-cold.ms"
    echo "/api/v1/due" >"$WORK/due.paths"
    for c in 1 8; do
        log "$label: wrk $c connection(s) (${DURATION}s)"
        KITH_PATHS="$WORK/due.paths" timeout $((DURATION + 30)) wrk -t1 -c"$c" -d"${DURATION}s" --timeout 10s \
            -s bench/search.lua -H "Authorization: Bearer $token" "$base" | tail -n 1 >"$WORK/$label-c$c.json"
    done
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    ENGINES="${ENGINES:-} $label"
}

bench_engine sqlite ""
if [ -n "$PG" ]; then
    PG_DB="kith_due_$$"
    psql "$PG" -qc "CREATE DATABASE $PG_DB" >/dev/null
    bench_engine postgres "${PG%/*}/$PG_DB"
else
    log "no --pg URL and no KITH_TEST_DATABASE_URL: PostgreSQL skipped"
fi

export WORK ENGINES PEOPLE DURATION MODE
export REPRO="bash bench/due.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
python3 - <<'PYEOF'
import json, os
work = os.environ["WORK"]
print(f"### Due-list benchmark ({os.environ['MODE']}: {int(os.environ['PEOPLE']):,} contacts generated, "
      f"wrk -t1, {os.environ['DURATION']} s per row)")
print()
print("| engine | book | connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
bad = 0
for engine in os.environ["ENGINES"].split():
    plan = open(os.path.join(work, f"{engine}-plan.txt")).read().replace("\n", "").strip()
    for c in (1, 8):
        r = json.load(open(os.path.join(work, f"{engine}-c{c}.json")))
        errors = r["non_2xx"] + r["socket_errors"]
        bad += errors
        print(f"| {engine} | {plan} | {c} | {r['per_second']:,.0f} | {r['p50_ms']:.2f} | "
              f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {errors} |")
print()
for engine in os.environ["ENGINES"].split():
    first = open(os.path.join(work, f"{engine}-first.ms")).read().strip()
    cold = open(os.path.join(work, f"{engine}-cold.ms")).read().strip()
    print(f"{engine}: computed afresh, the first due list after start took {first} ms, and one right "
          f"after a write (median of 10) {cold} ms; the rows above are the kept answer "
          f"(until a book moves on or a minute passes).")
print(f"kith {os.environ['GIT_REV']}; reproduce: `{os.environ['REPRO']}`")
if bad:
    raise SystemExit(f"due.sh: {bad} requests failed (non-2xx or socket errors)")
PYEOF
