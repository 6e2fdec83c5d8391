-- Who serves in a center or room, by role (专业调解员, 家庭医生, 志愿者), and what a room shows that
-- is not equipment (非遗 projects on display), in the sources' words (issue 12). `record_id` is
-- the center's or the room's id.
CREATE TABLE staff (
    record_id TEXT NOT NULL,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    role_text TEXT NOT NULL,
    role_en   TEXT NOT NULL,
    volunteer BOOLEAN NOT NULL,
    PRIMARY KEY (record_id, ord)
);
CREATE INDEX staff_by_city ON staff (city_id);
CREATE TABLE room_exhibits (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    city_id TEXT NOT NULL,
    ord     BIGINT NOT NULL,
    exhibit TEXT NOT NULL,
    PRIMARY KEY (room_id, ord)
);
CREATE INDEX room_exhibits_by_city ON room_exhibits (city_id);
