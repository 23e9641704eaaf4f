-- Living sources (issue 25): a mailbox (IMAP), a calendar (CalDAV, an ICS
-- link) or an address book (CardDAV) that kith reads by itself on a
-- schedule. The password is sealed with the server's key, never stored in
-- clear. `cursor` is the sync's own state (JSON, the app's: per IMAP
-- folder its UIDVALIDITY and last UID). One sync of a source at a time,
-- whichever server runs it: `claimed_by` holds it until `claimed_until`.
-- After failures the next sync waits longer (`failures`); a source that
-- keeps failing is paused, with the reason in `paused`.
CREATE TABLE sources (
    id BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    login TEXT,
    secret TEXT,
    options TEXT NOT NULL,
    every_seconds BIGINT NOT NULL,
    paused TEXT,
    cursor TEXT NOT NULL,
    next_sync_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    progress_done BIGINT NOT NULL DEFAULT 0,
    progress_total BIGINT NOT NULL DEFAULT 0,
    last_sync_at BIGINT,
    last_ok_at BIGINT,
    last_error TEXT,
    failures BIGINT NOT NULL DEFAULT 0,
    last_report TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sources_by_account ON sources(account_id, created_at);
CREATE INDEX sources_due ON sources(next_sync_at);

-- What a calendar or address-book source last saw of each remote item (a
-- calendar object or a card, by its href): its ETag, and what it became in
-- kith (`made`: the app's JSON, the meetings' dedupe keys or the person).
-- `recheck_at`: read again then even if unchanged (a meeting that had not
-- happened yet).
CREATE TABLE source_items (
    account_id BLOB NOT NULL,
    source_id BLOB NOT NULL,
    href TEXT NOT NULL,
    etag TEXT,
    made TEXT NOT NULL,
    recheck_at BIGINT,
    PRIMARY KEY (source_id, href)
);
