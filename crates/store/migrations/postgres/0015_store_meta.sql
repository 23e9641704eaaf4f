-- Facts about the database itself (issue 22): `sync_epoch`, a random name
-- every CardDAV sync token carries, made anew when a backup is restored so
-- that a phone's token from after the backup is refused (the phone then
-- syncs in full instead of silently missing changes); `restored` once a
-- backup was, after which tokens without an epoch are refused too.
CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
