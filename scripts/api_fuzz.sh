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
. "$(dirname "$0")/serve_for_tests.sh"
cleanup() { stop_kith; rm -rf "$DIR"; }
trap cleanup EXIT
start_kith "$KITH" "$VENV" "$DIR" "fuzz-$(date +%s)-$$"
TOKEN=$SECRET
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
