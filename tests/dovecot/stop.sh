#!/usr/bin/env bash
# Stop the Dovecot started by tests/dovecot/start.sh for DIR.
#
#   bash tests/dovecot/stop.sh DIR
#
# Safe to call twice, or for a DIR where nothing runs (or that does not
# exist): then it does nothing. Sends `dovecot -c DIR/dovecot.conf stop`,
# waits up to 10 s for the master to exit, then SIGKILLs it. The mail and the
# log stay; if base_dir was a short symlinked directory in /tmp (long DIR
# paths), that directory and the DIR/run link are removed.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: bash tests/dovecot/stop.sh DIR" >&2; exit 2; }
DIR=$1
[ -d "$DIR" ] || exit 0
DIR=$(cd "$DIR" && pwd -P)
CONF=$DIR/dovecot.conf
DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)

pid=""
for f in "$DIR/dovecot.pid" "$DIR/run/master.pid"; do
    if [ -s "$f" ]; then pid=$(cat "$f"); break; fi
done

is_ours() {
    # Same pid, still a dovecot master (guards against pid reuse).
    kill -0 "$1" 2>/dev/null && [ "$(ps -p "$1" -o comm= 2>/dev/null)" = dovecot ]
}

if [ -n "$pid" ] && is_ours "$pid"; then
    if [ -f "$CONF" ]; then
        "$DOVECOT" -c "$CONF" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null
    else
        kill -TERM "$pid" 2>/dev/null
    fi
    for _ in $(seq 1 100); do
        is_ours "$pid" || break
        sleep 0.1
    done
    if is_ours "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        echo "dovecot/stop.sh: dovecot $pid did not stop in 10 s, killed" >&2
    fi
fi
rm -f "$DIR/dovecot.pid"
if [ -L "$DIR/run" ]; then
    target=$(readlink "$DIR/run")
    case "$target" in
        */kdv.??????) rm -rf "$target" ;;
    esac
    rm -f "$DIR/run"
fi
exit 0
