-- Signing in: passwords, browser sessions, API and device tokens, and the
-- one-time link that creates the first account. Secrets are never stored:
-- only their SHA-256 (tokens are long random strings) or an argon2id hash
-- (passwords, which people choose).
ALTER TABLE accounts ADD COLUMN password_hash TEXT;
ALTER TABLE accounts ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE sessions (
    secret_hash BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions(account_id);

-- kind: 'api' (Authorization: Bearer) or 'dav' (a device's app password).
CREATE TABLE tokens (
    id BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_hash BLOB NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX tokens_by_account ON tokens(account_id);

-- The setup link printed by 'kith serve' while no account exists.
CREATE TABLE setup_tokens (
    secret_hash BLOB PRIMARY KEY,
    created_at BIGINT NOT NULL
);
