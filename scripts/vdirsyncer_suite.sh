#!/usr/bin/env bash
# Runs vdirsyncer's own CardDAV storage tests (tests/storage/dav/test_carddav.py
# in its source distribution on PyPI) against a real `kith serve`, through
# the adapter in ../shared/carddav/vdirsyncer_external (DAV_SERVER=external).
# Each test makes its own address book (MKCOL) and deletes it.
#
#   bash scripts/vdirsyncer_suite.sh KITH_BINARY PYTHON_VENV
set -euo pipefail
ROOT=$(realpath "$(dirname "$0")/..")
KITH=$(realpath "$1")
VENV=$(realpath "$2")
VERSION=0.21.0
CACHE="$ROOT/target/samples"
DIR=$(mktemp -d)
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT
mkdir -p "$CACHE"
if [ ! -s "$CACHE/vdirsyncer-$VERSION.tar.gz" ]; then
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: "vdirsyncer==$VERSION" -d "$CACHE"
fi
tar xzf "$CACHE/vdirsyncer-$VERSION.tar.gz" -C "$DIR"
SRC="$DIR/vdirsyncer-$VERSION"
mkdir -p "$SRC/tests/storage/servers/external"
cp "$ROOT/../shared/carddav/vdirsyncer_external/__init__.py" "$SRC/tests/storage/servers/external/"

K=("$KITH" --data-dir "$DIR/data")
echo "correct horse" | "${K[@]}" user add alice --password-stdin >/dev/null
PASSWORD=$("${K[@]}" token create --dav --name vdirsyncer-tests 2>/dev/null)
"${K[@]}" serve --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
SERVER=$!
for _ in $(seq 1 50); do
    if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then break; fi
    sleep 0.2
done
cd "$SRC"
status=0
DAV_SERVER=external DAV_URL="http://127.0.0.1:$PORT/" DAV_USER=alice DAV_PASSWORD="$PASSWORD" \
    timeout 600 "$VENV/bin/python" -m pytest -o addopts="" -q -rs -p no:cacheprovider \
    tests/storage/dav/test_carddav.py || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- kith serve's log:" >&2
    tail -50 "$DIR/serve.log" >&2
fi
exit "$status"
