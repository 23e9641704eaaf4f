#!/usr/bin/env bash
# Starts bovine-herd (an independent ActivityPub server from PyPI) on a
# loopback address, with one actor "alice", for kith's interoperability
# test. Usage: start.sh PYTHON DIR IP PORT. Prints alice's client secret
# on its last line; the server's pid is in DIR/pid, its log in DIR/log.
set -euo pipefail
python=$1 dir=$2 ip=$3 port=$4
bin=$(dirname "$python")
mkdir -p "$dir"
cd "$dir"
export BOVINE_DB_URL="sqlite://$dir/bovine.sqlite3"
"$python" -m bovine_store create >/dev/null
"$python" -m bovine_store register --domain "http://$ip:$port" --handle alice >/dev/null
name=$("$python" -m bovine_store actor | head -1 | awk '{print $1}')
secret=$("$python" -m bovine_store key --new "$name" | sed -n 's/.*secret: *//p' | tail -1)
# bovine fetches JSON-LD contexts from the internet; give it the two it
# needs (an empty answer would be cached for good and break its keys).
"$python" - <<'PY'
import json, sqlite3
c = sqlite3.connect("bovine_jsonld_cache.sqlite")
c.execute("CREATE TABLE IF NOT EXISTS jsonld (url TEXT PRIMARY KEY, context TEXT)")
sec = {"sec": "https://w3id.org/security#", "id": "@id", "type": "@type",
       "publicKey": {"@id": "sec:publicKey", "@type": "@id"}, "publicKeyPem": "sec:publicKeyPem",
       "owner": {"@id": "sec:owner", "@type": "@id"}}
for url, ctx in [("https://w3id.org/security/v1", sec), ("https://www.w3.org/ns/did/v1", []),
                 ("https://w3id.org/security/multikey/v1", [])]:
    c.execute("INSERT OR REPLACE INTO jsonld VALUES (?, ?)", (url, json.dumps(ctx)))
c.commit()
PY
printf 'from quart import Quart\nfrom bovine_herd import BovineHerd\napp = Quart(__name__)\nBovineHerd(app, db_url="%s")\n' "$BOVINE_DB_URL" > app.py
BUTCHER_ALLOW_HTTP=1 nohup "$bin/hypercorn" app:app --bind "$ip:$port" >log 2>&1 &
echo $! > pid
for _ in $(seq 1 100); do
    if "$python" -c "import socket,sys; socket.create_connection(('$ip', $port), 0.2)" 2>/dev/null; then
        echo "$secret"
        exit 0
    fi
    sleep 0.1
done
echo "bovine-herd did not start; its log:" >&2
cat log >&2
exit 1
