-- CardDAV. Address books: each account has `contacts`, its people, and
-- may create more (a client's MKCOL); a row here names a book and keeps
-- the labels a client gave it (also for `contacts`).
CREATE TABLE dav_books (
    account_id UUID NOT NULL,
    name TEXT NOT NULL,
    displayname TEXT,
    description TEXT,
    PRIMARY KEY (account_id, name)
);

-- Cards a client named: its book, the name it gave (kept forever, also
-- after the person is deleted, so that a sync can report the removal), the
-- card's UID, and the body exactly as uploaded with the version of the
-- person it matches (served back unchanged until kith changes the
-- person). People without a row are `<id>.vcf` in `contacts`.
CREATE TABLE dav_cards (
    account_id UUID NOT NULL,
    book TEXT NOT NULL,
    href TEXT NOT NULL,
    person_id UUID NOT NULL,
    uid TEXT,
    raw TEXT,
    raw_version BIGINT,
    PRIMARY KEY (account_id, book, href)
);
CREATE UNIQUE INDEX dav_cards_by_person ON dav_cards(account_id, person_id);
-- Covering (person_id too), so that SQLite picks it over the primary key.
CREATE INDEX dav_cards_by_uid ON dav_cards(account_id, book, uid, person_id);

-- A book's listing (each person's id and version) without reading the
-- people's rows, whose card comes before the version.
CREATE INDEX people_versions ON people(account_id, deleted_at, id, version);
