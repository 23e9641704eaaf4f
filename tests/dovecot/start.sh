#!/usr/bin/env bash
# Start a private, throw-away Dovecot IMAP server for kith's IMAP sync tests
# and benchmarks.
#
#   bash tests/dovecot/start.sh DIR PORT LOGIN PASSWORD
#   bash tests/dovecot/stop.sh  DIR
#
# Everything lives under DIR (created if missing; /etc/dovecot is not read):
#   DIR/dovecot.conf             the generated configuration
#   DIR/passwd                   passwd-file with the one user (plain password)
#   DIR/dovecot.log              all of Dovecot's logging
#   DIR/dovecot.pid              pid of the Dovecot master (copy of DIR/run/master.pid)
#   DIR/run/                     base_dir (sockets, master.pid)
#   DIR/state/                   state_dir
#   DIR/mail/LOGIN/              the user's home
#   DIR/mail/LOGIN/Maildir/      INBOX (Maildir++ layout: the Maildir root is INBOX)
#   DIR/mail/LOGIN/Maildir/.Sent/    the \Sent folder    (also .Drafts \Drafts, .Trash \Trash)
# Dovecot listens on 127.0.0.1:PORT only: IMAP without TLS (ssl = no),
# plaintext LOGIN / AUTHENTICATE PLAIN allowed, no POP3, LMTP, submission or
# imaps listener. The hierarchy separator is "/". CONDSTORE and QRESYNC are in
# the post-login CAPABILITY (Dovecot 2.3 default). auth_failure_delay = 0, so a
# wrong password gets "NO [AUTHENTICATIONFAILED]" within 0.5 s (the auth
# process flushes failures on a 500 ms timer) instead of after 2 s.
# start.sh prints nothing unless something fails; it returns once the port
# answers with the IMAP greeting. Calling it again on the same DIR after
# stop.sh keeps the mail (config and passwd are rewritten); calling it while
# that DIR's Dovecot still runs is an error. Instances in different DIRs on
# different ports run side by side.
#
# Users and permissions (what was found to work, Dovecot 2.3.19):
#  * Dovecot refuses to access mail as root: a userdb uid of 0 fails with
#    "userdb returned 0 as uid" even with first_valid_uid = 0, and no uid at
#    all fails with "User is missing UID". So when started as root the mail is
#    accessed as `nobody` (override: KITH_DOVECOT_MAIL_USER=name), the
#    internal processes run as `dovecot` and the login processes as `dovenull`
#    (the users the Debian package creates; `nobody` if they are missing).
#    DIR/mail/LOGIN is chown'ed -R to that mail user on every start, and DIR
#    gets o+x so that user can reach it (tempfile-style 0700 dirs otherwise
#    lock it out). Every parent directory of DIR must be traversable by it too.
#  * The test process (root) then adds messages simply by writing files into
#    Maildir/new/ or Maildir/cur/ (and .Sent/new, .Sent/cur). The directories
#    belong to the mail user, so Dovecot can rename root's files new/ -> cur/
#    and change their flags; the files only have to be READABLE by the mail
#    user: mode 0644 (std::fs::write/File::create under the usual umask 022)
#    works; a 0600 file (e.g. tempfile::NamedTempFile) gets a UID but FETCH of
#    it fails with "NO ... Internal error" ("Permission denied" in
#    dovecot.log) - chmod it 0644 or write it directly. Do not write into
#    tmp/. Do not create new folders as root: SELECT of a root-owned folder
#    fails ("... is not writable"); re-running start.sh fixes owners.
#  * Started as a non-root user, everything (internal, login and mail
#    processes) runs as that user, the login/anvil chroots are disabled, and
#    no chown is needed.
#  * File names: new/UNIQUE or cur/UNIQUE:2,FLAGS (FLAGS sorted, e.g. "S" for
#    \Seen, "" for unseen; a message in new/ is \Recent and unseen). UNIQUE
#    must not contain ':' or '/'. If you put ",S=<bytes>" in UNIQUE it must be
#    the exact file size (and ",W=<n>" the size with CRLF line ends), otherwise
#    FETCH of that message fails with "Internal error" ("Cached message size
#    larger than expected" in the log); leaving them out is always fine.
#    INTERNALDATE is the file's mtime.
#  * maildir_very_dirty_syncs = no (the default, set explicitly): Dovecot must
#    not assume it is the only writer, the tests write behind its back.
#    mail_fsync = never is set for speed (throw-away data).
#  * base_dir holds unix sockets, whose paths are limited to 107 bytes; if
#    DIR/run would be longer than 80 bytes, base_dir is a short mktemp dir in
#    ${TMPDIR:-/tmp} instead, DIR/run is a symlink to it, and stop.sh removes it.
#
# Changing UIDVALIDITY (verified with an imaplib client, Dovecot 2.3.19):
#  Delete the folder's dovecot-uidlist and dovecot.index* files, e.g. for INBOX
#      rm -f DIR/mail/LOGIN/Maildir/dovecot-uidlist DIR/mail/LOGIN/Maildir/dovecot.index*
#  and for Sent the same names under DIR/mail/LOGIN/Maildir/.Sent/. Keep
#  dovecot-uidvalidity* and dovecot.list.index* (the uidvalidity files make
#  the new UIDVALIDITY strictly greater than the old one even within the same
#  second). This works while Dovecot runs: the next session that SELECTs or
#  EXAMINEs the folder (or asks STATUS) gets a new, larger UIDVALIDITY and the
#  messages renumbered from UID 1 (flags kept: they are in the file names).
#  A session that has the folder selected at that moment is disconnected on
#  its next command with "* BYE IMAP session state is inconsistent, please
#  relogin." (imaplib: abort) - close such sessions first unless that is what
#  you test. Doing it between stop.sh and start.sh works the same way.
#  Alternative that keeps the UIDs and sets an exact value, while running (run
#  it as the user that ran start.sh):
#      doveadm -c DIR/dovecot.conf mailbox update -u LOGIN --uid-validity N INBOX
#  (folder names as in LIST: INBOX, Sent). The next SELECT/EXAMINE/STATUS
#  reports UIDVALIDITY N. It does not update dovecot-uidvalidity*, so a later
#  rm-based reset may then yield a value below N (still different from N).
set -euo pipefail

usage() { echo "usage: bash tests/dovecot/start.sh DIR PORT LOGIN PASSWORD" >&2; exit 2; }
[ $# -eq 4 ] || usage
DIR=$1 PORT=$2 LOGIN=$3 PASSWORD=$4
die() { echo "dovecot/start.sh: $*" >&2; exit 1; }

case "$PORT" in ''|*[!0-9]*) die "PORT must be a number, got '$PORT'" ;; esac
[ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "PORT out of range: $PORT"
case "$LOGIN" in ''|*[!A-Za-z0-9._@+-]*) die "LOGIN may only use A-Z a-z 0-9 . _ @ + -, got '$LOGIN'" ;; esac
case "$PASSWORD" in ''|*:*|*[[:space:]]*) die "PASSWORD must be non-empty without ':' or whitespace" ;; esac

DOVECOT=$(command -v dovecot || true)
[ -n "$DOVECOT" ] || { [ -x /usr/sbin/dovecot ] && DOVECOT=/usr/sbin/dovecot; } || die "dovecot not found (apt-get install dovecot-imapd)"

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)
CONF=$DIR/dovecot.conf
MAILHOME=$DIR/mail/$LOGIN
MAILDIR=$MAILHOME/Maildir

# Refuse to start twice on the same DIR.
if [ -s "$DIR/dovecot.pid" ]; then
    old=$(cat "$DIR/dovecot.pid")
    if kill -0 "$old" 2>/dev/null && [ "$(ps -p "$old" -o comm= 2>/dev/null)" = dovecot ]; then
        die "Dovecot already runs for $DIR (pid $old); run tests/dovecot/stop.sh $DIR first"
    fi
    rm -f "$DIR/dovecot.pid"
fi

user_or() { if id -u "$1" >/dev/null 2>&1; then echo "$1"; else echo "$2"; fi; }
if [ "$(id -u)" -eq 0 ]; then
    MAIL_USER=${KITH_DOVECOT_MAIL_USER:-nobody}
    id -u "$MAIL_USER" >/dev/null 2>&1 || die "mail user '$MAIL_USER' does not exist"
    MAIL_UID=$(id -u "$MAIL_USER")
    MAIL_GID=$(id -g "$MAIL_USER")
    [ "$MAIL_UID" -ne 0 ] || die "the mail user must not be root (Dovecot refuses uid 0)"
    INTERNAL_USER=$(user_or dovecot nobody)
    LOGIN_USER=$(user_or dovenull nobody)
    NONROOT_CHROOT=""
else
    MAIL_UID=$(id -u)
    MAIL_GID=$(id -g)
    INTERNAL_USER=$(id -un 2>/dev/null) || die "uid $(id -u) has no user name; Dovecot needs one"
    LOGIN_USER=$INTERNAL_USER
    # A non-root Dovecot cannot chroot.
    NONROOT_CHROOT="chroot ="
fi
INTERNAL_GROUP=$(id -gn "$INTERNAL_USER")

# base_dir: unix socket paths are limited to 107 bytes and the longest one
# is base_dir + "/token-login/imap-urlauth".
RUN=$DIR/run
if [ -L "$RUN" ]; then
    [ -d "$RUN" ] || rm -f "$RUN"
elif [ ${#RUN} -gt 80 ]; then
    short=$(mktemp -d "${TMPDIR:-/tmp}/kdv.XXXXXX")
    [ ${#short} -le 80 ] || die "cannot find a short enough base_dir (TMPDIR is too long)"
    rm -rf "$RUN"
    ln -s "$short" "$RUN"
fi
if [ -L "$RUN" ]; then
    if [ ! -d "$RUN" ]; then
        short=$(mktemp -d "${TMPDIR:-/tmp}/kdv.XXXXXX")
        ln -sfn "$short" "$RUN"
    fi
    BASE_DIR=$(readlink -f "$RUN")
else
    BASE_DIR=$RUN
fi
mkdir -p "$BASE_DIR" "$DIR/state"
chmod 0755 "$BASE_DIR"

for f in "$MAILDIR" "$MAILDIR/.Sent" "$MAILDIR/.Drafts" "$MAILDIR/.Trash"; do
    mkdir -p "$f/cur" "$f/new" "$f/tmp"
done
# Maildir++ marks a folder with an empty "maildirfolder" file.
for f in .Sent .Drafts .Trash; do
    [ -e "$MAILDIR/$f/maildirfolder" ] || : > "$MAILDIR/$f/maildirfolder"
done
if [ "$(id -u)" -eq 0 ]; then
    chown -R "$MAIL_UID:$MAIL_GID" "$MAILHOME"
    chmod 0700 "$MAILHOME"
    chmod o+x "$DIR" "$DIR/mail"
    if command -v setpriv >/dev/null 2>&1 &&
       ! setpriv --reuid="$MAIL_UID" --regid="$MAIL_GID" --clear-groups test -w "$MAILDIR/new"; then
        die "user $MAIL_UID cannot reach $MAILDIR (is a parent of $DIR closed, e.g. mode 0700?)"
    fi
fi

umask 022
printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$LOGIN" "$PASSWORD" "$MAIL_UID" "$MAIL_GID" "$MAILHOME" > "$DIR/passwd.new"
if [ "$(id -u)" -eq 0 ]; then
    chgrp "$INTERNAL_GROUP" "$DIR/passwd.new"
    chmod 0640 "$DIR/passwd.new"
else
    chmod 0600 "$DIR/passwd.new"
fi
mv -f "$DIR/passwd.new" "$DIR/passwd"

cat > "$CONF" <<EOF
# Generated by tests/dovecot/start.sh; rewritten on every start.
instance_name = kith-test-$PORT
base_dir = $BASE_DIR
state_dir = $DIR/state
log_path = $DIR/dovecot.log
info_log_path = $DIR/dovecot.log
debug_log_path = $DIR/dovecot.log

protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks =

default_internal_user = $INTERNAL_USER
default_internal_group = $INTERNAL_GROUP
default_login_user = $LOGIN_USER
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
last_valid_gid = $MAIL_GID

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $DIR/passwd
}

mail_location = maildir:~/Maildir:LAYOUT=maildir++
mail_fsync = never
maildir_very_dirty_syncs = no
mailbox_list_index = yes
mail_max_userip_connections = 200
protocol imap {
  mail_max_userip_connections = 200
}

namespace inbox {
  inbox = yes
  separator = /
  prefix =
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = no
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
  $NONROOT_CHROOT
}
service anvil {
  $NONROOT_CHROOT
}
service auth-worker {
  user = \$default_internal_user
}
EOF

err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! "$DOVECOT" -c "$CONF" 2>"$err"; then
    if [ -s "$err" ]; then cat "$err" >&2
    elif [ -f "$DIR/dovecot.log" ]; then tail -n 20 "$DIR/dovecot.log" >&2; fi
    die "dovecot failed to start"
fi
# Dovecot prints nothing on success; anything on stderr is worth showing.
[ -s "$err" ] && cat "$err" >&2

# Wait for the master pid and the greeting (10 s).
for _ in $(seq 1 100); do
    if [ -s "$BASE_DIR/master.pid" ]; then
        pid=$(cat "$BASE_DIR/master.pid")
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$DIR/dovecot.log" >&2 || true
            die "dovecot (pid $pid) exited during start-up"
        fi
        if greeting=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; IFS= read -r -t 2 l <&3; printf %s "$l"' _ "$PORT" 2>/dev/null) &&
           [ "${greeting#\* OK}" != "$greeting" ]; then
            cp "$BASE_DIR/master.pid" "$DIR/dovecot.pid"
            exit 0
        fi
    fi
    sleep 0.1
done
tail -n 20 "$DIR/dovecot.log" >&2 || true
die "dovecot did not answer on 127.0.0.1:$PORT within 10 s"
