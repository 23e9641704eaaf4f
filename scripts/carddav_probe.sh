#!/usr/bin/env bash
# Runs the CardDAV conformance probe (../shared/carddav/probe.py) against a
# real `kith serve` on loopback: an account, a device password, every check.
# Fails when any check fails (warnings are the probe's "works, but").
#
#   bash scripts/carddav_probe.sh KITH_BINARY PYTHON_VENV
#
# The store is SQLite in a temporary data directory, or KITH_DATABASE_URL
# when it is set (the account gets a fresh name each run).
set -euo pipefail
KITH=$(realpath "$1")
VENV=$(realpath "$2")
PROBE=$(realpath "$(dirname "$0")/../../shared/carddav/probe.py")
DIR=$(mktemp -d)
. "$(dirname "$0")/serve_for_tests.sh"
cleanup() { stop_kith; rm -rf "$DIR"; }
trap cleanup EXIT
USER_NAME="probe-$(date +%s)-$$"
start_kith "$KITH" "$VENV" "$DIR" "$USER_NAME" --dav
PASSWORD=$SECRET
status=0
timeout 300 "$VENV/bin/python" "$PROBE" --url "http://127.0.0.1:$PORT/" --user "$USER_NAME" --password "$PASSWORD" >"$DIR/probe.log" 2>&1 || status=$?
grep -v '^\[PASS\]' "$DIR/probe.log" || true
if [ "$status" -ne 0 ]; then
    echo "--- the probe failed; its whole output:" >&2
    cat "$DIR/probe.log" >&2
    echo "--- kith serve's log:" >&2
    tail -50 "$DIR/serve.log" >&2
fi
exit "$status"
