-- Federation (issue 26): members of other servers, over ActivityPub.

-- Each member's signing keys (RSA, as the fediverse verifies them). The
-- newest key without `retired_at` signs; a rotated key gets a new number
-- (its keyId `#key-N`), so peers that cache keys by id fetch it again.
CREATE TABLE fed_keys (
    account_id UUID NOT NULL REFERENCES accounts(id),
    key_no BIGINT NOT NULL,
    private_pkcs8 BYTEA NOT NULL,
    public_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    PRIMARY KEY (account_id, key_no)
);

-- Remote actors as last fetched (server-wide: every member shares them).
-- `profile` is the app's JSON of what the actor document said.
CREATE TABLE fed_actors (
    id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    inbox TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    profile TEXT NOT NULL,
    fetched_at BIGINT NOT NULL
);
CREATE INDEX fed_actors_by_handle ON fed_actors(handle);

-- A member's links with remote actors: a `connection` (kith to kith,
-- mutual once accepted), a fediverse account they `follow`, or a remote
-- `follower` of their public profile. `follow_id` is the Follow activity
-- that made the link; `person_id` the card in the member's book that
-- follows the actor; `card` the last card the actor sent (the app's JSON)
-- and `card_seq` its number, so an older or repeated one is ignored.
CREATE TABLE fed_links (
    account_id UUID NOT NULL REFERENCES accounts(id),
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    outgoing BOOLEAN NOT NULL,
    follow_id TEXT NOT NULL,
    person_id UUID,
    card TEXT,
    card_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    PRIMARY KEY (account_id, actor, kind)
);
CREATE INDEX fed_links_by_follow ON fed_links(follow_id);
CREATE INDEX fed_links_by_actor ON fed_links(actor);

-- Activities waiting to be delivered, oldest first per inbox (an inbox
-- gets them in order: a later one waits while an earlier one is retried).
-- `claimed_until`: a server is sending it.
CREATE TABLE fed_outbox (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts(id),
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    activity TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX fed_outbox_by_inbox ON fed_outbox(inbox, id);
CREATE INDEX fed_outbox_by_host ON fed_outbox(host);

-- Activities already applied (an activity delivered twice applies once).
CREATE TABLE fed_seen (
    activity_id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);
CREATE INDEX fed_seen_by_time ON fed_seen(received_at);

-- Blocked servers (`host`) and handles (`name@host`): for the whole
-- server (scope `*`, set by the operator) or one member (their account id).
CREATE TABLE fed_blocks (
    scope TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, target)
);

-- An introduction asked of, or by, a member of another server: what the
-- other side is (the app's JSON: which side this server is, the other
-- actor, the introduction's id there and here), and that id to find it.
ALTER TABLE introductions ADD COLUMN remote TEXT;
ALTER TABLE introductions ADD COLUMN remote_id TEXT;
CREATE INDEX introductions_by_remote ON introductions(remote_id);
