-- CardDAV: the name a client gave each card it uploaded (its href, kept
-- forever, also after the person is deleted, so that a sync can report
-- the removal), the card's UID, and the body exactly as uploaded together
-- with the version of the person it matches (served back unchanged until
-- kith changes the person). People without a row are `<id>.vcf`.
CREATE TABLE dav_cards (
    account_id UUID NOT NULL,
    href TEXT NOT NULL,
    person_id UUID NOT NULL,
    uid TEXT,
    raw TEXT,
    raw_version BIGINT,
    PRIMARY KEY (account_id, href)
);
CREATE UNIQUE INDEX dav_cards_by_person ON dav_cards(account_id, person_id);
CREATE INDEX dav_cards_by_uid ON dav_cards(account_id, uid);
