-- Which `compare` figure an indicator is the source's own claim for (issue 13: "alongside each
-- recorded count, what the sources claim"): CENTERS, ROOMS, FLOOR_AREA or AVERAGE_FLOOR_AREA;
-- NULL for every other figure.
ALTER TABLE indicators ADD COLUMN claim TEXT;
