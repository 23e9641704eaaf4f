#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against a real `kith serve` on
# loopback, from the OpenAPI document it serves: no 5xx, no response that
# contradicts the schema, the right content types. Bounded in time.
#
#   bash scripts/api_fuzz.sh KITH_BINARY PYTHON_VENV [MAX_EXAMPLES]
#
# The store is SQLite in a temporary data directory, or KITH_DATABASE_URL
# when it is set (the account gets a fresh name each run).
set -euo pipefail
KITH=$(realpath "$1")
VENV=$(realpath "$2")
EXAMPLES=${3:-50}
DIR=$(mktemp -d)
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT
K=("$KITH" --data-dir "$DIR/data")
USER_NAME="fuzz-$(date +%s)-$$"
echo "correct horse" | "${K[@]}" user add "$USER_NAME" --password-stdin >/dev/null
TOKEN=$("${K[@]}" --user "$USER_NAME" token create --name schemathesis 2>/dev/null)
"${K[@]}" serve --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
SERVER=$!
for _ in $(seq 1 50); do
    if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then break; fi
    sleep 0.2
done
status=0
# schemathesis keeps a cache in the working directory: keep it out of the checkout.
cd "$DIR"
timeout 600 "$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --max-examples "$EXAMPLES" --request-timeout 10 || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- kith serve's log:" >&2
    tail -50 "$DIR/serve.log" >&2
fi
exit "$status"
