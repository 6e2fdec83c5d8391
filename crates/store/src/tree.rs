//! A plain tree of lists read in one statement per database, its JSON built by the database.
//!
//! A [`Tree`] says what JSON value to build from a row: columns, constants, objects, the rows of
//! a child table (a list, in the source's order, at most `first` of them) or their count. It is
//! compiled into one statement per database that answers every asked city as one JSON text
//! (`jsonb_object` and `jsonb_group_array` on SQLite, made text once at the end;
//! `json_build_object` and `json_agg` on PostgreSQL), the way PostGraphile and Hasura answer a nested query: no statement per level,
//! no row per record crossing into the service.
//!
//! Object keys and constants are bound values, like everything that comes from a request; table
//! and column names are this crate's own. The JSON is compact and identical on both backends
//! (PostgreSQL's `json` output puts spaces after `:` and `,` and newlines between array items,
//! which [`compact`] takes out), and the strings are escaped as `serde_json` escapes them.

use crate::backend::Backend;
use crate::sql::Sql;
use crate::{District, StoreError};

/// How a column's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// A string, or null.
    Text,
    /// A whole number, or null.
    Int,
    /// `true` or `false` (stored as 0/1 on SQLite).
    Bool,
}

/// A parent's child rows: which table, linked by which column to the parent's `id`, in which
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// A city's centers, in the sources' order (a page of them).
    CityCenters,
    /// A city's rooms, in the sources' order (a page of them).
    CityRooms,
    /// A city's service circles.
    CityCircles,
    /// The centers of a circle.
    CircleCenters,
    /// A center's rooms.
    CenterRooms,
    /// A center's service items.
    CenterServiceItems,
    /// A room's equipment.
    RoomEquipment,
    /// A room's uses.
    RoomUses,
}

impl Relation {
    /// Table, the column holding the parent's id, and the order (as the batched reads and the
    /// pages order the same rows).
    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::CityCenters => ("centers", "city_id", "ord, id"),
            Self::CityRooms => ("rooms", "city_id", "ord, id"),
            Self::CityCircles => ("circles", "city_id", "ord"),
            Self::CircleCenters => ("centers", "circle_id", "ord"),
            Self::CenterRooms => ("rooms", "center_id", "ord"),
            Self::CenterServiceItems => ("center_service_items", "center_id", "ord"),
            Self::RoomEquipment => ("room_equipment", "room_id", "ord"),
            Self::RoomUses => ("room_uses", "room_id", "ord"),
        }
    }
}

/// A row's parent (or other record it names): which table, found by its `id` in which column
/// of the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// A room's center.
    RoomCenter,
    /// A room's city.
    RoomCity,
    /// A center's city.
    CenterCity,
    /// A center's circle (the row's `circle_id` may be null).
    CenterCircle,
    /// A circle's city.
    CircleCity,
}

impl Parent {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Self::RoomCenter => ("centers", "center_id"),
            Self::RoomCity | Self::CenterCity | Self::CircleCity => ("cities", "city_id"),
            Self::CenterCircle => ("circles", "circle_id"),
        }
    }
}

/// The table a tree's root rows come from, each found by its `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Cities,
    Centers,
    Rooms,
    Circles,
}

impl Root {
    fn table(self) -> &'static str {
        match self {
            Self::Cities => "cities",
            Self::Centers => "centers",
            Self::Rooms => "rooms",
            Self::Circles => "circles",
        }
    }
}

/// The JSON value to build from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    /// A column of the row.
    Column(&'static str, Scalar),
    /// A constant string (a type name).
    Text(String),
    /// An object: keys in order, each with its value.
    Object(Vec<(String, Tree)>),
    /// An object that is null when every one of these columns of the row is null.
    ObjectUnlessNull(&'static [&'static str], Vec<(String, Tree)>),
    /// The row's children, each built by `item`; at most `first` of them when given.
    List {
        of: Relation,
        first: Option<i64>,
        item: Box<Tree>,
    },
    /// How many children the row has.
    Count(Relation),
    /// The row's parent built by `item`, or null when it has none.
    One { of: Parent, item: Box<Tree> },
}

/// Appends the expression building `tree` from the row aliased `t{depth}`. On SQLite the value
/// is JSONB (`jsonb_object`, `jsonb_group_array`): a binary value that nests through subqueries
/// as JSON without being parsed again at each level; [`built`] turns the whole into text once.
pub(crate) fn emit(sql: &mut Sql, backend: Backend, tree: &Tree, depth: usize) {
    let row = format!("t{depth}");
    match tree {
        Tree::Column(column, Scalar::Bool) if backend == Backend::Sqlite => {
            sql.push(&format!(
                "CASE WHEN {row}.{column} THEN jsonb('true') ELSE jsonb('false') END"
            ));
        }
        Tree::Column(column, _) => {
            sql.push(&format!("{row}.{column}"));
        }
        Tree::Text(text) => {
            sql.push("CAST(").bind(text.as_str()).push(" AS TEXT)");
        }
        Tree::Object(fields) => object(sql, backend, fields, depth),
        Tree::ObjectUnlessNull(columns, fields) => {
            let all_null = columns
                .iter()
                .map(|c| format!("{row}.{c} IS NULL"))
                .collect::<Vec<_>>()
                .join(" AND ");
            sql.push("CASE WHEN ")
                .push(&all_null)
                .push(" THEN NULL ELSE ");
            object(sql, backend, fields, depth);
            sql.push(" END");
        }
        Tree::One { of, item } => {
            let (table, column) = of.parts();
            let parent = format!("t{}", depth + 1);
            sql.push("(SELECT ");
            emit(sql, backend, item, depth + 1);
            sql.push(&format!(
                " FROM {table} {parent} WHERE {parent}.id = {row}.{column})"
            ));
        }
        Tree::Count(of) => {
            let (table, parent, _) = of.parts();
            let child = format!("t{}", depth + 1);
            sql.push(&format!(
                "(SELECT count(*) FROM {table} {child} WHERE {child}.{parent} = {row}.id)"
            ));
        }
        Tree::List { of, first, item } => {
            let (table, parent, order) = of.parts();
            let d = depth + 1;
            let child = format!("t{d}");
            let rows = format!("x{d}");
            let keys: Vec<&str> = order.split(", ").collect();
            let sort_columns = keys
                .iter()
                .enumerate()
                .map(|(i, k)| format!(", {child}.{k} AS o{i}"))
                .collect::<String>();
            let sort_keys = (0..keys.len())
                .map(|i| format!("{rows}.o{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let inner_order = keys
                .iter()
                .map(|k| format!("{child}.{k}"))
                .collect::<Vec<_>>()
                .join(", ");
            sql.push(&match backend {
                Backend::Sqlite => format!(
                    "(SELECT jsonb_group_array({rows}.j ORDER BY {sort_keys}) FROM (SELECT "
                ),
                Backend::Postgres => format!(
                    "(SELECT coalesce(json_agg({rows}.j ORDER BY {sort_keys}), '[]'::json) FROM (SELECT "
                ),
            });
            emit(sql, backend, item, d);
            sql.push(&format!(
                " AS j{sort_columns} FROM {table} {child} WHERE {child}.{parent} = {row}.id ORDER BY {inner_order}"
            ));
            if let Some(first) = first {
                sql.push(" LIMIT ").bind(*first);
            }
            sql.push(&format!(") {rows})"));
        }
    }
}

fn object(sql: &mut Sql, backend: Backend, fields: &[(String, Tree)], depth: usize) {
    sql.push(match backend {
        Backend::Sqlite => "jsonb_object(",
        Backend::Postgres => "json_build_object(",
    });
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("CAST(").bind(key.as_str()).push(" AS TEXT), ");
        emit(sql, backend, value, depth);
    }
    sql.push(")");
}

/// Appends the expression building `tree` from the row aliased `t0`, as text.
pub(crate) fn built(sql: &mut Sql, backend: Backend, tree: &Tree) {
    let (open, close) = match backend {
        Backend::Sqlite => ("json(", ")"),
        Backend::Postgres => ("CAST(", " AS TEXT)"),
    };
    sql.push(open);
    emit(sql, backend, tree, 0);
    sql.push(close);
}

/// The statement answering `tree` for each of the rows of `root` whose id is in `ids`: one row
/// per id found, the id and its JSON text.
fn statement(backend: Backend, root: Root, tree: &Tree, ids: &[String]) -> Sql {
    let mut sql = Sql::new("SELECT t0.id AS id, ");
    built(&mut sql, backend, tree);
    sql.push(&format!(
        " AS tree FROM {} t0 WHERE t0.id IN ",
        root.table()
    ))
    .bind_list(ids);
    sql
}

#[derive(sqlx::FromRow)]
struct TreeRow {
    id: String,
    tree: String,
}

/// JSON text without the whitespace between tokens (PostgreSQL's `json` output has some).
///
/// It works on bytes and copies whole runs: every byte it looks at to decide (quotes,
/// backslashes, whitespace) is ASCII, so each run ends on a character boundary, and a string's
/// bytes, multi-byte characters included, are copied as they are.
pub fn compact(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                out.push_str(&json[run..i]);
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(json.get(run..).unwrap_or_default());
    out
}

impl District {
    /// Builds `tree` from each row of `root` whose id is in `ids` (all of cities in this
    /// district's database) in one statement: each id found with its compact JSON text.
    pub async fn tree(
        &self,
        root: Root,
        tree: &Tree,
        ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.backend();
        let sql = statement(backend, root, tree, ids);
        let rows: Vec<TreeRow> = self.fetch_rows(&sql).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let json = match backend {
                    Backend::Sqlite => r.tree,
                    Backend::Postgres => compact(&r.tree),
                };
                (r.id, json)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings_whole() {
        assert_eq!(
            compact("{\"a b\" : [1, \n 2], \"c\" : \"x \\\" y\\\\\", \"d\" : null}"),
            "{\"a b\":[1,2],\"c\":\"x \\\" y\\\\\",\"d\":null}"
        );
    }

    #[test]
    fn compact_copies_other_scripts_and_escapes_as_they_are() {
        assert_eq!(
            compact("{\"名称\" : \"党群 服务\\\\\", \"n\" :\t[ \"\\\"引号\\\" \" ,\r\n 1.5e3 ] }"),
            "{\"名称\":\"党群 服务\\\\\",\"n\":[\"\\\"引号\\\" \",1.5e3]}"
        );
        assert_eq!(compact("  "), "");
        assert_eq!(compact("\"x\\"), "\"x\\");
    }

    #[test]
    fn keys_and_limits_are_bound() {
        let tree = Tree::Object(vec![
            ("id".into(), Tree::Column("id", Scalar::Text)),
            (
                "centers".into(),
                Tree::List {
                    of: Relation::CityCenters,
                    first: Some(5),
                    item: Box::new(Tree::Object(vec![(
                        "__typename".into(),
                        Tree::Text("ServiceCenter".into()),
                    )])),
                },
            ),
        ]);
        let sql = statement(
            Backend::Postgres,
            Root::Cities,
            &tree,
            &["korla".to_owned()],
        );
        assert_eq!(
            sql.text(),
            "SELECT t0.id AS id, CAST(json_build_object(CAST($1 AS TEXT), t0.id, CAST($2 AS TEXT), \
             (SELECT coalesce(json_agg(x1.j ORDER BY x1.o0, x1.o1), '[]'::json) FROM (SELECT \
             json_build_object(CAST($3 AS TEXT), CAST($4 AS TEXT)) AS j, t1.ord AS o0, t1.id AS o1 \
             FROM centers t1 WHERE t1.city_id = t0.id ORDER BY t1.ord, t1.id LIMIT $5) x1)) AS TEXT) \
             AS tree FROM cities t0 WHERE t0.id IN ($6)"
        );
    }
}
