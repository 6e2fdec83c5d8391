-- A city's rooms by category, with their capacities, in the index itself: `compare`'s rooms and
-- capacity per category are counted from it in category order (no sort, no read of the rooms),
-- and a page of rooms of some categories with a minimum capacity (a dashboard's "culture and
-- multipurpose rooms holding at least 20, largest first") tests and orders each candidate from
-- it, reading only the rooms it shows. Measured with `bash bench/run.sh` at 100x
-- (BENCHMARKS.md): one client, SQLite, `compare`'s categories 3.3 -> 1.5 ms, that page 3.2 ->
-- 1.9 ms.
CREATE INDEX rooms_by_category ON rooms (city_id, category, capacity_max, capacity_min);
