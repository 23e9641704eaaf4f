-- Keep-in-touch: how often to be in touch with a person or with everyone
-- carrying a tag, and people snoozed on the reach-out list.
CREATE TABLE person_cadences (
    account_id UUID NOT NULL,
    person_id UUID NOT NULL,
    every_days BIGINT NOT NULL,
    PRIMARY KEY (account_id, person_id)
);

CREATE TABLE tag_cadences (
    account_id UUID NOT NULL,
    -- The tag in lower case: a cadence applies to the tag however written.
    tag TEXT NOT NULL,
    every_days BIGINT NOT NULL,
    PRIMARY KEY (account_id, tag)
);

CREATE TABLE snoozes (
    account_id UUID NOT NULL,
    person_id UUID NOT NULL,
    until_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, person_id)
);
