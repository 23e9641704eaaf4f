-- Interactions (an email, a meeting, a coffee…) between the account's owner
-- and their people. A person's interactions include those of the people
-- merged into them (followed through people.merged_into), so a merge or its
-- undo moves nothing.
CREATE TABLE interactions (
    account_id UUID NOT NULL REFERENCES accounts(id),
    id UUID NOT NULL PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    note TEXT,
    source TEXT NOT NULL,
    -- What makes a captured interaction the same on re-import (a
    -- Message-ID, a calendar UID); NULL for those logged by hand.
    dedupe_key TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX interactions_dedupe ON interactions(account_id, dedupe_key);
CREATE INDEX interactions_by_time ON interactions(account_id, at);

CREATE TABLE interaction_people (
    account_id UUID NOT NULL,
    person_id UUID NOT NULL,
    at BIGINT NOT NULL,
    interaction_id UUID NOT NULL,
    PRIMARY KEY (account_id, person_id, at, interaction_id)
);
CREATE INDEX interaction_people_by_interaction ON interaction_people(account_id, interaction_id);

CREATE INDEX people_merged_into ON people(merged_into) WHERE merged_into IS NOT NULL;
