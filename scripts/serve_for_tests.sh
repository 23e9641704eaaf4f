# Sourced by the scripts that test a real `kith serve` on loopback:
#   start_kith KITH_BINARY PYTHON_VENV DIR USER [--dav]
# makes the account USER (password "correct horse") in DIR/data, prints
# nothing, sets SECRET (an API token, or with --dav a device password),
# PORT, and SERVER (the server's pid; stop it with stop_kith). Honours
# KITH_DATABASE_URL like kith itself.
start_kith() {
    local kith=$1 venv=$2 dir=$3 user=$4 kind=${5:-}
    PORT=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    local k=("$kith" --data-dir "$dir/data")
    echo "correct horse" | "${k[@]}" user add "$user" --password-stdin >/dev/null
    SECRET=$("${k[@]}" --user "$user" token create $kind --name tests 2>/dev/null)
    "${k[@]}" serve --listen "127.0.0.1:$PORT" 2>"$dir/serve.log" &
    SERVER=$!
    for _ in $(seq 1 50); do
        if "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then return 0; fi
        sleep 0.2
    done
    echo "kith serve did not start:" >&2
    cat "$dir/serve.log" >&2
    return 1
}

stop_kith() {
    if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
}
