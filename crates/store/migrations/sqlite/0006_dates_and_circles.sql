-- Yearly dates derived from each card (birthdays, the start of current
-- positions), kept with the card like person_keys: the home page and the
-- digest find the coming ones without reading cards. day 0: unknown.
-- The rows of people who existed before are written by kith when it opens
-- the database after this migration (cards are JSON; dates need parsing).
CREATE TABLE person_dates (
    account_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    month INTEGER NOT NULL,
    day INTEGER NOT NULL,
    year INTEGER,
    label TEXT NOT NULL
);
CREATE INDEX person_dates_by_day ON person_dates(account_id, month, day);
-- One row per date: writing a card's dates twice (two servers opening an
-- older database at once) adds nothing.
CREATE UNIQUE INDEX person_dates_by_person
    ON person_dates(account_id, person_id, kind, month, day, COALESCE(year, 0), label);

-- The circle a person is pinned to by hand, whatever their interactions say.
CREATE TABLE person_circles (
    account_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    circle TEXT NOT NULL,
    PRIMARY KEY (account_id, person_id)
) WITHOUT ROWID;
