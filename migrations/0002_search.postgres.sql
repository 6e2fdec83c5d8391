-- Full-text search over names, uses, equipment, addresses and citation quotes: PostgreSQL.
--
-- The same table as SQLite's FTS5 `search_entries` (0002_search.sqlite.sql), as a plain table with
-- a trigram index from pg_trgm on the lower-cased text: `lower(text) LIKE '%…%'` finds any
-- substring through the index once the query has three characters, in Chinese and in English.
-- pg_trgm is a trusted extension: a database owner may create it without being a superuser.
-- The import writes these rows with the rest of the city, in the same transaction.
--
-- kind:      CENTER, ROOM, CIRCLE or CITY (the record a hit leads to)
-- owner_id:  that record's id; owner_ord its position in the city's list of its kind
-- field:     NAME, ADDRESS, USE, EQUIPMENT, COVERAGE (a name a circle lists) or QUOTE
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_entries (
    text      TEXT NOT NULL,
    city_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    owner_id  TEXT NOT NULL,
    owner_ord BIGINT NOT NULL,
    field     TEXT NOT NULL,
    ord       BIGINT NOT NULL
);
CREATE INDEX search_entries_by_city ON search_entries (city_id);
CREATE INDEX search_entries_by_text ON search_entries USING gin (lower(text) gin_trgm_ops);
