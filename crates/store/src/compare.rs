//! A city's figures for side-by-side comparison, computed by SQL in its district.
//!
//! Everything comes back from one statement: a `UNION ALL` of aggregate queries, each row tagged
//! with the figure it carries, in a fixed set of columns (two texts, six integers, three reals).
//! One statement per database (`cities_figures`: the cities' unions one after another) keeps
//! `compare` within the request's statement bound however many figures a client asks for.

use crate::sql::Sql;
use crate::{District, StoreError};
use std::sync::OnceLock;

/// How many parts of a sum carry each qualifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QualifierCounts {
    pub exact: i64,
    pub approx: i64,
    pub at_least: i64,
    pub at_most: i64,
}

/// A sum of stated quantities, with what it is made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuantitySum {
    /// Sum of the stated values; `None` when no part states one.
    pub total: Option<f64>,
    /// The unit, when every part shares it; `None` when the parts mix units (the total is then
    /// `None` too) or there are no parts.
    pub unit: Option<String>,
    /// Records that state the value.
    pub counted: i64,
    /// Records that do not.
    pub missing: i64,
    pub qualifiers: QualifierCounts,
}

/// Capacity sums over a set of rooms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacitySum {
    /// Sum of the stated minimums; `None` when no room states one.
    pub min: Option<i64>,
    /// Sum of the stated maximums; `None` when no room states one.
    pub max: Option<i64>,
    pub rooms_with_capacity: i64,
    pub rooms_without_capacity: i64,
    pub rooms_without_min: i64,
    pub rooms_without_max: i64,
}

/// One room category of a city.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryFigures {
    pub category: String,
    pub rooms: i64,
    pub capacity_min: Option<i64>,
    pub capacity_max: Option<i64>,
    pub rooms_without_capacity: i64,
}

/// One equipment tag of a city.
#[derive(Debug, Clone, PartialEq)]
pub struct TagFigures {
    pub tag: String,
    /// Rooms with at least one item of the tag.
    pub rooms: i64,
}

/// Weekly opening hours of a city's centers in one season (`ALL_YEAR` lines count in both).
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonFigures {
    pub season: String,
    /// Centers with a timetable for the season.
    pub centers: i64,
    pub centers_without_hours: i64,
    /// Centers counted as open every day because a line of theirs names no days.
    pub assumed_daily: i64,
    pub weekly_hours_total: Option<f64>,
    pub weekly_hours_min: Option<f64>,
    pub weekly_hours_max: Option<f64>,
}

/// Seats (room capacities) over a set of rooms: each room's upper figure, or its lower one when it
/// gives only that.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeatSum {
    pub seats: Option<i64>,
    pub rooms_with_capacity: i64,
    pub rooms_without_capacity: i64,
    /// Rooms counted by a lower figure only ("上百名"): the sum is then a lower bound.
    pub rooms_with_lower_bound_only: i64,
}

/// Per-capita figures over the centers that belong to a circle stating its population.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerCapitaFigures {
    /// The population of the circles that state one.
    pub population: QuantitySum,
    /// Floor area of the centers in those circles.
    pub floor_area: QuantitySum,
    /// Seats in the rooms of those centers.
    pub seats: SeatSum,
    /// `floor_area.total × 1000 / population.total`, when both are known.
    pub floor_area_per_1000: Option<f64>,
    /// `seats.seats × 1000 / population.total`, when both are known.
    pub seats_per_1000: Option<f64>,
}

/// Terms, audiences and organisations of a city's rooms (issue 12's facts, counted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferFigures {
    /// Rooms a stated term makes free of charge.
    pub rooms_free_of_charge: i64,
    /// Rooms whose stated terms all charge (points, rental).
    pub rooms_charging: i64,
    /// Rooms whose sources state no terms.
    pub rooms_without_terms: i64,
    /// Rooms whose sources name a group they serve.
    pub rooms_with_audience: i64,
    /// Organisations named with the city's circles, centers or rooms.
    pub organisations: i64,
}

/// Everything `compare` shows for one city.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CityFigures {
    pub centers: i64,
    pub rooms: i64,
    pub floor_area: QuantitySum,
    pub capacity: CapacitySum,
    /// Categories with at least one room, by code.
    pub categories: Vec<CategoryFigures>,
    /// Tags found in at least one room, by code.
    pub tags: Vec<TagFigures>,
    pub rooms_without_equipment: i64,
    /// `SUMMER` and `WINTER` rows for seasons with any timetable.
    pub seasons: Vec<SeasonFigures>,
    pub per_capita: PerCapitaFigures,
    pub offer: OfferFigures,
}

/// Weekly minutes of each center's own timetable per season (not its units').
const WEEKLY_MINUTES: &str = "SELECT s.season AS season, h.center_id AS center_id, \
    SUM((CASE WHEN h.open_24h THEN 1440 WHEN h.closes >= h.opens THEN h.closes - h.opens \
              ELSE h.closes + 1440 - h.opens END) \
        * (CASE WHEN h.days IS NULL THEN 7 \
                ELSE LENGTH(h.days) - LENGTH(REPLACE(h.days, ',', '')) + 1 END)) AS minutes, \
    MAX(CASE WHEN h.days IS NULL THEN 1 ELSE 0 END) AS assumed \
    FROM opening_hours h \
    JOIN (SELECT 'SUMMER' AS season UNION ALL SELECT 'WINTER' AS season) s \
      ON h.season = s.season OR h.season = 'ALL_YEAR' \
    WHERE h.city_id = {city} AND h.unit IS NULL GROUP BY s.season, h.center_id";

/// A room's stated terms, for `… IN <FREE>` or `… NOT IN <FREE>`.
const TERMS: &str = "SELECT 1 FROM terms t WHERE t.record_id = r.id AND t.kind";
/// The kinds of term that cost nothing.
const FREE: &str = crate::listing::FREE_TERMS;

/// Centers in a circle that states its population.
const SCOPE_CENTERS: &str = "SELECT c.* FROM centers c JOIN circles ci ON ci.id = c.circle_id \
    WHERE c.city_id = {city} AND ci.population_value IS NOT NULL";

/// The population of the circles that state one; NULL (not zero, which PostgreSQL would refuse to
/// divide by) when none does.
const POPULATION: &str = "(SELECT NULLIF(SUM(population_value), 0) FROM circles \
    WHERE city_id = {city} AND population_value IS NOT NULL)";

/// Columns of a sum over `<v>_value`, `<v>_qualifier`, `<v>_unit`: n1 counted, n2 missing,
/// n3..n6 qualifier counts, f1 sum, k1/k2 min and max unit.
fn sum_columns(v: &str) -> ([String; 2], [String; 6], String) {
    let q = |name: &str| format!("SUM(CASE WHEN {v}_qualifier = '{name}' THEN 1 ELSE 0 END)");
    (
        [format!("MIN({v}_unit)"), format!("MAX({v}_unit)")],
        [
            format!("COUNT({v}_value)"),
            format!("COUNT(*) - COUNT({v}_value)"),
            q("EXACT"),
            q("APPROX"),
            q("AT_LEAST"),
            q("AT_MOST"),
        ],
        format!("SUM({v}_value)"),
    )
}

/// The kinds of the union's branches; a row carries its kind's position (an integer decodes
/// without an allocation).
const KINDS: [&str; 11] = [
    "totals",
    "unequipped",
    "area",
    "capacity",
    "category",
    "tag",
    "hours",
    "population",
    "scope_area",
    "scope_seats",
    "offer",
];

/// One branch of the union, with its kind: `SELECT <kind's position>, k1, k2, n1..n6, f1..f3
/// <rest>`, every column cast to the union's type (PostgreSQL needs the branches to agree).
fn branch(
    kind: &'static str,
    k: [&str; 2],
    n: [&str; 6],
    f: [&str; 3],
    rest: &str,
) -> (&'static str, String) {
    let text = |e: &str| format!("CAST({e} AS TEXT)");
    let int = |e: &str| format!("CAST({e} AS BIGINT)");
    let real = |e: &str| format!("CAST({e} AS DOUBLE PRECISION)");
    debug_assert!(KINDS.contains(&kind), "{kind} is not in KINDS");
    let code = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
    let mut cols = vec![int(&code.to_string())];
    cols.extend(k.iter().map(|e| text(e)));
    cols.extend(n.iter().map(|e| int(e)));
    cols.extend(f.iter().map(|e| real(e)));
    (kind, format!("SELECT {} {rest}", cols.join(", ")))
}

fn refs6(a: &[String; 6]) -> [&str; 6] {
    std::array::from_fn(|i| a[i].as_str())
}

/// What `cities_figures` computes: each is one or more branches of its statement, so a caller
/// asks only for the figures it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Figure {
    /// Centers and rooms.
    Totals,
    /// Rooms whose sources list no equipment (a probe of every room: only when asked).
    Unequipped,
    Area,
    Capacity,
    Categories,
    Tags,
    Hours,
    /// Population, and floor area and seats of the centers in circles that state one.
    PerCapita,
    /// Rooms free of charge, charging, without terms, with an audience; organisations.
    Offer,
}

impl Figure {
    /// Every figure.
    pub const ALL: [Figure; 9] = [
        Self::Totals,
        Self::Unequipped,
        Self::Area,
        Self::Capacity,
        Self::Categories,
        Self::Tags,
        Self::Hours,
        Self::PerCapita,
        Self::Offer,
    ];

    /// The figure a branch of the statement computes.
    fn of_branch(kind: &str) -> Self {
        match kind {
            "unequipped" => Self::Unequipped,
            "area" => Self::Area,
            "capacity" => Self::Capacity,
            "category" => Self::Categories,
            "tag" => Self::Tags,
            "hours" => Self::Hours,
            "population" | "scope_area" | "scope_seats" => Self::PerCapita,
            "offer" => Self::Offer,
            _ => Self::Totals,
        }
    }
}

/// The statement's branches for `figures`; the totals always (a city's figures are never an
/// empty answer).
fn statement(figures: &[Figure]) -> String {
    let (ak, an, af) = sum_columns("floor_area");
    let (pk, pn, pf) = sum_columns("population");
    let branches = [
        branch(
            "totals",
            ["NULL", "NULL"],
            [
                "(SELECT COUNT(*) FROM centers WHERE city_id = {city})",
                "(SELECT COUNT(*) FROM rooms WHERE city_id = {city})",
                "NULL",
                "NULL",
                "NULL",
                "NULL",
            ],
            ["NULL", "NULL", "NULL"],
            "",
        ),
        branch(
            "unequipped",
            ["NULL", "NULL"],
            [
                "(SELECT COUNT(*) FROM rooms r WHERE r.city_id = {city} AND NOT EXISTS \
                  (SELECT 1 FROM room_equipment e WHERE e.room_id = r.id))",
                "NULL",
                "NULL",
                "NULL",
                "NULL",
                "NULL",
            ],
            ["NULL", "NULL", "NULL"],
            "",
        ),
        branch(
            "area",
            [&ak[0], &ak[1]],
            refs6(&an),
            [&af, "NULL", "NULL"],
            "FROM centers WHERE city_id = {city}",
        ),
        branch(
            "capacity",
            ["NULL", "NULL"],
            [
                "SUM(capacity_min)",
                "SUM(capacity_max)",
                "SUM(CASE WHEN capacity_min IS NOT NULL OR capacity_max IS NOT NULL THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN capacity_min IS NULL AND capacity_max IS NULL THEN 1 ELSE 0 END)",
                "COUNT(*) - COUNT(capacity_min)",
                "COUNT(*) - COUNT(capacity_max)",
            ],
            ["NULL", "NULL", "NULL"],
            "FROM rooms WHERE city_id = {city}",
        ),
        branch(
            "category",
            ["category", "NULL"],
            [
                "COUNT(*)",
                "SUM(capacity_min)",
                "SUM(capacity_max)",
                "SUM(CASE WHEN capacity_min IS NULL AND capacity_max IS NULL THEN 1 ELSE 0 END)",
                "NULL",
                "NULL",
            ],
            ["NULL", "NULL", "NULL"],
            "FROM rooms WHERE city_id = {city} GROUP BY category",
        ),
        branch(
            "tag",
            ["e.tag", "NULL"],
            [
                "COUNT(DISTINCT e.room_id)",
                "NULL",
                "NULL",
                "NULL",
                "NULL",
                "NULL",
            ],
            ["NULL", "NULL", "NULL"],
            "FROM room_equipment e WHERE e.city_id = {city} AND e.tag IS NOT NULL GROUP BY e.tag",
        ),
        branch(
            "hours",
            ["w.season", "NULL"],
            [
                "COUNT(*)",
                "(SELECT COUNT(*) FROM centers WHERE city_id = {city}) - COUNT(*)",
                "SUM(w.assumed)",
                "NULL",
                "NULL",
                "NULL",
            ],
            [
                "SUM(w.minutes) / 60.0",
                "MIN(w.minutes) / 60.0",
                "MAX(w.minutes) / 60.0",
            ],
            &format!("FROM ({WEEKLY_MINUTES}) w GROUP BY w.season"),
        ),
        branch(
            "population",
            [&pk[0], &pk[1]],
            refs6(&pn),
            [&pf, "NULL", "NULL"],
            "FROM circles WHERE city_id = {city}",
        ),
        branch(
            "scope_area",
            [&ak[0], &ak[1]],
            refs6(&an),
            [
                &af,
                &format!("SUM(floor_area_value) * 1000 / {POPULATION}"),
                "NULL",
            ],
            &format!("FROM ({SCOPE_CENTERS}) sc"),
        ),
        branch(
            "scope_seats",
            ["NULL", "NULL"],
            [
                "SUM(COALESCE(r.capacity_max, r.capacity_min))",
                "COUNT(COALESCE(r.capacity_max, r.capacity_min))",
                "COUNT(*) - COUNT(COALESCE(r.capacity_max, r.capacity_min))",
                "SUM(CASE WHEN r.capacity_max IS NULL AND r.capacity_min IS NOT NULL THEN 1 ELSE 0 END)",
                "NULL",
                "NULL",
            ],
            [
                &format!("SUM(COALESCE(r.capacity_max, r.capacity_min)) * 1000.0 / {POPULATION}"),
                "NULL",
                "NULL",
            ],
            &format!("FROM rooms r JOIN ({SCOPE_CENTERS}) sc ON sc.id = r.center_id"),
        ),
        branch(
            "offer",
            ["NULL", "NULL"],
            [
                &format!("SUM(CASE WHEN EXISTS ({TERMS} IN {FREE}) THEN 1 ELSE 0 END)"),
                &format!(
                    "SUM(CASE WHEN EXISTS ({TERMS} NOT IN {FREE}) \
                     AND NOT EXISTS ({TERMS} IN {FREE}) THEN 1 ELSE 0 END)"
                ),
                "SUM(CASE WHEN EXISTS (SELECT 1 FROM terms t WHERE t.record_id = r.id) \
                 THEN 0 ELSE 1 END)",
                "SUM(CASE WHEN EXISTS (SELECT 1 FROM audiences a WHERE a.record_id = r.id) \
                 THEN 1 ELSE 0 END)",
                "(SELECT COUNT(*) FROM organisations WHERE city_id = {city})",
                "NULL",
            ],
            ["NULL", "NULL", "NULL"],
            "FROM rooms r WHERE r.city_id = {city}",
        ),
    ];
    branches
        .into_iter()
        .filter(|(kind, _)| {
            let figure = Figure::of_branch(kind);
            figure == Figure::Totals || figures.contains(&figure)
        })
        .map(|(_, sql)| sql)
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// [`statement`] for `figures`, built once per set of figures.
fn statement_of(figures: &[Figure]) -> &'static str {
    static BUILT: [OnceLock<String>; 1 << Figure::ALL.len()] =
        [const { OnceLock::new() }; 1 << Figure::ALL.len()];
    let set = Figure::ALL
        .iter()
        .enumerate()
        .filter(|(_, f)| figures.contains(f))
        .fold(0, |set, (i, _)| set | 1 << i);
    BUILT[set].get_or_init(|| statement(figures))
}

struct Line {
    kind: &'static str,
    k: [Option<String>; 2],
    n: [Option<i64>; 6],
    f: [Option<f64>; 3],
}

fn quantity_sum(l: &Line) -> QuantitySum {
    let n = |i: usize| l.n[i].unwrap_or(0);
    let same_unit = l.k[0].is_some() && l.k[0] == l.k[1];
    QuantitySum {
        total: if same_unit { l.f[0] } else { None },
        unit: if same_unit { l.k[0].clone() } else { None },
        counted: n(0),
        missing: n(1),
        qualifiers: QualifierCounts {
            exact: n(2),
            approx: n(3),
            at_least: n(4),
            at_most: n(5),
        },
    }
}

impl District {
    /// This district's city's figures, in one statement.
    pub async fn city_figures(&self) -> Result<CityFigures, StoreError> {
        let mut all = self
            .cities_figures(&[self.city().to_owned()], &Figure::ALL)
            .await?;
        Ok(all.pop().map(|(_, f)| f).unwrap_or_default())
    }

    /// `figures` of each of `cities` (all in this district's database), in one statement: each
    /// city's union of aggregates, tagged with the city, one after another. Figures not asked
    /// for are left at their defaults.
    pub async fn cities_figures(
        &self,
        cities: &[String],
        figures: &[Figure],
    ) -> Result<Vec<(String, CityFigures)>, StoreError> {
        if cities.is_empty() {
            return Ok(Vec::new());
        }
        let text = statement_of(figures);
        let mut sql = Sql::new("");
        for (i, city) in cities.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            // The city's position: an integer literal, not text to bind.
            sql.push(&format!(
                "SELECT CAST({i} AS BIGINT) AS figures_city, u.* FROM ("
            ));
            let mut parts = text.split("{city}");
            if let Some(first) = parts.next() {
                sql.push(first);
            }
            for part in parts {
                sql.bind(city.as_str()).push(part);
            }
            sql.push(") u");
        }
        type Columns = (
            i64,
            i64,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
        );
        let rows: Vec<Columns> = self.fetch_rows(&sql).await?;
        let mut lines: Vec<(String, Vec<Line>)> =
            cities.iter().map(|c| (c.clone(), Vec::new())).collect();
        for r in rows {
            let of_city = usize::try_from(r.0).ok().and_then(|i| lines.get_mut(i));
            let kind = usize::try_from(r.1).ok().and_then(|i| KINDS.get(i));
            if let (Some((_, of_city)), Some(kind)) = (of_city, kind) {
                of_city.push(Line {
                    kind,
                    k: [r.2, r.3],
                    n: [r.4, r.5, r.6, r.7, r.8, r.9],
                    f: [r.10, r.11, r.12],
                });
            }
        }
        Ok(lines
            .into_iter()
            .map(|(city, lines)| (city, from_lines(&lines)))
            .collect())
    }
}

/// A city's figures from its lines of the union.
fn from_lines(lines: &[Line]) -> CityFigures {
    let mut out = CityFigures::default();
    for l in lines {
        let n = |i: usize| l.n[i].unwrap_or(0);
        match l.kind {
            "totals" => {
                out.centers = n(0);
                out.rooms = n(1);
            }
            "unequipped" => out.rooms_without_equipment = n(0),
            "area" => out.floor_area = quantity_sum(l),
            "capacity" => {
                out.capacity = CapacitySum {
                    min: l.n[0],
                    max: l.n[1],
                    rooms_with_capacity: n(2),
                    rooms_without_capacity: n(3),
                    rooms_without_min: n(4),
                    rooms_without_max: n(5),
                }
            }
            "category" => out.categories.push(CategoryFigures {
                category: l.k[0].clone().unwrap_or_default(),
                rooms: n(0),
                capacity_min: l.n[1],
                capacity_max: l.n[2],
                rooms_without_capacity: n(3),
            }),
            "tag" => out.tags.push(TagFigures {
                tag: l.k[0].clone().unwrap_or_default(),
                rooms: n(0),
            }),
            "hours" => out.seasons.push(SeasonFigures {
                season: l.k[0].clone().unwrap_or_default(),
                centers: n(0),
                centers_without_hours: n(1),
                assumed_daily: n(2),
                weekly_hours_total: l.f[0],
                weekly_hours_min: l.f[1],
                weekly_hours_max: l.f[2],
            }),
            "population" => out.per_capita.population = quantity_sum(l),
            "scope_area" => {
                out.per_capita.floor_area = quantity_sum(l);
                out.per_capita.floor_area_per_1000 = l.f[1];
            }
            "scope_seats" => {
                out.per_capita.seats = SeatSum {
                    seats: l.n[0],
                    rooms_with_capacity: n(1),
                    rooms_without_capacity: n(2),
                    rooms_with_lower_bound_only: n(3),
                };
                out.per_capita.seats_per_1000 = l.f[0];
            }
            "offer" => {
                out.offer = OfferFigures {
                    rooms_free_of_charge: n(0),
                    rooms_charging: n(1),
                    rooms_without_terms: n(2),
                    rooms_with_audience: n(3),
                    organisations: n(4),
                }
            }
            _ => {}
        }
    }
    out.categories.sort_by(|a, b| a.category.cmp(&b.category));
    out.tags.sort_by(|a, b| a.tag.cmp(&b.tag));
    out.seasons.sort_by(|a, b| a.season.cmp(&b.season));
    out
}
