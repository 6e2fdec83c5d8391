//! Rows as read from a district. Each implements [`Table`]: where it lives, which columns it
//! reads and how its rows are ordered within a batch (the source's order).

use crate::read::Table;

macro_rules! table {
    ($row:ty, $table:literal, $columns:literal, $order:literal) => {
        impl Table for $row {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static str = $columns;
            const ORDER: &'static str = $order;
        }
    };
}

/// A number with its qualifier and unit, as three nullable columns.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantityRow {
    pub value: f64,
    pub qualifier: String,
    pub unit: String,
}

pub(crate) fn quantity(
    value: Option<f64>,
    qualifier: Option<String>,
    unit: Option<String>,
) -> Option<QuantityRow> {
    Some(QuantityRow {
        value: value?,
        qualifier: qualifier?,
        unit: unit?,
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CityRow {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub province: String,
    pub province_en: String,
    pub area: Option<String>,
    pub area_en: Option<String>,
}
table!(
    CityRow,
    "cities",
    "id, name, name_en, province, province_en, area, area_en",
    "id"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceRow {
    pub id: String,
    pub city_id: String,
    pub file: String,
    pub title: String,
    pub title_en: Option<String>,
    pub publisher: Option<String>,
    pub published_at: Option<String>,
    pub note: Option<String>,
}
table!(
    SourceRow,
    "sources",
    "id, city_id, file, title, title_en, publisher, published_at, note",
    "ord"
);

/// The version stamp of a city's dataset as imported.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DatasetVersionRow {
    pub city_id: String,
    pub content_hash: String,
    pub imported_at: String,
}
table!(
    DatasetVersionRow,
    "dataset_versions",
    "city_id, content_hash, imported_at",
    "city_id"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContributorRow {
    pub source_id: String,
    pub name: String,
    pub role: String,
    pub role_text: String,
    pub quote: String,
}
table!(
    ContributorRow,
    "source_contributors",
    "source_id, name, role, role_text, quote",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganisationRow {
    pub id: String,
    pub city_id: String,
    pub name: String,
    pub name_en: String,
    pub role: String,
    pub record_id: String,
    pub brand: Option<String>,
}
table!(
    OrganisationRow,
    "organisations",
    "id, city_id, name, name_en, role, record_id, brand",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub record_id: String,
    pub role_text: String,
    pub role_en: String,
    pub volunteer: bool,
}
table!(
    StaffRow,
    "staff",
    "record_id, role_text, role_en, volunteer",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExhibitRow {
    pub room_id: String,
    pub exhibit: String,
}
table!(ExhibitRow, "room_exhibits", "room_id, exhibit", "ord");

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermRow {
    pub record_id: String,
    pub kind: String,
    pub text: String,
}
table!(TermRow, "terms", "record_id, kind, text", "ord");

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AudienceRow {
    pub record_id: String,
    pub group_text: String,
    pub group_en: String,
    pub min_age: Option<i64>,
}
table!(
    AudienceRow,
    "audiences",
    "record_id, group_text, group_en, min_age",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CircleRow {
    pub id: String,
    pub city_id: String,
    pub name: String,
    pub name_en: String,
    pub walking_minutes: Option<i64>,
    pub minutes: Option<i64>,
    pub travel_mode: Option<String>,
    pub population_value: Option<f64>,
    pub population_qualifier: Option<String>,
    pub population_unit: Option<String>,
    pub note: Option<String>,
}
table!(
    CircleRow,
    "circles",
    "id, city_id, name, name_en, walking_minutes, minutes, travel_mode, population_value, population_qualifier, population_unit, note",
    "ord"
);

impl CircleRow {
    pub fn population(&self) -> Option<QuantityRow> {
        quantity(
            self.population_value,
            self.population_qualifier.clone(),
            self.population_unit.clone(),
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CircleCountRow {
    pub circle_id: String,
    pub kind: String,
    pub value: f64,
    pub qualifier: String,
    pub unit: String,
}
table!(
    CircleCountRow,
    "circle_counts",
    "circle_id, kind, value, qualifier, unit",
    "kind"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CircleNameRow {
    pub circle_id: String,
    pub kind: String,
    pub name: String,
}
table!(
    CircleNameRow,
    "circle_names",
    "circle_id, kind, name",
    "kind, ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CenterRow {
    pub id: String,
    pub city_id: String,
    pub ord: i64,
    pub circle_id: Option<String>,
    pub name: String,
    pub name_en: String,
    pub address: Option<String>,
    pub address_en: Option<String>,
    pub floor_area_value: Option<f64>,
    pub floor_area_qualifier: Option<String>,
    pub floor_area_unit: Option<String>,
    pub transit: Option<String>,
    pub transit_en: Option<String>,
    pub note: Option<String>,
}
table!(
    CenterRow,
    "centers",
    "id, city_id, ord, circle_id, name, name_en, address, address_en, floor_area_value, floor_area_qualifier, floor_area_unit, transit, transit_en, note",
    "ord"
);

impl CenterRow {
    pub fn floor_area(&self) -> Option<QuantityRow> {
        quantity(
            self.floor_area_value,
            self.floor_area_qualifier.clone(),
            self.floor_area_unit.clone(),
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpeningHoursRow {
    pub center_id: String,
    pub season: String,
    pub days: Option<String>,
    pub opens: Option<i64>,
    pub closes: Option<i64>,
    pub open_24h: bool,
    pub unit: Option<String>,
    pub unit_en: Option<String>,
}
table!(
    OpeningHoursRow,
    "opening_hours",
    "center_id, season, days, opens, closes, open_24h, unit, unit_en",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoomHoursRow {
    pub room_id: String,
    pub season: String,
    pub days: Option<String>,
    pub opens: Option<i64>,
    pub closes: Option<i64>,
    pub open_24h: bool,
}
table!(
    RoomHoursRow,
    "room_hours",
    "room_id, season, days, opens, closes, open_24h",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRow {
    pub center_id: String,
    pub name: Option<String>,
    pub phone: Option<String>,
}
table!(ContactRow, "contacts", "center_id, name, phone", "ord");

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceItemRow {
    pub center_id: String,
    pub item: String,
}
table!(
    ServiceItemRow,
    "center_service_items",
    "center_id, item",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoomRow {
    pub id: String,
    pub city_id: String,
    pub ord: i64,
    pub center_id: String,
    pub name: String,
    pub name_en: String,
    pub category: String,
    pub description: Option<String>,
    pub capacity_min: Option<i64>,
    pub capacity_max: Option<i64>,
    pub capacity_qualifier: Option<String>,
    pub address: Option<String>,
    pub floor: Option<String>,
    pub outdoor: bool,
    pub open_24h: bool,
    pub note: Option<String>,
}
table!(
    RoomRow,
    "rooms",
    "id, city_id, ord, center_id, name, name_en, category, description, capacity_min, capacity_max, capacity_qualifier, address, floor, outdoor, open_24h, note",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EquipmentRow {
    pub room_id: String,
    pub name: String,
    pub tag: Option<String>,
}
table!(EquipmentRow, "room_equipment", "room_id, name, tag", "ord");

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UseRow {
    pub room_id: String,
    pub use_text: String,
}
table!(UseRow, "room_uses", "room_id, use_text", "ord");

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub room_id: String,
    pub name: String,
    pub name_en: String,
    pub schedule: Option<String>,
    pub season: Option<String>,
    pub weekday: Option<String>,
    pub starts_at: Option<i64>,
}
table!(
    EventRow,
    "room_events",
    "id, room_id, name, name_en, schedule, season, weekday, starts_at",
    "ord"
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndicatorRow {
    pub id: String,
    pub owner_id: String,
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub value: Option<f64>,
    pub qualifier: Option<String>,
    pub unit: Option<String>,
    pub text: Option<String>,
    pub before_value: Option<f64>,
    pub before_qualifier: Option<String>,
    pub before_unit: Option<String>,
    pub as_of: Option<String>,
    pub period_from: Option<String>,
    pub period_until: Option<String>,
    pub claim: Option<String>,
}
table!(
    IndicatorRow,
    "indicators",
    "id, owner_id, key, name, name_en, value, qualifier, unit, text, before_value, before_qualifier, before_unit, as_of, period_from, period_until, claim",
    "ord"
);

impl IndicatorRow {
    pub fn quantity(&self) -> Option<QuantityRow> {
        quantity(self.value, self.qualifier.clone(), self.unit.clone())
    }

    /// The figure before the change the indicator states, if it states one.
    pub fn before(&self) -> Option<QuantityRow> {
        quantity(
            self.before_value,
            self.before_qualifier.clone(),
            self.before_unit.clone(),
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CitationRow {
    pub owner_id: String,
    pub source_id: String,
    pub quote: String,
    pub supports: String,
}
// `ord` is a citation's place among its owner's: a city's citations (read by `city_id`) are
// ordered by owner first, or records with several citations would tie, in whatever order the
// database finds them.
table!(
    CitationRow,
    "citations",
    "owner_id, source_id, quote, supports",
    "owner_id, ord"
);
