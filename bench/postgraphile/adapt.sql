-- The peer's adaptations, applied to the benchmark's PostgreSQL database only (bench/run.sh).
-- dangqun's schema is not renamed: these are PostGraphile smart comments and one function.

-- PostgreSQL's built-in type `circle` takes the name PostGraphile would give the `circles` table.
COMMENT ON TABLE circles IS E'@name service_circles';
-- dangqun keys a city's rows by `city_id` without a foreign key (a district may hold one city);
-- PostGraphile needs the relation declared to nest centers and rooms under a city.
COMMENT ON TABLE centers IS E'@foreignKey (city_id) references cities (id)';
COMMENT ON TABLE rooms IS E'@foreignKey (city_id) references cities (id)';
-- Query (b): rooms of some categories that can hold at least N people, largest first, as
-- dangqun orders them (the upper figure, or the lower one when it is the only one; ties by id).
CREATE OR REPLACE FUNCTION rooms_by_capacity(categories text[], min_capacity bigint)
RETURNS SETOF rooms AS $$
  SELECT * FROM rooms r
  WHERE r.category = ANY (categories)
    AND COALESCE(r.capacity_max, r.capacity_min) >= min_capacity
  ORDER BY COALESCE(r.capacity_max, r.capacity_min) DESC, r.id COLLATE "C"
$$ LANGUAGE sql STABLE;
