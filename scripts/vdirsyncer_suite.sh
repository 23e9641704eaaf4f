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
. "$ROOT/scripts/serve_for_tests.sh"
cleanup() { stop_kith; rm -rf "$DIR"; }
trap cleanup EXIT
mkdir -p "$CACHE"
if [ ! -s "$CACHE/vdirsyncer-$VERSION.tar.gz" ]; then
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: "vdirsyncer==$VERSION" -d "$CACHE"
fi
tar xzf "$CACHE/vdirsyncer-$VERSION.tar.gz" -C "$DIR"
SRC="$DIR/vdirsyncer-$VERSION"
mkdir -p "$SRC/tests/storage/servers/external"
cp "$ROOT/../shared/carddav/vdirsyncer_external/__init__.py" "$SRC/tests/storage/servers/external/"

start_kith "$KITH" "$VENV" "$DIR" alice --dav
PASSWORD=$SECRET
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
