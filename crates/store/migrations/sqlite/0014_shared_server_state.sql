-- State that belongs to every server sharing the database (issue 22).
--
-- Sign-in throttling: failures per key (a pair of address and name, a
-- name, an address, a setup address; each key hashed, with its kind as a
-- prefix) and the addresses an account signed in from. Rows whose last
-- failure is older than half an hour count for nothing and are pruned.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures(last_at);
CREATE TABLE sign_in_known (
    key TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_known_by_age ON sign_in_known(at);

-- Import jobs: an upload accepted with 202 and imported in the background,
-- as a row that any server can answer for. `claimed_by` is the server
-- importing it and `heartbeat_at` when that server last said so; a job
-- whose server went silent is taken over (its files are in the shared
-- data directory) or failed with the reason.
CREATE TABLE import_jobs (
    id BLOB PRIMARY KEY,
    account_id BLOB NOT NULL,
    state TEXT NOT NULL,
    files TEXT NOT NULL,
    options TEXT NOT NULL,
    dir TEXT NOT NULL,
    claimed_by TEXT,
    heartbeat_at BIGINT NOT NULL,
    read_bytes BIGINT NOT NULL DEFAULT 0,
    total_bytes BIGINT NOT NULL DEFAULT 0,
    finished BIGINT NOT NULL DEFAULT 0,
    results TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX import_jobs_by_account ON import_jobs(account_id, state);
CREATE INDEX import_jobs_by_state ON import_jobs(state, heartbeat_at);
