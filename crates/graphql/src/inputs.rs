//! Filter and ordering arguments, and their translation into `store` filters. Every refusal is a
//! `BAD_ARGUMENT` naming the argument's path (`filter.minCapacity`).

use crate::enums::{
    CenterOrderField, Direction, EquipmentTag, RoomCategory, RoomOrderField, Season, Weekday,
    to_code,
};
use crate::error::{bad_argument, codes};
use async_graphql::{InputObject, Result};

/// Which function rooms a list holds. Every condition given must hold; omit a field for no
/// condition.
#[derive(InputObject, Clone, Debug, Default)]
pub struct RoomFilter {
    /// Rooms of any of these categories.
    pub categories: Option<Vec<RoomCategory>>,
    /// Rooms that can hold at least this many people: the source's upper figure (or its lower
    /// one, when it gives only that: "上百名" counts as 100) is at least this. Rooms without a
    /// capacity never match.
    pub min_capacity: Option<i32>,
    /// Rooms known to hold no more than this many people: the source's upper figure is at most
    /// this. Rooms without an upper figure never match.
    pub max_capacity: Option<i32>,
    /// Rooms with every one of these equipment tags.
    pub equipment: Option<Vec<EquipmentTag>>,
    /// Only outdoor spaces (true) or only indoor ones (false).
    pub outdoor: Option<bool>,
    /// Only spaces open around the clock (true), or only the others (false).
    #[graphql(name = "open24h")]
    pub open_24h: Option<bool>,
    /// Only spaces outside the center's own building, with an address of their own (true), or
    /// only those inside it (false).
    pub off_site: Option<bool>,
    /// Text contained in the room's Chinese or English name or in one of its uses
    /// (case-insensitive for Latin letters).
    pub text: Option<String>,
    /// True: rooms a stated term makes free of charge (FREE, FREE_LOAN). False: rooms whose
    /// stated terms charge (POINTS, RENTAL) and none is free. Rooms whose sources state no
    /// terms match neither: unknown is not free.
    pub free_of_charge: Option<bool>,
    /// Rooms serving a group whose Chinese or English name contains this text ("老人",
    /// "courier"; case-insensitive for Latin letters). Rooms whose sources name no group never
    /// match.
    pub audience: Option<String>,
}

/// How function rooms are ordered.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct RoomOrder {
    /// What to order by.
    pub by: RoomOrderField,
    /// Which way; ascending unless given.
    #[graphql(default)]
    pub direction: Direction,
}

/// A moment of the week: "open at 21:30 on a winter Friday".
#[derive(InputObject, Clone, Debug)]
pub struct OpenAt {
    /// `SUMMER` or `WINTER`; a center's `ALL_YEAR` timetable applies to both.
    pub season: Season,
    /// The day.
    pub weekday: Weekday,
    /// Time of day, `HH:MM` (00:00 to 23:59).
    pub time: String,
    /// Several sources print a season's hours without naming days ("夏季:10:00—22:00"). By
    /// default such a line counts for every day of the week; true counts only lines that name
    /// the day.
    #[graphql(default)]
    pub require_named_days: bool,
}

impl OpenAt {
    /// The moment checked (`SUMMER` or `WINTER`, a valid time), as the store reads it;
    /// `argument` names it in errors.
    pub(crate) fn into_store(self, argument: &str) -> Result<store::OpenAt> {
        if self.season == Season::AllYear {
            return Err(bad(
                &format!("{argument}.season"),
                format!("`{argument}.season` must be SUMMER or WINTER"),
            ));
        }
        Ok(store::OpenAt {
            season: to_code(self.season).to_owned(),
            weekday: to_code(self.weekday).to_owned(),
            minutes: minutes_of_day(&self.time, &format!("{argument}.time"))?,
            require_named_days: self.require_named_days,
        })
    }
}

/// Which service centers a list holds. Every condition given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CenterFilter {
    /// Centers whose floor area is known to be at least this many m² (an "at most" figure never
    /// is).
    pub floor_area_min: Option<f64>,
    /// Centers whose floor area is known to be at most this many m² ("超过4000" never is).
    pub floor_area_max: Option<f64>,
    /// Centers with at least one room of each of these categories.
    pub room_categories: Option<Vec<RoomCategory>>,
    /// Centers where each of these equipment tags is found in at least one room.
    pub equipment: Option<Vec<EquipmentTag>>,
    /// Centers whose own timetable has them open at this moment (not a unit's inside them).
    pub open_at: Option<OpenAt>,
    /// Text contained in the center's name or address, Chinese or English.
    pub text: Option<String>,
    /// True: centers whose own stated terms make them free of charge (FREE, FREE_LOAN).
    /// False: centers whose stated terms charge and none is free. Centers whose sources state
    /// no terms match neither. A room's terms are the room's (`RoomFilter.freeOfCharge`).
    pub free_of_charge: Option<bool>,
    /// Centers serving a group whose Chinese or English name contains this text
    /// (case-insensitive for Latin letters).
    pub audience: Option<String>,
}

/// How service centers are ordered.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct CenterOrder {
    /// What to order by.
    pub by: CenterOrderField,
    /// Which way; ascending unless given.
    #[graphql(default)]
    pub direction: Direction,
}

fn bad(argument: &str, message: String) -> async_graphql::Error {
    bad_argument(codes::BAD_ARGUMENT, argument, message)
}

fn codes_of<E: async_graphql::EnumType + PartialEq + Copy>(
    values: Option<Vec<E>>,
    argument: &str,
) -> Result<Vec<String>> {
    match values {
        Some(v) if v.is_empty() => Err(bad(
            argument,
            format!("`{argument}` is empty; omit it for no condition"),
        )),
        Some(v) => Ok(v.into_iter().map(|e| to_code(e).to_owned()).collect()),
        None => Ok(Vec::new()),
    }
}

fn text_of(text: Option<String>, argument: &str) -> Result<Option<String>> {
    match text.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() => Err(bad(
            argument,
            format!("`{argument}` is blank; omit it for no condition"),
        )),
        other => Ok(other),
    }
}

fn at_least_zero<T: PartialOrd + Default + std::fmt::Display>(
    value: Option<T>,
    argument: &str,
) -> Result<Option<T>> {
    match value {
        Some(v) if v < T::default() => Err(bad(
            argument,
            format!("`{argument}` must not be negative, got {v}"),
        )),
        other => Ok(other),
    }
}

fn ordered<T: PartialOrd + std::fmt::Display>(
    min: Option<T>,
    max: Option<T>,
    min_name: &str,
    max_name: &str,
) -> Result<()> {
    match (min, max) {
        (Some(a), Some(b)) if a > b => Err(bad(
            min_name,
            format!("`{min_name}` ({a}) is greater than `{max_name}` ({b})"),
        )),
        _ => Ok(()),
    }
}

/// `HH:MM` within a day, as minutes after midnight.
pub(crate) fn minutes_of_day(time: &str, argument: &str) -> Result<i64> {
    model::TimeOfDay::parse(time)
        .map(|t| i64::from(t.minutes()))
        .filter(|m| *m < 24 * 60)
        .ok_or_else(|| {
            bad(
                argument,
                format!(
                    "`{argument}` must be a time of day HH:MM from 00:00 to 23:59, got `{time}`"
                ),
            )
        })
}

impl RoomFilter {
    pub(crate) fn into_store(self, argument: &str) -> Result<store::RoomFilter> {
        let arg = |field: &str| format!("{argument}.{field}");
        let min = at_least_zero(self.min_capacity, &arg("minCapacity"))?;
        let max = at_least_zero(self.max_capacity, &arg("maxCapacity"))?;
        ordered(min, max, &arg("minCapacity"), &arg("maxCapacity"))?;
        Ok(store::RoomFilter {
            categories: codes_of(self.categories, &arg("categories"))?,
            min_capacity: min.map(i64::from),
            max_capacity: max.map(i64::from),
            equipment: codes_of(self.equipment, &arg("equipment"))?,
            outdoor: self.outdoor,
            open_24h: self.open_24h,
            off_site: self.off_site,
            text: text_of(self.text, &arg("text"))?,
            free_of_charge: self.free_of_charge,
            audience: text_of(self.audience, &arg("audience"))?,
        })
    }
}

impl CenterFilter {
    pub(crate) fn into_store(self, argument: &str) -> Result<store::CenterFilter> {
        let arg = |field: &str| format!("{argument}.{field}");
        let min = at_least_zero(self.floor_area_min, &arg("floorAreaMin"))?;
        let max = at_least_zero(self.floor_area_max, &arg("floorAreaMax"))?;
        ordered(min, max, &arg("floorAreaMin"), &arg("floorAreaMax"))?;
        let open_at = self
            .open_at
            .map(|at| at.into_store(&arg("openAt")))
            .transpose()?;
        Ok(store::CenterFilter {
            floor_area_min: min,
            floor_area_max: max,
            room_categories: codes_of(self.room_categories, &arg("roomCategories"))?,
            equipment: codes_of(self.equipment, &arg("equipment"))?,
            open_at,
            text: text_of(self.text, &arg("text"))?,
            free_of_charge: self.free_of_charge,
            audience: text_of(self.audience, &arg("audience"))?,
        })
    }
}

impl RoomOrder {
    pub(crate) fn into_store(self) -> (store::RoomOrder, bool) {
        let by = match self.by {
            RoomOrderField::Source => store::RoomOrder::Source,
            RoomOrderField::Capacity => store::RoomOrder::Capacity,
            RoomOrderField::Name => store::RoomOrder::Name,
            RoomOrderField::City => store::RoomOrder::City,
            RoomOrderField::Category => store::RoomOrder::Category,
        };
        (by, self.direction == Direction::Desc)
    }
}

impl CenterOrder {
    pub(crate) fn into_store(self) -> (store::CenterOrder, bool) {
        let by = match self.by {
            CenterOrderField::Source => store::CenterOrder::Source,
            CenterOrderField::FloorArea => store::CenterOrder::FloorArea,
            CenterOrderField::RoomCount => store::CenterOrder::RoomCount,
            CenterOrderField::TotalCapacity => store::CenterOrder::TotalCapacity,
            CenterOrderField::Name => store::CenterOrder::Name,
        };
        (by, self.direction == Direction::Desc)
    }
}
