-- Word-prefix search over people with FTS5. The index is kept by triggers
-- from people.search_text, keyed by an explicit integer `seq` (a plain
-- rowid could change under VACUUM, which would silently break the index).

CREATE TABLE people_v3 (
    seq INTEGER PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    id BLOB NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    search_text TEXT NOT NULL,
    card TEXT NOT NULL,
    is_me BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    merged_into BLOB
);
INSERT INTO people_v3 (account_id, id, display_name, sort_key, search_text, card, is_me,
                       version, created_at, updated_at, deleted_at, merged_into)
    SELECT account_id, id, display_name, sort_key, search_text, card, is_me,
           version, created_at, updated_at, deleted_at, merged_into
    FROM people ORDER BY rowid;
DROP TABLE people;
ALTER TABLE people_v3 RENAME TO people;
CREATE INDEX people_by_account ON people(account_id, deleted_at, sort_key);
CREATE INDEX people_by_account_id ON people(account_id, id);

-- The ascii tokenizer splits at every ASCII character that is not a letter
-- or digit, as names::normalize does; detail=none keeps only which people
-- hold a word (all search needs); prefix indexes make short prefixes cheap.
CREATE VIRTUAL TABLE people_search USING fts5(
    search_text, content='people', content_rowid='seq',
    tokenize='ascii', detail='none', prefix='1 2'
);
INSERT INTO people_search(people_search) VALUES ('rebuild');

CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_search(rowid, search_text) VALUES (new.seq, new.search_text);
END;
CREATE TRIGGER people_search_update AFTER UPDATE OF search_text ON people
    WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO people_search(people_search, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
    INSERT INTO people_search(rowid, search_text) VALUES (new.seq, new.search_text);
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_search(people_search, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
END;
