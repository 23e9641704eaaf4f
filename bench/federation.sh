#!/usr/bin/env bash
# Federation benchmark: three `kith serve` processes on 127.0.0.2, .3 and
# .4 (SQLite each). One card change of ada fanned out to her connections,
# a third of them members of her own server, the rest spread over the two
# others: the time until every book on the other servers holds it, and the
# CPU each server spent per delivered update; then cross-server path
# queries of pat, whose two connections (one on each other server, with a
# demo book of 2,000 people each) both answer: p50 and p99.
#
#   bash bench/federation.sh [--quick] [--connections N] [--queries Q] [--keep]
#
#   --quick          60 connections, 40 queries (what CI runs)
#   --connections N  ada's connections (default 1000)
#   --queries Q      path queries timed (default 200)
#   --keep           keep the temporary directory
#
# Links between servers are written straight into the databases by
# crates/app/examples/federation_bench.rs (the handshake is what the tests
# cover); the card change goes through A's API, A's outbox, signed POSTs,
# B's and C's signature checks and their books. Prints markdown.
set -euo pipefail
usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
CONNECTIONS=1000
QUERIES=200
KEEP=0
MODE=full
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) CONNECTIONS=60; QUERIES=40; MODE=quick ;;
        --connections) CONNECTIONS=${2:?--connections needs a number}; shift ;;
        --queries) QUERIES=${2:?--queries needs a number}; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "federation.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "== $*" >&2; }

log "building kith and the driver (release)"
cargo build --release -p kith >&2
cargo build --release -p kith-app --example federation_bench >&2
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
KITH="$TARGET/kith"
DRIVER="$TARGET/examples/federation_bench"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-fed.XXXXXX")"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$KEEP" -eq 1 ]; then echo "federation.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"; }
IPS=(127.0.0.2 127.0.0.3 127.0.0.4)
DIRS=(); URLS=()
for i in 0 1 2; do
    ip=${IPS[$i]}; port=$(free_port "$ip"); dir="$WORK/server$i"
    mkdir -p "$dir"
    printf 'public_url = "http://%s:%s"\n[federation]\nallow_private_addresses = true\nretry_seconds = 1\n' "$ip" "$port" > "$dir/kith.toml"
    "$KITH" --data-dir "$dir" user list >/dev/null   # makes the database
    DIRS+=("$dir"); URLS+=("http://$ip:$port")
done

log "setting up $CONNECTIONS connections and pat's two"
TOKENS=$("$DRIVER" setup "${DIRS[@]}" "${URLS[@]}" "$CONNECTIONS")

log "starting the three servers"
for i in 0 1 2; do
    "$KITH" --data-dir "${DIRS[$i]}" serve --listen "${URLS[$i]#http://}" > "${DIRS[$i]}/serve.log" 2>&1 &
    PIDS+=($!)
done
for i in 0 1 2; do
    for _ in $(seq 1 100); do
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=1)' "${URLS[$i]}" 2>/dev/null && break
        sleep 0.1
    done
done

log "fanning out one card change; then $QUERIES path queries"
RESULT=$(timeout 1200 "$DRIVER" run "${DIRS[@]}" "${URLS[@]}" "$TOKENS" "$(IFS=,; echo "${PIDS[*]}")" "$QUERIES")
echo "$RESULT" >&2

export RESULT MODE
export REPRO="bash bench/federation.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
python3 - <<'PY'
import json, os
r = json.loads(os.environ["RESULT"])
c = r["connections"]
total = c["local"] + c["remote"]
print(f"Federation, {os.environ['MODE']} mode: ada's {total:,} connections ({c['local']:,} on her server, "
      f"{c['remote']:,} on two others), three `kith serve` on loopback; commit {os.environ['GIT_REV']}; "
      f"`{os.environ['REPRO']}`\n")
print("| measure | result | target |")
print("|---|---|---|")
print(f"| one card change until every book on the other servers holds it | {r['fan_out_s']:.2f} s ({r['books_holding_it']:,} books) | under 10 s |")
print(f"| the change's API call (its own server's books included) | {r['change_accepted_ms']:.0f} ms | |")
cpu = r["cpu_ms_per_update"]
print(f"| CPU per delivered update: sender / receivers | {cpu['sender']:.2f} ms / {cpu['receivers']:.2f} ms | |")
p = r["path_query_ms"]
print(f"| cross-server path query, two remote servers answering: p50 / p99 ({p['n']} queries) | {p['p50']:.1f} / {p['p99']:.1f} ms | p99 under 200 ms |")
q = r["ada_path_query_ms"]
print(f"| ada's path query, her {c['remote']:,} remote connections asked (one query a server): p50 / p99 ({q['n']} queries) | {q['p50']:.1f} / {q['p99']:.1f} ms, {r['ada_unanswered']} unanswered | |")
print(f"\nPaths through the other servers found: {r['remote_paths']} over the timed queries; servers unanswered: {r['unanswered']}. "
      f"First change (each remote person made, B and C fetching ada's key once): {r['warm_up_s']:.2f} s.")
PY
