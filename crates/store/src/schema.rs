//! The district tables as the import writes them and a copy reads them, each declared once
//! ([`tables!`]): the record an import fills (a struct with a field per column, typed by the
//! column, so a column left out does not compile and a value sits next to its column's name),
//! the table's definition (its columns in order, with their types) and [`TABLES`], parents
//! before children. A test runs every migration on a scratch database and checks that it made
//! exactly these tables and columns.

use crate::sql::Val;

/// A column's type, as stored on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// TEXT
    Text,
    /// BIGINT
    Int,
    /// DOUBLE PRECISION
    Real,
    /// BOOLEAN (NOT NULL everywhere it is used)
    Bool,
}

impl Ty {
    /// The type as the migrations declare it.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Self::Text => "TEXT",
            Self::Int => "BIGINT",
            Self::Real => "DOUBLE PRECISION",
            Self::Bool => "BOOLEAN",
        }
    }
}

/// One table of a city's data.
#[derive(Debug)]
pub(crate) struct TableDef {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [(&'static str, Ty)],
}

impl TableDef {
    pub(crate) fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A value of a TEXT column (`None`: NULL).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text(pub(crate) Option<String>);
/// A value of a BIGINT column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Int(pub(crate) Option<i64>);
/// A value of a DOUBLE PRECISION column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Real(pub(crate) Option<f64>);
/// A value of a BOOLEAN column (never NULL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bool(pub(crate) bool);

/// A column's value type.
pub(crate) trait Column {
    const TY: Ty;
    fn into_val(self) -> Val;
}

impl Column for Text {
    const TY: Ty = Ty::Text;
    fn into_val(self) -> Val {
        Val::Text(self.0)
    }
}
impl Column for Int {
    const TY: Ty = Ty::Int;
    fn into_val(self) -> Val {
        Val::Int(self.0)
    }
}
impl Column for Real {
    const TY: Ty = Ty::Real;
    fn into_val(self) -> Val {
        Val::Real(self.0)
    }
}
impl Column for Bool {
    const TY: Ty = Ty::Bool;
    fn into_val(self) -> Val {
        Val::Bool(self.0)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self(Some(s.to_owned()))
    }
}
impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Self(Some(s.clone()))
    }
}
impl From<String> for Text {
    fn from(s: String) -> Self {
        Self(Some(s))
    }
}
impl From<Option<String>> for Text {
    fn from(s: Option<String>) -> Self {
        Self(s)
    }
}
impl From<Option<&String>> for Text {
    fn from(s: Option<&String>) -> Self {
        Self(s.cloned())
    }
}
impl From<Option<&str>> for Text {
    fn from(s: Option<&str>) -> Self {
        Self(s.map(str::to_owned))
    }
}
/// A position in a list (`ord`).
impl From<usize> for Int {
    fn from(n: usize) -> Self {
        Self(i64::try_from(n).ok())
    }
}
impl From<bool> for Bool {
    fn from(b: bool) -> Self {
        Self(b)
    }
}

/// A row an import writes: its table, and its values in the table's column order.
pub(crate) trait Record {
    const DEF: &'static TableDef;
    fn values(self) -> Vec<Val>;
}

/// Declares each table once: its record (named `$record`, a field per column of that column's
/// type), its [`TableDef`], and [`TABLES`] in the order given.
macro_rules! tables {
    ($(
        $(#[$doc:meta])*
        $record:ident => $table:literal { $($column:ident: $ty:ident,)* }
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone)]
            pub(crate) struct $record {
                $(pub(crate) $column: $ty,)*
            }

            impl Record for $record {
                const DEF: &'static TableDef = &TableDef {
                    name: $table,
                    columns: &[$((stringify!($column), <$ty as Column>::TY),)*],
                };
                fn values(self) -> Vec<Val> {
                    vec![$(self.$column.into_val(),)*]
                }
            }
        )*

        /// Every table holding a city's rows, in insertion order (a table's parents come
        /// before it). `dataset_versions` is not listed: it is written last, as the stamp of a
        /// finished import.
        pub(crate) const TABLES: &[&TableDef] = &[$(<$record as Record>::DEF,)*];
    };
}

tables! {
    /// The city.
    CityRecord => "cities" {
        id: Text,
        city_id: Text,
        name: Text,
        name_en: Text,
        province: Text,
        province_en: Text,
        area: Text,
        area_en: Text,
    }
    /// A source article.
    SourceRecord => "sources" {
        id: Text,
        city_id: Text,
        ord: Int,
        file: Text,
        title: Text,
        title_en: Text,
        publisher: Text,
        published_at: Text,
        note: Text,
    }
    /// A person an article's byline names.
    ContributorRecord => "source_contributors" {
        source_id: Text,
        city_id: Text,
        ord: Int,
        name: Text,
        role: Text,
        role_text: Text,
        quote: Text,
    }
    /// A service circle.
    CircleRecord => "circles" {
        id: Text,
        city_id: Text,
        ord: Int,
        name: Text,
        name_en: Text,
        walking_minutes: Int,
        population_value: Real,
        population_qualifier: Text,
        population_unit: Text,
        note: Text,
        minutes: Int,
        travel_mode: Text,
    }
    /// How many communities, residential areas… a circle covers.
    CircleCountRecord => "circle_counts" {
        circle_id: Text,
        city_id: Text,
        kind: Text,
        value: Real,
        qualifier: Text,
        unit: Text,
    }
    /// One community, residential area… a circle names.
    CircleNameRecord => "circle_names" {
        circle_id: Text,
        city_id: Text,
        kind: Text,
        ord: Int,
        name: Text,
    }
    /// A service center.
    CenterRecord => "centers" {
        id: Text,
        city_id: Text,
        ord: Int,
        circle_id: Text,
        name: Text,
        name_en: Text,
        address: Text,
        address_en: Text,
        floor_area_value: Real,
        floor_area_qualifier: Text,
        floor_area_unit: Text,
        transit: Text,
        transit_en: Text,
        note: Text,
    }
    /// One line of a center's timetable, or of a unit inside it.
    HoursRecord => "opening_hours" {
        center_id: Text,
        city_id: Text,
        ord: Int,
        season: Text,
        days: Text,
        opens: Int,
        closes: Int,
        open_24h: Bool,
        unit: Text,
        unit_en: Text,
    }
    /// A center's contact.
    ContactRecord => "contacts" {
        center_id: Text,
        city_id: Text,
        ord: Int,
        name: Text,
        phone: Text,
    }
    /// A service a center lists.
    ServiceItemRecord => "center_service_items" {
        center_id: Text,
        city_id: Text,
        ord: Int,
        item: Text,
    }
    /// A function room.
    RoomRecord => "rooms" {
        id: Text,
        city_id: Text,
        ord: Int,
        center_id: Text,
        name: Text,
        name_en: Text,
        category: Text,
        description: Text,
        capacity_min: Int,
        capacity_max: Int,
        address: Text,
        floor: Text,
        outdoor: Bool,
        open_24h: Bool,
        note: Text,
        capacity_qualifier: Text,
    }
    /// One piece of a room's equipment.
    EquipmentRecord => "room_equipment" {
        room_id: Text,
        city_id: Text,
        ord: Int,
        name: Text,
        tag: Text,
    }
    /// One line of a room's own timetable.
    RoomHoursRecord => "room_hours" {
        room_id: Text,
        city_id: Text,
        ord: Int,
        season: Text,
        days: Text,
        opens: Int,
        closes: Int,
        open_24h: Bool,
    }
    /// One use of a room.
    UseRecord => "room_uses" {
        room_id: Text,
        city_id: Text,
        ord: Int,
        use_text: Text,
    }
    /// A recurring event in a room.
    EventRecord => "room_events" {
        id: Text,
        room_id: Text,
        city_id: Text,
        ord: Int,
        name: Text,
        name_en: Text,
        schedule: Text,
        season: Text,
        weekday: Text,
        starts_at: Int,
    }
    /// A figure the sources give about a record.
    IndicatorRecord => "indicators" {
        id: Text,
        owner_id: Text,
        city_id: Text,
        ord: Int,
        key: Text,
        name: Text,
        name_en: Text,
        value: Real,
        qualifier: Text,
        unit: Text,
        text: Text,
        before_value: Real,
        before_qualifier: Text,
        before_unit: Text,
        as_of: Text,
        period_from: Text,
        period_until: Text,
        claim: Text,
    }
    /// An organisation named with a circle, center or room.
    OrganisationRecord => "organisations" {
        id: Text,
        city_id: Text,
        ord: Int,
        name: Text,
        name_en: Text,
        role: Text,
        record_id: Text,
        brand: Text,
    }
    /// People serving in a center or room, by role.
    StaffRecord => "staff" {
        record_id: Text,
        city_id: Text,
        ord: Int,
        role_text: Text,
        role_en: Text,
        volunteer: Bool,
    }
    /// A thing a room shows that is not equipment.
    ExhibitRecord => "room_exhibits" {
        room_id: Text,
        city_id: Text,
        ord: Int,
        exhibit: Text,
    }
    /// A term on which a center or room serves.
    TermRecord => "terms" {
        record_id: Text,
        city_id: Text,
        ord: Int,
        kind: Text,
        text: Text,
    }
    /// A group a center or room serves.
    AudienceRecord => "audiences" {
        record_id: Text,
        city_id: Text,
        ord: Int,
        group_text: Text,
        group_en: Text,
        min_age: Int,
    }
    /// A quote of a source supporting a record.
    CitationRecord => "citations" {
        owner_id: Text,
        city_id: Text,
        ord: Int,
        source_id: Text,
        quote: Text,
        supports: Text,
    }
    /// A searchable text of a record, for the text index.
    SearchEntryRecord => "search_entries" {
        text: Text,
        city_id: Text,
        kind: Text,
        owner_id: Text,
        owner_ord: Int,
        field: Text,
        ord: Int,
    }
}

/// The tables of a city's data with each column and its SQL type, in order, as declared here.
pub fn declared_tables() -> Vec<(String, Vec<(String, String)>)> {
    TABLES
        .iter()
        .map(|t| {
            let columns = t
                .columns
                .iter()
                .map(|(c, ty)| ((*c).to_owned(), ty.sql().to_owned()))
                .collect();
            (t.name.to_owned(), columns)
        })
        .collect()
}
