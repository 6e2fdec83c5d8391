-- A room's own opening hours (issue 12: "opening hours on any unit"), lines of the same shape as
-- a center's: times in minutes after midnight, `days` a comma-separated list of weekdays or
-- NULL when the source names none. None of the four cities' articles states any yet; a room
-- open around the clock is `rooms.open_24h`.
CREATE TABLE room_hours (
    room_id  TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    city_id  TEXT NOT NULL,
    ord      BIGINT NOT NULL,
    season   TEXT NOT NULL,
    days     TEXT,
    opens    BIGINT,
    closes   BIGINT,
    open_24h BOOLEAN NOT NULL,
    PRIMARY KEY (room_id, ord)
);
CREATE INDEX room_hours_by_city ON room_hours (city_id);
