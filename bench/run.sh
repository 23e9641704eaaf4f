#!/usr/bin/env bash
# Import benchmark: kith vs Python vobject, in the same run on the same machine.
#
#   bash bench/run.sh [--quick] [--count N] [--runs N] [--keep]
#
#   --quick   2,000 generated contacts instead of 100,000 (what CI runs)
#   --count N N generated contacts (20000: the small end)
#   --runs N  repeat every measured step N times (fresh data directory each
#             time) and report medians; default 1
#   --keep    keep the temporary directory (generated files, kith data, logs)
#
# Steps: build kith (release), generate contacts.vcf and Connections.csv with
# bench/gen_contacts.py (seed 42), then measure with GNU time, each step bounded
# by `timeout 600`:
#   (a) kith --data-dir D import contacts.vcf       (empty data directory)
#   (b) kith --data-dir D import Connections.csv    (same D, after (a))
#   (c) bench/vobject_parse.py contacts.vcf         (Python vobject baseline)
# and print a markdown table (stdout) with the figures, the ratio
# vobject seconds / kith vCard import seconds, and the command to reproduce.
# Progress and build output go to stderr.
#
# Python: a venv at bench/.venv (or $KITH_VENV) with tests/python/requirements.txt.
set -euo pipefail

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

ORIG_ARGS="$*"
COUNT=100000
MODE=full
RUNS=1
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) COUNT=2000; MODE=quick ;;
        --count)
            [ $# -ge 2 ] || { echo "run.sh: --count needs a number" >&2; exit 2; }
            COUNT=$2; shift ;;
        --runs)
            [ $# -ge 2 ] || { echo "run.sh: --runs needs a number" >&2; exit 2; }
            RUNS=$2; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case "$RUNS" in
    ''|*[!0-9]*|0) echo "run.sh: --runs must be a positive integer, got '$RUNS'" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STEP_TIMEOUT=600
SEED=42

log() { echo "== $*" >&2; }

# --- GNU time -----------------------------------------------------------------
TIME=/usr/bin/time
if ! "$TIME" -f '%e %M' true >/dev/null 2>&1; then
    log "GNU time not found at $TIME; installing it (apt-get install -y time)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get install -y time >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y time >&2; }
    "$TIME" -f '%e %M' true >/dev/null 2>&1 || { echo "run.sh: GNU time still not usable at $TIME" >&2; exit 1; }
fi
command -v timeout >/dev/null || { echo "run.sh: 'timeout' (coreutils) is required" >&2; exit 1; }

# --- Python venv with vobject ---------------------------------------------------
VENV="${KITH_VENV:-$ROOT/bench/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    log "creating venv $VENV"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import vobject' 2>/dev/null; then
    log "installing vobject into $VENV"
    "$VENV/bin/python" -m pip install --quiet -r "$ROOT/tests/python/requirements.txt" >&2
fi
PY="$VENV/bin/python"
unset KITH_VENV  # kith warns about KITH_* variables it does not know

# --- kith ---------------------------------------------------------------------
log "building kith (cargo build --release -p kith)"
cargo build --release -p kith >&2
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
KITH="$TARGET_DIR/release/kith"
[ -x "$KITH" ] || { echo "run.sh: kith binary not found at $KITH after the build" >&2; exit 1; }

# --- work directory -------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-bench.XXXXXX")"
cleanup() {
    if [ "$KEEP" -eq 1 ]; then echo "run.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }

# run_step NAME CMD... : run CMD bounded by timeout and measured by GNU time.
# Writes $WORK/NAME.out, $WORK/NAME.err, $WORK/NAME.time ("seconds KiB" on its
# last line: GNU time's %e and %M) and $WORK/NAME.wall (start and end times,
# for a finer wall time than %e's 10 ms). Any failure stops the whole script
# with the step's output.
run_step() {
    local name=$1; shift
    local rc=0 t0
    t0=$(now)
    timeout "$STEP_TIMEOUT" "$TIME" -f '%e %M' -o "$WORK/$name.time" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
    echo "$t0 $(now)" >"$WORK/$name.wall"
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 124 ]; then
            echo "run.sh: step '$name' timed out after ${STEP_TIMEOUT}s: $*" >&2
        else
            echo "run.sh: step '$name' FAILED with exit code $rc: $*" >&2
        fi
        echo "--- $name: stderr (last 40 lines) ---" >&2
        tail -n 40 "$WORK/$name.err" >&2 || true
        echo "--- $name: stdout (last 20 lines) ---" >&2
        tail -n 20 "$WORK/$name.out" >&2 || true
        KEEP=1
        exit 1
    fi
}

log "generating $COUNT contacts (seed $SEED) into $WORK/data"
run_step gen python3 "$ROOT/bench/gen_contacts.py" --count "$COUNT" --seed "$SEED" --out "$WORK/data"
VCF="$WORK/data/contacts.vcf"
CSV="$WORK/data/Connections.csv"

for i in $(seq 1 "$RUNS"); do
    DATA="$WORK/kith-data-$i"
    mkdir -p "$DATA"
    log "run $i/$RUNS: kith import contacts.vcf"
    run_step "kith-vcf-$i" "$KITH" --data-dir "$DATA" import "$VCF"
    log "run $i/$RUNS: kith import Connections.csv"
    run_step "kith-csv-$i" "$KITH" --data-dir "$DATA" import "$CSV"
    log "run $i/$RUNS: vobject parse contacts.vcf"
    run_step "vobject-$i" "$PY" "$ROOT/bench/vobject_parse.py" "$VCF"
done

# --- report ---------------------------------------------------------------------
GIT_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then GIT_REV="$GIT_REV (with uncommitted changes)"; fi
CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
export WORK RUNS MODE COUNT SEED GIT_REV CPU
export REPRO="bash bench/run.sh${ORIG_ARGS:+ $ORIG_ARGS}"
export CORES="$(nproc 2>/dev/null || echo '?')"
export RUSTC="$(rustc --version 2>/dev/null || echo unknown)"
export PYVER="$("$PY" -c 'import platform; print(platform.python_version())')"
export VOBJECT_VERSION="$("$PY" -c 'from importlib.metadata import version; print(version("vobject"))')"
export KITH_VERSION="$("$KITH" --version 2>/dev/null | head -n 1 || echo unknown)"

python3 - <<'PYEOF'
import json, os, statistics

work = os.environ["WORK"]
runs = int(os.environ["RUNS"])


def timed(name):
    """(wall seconds, peak RSS MiB) of one step."""
    with open(os.path.join(work, name + ".time")) as f:
        _, kib = [ln for ln in f.read().split("\n") if ln.strip()][-1].split()
    with open(os.path.join(work, name + ".wall")) as f:
        t0, t1 = f.read().split()
    return float(t1) - float(t0), int(kib) / 1024


def med(xs):
    return statistics.median(xs)


gen = json.load(open(os.path.join(work, "gen.out")))
vcf, li, exp = gen["vcf"], gen["linkedin"], gen["expected"]
kv = [timed(f"kith-vcf-{i}") for i in range(1, runs + 1)]
kc = [timed(f"kith-csv-{i}") for i in range(1, runs + 1)]
vw = [timed(f"vobject-{i}") for i in range(1, runs + 1)]
vj = [json.load(open(os.path.join(work, f"vobject-{i}.out"))) for i in range(1, runs + 1)]
if any(j["cards"] != vcf["cards"] for j in vj):
    raise SystemExit(f"run.sh: vobject read {vj[0]['cards']} cards, the generator wrote {vcf['cards']}")

kv_s, kv_m = med([s for s, _ in kv]), med([m for _, m in kv])
kc_s, kc_m = med([s for s, _ in kc]), med([m for _, m in kc])
vo_s, vo_m = med([j["seconds"] for j in vj]), med([m for _, m in vw])
vo_wall = med([s for s, _ in vw])
label = "median of %d runs" % runs if runs > 1 else "1 run"


def rate(n, s):
    return f"{n / s:,.0f}/s" if s > 0 else "n/a"


print(f"### Import benchmark ({os.environ['MODE']}: {vcf['cards']:,} vCards, {li['rows']:,} LinkedIn rows; {label})")
print()
print("| step | input | seconds | throughput | peak RSS (MiB) |")
print("|---|---|---:|---:|---:|")
print(f"| kith import contacts.vcf (empty store) | {vcf['cards']:,} cards, {vcf['bytes'] / 1e6:.1f} MB "
      f"| {kv_s:.3f} | {rate(vcf['cards'], kv_s)} | {kv_m:.0f} |")
print(f"| kith import Connections.csv (after the vCards) | {li['rows']:,} rows, {li['bytes'] / 1e6:.1f} MB "
      f"| {kc_s:.3f} | {rate(li['rows'], kc_s)} | {kc_m:.0f} |")
print(f"| Python vobject {os.environ['VOBJECT_VERSION']}: parse contacts.vcf | {vcf['cards']:,} cards "
      f"| {vo_s:.3f} | {rate(vcf['cards'], vo_s)} | {vo_m:.0f} |")
print()
ratio = f"{vo_s / kv_s:.1f}x" if kv_s > 0 else "n/a"
print(f"**vobject seconds / kith vCard import seconds = {vo_s:.3f} / {kv_s:.3f} = {ratio}**")
print()
print("kith times are whole-process wall times of the import (start-up, parsing, matching, "
      "writing the store), measured around the command (peak RSS from GNU time). The vobject time is its in-process parse time "
      f"(reading the file and readComponents; its whole-process wall time was {vo_wall:.2f} s), "
      "so the ratio does not favour kith.")
print()
print(f"Planted duplicates (gen_contacts.py --seed {os.environ['SEED']}): "
      f"{vcf['exact_duplicates']:,} exact duplicate cards (merge), "
      f"{vcf['near_duplicates']:,} nickname near-duplicates (suggest only), "
      f"{li['same_person_as_vcard']:,} LinkedIn connections who are vCard people "
      f"({li['matched_by_slug']:,} by profile slug, {li['matched_by_email_only']:,} by email only). "
      f"Expected people: {exp['people_after_vcf_import']:,} after the vCards, "
      f"{exp['people_after_both_imports']:,} after both files.")
print()
print(f"Machine: {os.environ['CPU'] or 'unknown CPU'}, {os.environ['CORES']} cores; "
      f"{os.environ['RUSTC']}; Python {os.environ['PYVER']}; {os.environ['KITH_VERSION']}; "
      f"commit {os.environ['GIT_REV']}.")
print()
print("Reproduce (from the repository root):")
print()
print("```")
print(os.environ["REPRO"])
print("```")
print()
print("kith's summary of the last run:")
print()
print("```")
for name in (f"kith-vcf-{runs}", f"kith-csv-{runs}"):
    text = open(os.path.join(work, name + ".out"), encoding="utf-8", errors="replace").read().rstrip()
    lines = text.split("\n")
    print(f"$ kith import {'contacts.vcf' if 'vcf' in name else 'Connections.csv'}")
    print("\n".join(lines[:25] + (["..."] if len(lines) > 25 else [])))
print("```")
PYEOF
