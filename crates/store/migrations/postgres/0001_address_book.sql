-- kith address book, PostgreSQL flavour (native UUID and JSONB).
CREATE TABLE accounts (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    settings JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE people (
    account_id UUID NOT NULL REFERENCES accounts(id),
    id UUID NOT NULL PRIMARY KEY,
    display_name TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    search_text TEXT NOT NULL,
    card JSONB NOT NULL,
    is_me BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    merged_into UUID
);
CREATE INDEX people_by_account ON people(account_id, deleted_at, sort_key);
CREATE INDEX people_by_account_id ON people(account_id, id);

CREATE TABLE person_keys (
    account_id UUID NOT NULL,
    key TEXT NOT NULL,
    person_id UUID NOT NULL,
    PRIMARY KEY (account_id, key, person_id)
);
CREATE INDEX person_keys_by_person ON person_keys(account_id, person_id);

CREATE TABLE person_tags (
    account_id UUID NOT NULL,
    tag TEXT NOT NULL,
    person_id UUID NOT NULL,
    PRIMARY KEY (account_id, tag, person_id)
);
CREATE INDEX person_tags_by_person ON person_tags(account_id, person_id);

CREATE TABLE organizations (
    account_id UUID NOT NULL,
    norm_name TEXT NOT NULL,
    id UUID NOT NULL UNIQUE,
    name TEXT NOT NULL,
    PRIMARY KEY (account_id, norm_name)
);

-- Every spelling an organisation was imported under (its aliases).
CREATE TABLE organization_names (
    account_id UUID NOT NULL,
    org_norm TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (account_id, org_norm, name)
);

-- Email domains seen on the people who work there (free-mail excluded).
CREATE TABLE organization_domains (
    account_id UUID NOT NULL,
    domain TEXT NOT NULL,
    org_norm TEXT NOT NULL,
    PRIMARY KEY (account_id, domain, org_norm)
);

CREATE TABLE positions (
    account_id UUID NOT NULL,
    person_id UUID NOT NULL,
    org_norm TEXT NOT NULL,
    title TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT
);
CREATE INDEX positions_by_org ON positions(account_id, org_norm);
CREATE INDEX positions_by_person ON positions(account_id, person_id);

CREATE TABLE merges (
    account_id UUID NOT NULL,
    id UUID NOT NULL PRIMARY KEY,
    survivor UUID NOT NULL,
    absorbed UUID NOT NULL,
    survivor_before JSONB NOT NULL,
    absorbed_card JSONB NOT NULL,
    reasons JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    undone_at BIGINT
);
CREATE INDEX merges_by_account ON merges(account_id, created_at);

CREATE TABLE duplicate_suggestions (
    account_id UUID NOT NULL,
    a UUID NOT NULL,
    b UUID NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    reasons JSONB NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, a, b)
);

CREATE TABLE changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id UUID NOT NULL,
    person_id UUID NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX changes_by_account ON changes(account_id, seq);

CREATE TABLE imports (
    account_id UUID NOT NULL,
    id UUID NOT NULL PRIMARY KEY,
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    at BIGINT NOT NULL,
    summary JSONB NOT NULL
);
