-- People search on SQLite needs no new table: a query's words are matched
-- at the start of the words of people.search_text with GLOB while walking
-- the account's people in name order (a few tens of milliseconds at
-- 100,000 people). `kith serve` answers searches from its in-memory index
-- (kith-app's search module); this path serves the CLI and filtered lists.
-- An FTS5 index was measured: it made a 100,000-card import 1.5 s slower
-- (FTS5 flushes its buffer at every statement savepoint), for searches the
-- server does not send to the database. Version 3 exists on both engines.
SELECT 1;
