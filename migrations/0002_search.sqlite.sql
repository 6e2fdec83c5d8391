-- Full-text search over names, uses, equipment, addresses and citation quotes.
--
-- An FTS5 table with the trigram tokenizer: any substring of three characters or more is found
-- through the index, in Chinese (no word segmentation needed: 法律援助 contains 法律援) and in
-- English, case-insensitively. Shorter queries are answered from the same table without the
-- index. The import writes these rows with the rest of the city, in the same transaction.
--
-- kind:      CENTER, ROOM, CIRCLE or CITY (the record a hit leads to)
-- owner_id:  that record's id; owner_ord its position in the city's list of its kind
-- field:     NAME, ADDRESS, USE, EQUIPMENT, COVERAGE (a name a circle lists) or QUOTE
CREATE VIRTUAL TABLE search_entries USING fts5(
    text,
    city_id UNINDEXED,
    kind UNINDEXED,
    owner_id UNINDEXED,
    owner_ord UNINDEXED,
    field UNINDEXED,
    ord UNINDEXED,
    tokenize = 'trigram'
);
