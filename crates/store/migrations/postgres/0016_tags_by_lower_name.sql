-- Tags are matched without regard to case (a cadence on "investors" covers
-- people tagged "Investors"): an index on the lower-cased tag lets the due
-- list find a tag's people without reading every tag of the book.
CREATE INDEX person_tags_by_lower_tag ON person_tags(account_id, lower(tag), person_id);
