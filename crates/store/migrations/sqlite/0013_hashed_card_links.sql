-- Public card links keep only the SHA-256 of their secret, like sessions
-- and tokens (issue 20), and are named by an id that revoking uses. Links
-- made before keep working: Store::open hashes each `legacy_token` and
-- clears it (SQLite has no SHA-256 in SQL).
CREATE TABLE card_links_hashed (
    id BLOB PRIMARY KEY,
    token_hash BLOB UNIQUE,
    legacy_token TEXT,
    account_id BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
INSERT INTO card_links_hashed (id, legacy_token, account_id, created_at, revoked_at)
    SELECT randomblob(16), token, account_id, created_at, revoked_at FROM card_links;
DROP TABLE card_links;
ALTER TABLE card_links_hashed RENAME TO card_links;
CREATE INDEX card_links_by_account ON card_links(account_id);
