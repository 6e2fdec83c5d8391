-- Reads by city. A database may hold many cities (several districts on one server, or
-- `dangqun synth`'s cities), so a city's page of centers or rooms (in source order), its
-- `compare` figures, its circles, sources and citations are found through an index rather than a
-- scan of every city's rows. Measured with `bash bench/run.sh` at 100x (BENCHMARKS.md).
CREATE INDEX centers_by_city ON centers (city_id, ord);
CREATE INDEX rooms_by_city ON rooms (city_id, ord);
CREATE INDEX room_equipment_by_city ON room_equipment (city_id);
CREATE INDEX opening_hours_by_city ON opening_hours (city_id);
CREATE INDEX circles_by_city ON circles (city_id);
CREATE INDEX sources_by_city ON sources (city_id);
CREATE INDEX citations_by_city ON citations (city_id);
