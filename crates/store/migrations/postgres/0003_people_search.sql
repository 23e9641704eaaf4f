-- Word-prefix search over people. Living people's search words live in a
-- narrow table of their own, kept by a trigger on people: a search reads a
-- few small rows (sort key and words) instead of whole cards. Words are
-- search_text split at every character that is not a letter or digit, as
-- the SQLite FTS5 index splits them.
-- Names sort by their bytes (the "C" collation), as on SQLite and in
-- kith's in-memory index: one order, whatever the server's locale.
ALTER TABLE people ALTER COLUMN sort_key TYPE TEXT COLLATE "C";

CREATE TABLE people_search (
    person_id UUID PRIMARY KEY,
    account_id UUID NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL,
    words tsvector NOT NULL
);
CREATE INDEX people_search_in_order ON people_search(account_id, sort_key, person_id);
CREATE INDEX people_search_words ON people_search USING gin (words);

CREATE FUNCTION people_search_words(search_text TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^[:alnum:]]+', ' ', 'g'))
$$;

CREATE FUNCTION people_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM people_search WHERE person_id = OLD.id;
    ELSIF NEW.deleted_at IS NOT NULL THEN
        DELETE FROM people_search WHERE person_id = NEW.id;
    ELSE
        INSERT INTO people_search (person_id, account_id, sort_key, words)
        VALUES (NEW.id, NEW.account_id, NEW.sort_key, people_search_words(NEW.search_text))
        ON CONFLICT (person_id) DO UPDATE
            SET account_id = EXCLUDED.account_id, sort_key = EXCLUDED.sort_key, words = EXCLUDED.words;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER people_search_sync
    AFTER INSERT OR DELETE OR UPDATE OF search_text, sort_key, deleted_at, account_id ON people
    FOR EACH ROW EXECUTE FUNCTION people_search_sync();

INSERT INTO people_search (person_id, account_id, sort_key, words)
    SELECT id, account_id, sort_key, people_search_words(search_text) FROM people WHERE deleted_at IS NULL;
