#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need
# (PostgreSQL 15 server binaries, Chromium and chromedriver, a Python venv
# with vobject, schemathesis and aiosmtpd), starts a
# throwaway PostgreSQL on a free loopback port, runs every Rust test on
# SQLite and PostgreSQL, the lints, and the benchmarks in their quick mode.
#
#   bash scripts/test.sh            # everything
#   KITH_SKIP_LINT=1 bash scripts/test.sh   # tests only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Each step's time, printed at the end (also when a step fails).
STEP_NAME=""; STEP_START=$SECONDS; RUN_START=$SECONDS; STEP_TIMES=()
step_done() {
    [ -n "$STEP_NAME" ] && STEP_TIMES+=("$(printf '%6d s  %s' $((SECONDS - STEP_START)) "$STEP_NAME")")
    STEP_NAME=""
}
say() { step_done; STEP_NAME="$*"; STEP_START=$SECONDS; printf '\n== %s\n' "$*"; }
print_step_times() {
    step_done
    printf '\n== time per step (%d s in all)\n' $((SECONDS - RUN_START))
    printf '  %s\n' "${STEP_TIMES[@]}"
}
trap print_step_times EXIT

# Incremental build data only helps repeated local edits; on a test run it
# is gigabytes of disk for nothing.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
say "disk before the run"
df -h . /tmp | sed 's/^/  /'

# --- what the tests need ---------------------------------------------------
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
    say "installing PostgreSQL 15"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    say "installing Chromium and chromedriver (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
export KITH_BROWSER_TESTS=1

# Dovecot: the real IMAP server the sources tests read (tests/dovecot/start.sh
# runs a private one per test on a loopback port; the system's stays off).
if [ ! -x /usr/sbin/dovecot ]; then
    say "installing Dovecot (IMAP tests)"
    # The package would start the system's Dovecot on every address: a
    # policy-rc.d for the install keeps it stopped.
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
    [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
    if command -v systemctl >/dev/null 2>&1; then systemctl stop dovecot >/dev/null 2>&1 || true; fi
fi
export KITH_DOVECOT=1

# axe-core (npm, pinned) checks every page of the browser tests for
# accessibility violations.
AXE_VERSION=4.11.0
axe_js="$root/target/axe/node_modules/axe-core/axe.min.js"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$root/target/axe/node_modules/axe-core/package.json"; then
    if ! command -v npm >/dev/null 2>&1; then
        say "installing npm (for axe-core)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    fi
    say "installing axe-core $AXE_VERSION (npm)"
    mkdir -p "$root/target/axe"
    npm install --silent --no-audit --no-fund --prefix "$root/target/axe" "axe-core@$AXE_VERSION" >/dev/null
fi
export KITH_AXE_JS="$axe_js"

venv=${KITH_VENV:-$root/.venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import vobject, schemathesis, aiosmtpd, requests, vdirsyncer, khard, pytest_asyncio, aioresponses, radicale, prometheus_client' 2>/dev/null; then
    say "creating the Python venv at $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r tests/python/requirements.txt
fi
export KITH_PYTHON="$venv/bin/python"
export KITH_VENV="$venv"

# bovine-herd, the independent ActivityPub server federation is tested
# against, in a venv of its own (its pins clash with the one above).
fedvenv=${KITH_FEDIVERSE_VENV:-$root/target/fedvenv}
if [ ! -x "$fedvenv/bin/python" ] || ! "$fedvenv/bin/python" -c 'import bovine_herd, bovine_store, hypercorn' 2>/dev/null; then
    say "creating the fediverse venv at $fedvenv"
    python3 -m venv "$fedvenv"
    "$fedvenv/bin/pip" install -q -r tests/fediverse/requirements.txt
fi
export KITH_FEDIVERSE_PYTHON="$fedvenv/bin/python"

# The real Gmail Takeout sample inside the PyPI package emailnetwork.
sample_dir="$root/target/samples"
if [ ! -s "$sample_dir/emailnetwork-test.mbox" ]; then
    say "fetching the emailnetwork Gmail sample (PyPI)"
    mkdir -p "$sample_dir"
    "$venv/bin/pip" download -q --no-deps emailnetwork==0.0.2 -d "$sample_dir"
    "$venv/bin/python" - "$sample_dir" <<'PY'
import pathlib, sys, zipfile
d = pathlib.Path(sys.argv[1])
with zipfile.ZipFile(next(d.glob("emailnetwork-0.0.2-*.whl"))) as z:
    (d / "emailnetwork-test.mbox").write_bytes(z.read("emailnetwork/tests/test.mbox"))
PY
fi
export KITH_EMAILNETWORK_MBOX="$sample_dir/emailnetwork-test.mbox"

# --- a throwaway PostgreSQL ---------------------------------------------------
pgdir=$(mktemp -d /tmp/kith-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
    print_step_times
}
trap cleanup EXIT
if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir"; fi
say "starting PostgreSQL on 127.0.0.1:$port"
as_pg "$PGBIN/initdb" -A trust -U postgres -D "$pgdir/data" >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=256MB" start >/dev/null
export KITH_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"

# --- the tests ----------------------------------------------------------------
if [ -z "${KITH_SKIP_LINT:-}" ]; then
    say "cargo fmt --check"
    cargo fmt --all -- --check
    say "cargo clippy"
    cargo clippy --workspace --all-targets --locked -- -D warnings
fi

say "cargo test (SQLite and PostgreSQL)"
cargo test --workspace --locked

say "schemathesis against kith serve's OpenAPI document (SQLite, then PostgreSQL)"
cargo build -p kith --locked
bash scripts/api_fuzz.sh "${CARGO_TARGET_DIR:-target}/debug/kith" "$venv" 50
KITH_DATABASE_URL="$KITH_TEST_DATABASE_URL" bash scripts/api_fuzz.sh "${CARGO_TARGET_DIR:-target}/debug/kith" "$venv" 25

say "the CardDAV conformance probe (../shared/carddav) against kith serve (SQLite, then PostgreSQL)"
bash scripts/carddav_probe.sh "${CARGO_TARGET_DIR:-target}/debug/kith" "$venv"
KITH_DATABASE_URL="$KITH_TEST_DATABASE_URL" bash scripts/carddav_probe.sh "${CARGO_TARGET_DIR:-target}/debug/kith" "$venv"

say "the hostile corpus against a live kith serve (SQLite, then PostgreSQL): memory under 200 MB"
"$venv/bin/python" tests/python/hostile.py "${CARGO_TARGET_DIR:-target}/debug/kith" 200
KITH_DATABASE_URL="$KITH_TEST_DATABASE_URL" "$venv/bin/python" tests/python/hostile.py "${CARGO_TARGET_DIR:-target}/debug/kith" 200

say "operations: two kith serve on one PostgreSQL (setup link, jobs across servers, SIGTERM, shared throttling, metrics, PostgreSQL stopped and started)"
pg_opts="-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=256MB"
pg_ctl_as() { if [ "$(id -u)" = 0 ]; then echo "runuser -u postgres -- $PGBIN/pg_ctl"; else echo "$PGBIN/pg_ctl"; fi; }
KITH_PG_STOP="$(pg_ctl_as) -D $pgdir/data -m fast -w stop" \
KITH_PG_START="$(pg_ctl_as) -D $pgdir/data -l $pgdir/log -w -o '$pg_opts' start" \
KITH_PSQL="$PGBIN/psql" \
    timeout 600 "$venv/bin/python" tests/python/operations.py "${CARGO_TARGET_DIR:-target}/debug/kith" "$KITH_TEST_DATABASE_URL"

say "fuzzing: every cargo-fuzz target for 15 s (stable, no sanitizer)"
bash scripts/fuzz_quick.sh 15

say "a real CardDAV client round trip: vdirsyncer and khard against kith serve"
timeout 900 "$venv/bin/python" tests/python/carddav_clients.py "${CARGO_TARGET_DIR:-target}/debug/kith" "$venv" ../shared/vcards

say "vdirsyncer's own CardDAV storage tests against kith serve"
bash scripts/vdirsyncer_suite.sh "${CARGO_TARGET_DIR:-target}/debug/kith" "$venv"

say "benchmarks, quick mode"
bash bench/run.sh --quick
bash bench/search.sh --quick
bash bench/due.sh --quick
bash bench/mail.sh --quick
bash bench/imap.sh --quick
bash bench/federation.sh --quick
bash bench/carddav.sh --quick
bash bench/network.sh --quick
bash bench/cards.sh --quick
bash bench/network_reload.sh --quick
bash bench/identity.sh --quick

say "disk after the run"
df -h . /tmp | sed 's/^/  /'
say "all tests passed"
