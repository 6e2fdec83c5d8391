//! Filtered, ordered pages of centers and rooms, by keyset.
//!
//! A page is `SELECT … FROM (rows matching the filter, each with its sort key) WHERE (sort key,
//! id) comes after the cursor ORDER BY sort key, id LIMIT n`. Every district orders by the same
//! `(sort key, id)` pair, so a caller merging pages from several districts gets the true order of
//! the union. Unknown values (NULL) sort last in both directions; ties are broken by id,
//! ascending. Text sorts by code point on both backends (`Backend::text_key`), Rust's `str` order.

use crate::read::Table;
use crate::sql::Sql;
use crate::{CenterRow, District, RoomRow, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

/// A sort key as a district computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl SortValue {
    /// The order of two keys of the same kind, unknown last.
    pub fn cmp_key(&self, other: &Self) -> std::cmp::Ordering {
        use SortValue::*;
        use std::cmp::Ordering::*;
        match (self, other) {
            (Null, Null) => Equal,
            (Null, _) => Greater,
            (_, Null) => Less,
            (Int(a), Int(b)) => a.cmp(b),
            (Real(a), Real(b)) => a.total_cmp(b),
            (Text(a), Text(b)) => a.cmp(b),
            (Int(a), Real(b)) => (*a as f64).total_cmp(b),
            (Real(a), Int(b)) => a.total_cmp(&(*b as f64)),
            (Text(_), _) => Greater,
            (_, Text(_)) => Less,
        }
    }
}

/// Where a page starts: just after the row with this sort key and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct After {
    pub value: SortValue,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
}

/// How rooms are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoomOrder {
    /// The sources' order within a city.
    Source,
    /// The most people the room holds: the source's upper figure, or its lower one when it gives
    /// only that ("上百名" sorts as 100).
    Capacity,
    Name,
    City,
    Category,
}

impl RoomOrder {
    fn key(self) -> (&'static str, Kind) {
        match self {
            Self::Source => ("x.ord", Kind::Int),
            Self::Capacity => ("COALESCE(x.capacity_max, x.capacity_min)", Kind::Int),
            Self::Name => ("x.name", Kind::Text),
            Self::City => ("x.city_id", Kind::Text),
            Self::Category => ("x.category", Kind::Text),
        }
    }
}

/// How centers are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CenterOrder {
    /// The sources' order within a city.
    Source,
    /// The stated floor area value, whatever its qualifier.
    FloorArea,
    RoomCount,
    /// Sum over the center's rooms of each room's capacity as [`RoomOrder::Capacity`] reads it;
    /// unknown when no room states one.
    TotalCapacity,
    Name,
}

const ROOM_COUNT: &str = "(SELECT COUNT(*) FROM rooms r WHERE r.center_id = x.id)";
const TOTAL_CAPACITY: &str = "(SELECT CAST(SUM(COALESCE(r.capacity_max, r.capacity_min)) AS BIGINT) \
     FROM rooms r WHERE r.center_id = x.id)";

impl CenterOrder {
    fn key(self) -> (&'static str, Kind) {
        match self {
            Self::Source => ("x.ord", Kind::Int),
            Self::FloorArea => ("x.floor_area_value", Kind::Real),
            Self::RoomCount => (ROOM_COUNT, Kind::Int),
            Self::TotalCapacity => (TOTAL_CAPACITY, Kind::Int),
            Self::Name => ("x.name", Kind::Text),
        }
    }
}

/// Which rooms a list holds. Every condition given must hold; an empty list or `None` is no
/// condition.
#[derive(Debug, Clone, Default)]
pub struct RoomFilter {
    /// Category codes; a room matches any of them.
    pub categories: Vec<String>,
    /// The room can hold at least this many people (its upper figure, or its lower one when it
    /// gives only that, is at least this). Rooms without a capacity never match.
    pub min_capacity: Option<i64>,
    /// The room is known to hold no more than this many (its stated maximum is at most this).
    pub max_capacity: Option<i64>,
    /// Equipment tag codes; a room matches when it has every one.
    pub equipment: Vec<String>,
    pub outdoor: Option<bool>,
    pub open_24h: Option<bool>,
    /// True: only spaces outside the center's building (with an address of their own).
    pub off_site: Option<bool>,
    /// Text contained in the room's name (Chinese or English) or one of its uses.
    pub text: Option<String>,
    /// Free of charge or not, as its stated terms say (see [`Offer`]).
    pub free_of_charge: Option<bool>,
    /// Text contained in a group the room serves (Chinese or English).
    pub audience: Option<String>,
}

/// A moment of the week: season, weekday and minutes after midnight.
#[derive(Debug, Clone)]
pub struct OpenAt {
    /// `SUMMER` or `WINTER`; lines for `ALL_YEAR` apply to both.
    pub season: String,
    /// Weekday code (`FRIDAY`).
    pub weekday: String,
    pub minutes: i64,
    /// When false, a timetable line that names no days counts for every day.
    pub require_named_days: bool,
}

/// Whether a center is open at a moment, by its own timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    Open,
    Closed,
    Unknown,
}

impl OpenAt {
    /// A center's state at this moment by its own timetable lines (a unit's lines inside it do
    /// not count), by the rule the `open_at` filter applies in SQL: open when a line of the
    /// season covering the day is open at the minute (overnight lines wrap); closed when a
    /// line covers the day but none is open then, or when the season's lines name their days
    /// and not this one; unknown when the sources give no line for the season, or when only a
    /// line naming no day could cover it and `require_named_days` sets those aside.
    pub fn state(&self, lines: &[crate::OpeningHoursRow]) -> OpenState {
        let seasonal: Vec<&crate::OpeningHoursRow> = lines
            .iter()
            .filter(|h| h.unit.is_none() && (h.season == self.season || h.season == "ALL_YEAR"))
            .collect();
        if seasonal.is_empty() {
            return OpenState::Unknown;
        }
        let covering: Vec<&&crate::OpeningHoursRow> = seasonal
            .iter()
            .filter(|h| match &h.days {
                None => !self.require_named_days,
                Some(days) => days.split(',').any(|d| d == self.weekday),
            })
            .collect();
        let m = self.minutes;
        let open = |h: &crate::OpeningHoursRow| {
            h.open_24h
                || match (h.opens, h.closes) {
                    (Some(o), Some(c)) if o <= c => o <= m && c > m,
                    (Some(o), Some(c)) => o <= m || c > m,
                    _ => false,
                }
        };
        if covering.iter().any(|h| open(h)) {
            OpenState::Open
        } else if !covering.is_empty() || seasonal.iter().all(|h| h.days.is_some()) {
            OpenState::Closed
        } else {
            OpenState::Unknown
        }
    }
}

/// Which centers a list holds. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct CenterFilter {
    /// The floor area is known to be at least this (an `AT_MOST` figure never is).
    pub floor_area_min: Option<f64>,
    /// The floor area is known to be at most this (an `AT_LEAST` figure never is).
    pub floor_area_max: Option<f64>,
    /// Category codes; the center has at least one room of each.
    pub room_categories: Vec<String>,
    /// Equipment tag codes; each is found in at least one of the center's rooms.
    pub equipment: Vec<String>,
    /// The center's timetable has it open then.
    pub open_at: Option<OpenAt>,
    /// Text contained in the center's name or address (Chinese or English).
    pub text: Option<String>,
    /// Free of charge or not, as the center's own stated terms say (see [`Offer`]).
    pub free_of_charge: Option<bool>,
    /// Text contained in a group the center serves (Chinese or English).
    pub audience: Option<String>,
}

/// The conditions a center and a room share on their terms and audiences.
struct Offer<'a> {
    /// True: a stated term is free (`FREE`, `FREE_LOAN`). False: a stated term charges
    /// (points, rental) and none is free. A record that states no term matches neither.
    free_of_charge: Option<bool>,
    audience: Option<&'a str>,
}

/// The kinds of term that cost nothing (`model::TermKind::is_free`), as an SQL list.
pub(crate) const FREE_TERMS: &str = "('FREE', 'FREE_LOAN')";

impl Offer<'_> {
    fn push_where(&self, sql: &mut Sql) {
        let terms = "SELECT 1 FROM terms t WHERE t.record_id = x.id AND t.kind";
        match self.free_of_charge {
            Some(true) => sql.push(&format!(" AND EXISTS ({terms} IN {FREE_TERMS})")),
            Some(false) => sql.push(&format!(
                " AND EXISTS ({terms} NOT IN {FREE_TERMS}) AND NOT EXISTS ({terms} IN {FREE_TERMS})"
            )),
            None => sql,
        };
        if let Some(text) = self.audience {
            let p = like_pattern(text);
            sql.push(" AND EXISTS (SELECT 1 FROM audiences a WHERE a.record_id = x.id AND (");
            push_contains(sql, "a.group_text", &p);
            sql.push(" OR ");
            push_contains(sql, "a.group_en", &p);
            sql.push("))");
        }
    }
}

/// `%text%` for LIKE, lower-cased (ASCII, as SQLite's `lower`), with `\`, `%` and `_` escaped.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_ascii_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn push_contains(sql: &mut Sql, column: &str, pattern: &str) {
    sql.push(&format!("lower({column}) LIKE "))
        .bind(pattern)
        .push(" ESCAPE '\\'");
}

trait Filter {
    /// Appends ` AND …` conditions on alias `x`.
    fn push_where(&self, sql: &mut Sql);
}

impl Filter for RoomFilter {
    fn push_where(&self, sql: &mut Sql) {
        if !self.categories.is_empty() {
            sql.push(" AND x.category IN ").bind_list(&self.categories);
        }
        if let Some(n) = self.min_capacity {
            sql.push(" AND COALESCE(x.capacity_max, x.capacity_min) >= ")
                .bind(n);
        }
        if let Some(n) = self.max_capacity {
            sql.push(" AND x.capacity_max <= ").bind(n);
        }
        for tag in &self.equipment {
            sql.push(
                " AND EXISTS (SELECT 1 FROM room_equipment e WHERE e.room_id = x.id AND e.tag = ",
            )
            .bind(tag)
            .push(")");
        }
        if let Some(b) = self.outdoor {
            sql.push(" AND x.outdoor = ").bind(b);
        }
        if let Some(b) = self.open_24h {
            sql.push(" AND x.open_24h = ").bind(b);
        }
        match self.off_site {
            Some(true) => sql.push(" AND x.address IS NOT NULL"),
            Some(false) => sql.push(" AND x.address IS NULL"),
            None => sql,
        };
        if let Some(text) = &self.text {
            let p = like_pattern(text);
            sql.push(" AND (");
            push_contains(sql, "x.name", &p);
            sql.push(" OR ");
            push_contains(sql, "x.name_en", &p);
            sql.push(" OR EXISTS (SELECT 1 FROM room_uses u WHERE u.room_id = x.id AND ");
            push_contains(sql, "u.use_text", &p);
            sql.push("))");
        }
        Offer {
            free_of_charge: self.free_of_charge,
            audience: self.audience.as_deref(),
        }
        .push_where(sql);
    }
}

impl Filter for CenterFilter {
    fn push_where(&self, sql: &mut Sql) {
        if let Some(v) = self.floor_area_min {
            sql.push(" AND x.floor_area_value >= ")
                .bind(v)
                .push(" AND x.floor_area_qualifier <> 'AT_MOST'");
        }
        if let Some(v) = self.floor_area_max {
            sql.push(" AND x.floor_area_value <= ")
                .bind(v)
                .push(" AND x.floor_area_qualifier <> 'AT_LEAST'");
        }
        for category in &self.room_categories {
            sql.push(
                " AND EXISTS (SELECT 1 FROM rooms r WHERE r.center_id = x.id AND r.category = ",
            )
            .bind(category)
            .push(")");
        }
        for tag in &self.equipment {
            sql.push(
                " AND EXISTS (SELECT 1 FROM rooms r JOIN room_equipment e ON e.room_id = r.id \
                 WHERE r.center_id = x.id AND e.tag = ",
            )
            .bind(tag)
            .push(")");
        }
        if let Some(at) = &self.open_at {
            sql.push(
                " AND EXISTS (SELECT 1 FROM opening_hours h WHERE h.center_id = x.id \
                 AND h.unit IS NULL AND (h.season = ",
            )
            .bind(&at.season)
            .push(" OR h.season = 'ALL_YEAR') AND (");
            if !at.require_named_days {
                sql.push("h.days IS NULL OR ");
            }
            sql.push("(',' || h.days || ',') LIKE ")
                .bind(format!("%,{},%", at.weekday))
                .push(") AND (h.open_24h OR (h.opens <= h.closes AND h.opens <= ")
                .bind(at.minutes)
                .push(" AND h.closes > ")
                .bind(at.minutes)
                .push(") OR (h.opens > h.closes AND (h.opens <= ")
                .bind(at.minutes)
                .push(" OR h.closes > ")
                .bind(at.minutes)
                .push("))))");
        }
        if let Some(text) = &self.text {
            let p = like_pattern(text);
            sql.push(" AND (");
            for (i, column) in ["x.name", "x.name_en", "x.address", "x.address_en"]
                .iter()
                .enumerate()
            {
                if i > 0 {
                    sql.push(" OR ");
                }
                push_contains(sql, column, &p);
            }
            sql.push(")");
        }
        Offer {
            free_of_charge: self.free_of_charge,
            audience: self.audience.as_deref(),
        }
        .push_where(sql);
    }
}

/// A record of a compiled page (`District::rooms_tree`): its city, id, sort key and JSON.
#[derive(Debug, Clone)]
pub struct PagedTree {
    pub city: String,
    pub id: String,
    pub key: SortValue,
    pub json: String,
}

/// What a compiled page asks for: its direction, how many rows, whether the total too, and how
/// each row is built.
#[derive(Debug, Clone, Copy)]
pub struct TreePage<'a> {
    pub descending: bool,
    pub limit: i64,
    /// Count every match (a window over the filtered rows: only when the query shows it).
    pub total: bool,
    pub tree: &'a crate::Tree,
}

#[derive(FromRow)]
struct PagedTreeRow {
    id: String,
    city_id: String,
    total: i64,
    tree: String,
}

/// One city's part of a page: the city, and the row its page starts after.
pub type PagePart = (String, Option<After>);

impl District {
    /// For each part, up to `limit` rooms of its city matching `filter`, after its `after`, in
    /// `order`, each with its sort key: one statement for every city of the parts, which must
    /// all be in this district's database. A city may appear in one part only.
    pub async fn rooms_pages(
        &self,
        parts: &[PagePart],
        filter: &RoomFilter,
        order: RoomOrder,
        descending: bool,
        limit: i64,
    ) -> Result<Vec<(SortValue, RoomRow)>, StoreError> {
        self.list_pages(parts, filter, order.key(), descending, limit)
            .await
    }

    /// How many rooms of each of `cities` (all in this district's database) match `filter`, in
    /// one statement; a city with none is left out.
    pub async fn rooms_counts(
        &self,
        cities: &[String],
        filter: &RoomFilter,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.list_counts::<RoomRow>(cities, filter).await
    }

    /// [`District::rooms_pages`] for centers.
    pub async fn centers_pages(
        &self,
        parts: &[PagePart],
        filter: &CenterFilter,
        order: CenterOrder,
        descending: bool,
        limit: i64,
    ) -> Result<Vec<(SortValue, CenterRow)>, StoreError> {
        self.list_pages(parts, filter, order.key(), descending, limit)
            .await
    }

    /// [`District::rooms_counts`] for centers.
    pub async fn centers_counts(
        &self,
        cities: &[String],
        filter: &CenterFilter,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.list_counts::<CenterRow>(cities, filter).await
    }

    /// The first `page.limit` rooms of `cities` (all in this district's database, in the
    /// service's order) matching `filter` in `order`, each built by `page.tree` (`crate::tree`),
    /// with its sort key; and, when asked, how many match in all (0 otherwise). One statement.
    pub async fn rooms_tree(
        &self,
        cities: &[String],
        filter: &RoomFilter,
        order: RoomOrder,
        page: &TreePage<'_>,
    ) -> Result<(Vec<PagedTree>, i64), StoreError> {
        let source = order == RoomOrder::Source;
        self.tree_page("rooms", cities, filter, (order.key(), source), page)
            .await
    }

    /// [`District::rooms_tree`] for centers.
    pub async fn centers_tree(
        &self,
        cities: &[String],
        filter: &CenterFilter,
        order: CenterOrder,
        page: &TreePage<'_>,
    ) -> Result<(Vec<PagedTree>, i64), StoreError> {
        let source = order == CenterOrder::Source;
        self.tree_page("centers", cities, filter, (order.key(), source), page)
            .await
    }

    /// The rows of a page in the order the pages of `list_pages` merge into (in the sources'
    /// order, city by city in the order of `cities`, reversed when descending), cut at `limit`,
    /// each with its JSON; the total counts every match (a window over the filtered rows, taken
    /// before the cut) when asked: the window keeps every matching row, where the cut alone
    /// keeps only `limit` (a top-N sort).
    async fn tree_page(
        &self,
        table: &'static str,
        cities: &[String],
        filter: &impl Filter,
        ((key, kind), source): ((&'static str, Kind), bool),
        page: &TreePage<'_>,
    ) -> Result<(Vec<PagedTree>, i64), StoreError> {
        let TreePage {
            descending,
            limit,
            total,
            tree,
        } = *page;
        if cities.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let backend = self.backend();
        let key = match kind {
            Kind::Text => backend.text_key(key),
            Kind::Int | Kind::Real => key.to_owned(),
        };
        let typed = |k: Kind, ty: &str| {
            if k == kind {
                "t0.sort_key".to_owned()
            } else {
                format!("CAST(NULL AS {ty})")
            }
        };
        let direction = if descending { "DESC" } else { "ASC" };
        // On SQLite each row of an answer crosses from the connection's worker thread on its
        // own: the page comes back as one row, a JSON array of the rows. Not for a real key,
        // which JSON text would round to 15 digits.
        let one_row = backend == crate::Backend::Sqlite && kind != Kind::Real;
        let mut sql = Sql::new(&format!(
            "{open}SELECT t0.id AS id, t0.city_id AS city_id, t0.total AS total, \
             {int} AS sort_int, {real} AS sort_real, {text} AS sort_text, ",
            open = if one_row {
                "SELECT json_group_array(json_array(p.id, p.city_id, p.total, p.sort_int, \
                 p.sort_text, p.tree)) AS page FROM ("
            } else {
                ""
            },
            int = typed(Kind::Int, "BIGINT"),
            real = typed(Kind::Real, "DOUBLE PRECISION"),
            text = typed(Kind::Text, "TEXT"),
        ));
        if one_row {
            // JSONB, which `json_array` takes as JSON.
            crate::tree::emit(&mut sql, backend, tree, 0);
        } else {
            crate::tree::built(&mut sql, backend, tree);
        }
        sql.push(&format!(
            " AS tree FROM (SELECT x.*, {key} AS sort_key, {count} AS total FROM {table} x \
             WHERE x.city_id IN ",
            count = if total {
                "count(*) OVER ()"
            } else {
                "CAST(0 AS BIGINT)"
            },
        ));
        sql.bind_list(cities);
        filter.push_where(&mut sql);
        sql.push(" ORDER BY ");
        if source && cities.len() > 1 {
            sql.push("CASE x.city_id");
            for (n, city) in cities.iter().enumerate() {
                sql.push(" WHEN ")
                    .bind(city.as_str())
                    .push(" THEN ")
                    .bind(n as i64);
            }
            sql.push(&format!(" END {direction}, "));
        }
        sql.push(&format!(
            "({key}) IS NULL, {key} {direction}, {id} LIMIT ",
            id = backend.text_key("x.id")
        ))
        .bind(limit)
        .push(") t0");
        if one_row {
            sql.push(") p");
            return self.one_row_page(&sql).await;
        }
        let rows: Vec<Paged<PagedTreeRow>> = self.fetch_rows(&sql).await?;
        let total = rows.first().map_or(0, |r| r.row.total);
        let compact = backend == crate::Backend::Postgres;
        Ok((
            rows.into_iter()
                .map(|p| PagedTree {
                    city: p.row.city_id,
                    id: p.row.id,
                    key: p.key,
                    json: if compact {
                        crate::tree::compact(&p.row.tree)
                    } else {
                        p.row.tree
                    },
                })
                .collect(),
            total,
        ))
    }

    /// A page that `sql` gives as one JSON array of `[id, city, total, int key, text key,
    /// tree]` rows.
    async fn one_row_page(&self, sql: &Sql) -> Result<(Vec<PagedTree>, i64), StoreError> {
        type Entry = (
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Box<serde_json::value::RawValue>,
        );
        let page: Vec<(String,)> = self.fetch_rows(sql).await?;
        let text = page.first().map_or("[]", |(text,)| text.as_str());
        let entries: Vec<Entry> = serde_json::from_str(text).map_err(|e| StoreError::Query {
            city: self.city().to_owned(),
            source: sqlx::Error::Decode(Box::new(e)),
        })?;
        let total = entries.first().map_or(0, |e| e.2);
        let rows = entries
            .into_iter()
            .map(|(id, city, _, int, text, tree)| PagedTree {
                city,
                id,
                key: match (int, text) {
                    (Some(i), _) => SortValue::Int(i),
                    (None, Some(t)) => SortValue::Text(t),
                    (None, None) => SortValue::Null,
                },
                json: tree.get().to_owned(),
            })
            .collect();
        Ok((rows, total))
    }

    /// One city: `… ORDER BY key, id LIMIT n`. Several: each city's rows numbered by the same
    /// order (`ROW_NUMBER() OVER (PARTITION BY city_id …)`), the first `limit` of each kept.
    async fn list_pages<R: Table>(
        &self,
        parts: &[PagePart],
        filter: &impl Filter,
        (key, kind): (&'static str, Kind),
        descending: bool,
        limit: i64,
    ) -> Result<Vec<(SortValue, R)>, StoreError> {
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let key = match kind {
            Kind::Text => self.backend().text_key(key),
            Kind::Int | Kind::Real => key.to_owned(),
        };
        // The key is read back through the column of its type; the other two are NULL.
        let typed = |k: Kind, ty: &str| {
            if k == kind {
                "y.sort_key".to_owned()
            } else {
                format!("CAST(NULL AS {ty})")
            }
        };
        let id = self.backend().text_key("y.id");
        let direction = if descending { "DESC" } else { "ASC" };
        let order = format!("(y.sort_key IS NULL), y.sort_key {direction}, {id}");
        let several = parts.len() > 1;
        let mut sql = Sql::new(if several { "SELECT z.* FROM (" } else { "" });
        sql.push(&format!(
            "SELECT y.*, {int} AS sort_int, {real} AS sort_real, {text} AS sort_text",
            int = typed(Kind::Int, "BIGINT"),
            real = typed(Kind::Real, "DOUBLE PRECISION"),
            text = typed(Kind::Text, "TEXT"),
        ));
        if several {
            sql.push(&format!(
                ", ROW_NUMBER() OVER (PARTITION BY y.city_id ORDER BY {order}) AS page_rank"
            ));
        }
        sql.push(&format!(
            " FROM (SELECT {cols}, {key} AS sort_key FROM {table} x WHERE x.city_id IN ",
            cols = R::COLUMNS,
            table = R::TABLE
        ));
        sql.bind_list(parts.iter().map(|(c, _)| c.as_str()));
        filter.push_where(&mut sql);
        sql.push(") y WHERE 1 = 1");
        if parts.iter().any(|(_, after)| after.is_some()) {
            sql.push(" AND (");
            for (n, (city, after)) in parts.iter().enumerate() {
                if n > 0 {
                    sql.push(" OR ");
                }
                sql.push("(y.city_id = ").bind(city.as_str());
                if let Some(after) = after {
                    push_after(&mut sql, after, descending, &id);
                }
                sql.push(")");
            }
            sql.push(")");
        }
        if several {
            sql.push(") z WHERE z.page_rank <= ").bind(limit);
        } else {
            sql.push(&format!(" ORDER BY {order} LIMIT ")).bind(limit);
        }
        let rows: Vec<Paged<R>> = self.fetch_rows(&sql).await?;
        Ok(rows.into_iter().map(|p| (p.key, p.row)).collect())
    }

    async fn list_counts<R: Table>(
        &self,
        cities: &[String],
        filter: &impl Filter,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        if cities.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!(
            "SELECT x.city_id, COUNT(*) FROM {table} x WHERE x.city_id IN ",
            table = R::TABLE
        ));
        sql.bind_list(cities);
        filter.push_where(&mut sql);
        sql.push(" GROUP BY x.city_id");
        self.fetch_rows(&sql).await
    }
}

/// ` AND` the row `y` comes after `after` in the order (unknown keys last, ties by `id`).
fn push_after(sql: &mut Sql, after: &After, descending: bool, id: &str) {
    let value = match &after.value {
        SortValue::Null => None,
        SortValue::Int(i) => Some(crate::sql::Val::from(*i)),
        SortValue::Real(f) => Some(crate::sql::Val::from(*f)),
        SortValue::Text(s) => Some(crate::sql::Val::from(s.as_str())),
    };
    match value {
        Some(v) => {
            let op = if descending { "<" } else { ">" };
            sql.push(&format!(" AND (y.sort_key {op} "))
                .bind(v.clone())
                .push(" OR (y.sort_key = ")
                .bind(v)
                .push(&format!(" AND {id} > "))
                .bind(after.id.as_str())
                .push(") OR y.sort_key IS NULL)");
        }
        None => {
            sql.push(&format!(" AND y.sort_key IS NULL AND {id} > "))
                .bind(after.id.as_str());
        }
    }
}

/// A row with its sort key, read from `sort_int`, `sort_real` or `sort_text`.
struct Paged<R> {
    key: SortValue,
    row: R,
}

impl<'r, W, R> FromRow<'r, W> for Paged<R>
where
    W: Row,
    R: FromRow<'r, W>,
    &'r str: ColumnIndex<W>,
    Option<i64>: Decode<'r, W::Database> + Type<W::Database>,
    Option<f64>: Decode<'r, W::Database> + Type<W::Database>,
    Option<String>: Decode<'r, W::Database> + Type<W::Database>,
{
    fn from_row(row: &'r W) -> Result<Self, sqlx::Error> {
        let key = if let Some(i) = row.try_get::<Option<i64>, _>("sort_int")? {
            SortValue::Int(i)
        } else if let Some(f) = row.try_get::<Option<f64>, _>("sort_real")? {
            SortValue::Real(f)
        } else if let Some(t) = row.try_get::<Option<String>, _>("sort_text")? {
            SortValue::Text(t)
        } else {
            SortValue::Null
        };
        Ok(Self {
            key,
            row: R::from_row(row)?,
        })
    }
}
