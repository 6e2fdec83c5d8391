-- The people an article's byline names (issue 12): authors, reporters, correspondents and
-- editors, in the article's order, each with the byline line that names them.
CREATE TABLE source_contributors (
    source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    name      TEXT NOT NULL,
    role      TEXT NOT NULL,
    role_text TEXT NOT NULL,
    quote     TEXT NOT NULL,
    PRIMARY KEY (source_id, ord)
);
CREATE INDEX source_contributors_by_city ON source_contributors (city_id);
