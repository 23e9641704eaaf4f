-- Self-updating cards and reciprocity: each member's own card, public
-- card links, "send my new details" mailings and opt-outs, what changed
-- about the people of an address book, needs and offers, favours.

-- A member's own card: its fields, each with a visibility (JSON).
CREATE TABLE my_cards (
    account_id BLOB PRIMARY KEY,
    fields TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Public links to a member's card. The token is kept as given (not
-- hashed): the member must be able to see and copy their link again, and
-- it opens only what the member made public.
CREATE TABLE card_links (
    token TEXT PRIMARY KEY,
    account_id BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX card_links_by_account ON card_links(account_id);

-- Each "send my new details" email: the daily cap counts them, and each
-- carries its own unsubscribe link (only its hash is kept).
CREATE TABLE card_mailings (
    account_id BLOB NOT NULL,
    email TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    sent_at BIGINT NOT NULL
);
CREATE INDEX card_mailings_by_account ON card_mailings(account_id, sent_at);

-- Addresses that unsubscribed from a member's emails.
CREATE TABLE card_optouts (
    account_id BLOB NOT NULL,
    email TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (account_id, email)
);

-- What changed about a person of an address book (a new job, city,
-- address), from a member's card or an import: the feed and the history.
CREATE TABLE person_changes (
    account_id BLOB NOT NULL,
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    origin TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX person_changes_by_account ON person_changes(account_id, at);
CREATE INDEX person_changes_by_person ON person_changes(account_id, person_id);

-- What a person is looking for (need) or can offer; person_id NULL is
-- the member's own, which their connections see.
CREATE TABLE needs_offers (
    account_id BLOB NOT NULL,
    id BLOB PRIMARY KEY,
    person_id BLOB,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX needs_offers_by_account ON needs_offers(account_id, person_id);

-- Favours given to and received from a person.
CREATE TABLE favours (
    account_id BLOB NOT NULL,
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL,
    direction TEXT NOT NULL,
    what TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX favours_by_person ON favours(account_id, person_id);
