-- Organisations a source names with a circle, a center or a room, and what they are to it
-- (issue 12): who built it (BUILDER), who serves in it (PARTNER), which party branch carries
-- which brand (BRANCH). Their citations are in `citations`, owned by the organisation's id.
CREATE TABLE organisations (
    id        TEXT PRIMARY KEY,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    name      TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    role      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    brand     TEXT
);
CREATE INDEX organisations_by_city ON organisations (city_id);
CREATE INDEX organisations_by_record ON organisations (record_id);
