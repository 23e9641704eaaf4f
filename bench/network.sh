#!/usr/bin/env bash
# Graph path benchmark: kith's in-memory graph (kith-graph's path_bench
# example) against networkx and python-igraph on the same generated
# professional network, in one run.
#
#   bash bench/network.sh [--quick] [--people N] [--ties M] [--pairs P] [--peer-pairs K]
#
#   --quick          20,000 people, 100,000 ties, 200 pairs, 20 of them for
#                    the peers, short timeouts (what CI runs)
#   --people N       people (default 1,000,000)
#   --ties M         ties (default 10,000,000)
#   --pairs P        query pairs, all run by kith (default 1000)
#   --peer-pairs K   networkx and igraph run the first K of them (default 20)
#   --reuse-peers    keep networkx's and igraph's results of an earlier run
#                    on the same network (they take about an hour at full
#                    size); the table says so
#
# The network (bench/network_gen.py, seed 42) goes to target/bench-network/
# and is reused while the parameters and the generator stay the same. Each
# tool builds its graph from the same edges.txt (strengths in (0,1], a
# path's strength the product of its ties') and answers, per pair: the best
# path, the best path to anyone at the destination's company, and the 5
# best loopless paths (bench/network_peers.py for networkx and igraph, each
# query bounded by a timeout). Needs the venv (.venv, or $KITH_VENV): installs
# pinned networkx, igraph and numpy into it when missing. Prints a markdown
# table to stdout; exits 1 when a tool fails, when a peer's answers fail its
# own consistency checks, or when the tools' strengths for the first 20
# pairs disagree (relative 1e-5: kith keeps each tie's cost as a 32-bit float).
set -euo pipefail
usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
ORIG_ARGS="$*"
PEOPLE=1000000
TIES=10000000
PAIRS=1000
PEER_PAIRS=20
MODE=full
SEED=42
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) PEOPLE=20000; TIES=100000; PAIRS=200; PEER_PAIRS=20; MODE=quick ;;
        --people) PEOPLE=${2:?--people needs a number}; shift ;;
        --ties) TIES=${2:?--ties needs a number}; shift ;;
        --pairs) PAIRS=${2:?--pairs needs a number}; shift ;;
        --peer-pairs) PEER_PAIRS=${2:?--peer-pairs needs a number}; shift ;;
        --reuse-peers) REUSE_PEERS=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "network.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
if [ "$MODE" = quick ]; then
    GEN_S=120; KITH_S=300; QUERY_S=10; BUDGET_S=60; PEER_S=300
else
    GEN_S=900; KITH_S=3600; QUERY_S=120; BUDGET_S=1800; PEER_S=3600
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "== $*" >&2; }
echo "<!-- bash bench/network.sh${ORIG_ARGS:+ $ORIG_ARGS} at $(git rev-parse --short HEAD 2>/dev/null || echo unknown) -->"

VENV=${KITH_VENV:-$ROOT/.venv}
PINS="networkx==3.6.1 igraph==1.0.0 numpy==2.4.6"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" - $PINS 2>/dev/null <<'EOF'
import sys
from importlib.metadata import version
sys.exit(any(version(name) != pinned for name, pinned in (p.split("==") for p in sys.argv[1:])))
EOF
then
    log "installing $PINS into $VENV"
    "$VENV/bin/pip" install -q $PINS >&2
fi
PY="$VENV/bin/python"

DATA="$ROOT/target/bench-network/n$PEOPLE-m$TIES-p$PAIRS-s$SEED"
STAMP="$PEOPLE $TIES $PAIRS $SEED $(sha256sum bench/network_gen.py | cut -c1-16) $PINS"
if [ "$(cat "$DATA/stamp" 2>/dev/null)" = "$STAMP" ]; then
    log "reusing the network in $DATA"
else
    log "generating $PEOPLE people, $TIES ties, $PAIRS pairs (seed $SEED) into $DATA"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    timeout "$GEN_S" "$PY" bench/network_gen.py --people "$PEOPLE" --ties "$TIES" --seed "$SEED" \
        --pairs "$PAIRS" --out "$DATA" >"$DATA/gen.json" \
        || { echo "network.sh: generating the network failed" >&2; exit 1; }
    echo "$STAMP" >"$DATA/stamp"
fi
FILES=("$DATA/edges.txt" "$DATA/pairs.txt" "$DATA/companies.txt")

# step NAME SECONDS COMMAND...: stdout to $DATA/NAME.json, stderr to
# NAME.log; a failure is noted in NAME.failed for the report
step() {
    local name=$1 seconds=$2 rc=0
    shift 2
    rm -f "$DATA/$name.json" "$DATA/$name.failed"
    log "$name (at most ${seconds} s)"
    timeout "$seconds" "$@" >"$DATA/$name.json" 2>"$DATA/$name.log" || rc=$?
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 124 ]; then echo "timed out after $seconds s; see $DATA/$name.log" >"$DATA/$name.failed"
        else echo "exit code $rc; see $DATA/$name.log" >"$DATA/$name.failed"; fi
        echo "network.sh: $name failed ($(cat "$DATA/$name.failed")); the end of $DATA/$name.log:" >&2
        tail -n 5 "$DATA/$name.log" >&2
    fi
}

log "building kith-graph's path_bench example (cargo build --release)"
if timeout 3600 cargo build --release -p kith-graph --example path_bench >&2; then
    step kith "$KITH_S" cargo run --release -q -p kith-graph --example path_bench -- "${FILES[@]}"
else
    echo "cargo build failed: its output is above" >"$DATA/kith.failed"
    rm -f "$DATA/kith.json" "$DATA/kith.log"
fi
for tool in networkx igraph; do
    if [ -n "${REUSE_PEERS:-}" ] && [ -s "$DATA/$tool.json" ] && [ ! -e "$DATA/$tool.failed" ]; then
        log "$tool: reusing $DATA/$tool.json of $(date -r "$DATA/$tool.json" '+%F %T')"
        echo "$tool's results are reused from a run at $(date -r "$DATA/$tool.json" '+%F %T') on the same network."
        continue
    fi
    step "$tool" "$PEER_S" "$PY" bench/network_peers.py --tool "$tool" "${FILES[@]}" \
        --pairs-limit "$PEER_PAIRS" --timeout "$QUERY_S" --budget "$BUDGET_S"
done

export DATA MODE PEOPLE TIES PAIRS PEER_PAIRS QUERY_S BUDGET_S
"$PY" - <<'PYEOF'
import json, math, os, sys

data = os.environ["DATA"]
TOOLS = ("kith", "networkx", "igraph")
KINDS = ("single", "org", "k5")
loud = []  # what makes the run fail


def load(tool):
    failed = os.path.join(data, f"{tool}.failed")
    if os.path.exists(failed):
        loud.append(f"{tool} did not run to the end ({open(failed).read().strip()})")
        return None
    try:
        return json.load(open(os.path.join(data, f"{tool}.json")))
    except (OSError, ValueError) as e:
        loud.append(f"{tool} printed no JSON result ({e})")
        return None


results = {tool: load(tool) for tool in TOOLS}
for tool, r in results.items():
    for problem in (r or {}).get("problems", []):
        loud.append(f"{tool}'s answers fail a consistency check: {problem}")

people, ties = int(os.environ["PEOPLE"]), int(os.environ["TIES"])
pairs, peer_pairs = int(os.environ["PAIRS"]), min(int(os.environ["PAIRS"]), int(os.environ["PEER_PAIRS"]))
print(f"### Path benchmark ({os.environ['MODE']}: {people:,} people, {ties:,} ties; kith runs {pairs:,} pairs, "
      f"networkx and igraph the first {peer_pairs:,})")
print()
heads = [t if t == "kith" or not results[t] else f"{t} {results[t]['version']}" for t in TOOLS]
print(f"| | {' | '.join(heads)} | networkx ÷ kith | igraph ÷ kith |")
print("|---|---:|---:|---:|---:|---:|")
rows = [("build s", lambda r: r["build_s"]),
        ("memory MB (RSS after build)", lambda r: r["rss_mb"]),
        ("peak memory MB", lambda r: r.get("peak_mb"))]
for kind in KINDS:
    for q in ("p50", "p99"):
        rows.append((f"{kind} {q} ms", lambda r, kind=kind, q=q: r[kind][f"{q}_ms"]))


def number(x):
    return "—" if x is None else f"{x:,.3f}" if x < 10 else f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"


for name, get in rows:
    values = {t: (get(r) if r else None) for t, r in results.items()}
    ratios = [f"{values[t] / values['kith']:,.1f}x" if values[t] and values["kith"] else "—"
              for t in ("networkx", "igraph")]
    print(f"| {name} | {' | '.join(number(values[t]) for t in TOOLS)} | {' | '.join(ratios)} |")
for field in ("done", "failed", "skipped"):
    cells = [" / ".join(str(r[kind].get(field, 0)) for kind in KINDS) if r else "—" for r in results.values()]
    print(f"| {field} (single / org / k5) | {' | '.join(cells)} | | |")
print()
print(f"Percentiles are over each tool's own pairs (kith {pairs}, the peers {peer_pairs}: their p99 is their "
      f"slowest); a query past {os.environ['QUERY_S']} s failed, and the peers stop starting queries after "
      f"{os.environ['BUDGET_S']} s in all (skipped). org: the best path to anyone at the destination's company; "
      f"k5: the 5 best loopless paths.")


def agree(a, b):
    """Strengths of one answer by two tools: a number or None (no path), a
    list for k5. kith keeps each tie's cost (-ln strength) as a 32-bit
    float, about 1e-7 relative a tie, hence 1e-5 over a path."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b))
    if a is None or b is None or isinstance(a, list) or isinstance(b, list):
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-5)


compared = disagree = 0
ran = [t for t in TOOLS if results[t]]
for kind in KINDS:
    for i in range(max([len(results[t]["check"][kind]) for t in ran] + [0])):
        answers = [(t, results[t]["check"][kind][i]) for t in ran if i < len(results[t]["check"][kind])]
        answers = [(t, a) for t, a in answers if not isinstance(a, str)]  # "failed", "skipped"
        for t, a in answers[1:]:
            compared += 1
            if not agree(answers[0][1], a):
                disagree += 1
                loud.append(f"pair {i} {kind}: {answers[0][0]} says {answers[0][1]}, {t} says {a}")
print()
print(f"Cross-check: {compared} answers for the first 20 pairs compared between {', '.join(ran) or 'no tool'}, "
      f"{disagree} disagree.")
for line in loud:
    print(f"**NETWORK BENCHMARK FAILED**: {line}")
    print(f"network.sh: FAILED: {line}", file=sys.stderr)
sys.exit(1 if loud else 0)
PYEOF
