//! Side-by-side figures of several cities: `Query.compare` and `Query.roomCategoryBreakdown`.
//! Every figure is computed by SQL in its database (`store::District::cities_figures`, one
//! statement per database for all its cities, only the figures the query shows); the
//! databases are queried concurrently. This module only shapes
//! the answers and says why a figure is missing.

use crate::Districts;
use crate::batch::{Batcher, CityReads, PerCity};
use crate::connection::select;
use crate::enums::{self, EquipmentTag, Qualifier, RoomCategory, Season};
use crate::error;
use crate::types::{City, Quantity, ServiceCircle, load, load_by_id};
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use futures::FutureExt;
use futures::future::join_all;
use std::sync::Arc;
use store::{CircleRow, CityFigures, CityRow, District, Figure};

/// How many parts of a total carry each qualifier.
#[derive(SimpleObject, Clone, Debug)]
pub struct QualifierParts {
    /// Parts stated plainly.
    pub exact: i64,
    /// Parts stated approximately ("约").
    pub approx: i64,
    /// Parts stated as lower bounds ("超过").
    pub at_least: i64,
    /// Parts stated as upper bounds.
    pub at_most: i64,
}

/// A total of figures the sources state for several records.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuantityTotal {
    /// The sum of the stated values. Its qualifier is the parts': EXACT when every part is,
    /// AT_LEAST (AT_MOST) when the parts are exact or bounds in that one direction, APPROX
    /// otherwise. It covers the `counted` records only. Null when no record states the figure
    /// (or the records state it in different units).
    pub total: Option<Quantity>,
    /// Records that state the figure.
    pub counted: i64,
    /// Records that do not.
    pub missing: i64,
    /// The qualifiers of the counted parts.
    pub parts: QualifierParts,
}

impl QuantityTotal {
    fn qualifier(&self) -> Option<model::Qualifier> {
        let p = &self.parts;
        let parts = [
            (model::Qualifier::Exact, p.exact),
            (model::Qualifier::Approx, p.approx),
            (model::Qualifier::AtLeast, p.at_least),
            (model::Qualifier::AtMost, p.at_most),
        ];
        model::Qualifier::of_sum(parts.into_iter().filter(|(_, n)| *n > 0).map(|(q, _)| q))
    }

    fn from_store(s: &store::QuantitySum) -> Self {
        let parts = QualifierParts {
            exact: s.qualifiers.exact,
            approx: s.qualifiers.approx,
            at_least: s.qualifiers.at_least,
            at_most: s.qualifiers.at_most,
        };
        let mut out = Self {
            total: None,
            counted: s.counted,
            missing: s.missing,
            parts,
        };
        if let (Some(value), Some(unit), Some(q)) = (s.total, &s.unit, out.qualifier()) {
            out.total = Some(Quantity {
                value,
                qualifier: qualifier(q),
                unit: unit.clone(),
            });
        }
        out
    }
}

fn qualifier(q: model::Qualifier) -> Qualifier {
    enums::from_code(q.as_str()).unwrap_or(Qualifier::Approx)
}

/// Capacity totals over a city's rooms.
#[derive(SimpleObject, Clone, Debug)]
pub struct CapacityTotal {
    /// Sum of the stated minimums; null when no room states one.
    pub min: Option<i64>,
    /// Sum of the stated maximums; null when no room states one. Rooms that give only a minimum
    /// ("上百名") are not in it: see `roomsWithoutMax`.
    pub max: Option<i64>,
    /// Rooms with a capacity (a minimum, a maximum or both).
    pub rooms_with_capacity: i64,
    /// Rooms whose sources give no capacity.
    pub rooms_without_capacity: i64,
    /// Rooms without a stated minimum.
    pub rooms_without_min: i64,
    /// Rooms without a stated maximum.
    pub rooms_without_max: i64,
}

/// Rooms and capacity of one category in one city: one row of a flat table, ready for charts.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct CategoryBreakdown {
    /// City id.
    pub city: ID,
    /// The category.
    pub category: RoomCategory,
    /// The category's Chinese label.
    pub category_name: String,
    /// The category's English label.
    pub category_name_en: String,
    /// Rooms of the category.
    pub rooms: i64,
    /// Sum of the stated minimum capacities; null when none of these rooms states one.
    pub capacity_min: Option<i64>,
    /// Sum of the stated maximum capacities; null when none of these rooms states one.
    pub capacity_max: Option<i64>,
    /// Rooms of the category without a capacity.
    pub rooms_without_capacity: i64,
}

/// How common one equipment tag is among a city's rooms.
#[derive(SimpleObject, Clone, Debug)]
pub struct EquipmentCoverage {
    /// The tag.
    pub tag: EquipmentTag,
    /// Rooms with at least one item of the tag.
    pub rooms: i64,
    /// `rooms` over the rooms whose equipment is known (`roomsKnown`), rounded to three
    /// decimals; null when no room's sources list equipment: unknown is not 0.
    pub share: Option<f64>,
    /// `share` unrounded.
    pub share_exact: Option<f64>,
    /// Rooms whose sources list equipment: the denominator of `share`.
    pub rooms_known: i64,
    /// Rooms whose sources list no equipment, left out of `share` (the city's
    /// `roomsWithoutEquipment`).
    pub rooms_unknown: i64,
}

/// `value` rounded to `decimals` places, for display; the exact value is given beside it.
fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Weekly opening hours of a city's centers in one season.
#[derive(SimpleObject, Clone, Debug)]
pub struct SeasonHours {
    /// SUMMER or WINTER; a center's ALL_YEAR timetable counts in both.
    pub season: Season,
    /// Centers with a timetable for the season.
    pub centers: i64,
    /// Centers whose sources give no timetable for it.
    pub centers_without_hours: i64,
    /// Centers counted as open every day because their timetable names no days ("夏季:
    /// 10:00—22:00"); their weekly hours assume seven days.
    pub assumed_daily: i64,
    /// Sum of the centers' weekly open hours; null when no center has a timetable.
    pub weekly_hours_total: Option<f64>,
    /// Fewest weekly hours of one center.
    pub weekly_hours_min: Option<f64>,
    /// Most weekly hours of one center.
    pub weekly_hours_max: Option<f64>,
}

/// A figure per 1,000 residents, or why there is none.
#[derive(SimpleObject, Clone, Debug)]
pub struct PerThousand {
    /// The figure, rounded to one decimal; null when it cannot be computed (see `reason`).
    pub value: Option<f64>,
    /// The figure unrounded.
    pub exact: Option<f64>,
    /// What the figure is, given the qualifiers of what it divides; null with `value`.
    pub qualifier: Option<Qualifier>,
    /// What it covers, in English.
    pub basis: Option<String>,
    /// Why there is no figure, in English; null when there is one.
    pub reason: Option<String>,
}

/// Per-capita figures. The population is that of the city's service circles that state one;
/// the area and seats are those of the centers in those circles.
#[derive(SimpleObject, Clone, Debug)]
pub struct PerCapita {
    /// Population of the circles that state one (`missing`: circles that do not).
    pub population: QuantityTotal,
    /// Floor area in m² per 1,000 residents.
    pub floor_area_per_1000_residents: PerThousand,
    /// Seats (room capacities: each room's upper figure, or its lower one when it gives only
    /// that) per 1,000 residents.
    pub seats_per_1000_residents: PerThousand,
}

/// A city's rooms by the terms and audiences their sources state, and the organisations its
/// sources name. A room whose sources state no terms is counted apart: unknown is not free.
#[derive(SimpleObject, Clone, Debug)]
pub struct OfferCounts {
    /// Rooms a stated term makes free of charge (FREE, FREE_LOAN).
    pub rooms_free_of_charge: i64,
    /// Rooms whose stated terms all charge (POINTS, RENTAL).
    pub rooms_charging: i64,
    /// Rooms whose sources state no terms.
    pub rooms_without_terms: i64,
    /// Rooms whose sources name a group they serve.
    pub rooms_with_audience: i64,
    /// Organisations the sources name with the city's circles, centers or rooms.
    pub organisations: i64,
}

/// One city's figures in a comparison.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct CityComparison {
    /// City id.
    pub city_id: ID,
    /// Service centers in the dataset.
    pub centers: i64,
    /// Function rooms in the dataset.
    pub rooms: i64,
    /// Total floor area of the centers.
    pub floor_area: QuantityTotal,
    /// Capacity totals over the rooms.
    pub capacity: CapacityTotal,
    /// Rooms and capacity per category present, in the taxonomy's order.
    pub categories: Vec<CategoryBreakdown>,
    /// Taxonomy categories with at least one room.
    pub categories_present: Vec<RoomCategory>,
    /// Taxonomy categories without a room.
    pub categories_missing: Vec<RoomCategory>,
    /// Every equipment tag, with the share of rooms that have it, in the vocabulary's order.
    pub equipment_coverage: Vec<EquipmentCoverage>,
    /// Rooms whose sources list no equipment.
    pub rooms_without_equipment: i64,
    /// Weekly open hours, SUMMER then WINTER.
    pub opening_hours: Vec<SeasonHours>,
    /// Figures per 1,000 residents, where the population is known.
    pub per_capita: PerCapita,
    /// Rooms by their stated terms and audiences, and the organisations named.
    pub offer: OfferCounts,
}

#[ComplexObject]
impl CategoryBreakdown {
    /// The city's Chinese name, for chart labels.
    async fn city_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(load_by_id::<CityRow>(ctx, &self.city)
            .await?
            .map(|c| c.name))
    }
    /// The city's English name, for chart labels.
    async fn city_name_en(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(load_by_id::<CityRow>(ctx, &self.city)
            .await?
            .map(|c| c.name_en))
    }
}

/// A figure of `compare`, to ask for the records and quotes behind it.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ComparisonFigure {
    /// `centers`: each center, by the quotes that name it.
    Centers,
    /// `rooms`, `categories`: each room, by the quotes that name it.
    Rooms,
    /// `floorArea`: each center that states one, by the quotes that state it.
    FloorArea,
    /// `capacity`: each room that states one.
    Capacity,
    /// `equipmentCoverage`, `roomsWithoutEquipment`: each room that lists equipment.
    Equipment,
    /// `openingHours`: each center with hours of its own (a unit's hours are not the center's).
    OpeningHours,
    /// `serviceCircles`: each circle, by all its quotes.
    ServiceCircles,
    /// `perCapita.population`: each circle that states a population.
    Population,
    /// `offer`: each center or room with stated terms or audiences, and each organisation.
    Offer,
}

/// The ids of the city's rows of `T`.
async fn ids_of<T: store::Table + Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    city: &str,
    id: fn(T) -> String,
) -> Result<std::collections::HashSet<String>> {
    Ok(load::<T>(ctx, "city_id", city)
        .await?
        .into_iter()
        .map(id)
        .collect())
}

/// A record a figure is computed from, with the quotes it stands on.
#[derive(SimpleObject)]
pub struct Evidence {
    /// The record's id (a center, room, circle or organisation).
    pub record: ID,
    /// The quotes behind the figure, each with its article (`source { citation(style: …) }`
    /// gives the reference to paste).
    pub citations: Vec<crate::types::Citation>,
}

#[ComplexObject]
impl CityComparison {
    /// The records `figure` is computed from, by record id, each with the quotes that support
    /// it: from a figure to the sentence in the article. Empty when no record carries it.
    async fn evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The figure whose records and quotes to give.")] figure: ComparisonFigure,
    ) -> Result<Vec<Evidence>> {
        use ComparisonFigure as F;
        use std::collections::{HashMap, HashSet};
        let city = self.city_id.as_str();
        let centers = || ids_of::<store::CenterRow>(ctx, city, |c| c.id);
        let rooms = || ids_of::<store::RoomRow>(ctx, city, |r| r.id);
        let circles = || ids_of::<CircleRow>(ctx, city, |c| c.id);
        // Which records count, each with the fields its quotes must support (none: any).
        let with = |ids: HashSet<String>, fields: &'static [&'static str]| {
            ids.into_iter()
                .map(|id| (id, fields))
                .collect::<HashMap<String, &'static [&'static str]>>()
        };
        let owners = match figure {
            F::Centers => with(centers().await?, &["name"]),
            F::Rooms => with(rooms().await?, &["name"]),
            F::FloorArea => with(centers().await?, &["floor_area"]),
            F::Capacity => with(rooms().await?, &["capacity"]),
            F::Equipment => with(rooms().await?, &["equipment"]),
            F::OpeningHours => with(
                load::<store::OpeningHoursRow>(ctx, "city_id", city)
                    .await?
                    .into_iter()
                    .filter(|h| h.unit.is_none())
                    .map(|h| h.center_id)
                    .collect(),
                &["opening_hours"],
            ),
            F::ServiceCircles => with(circles().await?, &[]),
            F::Population => with(circles().await?, &["population"]),
            F::Offer => {
                let mut owners = with(centers().await?, &["terms", "audiences"]);
                owners.extend(with(rooms().await?, &["terms", "audiences"]));
                owners.extend(with(
                    load::<store::OrganisationRow>(ctx, "city_id", city)
                        .await?
                        .into_iter()
                        .map(|o| o.id)
                        .collect(),
                    &[],
                ));
                owners
            }
        };
        let mut out: Vec<Evidence> = Vec::new();
        for c in load::<store::CitationRow>(ctx, "city_id", city).await? {
            let Some(fields) = owners.get(&c.owner_id) else {
                continue;
            };
            let supports: Vec<&str> = c.supports.split(',').collect();
            if !fields.is_empty() && !fields.iter().any(|f| supports.contains(f)) {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.record.as_str() == c.owner_id => {
                    last.citations.push(crate::types::Citation(c));
                }
                _ => out.push(Evidence {
                    record: ID(c.owner_id.clone()),
                    citations: vec![crate::types::Citation(c)],
                }),
            }
        }
        Ok(out)
    }
    /// What the city's sources claim beside what the dataset records: their own figures for
    /// centers built, rooms laid out and areas (Taiyuan's article gives 8 new centers of
    /// 8,629 m² and a center "规划了…十六个功能室", of which one room is described), each
    /// with the record it is stated for (`of`) and its quotes, the city's own first. The
    /// recorded counts above count only what the articles describe; empty when the sources
    /// claim nothing.
    async fn claims(&self, ctx: &Context<'_>) -> Result<Vec<crate::types::Indicator>> {
        let mut claims: Vec<store::IndicatorRow> =
            load::<store::IndicatorRow>(ctx, "city_id", &self.city_id)
                .await?
                .into_iter()
                .filter(|i| i.claim.is_some())
                .collect();
        // The city's own first, then record by record, each in its sources' order (the read
        // orders each record's indicators, not the records).
        claims.sort_by(|a, b| {
            (a.owner_id != *self.city_id, &a.owner_id)
                .cmp(&(b.owner_id != *self.city_id, &b.owner_id))
        });
        Ok(claims.into_iter().map(crate::types::Indicator).collect())
    }
    /// The city.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        Ok(load_by_id::<CityRow>(ctx, &self.city_id).await?.map(City))
    }
    /// The city's service circles: travel minutes and mode, communities, residential areas,
    /// villages, population and service items, as the sources state them.
    async fn service_circles(&self, ctx: &Context<'_>) -> Result<Vec<ServiceCircle>> {
        Ok(load::<CircleRow>(ctx, "city_id", &self.city_id)
            .await?
            .into_iter()
            .map(ServiceCircle)
            .collect())
    }
}

fn categories(city: &str, f: &CityFigures, include_empty: bool) -> Vec<CategoryBreakdown> {
    model::RoomCategory::ALL
        .iter()
        .filter_map(|c| {
            let found = f.categories.iter().find(|x| x.category == c.as_str());
            if found.is_none() && !include_empty {
                return None;
            }
            Some(CategoryBreakdown {
                city: ID(city.to_owned()),
                category: enums::from_code(c.as_str())?,
                category_name: c.label_zh().to_owned(),
                category_name_en: c.label_en().to_owned(),
                rooms: found.map_or(0, |x| x.rooms),
                capacity_min: found.and_then(|x| x.capacity_min),
                capacity_max: found.and_then(|x| x.capacity_max),
                rooms_without_capacity: found.map_or(0, |x| x.rooms_without_capacity),
            })
        })
        .collect()
}

fn per_thousand(
    value: Option<f64>,
    numerator: Option<model::Qualifier>,
    population: &QuantityTotal,
    basis: String,
    no_numerator: &str,
) -> PerThousand {
    let circles = population.counted + population.missing;
    let reason = if circles == 0 {
        Some("the sources describe no service circle for this city".to_owned())
    } else if population.counted == 0 {
        Some("no service circle of this city states its population".to_owned())
    } else if population.total.is_none() {
        Some("the circles state their populations in different units".to_owned())
    } else if value.is_none() {
        Some(no_numerator.to_owned())
    } else {
        None
    };
    match (value, numerator, population.qualifier(), reason) {
        (Some(v), Some(n), Some(d), None) => PerThousand {
            value: Some(rounded(v, 1)),
            exact: Some(v),
            qualifier: Some(qualifier(model::Qualifier::of_ratio(n, d))),
            basis: Some(basis),
            reason: None,
        },
        (_, _, _, reason) => PerThousand {
            value: None,
            exact: None,
            qualifier: None,
            basis: None,
            reason: reason.or_else(|| Some(no_numerator.to_owned())),
        },
    }
}

fn per_capita(f: &store::PerCapitaFigures) -> PerCapita {
    let population = QuantityTotal::from_store(&f.population);
    let area = QuantityTotal::from_store(&f.floor_area);
    let people = population.total.as_ref().map_or(0.0, |q| q.value);
    let area_basis = format!(
        "floor area of the {} centers with a stated area in circles with a stated population \
         ({} more without one), per 1,000 of the circles' {people} residents",
        area.counted, area.missing
    );
    let s = &f.seats;
    let seats_qualifier = if s.rooms_with_lower_bound_only > 0 {
        model::Qualifier::AtLeast
    } else {
        model::Qualifier::Exact
    };
    let seats_basis = format!(
        "capacity of the {} rooms with a stated capacity in those circles' centers ({} more \
         without one; {} counted by a lower figure only), per 1,000 of the circles' {people} \
         residents",
        s.rooms_with_capacity, s.rooms_without_capacity, s.rooms_with_lower_bound_only
    );
    PerCapita {
        floor_area_per_1000_residents: per_thousand(
            f.floor_area_per_1000,
            area.qualifier(),
            &population,
            area_basis,
            "no center in a circle with a stated population states its floor area",
        ),
        seats_per_1000_residents: per_thousand(
            f.seats_per_1000,
            (s.rooms_with_capacity > 0).then_some(seats_qualifier),
            &population,
            seats_basis,
            "no room of the centers in circles with a stated population states a capacity",
        ),
        population,
    }
}

/// A city's comparison as the resolvers give it. Only the parts of `shown` figures are built:
/// the others are left empty, as their fields are not selected.
fn comparison(city: &str, f: &CityFigures, shown: &[Figure]) -> CityComparison {
    let shown = |figure| shown.contains(&figure);
    let c = &f.capacity;
    let mut out = CityComparison {
        city_id: ID(city.to_owned()),
        centers: f.centers,
        rooms: f.rooms,
        floor_area: QuantityTotal::from_store(&f.floor_area),
        capacity: CapacityTotal {
            min: c.min,
            max: c.max,
            rooms_with_capacity: c.rooms_with_capacity,
            rooms_without_capacity: c.rooms_without_capacity,
            rooms_without_min: c.rooms_without_min,
            rooms_without_max: c.rooms_without_max,
        },
        categories: Vec::new(),
        categories_present: Vec::new(),
        categories_missing: Vec::new(),
        equipment_coverage: Vec::new(),
        rooms_without_equipment: f.rooms_without_equipment,
        opening_hours: Vec::new(),
        per_capita: PerCapita::unasked(),
        offer: OfferCounts {
            rooms_free_of_charge: f.offer.rooms_free_of_charge,
            rooms_charging: f.offer.rooms_charging,
            rooms_without_terms: f.offer.rooms_without_terms,
            rooms_with_audience: f.offer.rooms_with_audience,
            organisations: f.offer.organisations,
        },
    };
    if shown(Figure::Categories) {
        out.categories = categories(city, f, false);
        (out.categories_present, out.categories_missing) = presence(f);
    }
    if shown(Figure::Tags) {
        out.equipment_coverage = coverage(f);
    }
    if shown(Figure::Hours) {
        out.opening_hours = hours(f);
    }
    if shown(Figure::PerCapita) {
        out.per_capita = per_capita(&f.per_capita);
    }
    out
}

impl PerCapita {
    /// In place of the figures when a query does not show them.
    fn unasked() -> Self {
        let none = PerThousand {
            value: None,
            exact: None,
            qualifier: None,
            basis: None,
            reason: None,
        };
        Self {
            population: QuantityTotal::from_store(&store::QuantitySum::default()),
            floor_area_per_1000_residents: none.clone(),
            seats_per_1000_residents: none,
        }
    }
}

/// The taxonomy's categories a city has rooms of, and those it has none of.
fn presence(f: &CityFigures) -> (Vec<RoomCategory>, Vec<RoomCategory>) {
    let present: Vec<RoomCategory> = model::RoomCategory::ALL
        .iter()
        .filter(|c| f.categories.iter().any(|x| x.category == c.as_str()))
        .filter_map(|c| enums::from_code(c.as_str()))
        .collect();
    let missing = model::RoomCategory::ALL
        .iter()
        .filter_map(|c| enums::from_code::<RoomCategory>(c.as_str()))
        .filter(|c| !present.contains(c))
        .collect();
    (present, missing)
}

/// Every equipment tag with the rooms that have it.
fn coverage(f: &CityFigures) -> Vec<EquipmentCoverage> {
    model::EquipmentTag::ALL
        .iter()
        .filter_map(|t| {
            let rooms = f
                .tags
                .iter()
                .find(|x| x.tag == t.as_str())
                .map_or(0, |x| x.rooms);
            let known = f.rooms - f.rooms_without_equipment;
            let exact = (known > 0).then(|| rooms as f64 / known as f64);
            Some(EquipmentCoverage {
                tag: enums::from_code(t.as_str())?,
                rooms,
                share: exact.map(|x| rounded(x, 3)),
                share_exact: exact,
                rooms_known: known,
                rooms_unknown: f.rooms_without_equipment,
            })
        })
        .collect()
}

/// Weekly hours, SUMMER then WINTER.
fn hours(f: &CityFigures) -> Vec<SeasonHours> {
    [model::Season::Summer, model::Season::Winter]
        .iter()
        .filter_map(|season| {
            let found = f.seasons.iter().find(|x| x.season == season.as_str());
            Some(SeasonHours {
                season: enums::from_code(season.as_str())?,
                centers: found.map_or(0, |x| x.centers),
                centers_without_hours: found.map_or(f.centers, |x| x.centers_without_hours),
                assumed_daily: found.map_or(0, |x| x.assumed_daily),
                weekly_hours_total: found.and_then(|x| x.weekly_hours_total),
                weekly_hours_min: found.and_then(|x| x.weekly_hours_min),
                weekly_hours_max: found.and_then(|x| x.weekly_hours_max),
            })
        })
        .collect()
}

/// The figures of `compare` a query shows, for several cities of one database in one statement.
struct Figures(Vec<Figure>);

impl PerCity for Figures {
    type Out = CityFigures;
    fn read<'a>(
        &'a self,
        district: &'a District,
        cities: &'a [String],
    ) -> CityReads<'a, CityFigures> {
        district.cities_figures(cities, &self.0).boxed()
    }
}

/// The figures each field of `CityComparison` shows (the totals are always computed).
const FIGURES_OF_FIELDS: [(Figure, &[&str]); 8] = [
    (Figure::Area, &["floorArea"]),
    (Figure::Capacity, &["capacity"]),
    (
        Figure::Categories,
        &["categories", "categoriesPresent", "categoriesMissing"],
    ),
    (Figure::Tags, &["equipmentCoverage"]),
    (
        Figure::Unequipped,
        &["roomsWithoutEquipment", "equipmentCoverage"],
    ),
    (Figure::Hours, &["openingHours"]),
    (Figure::PerCapita, &["perCapita"]),
    (Figure::Offer, &["offer"]),
];

/// The figures to compute when `shown` tells which fields of `CityComparison` are selected.
fn figures_shown(shown: impl Fn(&str) -> bool) -> Vec<Figure> {
    let mut figures = vec![Figure::Totals];
    for (figure, fields) in FIGURES_OF_FIELDS {
        if fields.iter().any(|f| shown(f)) {
            figures.push(figure);
        }
    }
    figures
}

/// The figures the fields selected under `compare` show (every figure of a field in a fragment
/// counts too).
fn selected_figures(ctx: &Context<'_>) -> Vec<Figure> {
    let look = ctx.look_ahead();
    figures_shown(|f| look.field(f).exists())
}

/// Each chosen city's figures, one statement per database, in the service's order. A city
/// whose district fails is left out and reported once as an error of the field.
async fn figures(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    wanted: Vec<Figure>,
) -> Result<Vec<(String, CityFigures)>> {
    let districts = ctx.data::<Arc<Districts>>()?;
    let batcher = ctx.data::<Arc<Batcher>>()?;
    let selected = select(districts, cities, "cities")?;
    let wanted = &wanted;
    let answers = join_all(selected.iter().map(|&i| async move {
        let figures = batcher
            .per_city(i, format!("{wanted:?}"), || Figures(wanted.clone()))
            .await;
        (districts.list()[i].city().to_owned(), figures)
    }))
    .await;
    Ok(answers
        .into_iter()
        .filter_map(|(city, figures)| {
            figures
                .map(|f| (city, f))
                .map_err(|e| error::report(ctx, e, None))
                .ok()
        })
        .collect())
}

pub(crate) async fn compare(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
) -> Result<Vec<CityComparison>> {
    let shown = selected_figures(ctx);
    Ok(figures(ctx, cities, shown.clone())
        .await?
        .iter()
        .map(|(city, f)| comparison(city, f, &shown))
        .collect())
}

pub(crate) async fn breakdown(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    include_empty: bool,
) -> Result<Vec<CategoryBreakdown>> {
    Ok(
        figures(ctx, cities, vec![Figure::Totals, Figure::Categories])
            .await?
            .iter()
            .flat_map(|(city, f)| categories(city, f, include_empty))
            .collect(),
    )
}

/// `compare` answered without its resolvers (see `compile`): the same statement per database
/// and the same figures, each city's written straight from the value its resolvers would
/// return, for the fields selected.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// Positions of the chosen districts, in the service's order.
    selected: Vec<usize>,
    figures: Vec<Figure>,
    /// The selection under `compare`, in selection order.
    fields: Vec<(String, Pick)>,
}

/// One selected field and where its value is.
#[derive(Debug)]
enum Pick {
    Typename(&'static str),
    /// A scalar, an enum or a list of them: the struct's field of this name.
    Leaf(&'static str),
    /// An object, or a list of them: the struct's field of this name, and what of it is
    /// selected.
    Object(&'static str, Vec<(String, Pick)>),
}

/// A plain field's name, and the type of its object (`None`: a leaf).
type PlainField = (&'static str, Option<&'static str>);

/// An object under `compare` whose selected fields are written straight from its struct: a
/// leaf by serde (under its schema name), an object, a list of them or null by its own picks.
/// No `serde_json::Value` is built.
trait Plain {
    /// The GraphQL type.
    const TYPE: &'static str;
    /// Its plain fields. Every other field (`CityComparison.city` and `serviceCircles`,
    /// `CategoryBreakdown.cityName` and `cityNameEn`) is a resolver: a query that asks for one
    /// runs through the resolvers.
    const FIELDS: &'static [PlainField];
    /// Writes the value of the plain field `name`, with `sub` selected of it if it is an object.
    fn write_field(&self, name: &str, sub: &[(String, Pick)], out: &mut Vec<u8>);
}

/// Writes what `fields` select of an object, a list of them, or null.
trait WritePicks {
    fn write_picks(&self, fields: &[(String, Pick)], out: &mut Vec<u8>);
}

impl<T: Plain> WritePicks for T {
    fn write_picks(&self, fields: &[(String, Pick)], out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (key, pick)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            crate::compile::write_json(out, key);
            out.push(b':');
            match pick {
                Pick::Typename(name) => crate::compile::write_json(out, name),
                Pick::Leaf(name) => self.write_field(name, &[], out),
                Pick::Object(name, sub) => self.write_field(name, sub, out),
            }
        }
        out.push(b'}');
    }
}

impl<T: Plain> WritePicks for Option<T> {
    fn write_picks(&self, fields: &[(String, Pick)], out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write_picks(fields, out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: Plain> WritePicks for Vec<T> {
    fn write_picks(&self, fields: &[(String, Pick)], out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write_picks(fields, out);
        }
        out.push(b']');
    }
}

/// Declares a struct's plain fields: `"schemaName" => field` for a leaf, `"schemaName" =>
/// field as Type` for an object (or a list of them, or an optional one) of the `Plain` type.
macro_rules! plain {
    ($ty:ident { $($name:literal => $field:ident $(as $of:ident)?),* $(,)? }) => {
        impl Plain for $ty {
            const TYPE: &'static str = stringify!($ty);
            const FIELDS: &'static [PlainField] =
                &[$(($name, plain!(@of $($of)?))),*];
            fn write_field(&self, name: &str, _sub: &[(String, Pick)], out: &mut Vec<u8>) {
                match name {
                    $($name => plain!(@write self.$field, _sub, out $(, $of)?),)*
                    // `picks` admits only the names above.
                    _ => out.extend_from_slice(b"null"),
                }
            }
        }
    };
    (@of) => { None };
    (@of $of:ident) => { Some(<$of as Plain>::TYPE) };
    (@write $value:expr, $sub:ident, $out:ident) => {
        crate::compile::write_json($out, &$value)
    };
    (@write $value:expr, $sub:ident, $out:ident, $of:ident) => {
        $value.write_picks($sub, $out)
    };
}

plain!(CityComparison {
    "cityId" => city_id,
    "centers" => centers,
    "rooms" => rooms,
    "floorArea" => floor_area as QuantityTotal,
    "capacity" => capacity as CapacityTotal,
    "categories" => categories as CategoryBreakdown,
    "categoriesPresent" => categories_present,
    "categoriesMissing" => categories_missing,
    "equipmentCoverage" => equipment_coverage as EquipmentCoverage,
    "roomsWithoutEquipment" => rooms_without_equipment,
    "openingHours" => opening_hours as SeasonHours,
    "perCapita" => per_capita as PerCapita,
    "offer" => offer as OfferCounts,
});
plain!(OfferCounts {
    "roomsFreeOfCharge" => rooms_free_of_charge,
    "roomsCharging" => rooms_charging,
    "roomsWithoutTerms" => rooms_without_terms,
    "roomsWithAudience" => rooms_with_audience,
    "organisations" => organisations,
});
plain!(QuantityTotal {
    "total" => total as Quantity,
    "counted" => counted,
    "missing" => missing,
    "parts" => parts as QualifierParts,
});
plain!(Quantity {
    "value" => value,
    "qualifier" => qualifier,
    "unit" => unit,
});
plain!(QualifierParts {
    "exact" => exact,
    "approx" => approx,
    "atLeast" => at_least,
    "atMost" => at_most,
});
plain!(CapacityTotal {
    "min" => min,
    "max" => max,
    "roomsWithCapacity" => rooms_with_capacity,
    "roomsWithoutCapacity" => rooms_without_capacity,
    "roomsWithoutMin" => rooms_without_min,
    "roomsWithoutMax" => rooms_without_max,
});
plain!(CategoryBreakdown {
    "city" => city,
    "category" => category,
    "categoryName" => category_name,
    "categoryNameEn" => category_name_en,
    "rooms" => rooms,
    "capacityMin" => capacity_min,
    "capacityMax" => capacity_max,
    "roomsWithoutCapacity" => rooms_without_capacity,
});
plain!(EquipmentCoverage {
    "tag" => tag,
    "rooms" => rooms,
    "share" => share,
    "shareExact" => share_exact,
    "roomsKnown" => rooms_known,
    "roomsUnknown" => rooms_unknown,
});
plain!(SeasonHours {
    "season" => season,
    "centers" => centers,
    "centersWithoutHours" => centers_without_hours,
    "assumedDaily" => assumed_daily,
    "weeklyHoursTotal" => weekly_hours_total,
    "weeklyHoursMin" => weekly_hours_min,
    "weeklyHoursMax" => weekly_hours_max,
});
plain!(PerCapita {
    "population" => population as QuantityTotal,
    "floorAreaPer1000Residents" => floor_area_per_1000_residents as PerThousand,
    "seatsPer1000Residents" => seats_per_1000_residents as PerThousand,
});
plain!(PerThousand {
    "value" => value,
    "exact" => exact,
    "qualifier" => qualifier,
    "basis" => basis,
    "reason" => reason,
});

/// The plain fields of each type under `compare` (see [`Plain`]).
const PLAIN: &[(&str, &[PlainField])] = &[
    (CityComparison::TYPE, CityComparison::FIELDS),
    (QuantityTotal::TYPE, QuantityTotal::FIELDS),
    (Quantity::TYPE, Quantity::FIELDS),
    (QualifierParts::TYPE, QualifierParts::FIELDS),
    (CapacityTotal::TYPE, CapacityTotal::FIELDS),
    (CategoryBreakdown::TYPE, CategoryBreakdown::FIELDS),
    (EquipmentCoverage::TYPE, EquipmentCoverage::FIELDS),
    (SeasonHours::TYPE, SeasonHours::FIELDS),
    (PerCapita::TYPE, PerCapita::FIELDS),
    (PerThousand::TYPE, PerThousand::FIELDS),
    (OfferCounts::TYPE, OfferCounts::FIELDS),
];

/// `compare` compiled, if its `cities` is literal and valid (as the resolvers would find it)
/// and it selects only plain fields (see [`PLAIN`]).
pub(crate) fn compiled(
    field: &async_graphql::parser::types::Field,
    districts: &Districts,
) -> Option<Compiled> {
    use async_graphql::InputType;
    let mut cities = None;
    for (name, value) in &field.arguments {
        match name.node.as_str() {
            "cities" => {
                cities = Some(Vec::<ID>::parse(Some(value.node.clone().into_const()?)).ok()?);
            }
            _ => return None,
        }
    }
    let selected = select(districts, cities, "cities").ok()?;
    let fields = picks("CityComparison", crate::compile::selections(field)?)?;
    let figures = figures_shown(|name| {
        fields.iter().any(|(_, pick)| match pick {
            Pick::Leaf(n) | Pick::Object(n, _) => *n == name,
            Pick::Typename(_) => false,
        })
    });
    Some(Compiled {
        selected,
        figures,
        fields,
    })
}

/// The picks of a selection on `ty`, if every field is a plain one.
fn picks(
    ty: &'static str,
    set: &async_graphql::parser::types::SelectionSet,
) -> Option<Vec<(String, Pick)>> {
    use crate::compile::{leaf, selections};
    let (_, plain) = PLAIN.iter().find(|(t, _)| *t == ty)?;
    crate::compile::fields(set)?
        .into_iter()
        .map(|(key, field)| {
            let field = &field.node;
            let pick = match field.name.node.as_str() {
                "__typename" => {
                    leaf(field)?;
                    Pick::Typename(ty)
                }
                name => match *plain.iter().find(|(n, _)| *n == name)? {
                    (name, None) => {
                        leaf(field)?;
                        Pick::Leaf(name)
                    }
                    (name, Some(of)) => {
                        if !field.arguments.is_empty() {
                            return None;
                        }
                        Pick::Object(name, picks(of, selections(field)?)?)
                    }
                },
            };
            Some((key, pick))
        })
        .collect()
}

/// Runs `compiled`: the figures in one statement per database, the databases at once, written
/// to `out` as the list `compare` answers. Gives the failures of the cities whose database
/// failed, in the service's order; those cities are left out, as the resolvers leave them.
pub(crate) async fn run_compiled(
    compiled: &Compiled,
    districts: &Districts,
    out: &mut Vec<u8>,
) -> Vec<Arc<store::StoreError>> {
    let figures = &compiled.figures;
    let reads = districts
        .per_database(&compiled.selected, |district, ready| {
            let cities = districts.cities(&ready);
            async move { district.cities_figures(&cities, figures).await }
        })
        .await;
    let mut found = std::collections::HashMap::new();
    let mut failed = std::collections::HashMap::new();
    for (answer, failures) in reads {
        found.extend(answer.unwrap_or_default());
        failed.extend(failures);
    }
    let mut failures = Vec::new();
    let mut written = 0;
    out.push(b'[');
    for i in &compiled.selected {
        if let Some(failure) = failed.remove(i) {
            failures.push(failure);
            continue;
        }
        let city = districts.list()[*i].city();
        let Some(figures) = found.get(city) else {
            continue;
        };
        if written > 0 {
            out.push(b',');
        }
        written += 1;
        comparison(city, figures, &compiled.figures).write_picks(&compiled.fields, out);
    }
    out.push(b']');
    failures
}

#[cfg(test)]
mod tests {
    use super::PLAIN;
    use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

    fn base(ty: &Type) -> &str {
        match &ty.base {
            BaseType::Named(name) => name.as_str(),
            BaseType::List(item) => base(item),
        }
    }

    /// `PLAIN` names every field of the objects under `compare` but their resolvers, each with
    /// the type the schema gives it: a field added to one of these structs is compiled too, or
    /// this fails.
    #[test]
    fn the_plain_fields_of_compare_are_the_schemas() {
        let document = async_graphql::parser::parse_schema(crate::sdl()).expect("the SDL parses");
        let resolvers = [
            ("CityComparison", "city"),
            ("CityComparison", "serviceCircles"),
            ("CityComparison", "evidence"),
            ("CityComparison", "claims"),
            ("CategoryBreakdown", "cityName"),
            ("CategoryBreakdown", "cityNameEn"),
        ];
        let mut objects = std::collections::BTreeMap::new();
        let mut leaves = std::collections::BTreeSet::from(["ID", "Int", "Float", "String"]);
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let name = ty.node.name.node.as_str();
            match &ty.node.kind {
                TypeKind::Object(object) => {
                    objects.insert(name, object.fields.clone());
                }
                TypeKind::Enum(_) | TypeKind::Scalar => {
                    leaves.insert(name);
                }
                _ => {}
            }
        }
        for (ty, plain) in PLAIN {
            let fields = &objects[ty];
            let mut named: Vec<&str> = fields
                .iter()
                .map(|f| f.node.name.node.as_str())
                .filter(|f| !resolvers.contains(&(*ty, *f)))
                .collect();
            named.sort_unstable();
            let mut listed: Vec<&str> = plain.iter().map(|(f, _)| *f).collect();
            listed.sort_unstable();
            assert_eq!(listed, named, "{ty}");
            for (name, object) in *plain {
                let field = fields
                    .iter()
                    .find(|f| f.node.name.node == *name)
                    .expect("listed above");
                let of = base(&field.node.ty.node);
                match object {
                    Some(object) => assert_eq!(of, *object, "{ty}.{name}"),
                    None => assert!(leaves.contains(of), "{ty}.{name} is a {of}"),
                }
            }
        }
    }
}
