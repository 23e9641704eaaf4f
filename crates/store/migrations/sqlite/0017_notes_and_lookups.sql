-- The search box looks in notes: each person's notes, lower-cased, in a
-- narrow table of their own (reading them from the cards meant reading
-- every card); an interaction's note through an index of the few
-- interactions that have one; and the person page asks for the last merge
-- into someone by its survivor.
CREATE TABLE person_notes (
    account_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX person_notes_by_person ON person_notes(account_id, person_id);
CREATE INDEX interactions_with_notes ON interactions(account_id, at) WHERE note IS NOT NULL;
CREATE INDEX merges_by_survivor ON merges(account_id, survivor, created_at);
