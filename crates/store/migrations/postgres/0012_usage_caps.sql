-- What a member did that a daily cap counts: introductions mailed,
-- addresses to verify mailed, people found through connections' contacts
-- shared by role (kinds named by kith-app; `subject` tells apart what is
-- counted once however often, as a hash). In the database, so that several
-- servers sharing it count together; rows older than two days are dropped
-- as new ones come.
CREATE TABLE usage_events (
    account_id UUID NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX usage_events_by_account ON usage_events(account_id, kind, at);
