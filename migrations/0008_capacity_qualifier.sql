-- How the source words a room's capacity (issue 12): EXACT for a plain range ("10—15人"),
-- AT_LEAST for "上百名", as quantities keep theirs. NULL when the room has no capacity.
ALTER TABLE rooms ADD COLUMN capacity_qualifier TEXT;
