-- On what terms a center or room serves (免费, 免费借用, 积分兑换, 租赁计费) and whom it serves
-- (环卫工、快递员、外卖骑手; 70周岁以上园区户籍老人), as the sources state them (issue 12). `record_id` is
-- the center's or the room's id.
CREATE TABLE terms (
    record_id TEXT NOT NULL,
    city_id   TEXT NOT NULL,
    ord       BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (record_id, ord)
);
CREATE INDEX terms_by_city ON terms (city_id);
CREATE TABLE audiences (
    record_id  TEXT NOT NULL,
    city_id    TEXT NOT NULL,
    ord        BIGINT NOT NULL,
    group_text TEXT NOT NULL,
    group_en   TEXT NOT NULL,
    min_age    BIGINT,
    PRIMARY KEY (record_id, ord)
);
CREATE INDEX audiences_by_city ON audiences (city_id);
