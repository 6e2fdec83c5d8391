-- dangqun district schema, version 1.
--
-- One district database holds one city's dataset (several cities may share a database: every
-- table carries city_id, and a re-import deletes exactly one city's rows). The SQL is portable
-- between SQLite and PostgreSQL: TEXT, BIGINT, DOUBLE PRECISION, BOOLEAN; no AUTOINCREMENT, no
-- JSON columns. Lists keep the source's order in an `ord` column.
--
-- A number from a source is stored as three columns <name>_value, <name>_qualifier
-- (EXACT | APPROX | AT_LEAST | AT_MOST) and <name>_unit; all three are NULL when unknown.

-- Which version of a city's dataset the district holds: the SHA-256 of exactly what was written.
CREATE TABLE dataset_versions (
    city_id      TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);

CREATE TABLE cities (
    id          TEXT PRIMARY KEY,
    city_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    province    TEXT NOT NULL,
    province_en TEXT NOT NULL,
    area        TEXT,
    area_en     TEXT
);

CREATE TABLE sources (
    id           TEXT PRIMARY KEY,            -- <city>/<file>
    city_id      TEXT NOT NULL,
    ord          BIGINT NOT NULL,
    file         TEXT NOT NULL,
    title        TEXT NOT NULL,
    title_en     TEXT,
    publisher    TEXT,
    published_at TEXT,
    note         TEXT
);

CREATE TABLE circles (
    id                   TEXT PRIMARY KEY,
    city_id              TEXT NOT NULL,
    ord                  BIGINT NOT NULL,
    name                 TEXT NOT NULL,
    name_en              TEXT NOT NULL,
    walking_minutes      BIGINT,
    population_value     DOUBLE PRECISION,
    population_qualifier TEXT,
    population_unit      TEXT,
    note                 TEXT
);

-- A circle's counted lists: communities, residential areas, villages, service items and service
-- categories. `kind` names the list; the count row and the name rows are separate because a
-- source may give either without the other.
CREATE TABLE circle_counts (
    circle_id TEXT NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    qualifier TEXT NOT NULL,
    unit      TEXT NOT NULL,
    PRIMARY KEY (circle_id, kind)
);

CREATE TABLE circle_names (
    circle_id TEXT NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (circle_id, kind, ord)
);

CREATE TABLE centers (
    id                   TEXT PRIMARY KEY,
    city_id              TEXT NOT NULL,
    ord                  BIGINT NOT NULL,
    circle_id            TEXT REFERENCES circles (id) ON DELETE SET NULL,
    name                 TEXT NOT NULL,
    name_en              TEXT NOT NULL,
    address              TEXT,
    address_en           TEXT,
    floor_area_value     DOUBLE PRECISION,
    floor_area_qualifier TEXT,
    floor_area_unit      TEXT,
    transit              TEXT,
    transit_en           TEXT,
    note                 TEXT
);
CREATE INDEX centers_by_circle ON centers (circle_id);

-- Times are minutes after midnight; `days` is a comma-separated list of weekdays, NULL when the
-- source does not name them.
CREATE TABLE opening_hours (
    center_id TEXT NOT NULL REFERENCES centers (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    season    TEXT NOT NULL,
    days      TEXT,
    opens     BIGINT,
    closes    BIGINT,
    open_24h  BOOLEAN NOT NULL,
    PRIMARY KEY (center_id, ord)
);

CREATE TABLE contacts (
    center_id TEXT NOT NULL REFERENCES centers (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    name      TEXT,
    phone     TEXT,
    PRIMARY KEY (center_id, ord)
);

CREATE TABLE center_service_items (
    center_id TEXT NOT NULL REFERENCES centers (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    item      TEXT NOT NULL,
    PRIMARY KEY (center_id, ord)
);

CREATE TABLE rooms (
    id           TEXT PRIMARY KEY,
    city_id      TEXT NOT NULL,
    ord          BIGINT NOT NULL,
    center_id    TEXT NOT NULL REFERENCES centers (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    category     TEXT NOT NULL,
    description  TEXT,
    capacity_min BIGINT,
    capacity_max BIGINT,
    address      TEXT,
    floor        TEXT,
    outdoor      BOOLEAN NOT NULL,
    open_24h     BOOLEAN NOT NULL,
    note         TEXT
);
CREATE INDEX rooms_by_center ON rooms (center_id);

-- Raw equipment text as the source words it, and the canonical tag it maps onto (NULL: none).
CREATE TABLE room_equipment (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    city_id TEXT NOT NULL,
    ord     BIGINT NOT NULL,
    name    TEXT NOT NULL,
    tag     TEXT,
    PRIMARY KEY (room_id, ord)
);

CREATE TABLE room_uses (
    room_id  TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    city_id  TEXT NOT NULL,
    ord      BIGINT NOT NULL,
    use_text TEXT NOT NULL,
    PRIMARY KEY (room_id, ord)
);

CREATE TABLE room_events (
    id        TEXT PRIMARY KEY,               -- <room id>#event-<ord>
    room_id   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    name      TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    schedule  TEXT,
    season    TEXT,
    weekday   TEXT,
    starts_at BIGINT
);
CREATE INDEX room_events_by_room ON room_events (room_id);

-- Named figures without a typed column. `owner_id` is a city, circle, center or room id.
CREATE TABLE indicators (
    id        TEXT PRIMARY KEY,               -- <owner id>#<key>
    owner_id  TEXT NOT NULL,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    key       TEXT NOT NULL,
    name      TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    value     DOUBLE PRECISION,
    qualifier TEXT,
    unit      TEXT,
    text      TEXT
);
CREATE INDEX indicators_by_owner ON indicators (owner_id);

-- Citations of every record, indicator and event. `owner_id` is the cited record's id (an
-- indicator's or event's own id for those); `supports` is a comma-separated list of fields.
CREATE TABLE citations (
    owner_id  TEXT NOT NULL,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    quote     TEXT NOT NULL,
    supports  TEXT NOT NULL,
    PRIMARY KEY (owner_id, ord)
);
