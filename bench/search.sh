#!/usr/bin/env bash
# Search benchmark: people search and the person page over HTTP under load,
# on SQLite and on PostgreSQL, with wrk on loopback.
#
#   bash bench/search.sh [--quick] [--people N] [--duration S] [--pg URL] [--keep]
#
#   --quick        2,000 people and 3-second runs (what CI runs)
#   --people N     people to generate and import (default 100,000)
#   --duration S   seconds per wrk run (default 20)
#   --pg URL       a PostgreSQL server (postgres://user@host:port/db) where a
#                  fresh database kith_bench_<pid> is created and dropped;
#                  default $KITH_TEST_DATABASE_URL; without either, SQLite only
#   --keep         keep the temporary directory
#
# For each engine: import the generated contacts.vcf into an empty store, add
# an account and an API token, start `kith serve` on a free loopback port,
# time the first search (the server builds its in-memory index at start and
# the search waits for it) and the first person page (it waits for the
# network graph, loaded next), then run wrk (2 threads, 8 connections, bounded
# by --duration) against
#   (a) GET /api/v1/people?search=Q&limit=50   (JSON API, bearer token)
#   (b) GET /people?q=Q                         (the HTML people page)
#   (c) GET /people/ID                          (the HTML person page)
#   (d) GET /                                   (the home page)
#   (e) GET /search?q=Q                         (the search box's page)
# and (a) again with 16 connections (saturation), with Q drawn from 5,000
# seeded queries (bench/search_queries.py) and ID from 500 people. On
# PostgreSQL the import is followed by VACUUM ANALYZE and a CHECKPOINT, so
# the runs measure the steady state rather than the import's aftermath.
# Prints a markdown table to stdout; progress goes to stderr.
set -euo pipefail

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
PEOPLE=100000
DURATION=20
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
        *) echo "search.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "== $*" >&2; }

if ! command -v wrk >/dev/null; then
    log "installing wrk"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get install -y wrk >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y wrk >&2; }
fi
command -v curl >/dev/null || { echo "search.sh: curl is required" >&2; exit 1; }

log "building kith (cargo build --release -p kith)"
cargo build --release -p kith >&2
KITH="${CARGO_TARGET_DIR:-$ROOT/target}/release/kith"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-search.XXXXXX")"
SERVER_PID=""
PG_DB=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$PG_DB" ] && psql "$PG" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1
    if [ "$KEEP" -eq 1 ]; then echo "search.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
    return 0
}
trap cleanup EXIT

log "generating $PEOPLE contacts (seed 42)"
python3 bench/gen_contacts.py --count "$PEOPLE" --seed 42 --out "$WORK/gen" >/dev/null
python3 bench/search_queries.py "$WORK/gen/contacts.vcf" --count 5000 --seed 42 >"$WORK/queries.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench_engine LABEL DATABASE_URL_OR_EMPTY
bench_engine() {
    local label=$1 db=$2 data="$WORK/data-$1" port token
    mkdir -p "$data"
    local kith=("$KITH" --data-dir "$data")
    [ -n "$db" ] && kith+=(--database "$db")
    log "$label: importing $PEOPLE contacts"
    local t0=$EPOCHREALTIME
    timeout 900 "${kith[@]}" import "$WORK/gen/contacts.vcf" >"$WORK/$label-import.out" 2>&1 \
        || { tail -20 "$WORK/$label-import.out" >&2; exit 1; }
    local import_s; import_s=$(python3 -c "print(f'{$EPOCHREALTIME - $t0:.1f}')")
    if [ -n "$db" ]; then
        psql "$db" -qc "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
    fi
    "${kith[@]}" user passwd default --password-stdin <<<"bench-password" >/dev/null 2>&1 \
        || "${kith[@]}" user add default --password-stdin <<<"bench-password" >/dev/null
    token=$("${kith[@]}" --user default token create --name bench | tail -n 1)
    port=$(free_port)
    "${kith[@]}" serve --listen "127.0.0.1:$port" >"$WORK/$label-serve.log" 2>&1 &
    SERVER_PID=$!
    local base="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do curl -sf "$base/login" >/dev/null && break; sleep 0.2; done
    local t1=$EPOCHREALTIME
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/people?search=warm" \
        || { echo "search.sh: the first search failed" >&2; exit 1; }
    python3 -c "print(f'{$EPOCHREALTIME - $t1:.2f}')" >"$WORK/$label-first.s"
    curl -sf -c "$WORK/cookies" -o /dev/null -d "name=default&password=bench-password&next=/people" "$base/login" \
        || { echo "search.sh: sign-in failed" >&2; exit 1; }
    local cookie; cookie=$(awk '$6 ~ /session/ {print $6 "=" $7}' "$WORK/cookies" | head -n 1)
    [ -n "$cookie" ] || { echo "search.sh: no session cookie after sign-in" >&2; exit 1; }

    sed 's|^|/api/v1/people?limit=50\&search=|' "$WORK/queries.txt" >"$WORK/api.paths"
    sed 's|^|/people?q=|' "$WORK/queries.txt" >"$WORK/page.paths"
    sed 's|^|/search?q=|' "$WORK/queries.txt" >"$WORK/find.paths"
    echo "/" >"$WORK/home.paths"
    curl -sf -H "Authorization: Bearer $token" "$base/api/v1/people?limit=500" \
        | python3 -c 'import json,sys; [print("/people/" + p["id"]) for p in json.load(sys.stdin)["people"]]' \
        >"$WORK/person.paths"
    [ -s "$WORK/person.paths" ] || { echo "search.sh: the API listed no people" >&2; exit 1; }
    # The person page shows paths: it waits for the network graph, which the
    # server loads at start after the search index. Timed, then steady state.
    local t2=$EPOCHREALTIME
    curl -sf -o /dev/null -H "Cookie: $cookie" "$base$(head -n 1 "$WORK/person.paths")" \
        || { echo "search.sh: the first person page failed" >&2; exit 1; }
    python3 -c "print(f'{$EPOCHREALTIME - $t2:.2f}')" >"$WORK/$label-first-person.s"

    run_wrk() { # NAME CONNECTIONS PATHS HEADER
        KITH_PATHS="$WORK/$3" timeout $((DURATION + 30)) wrk -t2 -c"$2" -d"${DURATION}s" --timeout 5s \
            -s bench/search.lua -H "$4" "$base" | tail -n 1 >"$WORK/$label-$1.json"
    }
    log "$label: wrk API search (${DURATION}s)"
    run_wrk api 8 api.paths "Authorization: Bearer $token"
    log "$label: wrk people page search (${DURATION}s)"
    run_wrk page 8 page.paths "Cookie: $cookie"
    log "$label: wrk person page (${DURATION}s)"
    run_wrk person 8 person.paths "Cookie: $cookie"
    log "$label: wrk home page (${DURATION}s)"
    run_wrk home 8 home.paths "Cookie: $cookie"
    log "$label: wrk search page (${DURATION}s)"
    run_wrk find 8 find.paths "Cookie: $cookie"
    log "$label: wrk API search, 16 connections (${DURATION}s)"
    run_wrk api16 16 api.paths "Authorization: Bearer $token"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    echo "$import_s" >"$WORK/$label-import.s"
    ENGINES="${ENGINES:-} $label"
}

bench_engine sqlite ""
if [ -n "$PG" ]; then
    PG_DB="kith_bench_$$"
    psql "$PG" -qc "CREATE DATABASE $PG_DB" >/dev/null
    bench_engine postgres "${PG%/*}/$PG_DB"
else
    log "no --pg URL and no KITH_TEST_DATABASE_URL: PostgreSQL skipped"
fi

export WORK ENGINES PEOPLE DURATION MODE
export REPRO="bash bench/search.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
python3 - <<'PYEOF'
import json, os
work = os.environ["WORK"]
print(f"### Search benchmark ({os.environ['MODE']}: {int(os.environ['PEOPLE']):,} people generated, "
      f"wrk -t2, {os.environ['DURATION']} s per row)")
print()
print("| engine | request | connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
rows = [("api", "API search `/api/v1/people?search=Q`", 8),
        ("page", "people page `/people?q=Q`", 8),
        ("person", "person page `/people/ID`", 8),
        ("home", "home page `/`", 8),
        ("find", "search page `/search?q=Q`", 8),
        ("api16", "API search `/api/v1/people?search=Q`", 16)]
bad = 0
for engine in os.environ["ENGINES"].split():
    for kind, name, connections in rows:
        r = json.load(open(os.path.join(work, f"{engine}-{kind}.json")))
        errors = r["non_2xx"] + r["socket_errors"]
        bad += errors
        print(f"| {engine} | {name} | {connections} | {r['per_second']:,.0f} | {r['p50_ms']:.2f} | "
              f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {errors} |")
print()
for engine in os.environ["ENGINES"].split():
    read = lambda what: open(os.path.join(work, f"{engine}-{what}.s")).read().strip()
    print(f"{engine}: import before the runs {read('import')} s; first search after start "
          f"(waits for the in-memory index) {read('first')} s; first person page after that "
          f"(waits for the network graph) {read('first-person')} s.")
print(f"kith {os.environ['GIT_REV']}; reproduce: `{os.environ['REPRO']}`")
if bad:
    raise SystemExit(f"search.sh: {bad} requests failed (non-2xx or socket errors)")
PYEOF
