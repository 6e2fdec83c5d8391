//! Text search through the district's own index, `search_entries` (FTS5 with the trigram
//! tokenizer on SQLite, pg_trgm on PostgreSQL; see `migrations/0002_search.*.sql`).

use crate::listing::like_pattern;
use crate::sql::Sql;
use crate::{Backend, District, StoreError};

/// One matching text of a record.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SearchRow {
    /// CENTER, ROOM, CIRCLE or CITY.
    pub kind: String,
    pub owner_id: String,
    pub owner_ord: i64,
    /// NAME, ADDRESS, USE, EQUIPMENT, COVERAGE or QUOTE.
    pub field: String,
    pub text: String,
}

/// Kinds in the order hits are listed.
const KIND_RANK: &str =
    "CASE kind WHEN 'CENTER' THEN 0 WHEN 'ROOM' THEN 1 WHEN 'CIRCLE' THEN 2 ELSE 3 END";
/// `field`'s position in [`FIELDS`], in SQL.
fn field_rank_sql() -> String {
    let mut sql = String::from("CASE field");
    for (i, (field, _)) in FIELDS.iter().enumerate() {
        sql.push_str(&format!(" WHEN '{field}' THEN {i}"));
    }
    sql.push_str(&format!(" ELSE {} END", FIELDS.len()));
    sql
}

/// The fields, by how much a match in them says about the record, each with the score a hit
/// whose best match is in it gets: a name first, a sentence other records share last.
pub const FIELDS: [(&str, f64); 9] = [
    ("NAME", 1.0),
    ("CATEGORY", 0.9),
    ("USE", 0.8),
    ("EQUIPMENT", 0.75),
    ("EQUIPMENT_TAG", 0.7),
    ("ADDRESS", 0.6),
    ("COVERAGE", 0.5),
    ("QUOTE", 0.4),
    ("SHARED_QUOTE", 0.2),
];

/// Position of a kind in the order hits are listed: centers, rooms, circles, then the city.
pub fn kind_rank(kind: &str) -> u8 {
    match kind {
        "CENTER" => 0,
        "ROOM" => 1,
        "CIRCLE" => 2,
        _ => 3,
    }
}

/// Position of a field in [`FIELDS`]: a match in a name ranks first, then a category, uses,
/// equipment and its tags, addresses, the names a circle lists, a record's own quotes, and
/// quotes it shares with other records.
pub fn field_rank(field: &str) -> u8 {
    FIELDS
        .iter()
        .position(|(f, _)| *f == field)
        .map_or(FIELDS.len() as u8, |p| p as u8)
}

/// The score of a hit whose best match is in `field` (see [`FIELDS`]).
pub fn field_score(field: &str) -> f64 {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(0.0, |(_, s)| *s)
}

/// The index can answer a query of at least this many characters; shorter ones are scanned.
const TRIGRAM: usize = 3;

/// The condition "this entry's text contains `text`", through each backend's own index: FTS5's
/// trigram tokenizer on SQLite, a pg_trgm index on `lower(text)` on PostgreSQL (see the two
/// `0002_search` migrations). Latin letters A–Z ignore case on both.
fn push_match(sql: &mut Sql, backend: Backend, text: &str) {
    match backend {
        Backend::Sqlite if text.chars().count() >= TRIGRAM => {
            // One FTS5 phrase: a substring match under the trigram tokenizer.
            sql.push("search_entries MATCH ")
                .bind(format!("\"{}\"", text.replace('"', "\"\"")));
        }
        Backend::Sqlite => {
            sql.push("instr(lower(text), ")
                .bind(text.to_ascii_lowercase())
                .push(") > 0");
        }
        Backend::Postgres => {
            sql.push("lower(text) LIKE ")
                .bind(like_pattern(text))
                .push(" ESCAPE '\\'");
        }
    }
}

impl District {
    /// Every matching text of the first `limit` records whose texts contain `text`: records
    /// ordered by their best matching field ([`field_rank`]), then [`kind_rank`], then the
    /// sources' order; each record's texts in field order.
    pub async fn search(&self, text: &str, limit: i64) -> Result<Vec<SearchRow>, StoreError> {
        let backend = self.backend();
        let mut sql = Sql::new(
            "SELECT kind, owner_id, CAST(owner_ord AS BIGINT) AS owner_ord, field, text \
             FROM search_entries WHERE city_id = ",
        );
        sql.bind(self.city()).push(" AND ");
        push_match(&mut sql, backend, text);
        sql.push(" AND owner_id IN (SELECT owner_id FROM search_entries WHERE city_id = ")
            .bind(self.city())
            .push(" AND ");
        push_match(&mut sql, backend, text);
        let field_rank = field_rank_sql();
        sql.push(&format!(
            " GROUP BY owner_id ORDER BY MIN({field_rank}), MIN({KIND_RANK}), MIN(owner_ord) LIMIT "
        ))
        .bind(limit)
        .push(&format!(
            ") ORDER BY {KIND_RANK}, owner_ord, {field_rank}, ord"
        ));
        self.fetch_rows(&sql).await
    }
}
