-- The network: ties set by hand between two people of one address book,
-- members connecting, what each member shares for paths, introductions.

-- A tie set by hand, kept once per pair (a as first given).
CREATE TABLE ties (
    account_id UUID NOT NULL,
    a UUID NOT NULL,
    b UUID NOT NULL,
    kind TEXT NOT NULL,
    strength DOUBLE PRECISION,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, a, b)
);
CREATE INDEX ties_by_b ON ties(account_id, b);

-- Members connecting: `a` invited `b`; pending, accepted or declined.
CREATE TABLE member_links (
    a UUID NOT NULL,
    b UUID NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    PRIMARY KEY (a, b)
);
CREATE INDEX member_links_by_b ON member_links(b);

-- The person in an account's address book who is a connected member.
CREATE TABLE member_cards (
    account_id UUID NOT NULL,
    member_id UUID NOT NULL,
    person_id UUID NOT NULL,
    PRIMARY KEY (account_id, member_id)
);

-- What a member's connections may use of the people they know, for the
-- whole account ('*'), a tag ('tag:NAME') or a person ('person:UUID').
CREATE TABLE sharing_rules (
    account_id UUID NOT NULL,
    scope TEXT NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (account_id, scope)
);

-- Moved on by every write of an account, so that each server's graph
-- (several may share a database) knows which accounts to read again.
CREATE TABLE network_versions (
    account_id UUID PRIMARY KEY,
    version BIGINT NOT NULL
);

-- A member's email addresses, verified by a link mailed to them; a
-- verified address belongs to one member only.
CREATE TABLE member_emails (
    account_id UUID NOT NULL,
    email TEXT NOT NULL,
    token_hash BYTEA,
    verified_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, email)
);
CREATE UNIQUE INDEX member_emails_verified ON member_emails(email) WHERE verified_at IS NOT NULL;
CREATE UNIQUE INDEX member_emails_token ON member_emails(token_hash);

-- A request to a member (the broker) to introduce the requester to one of
-- the broker's contacts, and where it stands.
CREATE TABLE introductions (
    id UUID PRIMARY KEY,
    requester UUID NOT NULL,
    broker UUID NOT NULL,
    broker_person UUID NOT NULL,
    requester_person UUID,
    goal TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL,
    target_email TEXT,
    token_hash BYTEA,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX introductions_by_requester ON introductions(requester, created_at);
CREATE INDEX introductions_by_broker ON introductions(broker, created_at);
CREATE UNIQUE INDEX introductions_by_token ON introductions(token_hash);
