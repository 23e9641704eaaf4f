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
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT
K=("$KITH" --data-dir "$DIR/data")
USER_NAME="probe-$(date +%s)-$$"
echo "correct horse" | "${K[@]}" user add "$USER_NAME" --password-stdin >/dev/null
PASSWORD=$("${K[@]}" --user "$USER_NAME" token create --dav --name probe 2>/dev/null)
"${K[@]}" serve --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
SERVER=$!
for _ in $(seq 1 50); do
    if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then break; fi
    sleep 0.2
done
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
