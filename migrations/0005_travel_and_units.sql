-- Facts the first schema could not hold (issue 12).
-- A circle's travel time and how it is travelled: "15分钟党建服务圈" gives minutes, not a mode.
-- `walking_minutes` stays, filled only when the source says 步行.
ALTER TABLE circles ADD COLUMN minutes BIGINT;
ALTER TABLE circles ADD COLUMN travel_mode TEXT;
-- Timetable lines of a unit inside a center (兆佳巷工作站), next to the center's own lines
-- (`unit` NULL). A center's hours, `openAt` and `compare`'s hours read only its
-- own lines.
ALTER TABLE opening_hours ADD COLUMN unit TEXT;
ALTER TABLE opening_hours ADD COLUMN unit_en TEXT;
