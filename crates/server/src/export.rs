//! Flat files for researchers: rooms, centers, circles and the `compare` figures as CSV or
//! NDJSON, at `GET /export/<table>.<csv|ndjson>` and with `dangqun export`. Each file is a
//! GraphQL query run through the schema (so its rows are the GraphQL answer's, with the same
//! filters and checks), paged to the end and flattened into one documented column set per
//! table. Quantities are three columns: value, qualifier, unit; lists are joined with "; ".

use graphql::DangqunSchema;
use serde_json::{Map, Value, json};

/// The tables, each with its columns: what `GET /export/` serves.
pub const TABLES: &[&str] = &["rooms", "centers", "circles", "compare"];

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV, UTF-8, a header row; with a byte-order mark when asked (Excel reads UTF-8
    /// only with one).
    Csv { bom: bool },
    /// One JSON object per line, with the CSV's columns as keys (numbers as numbers, unknown
    /// as null).
    Ndjson,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv { .. } => "text/csv; charset=utf-8",
            Self::Ndjson => "application/x-ndjson",
        }
    }
}

/// Why no file was written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    /// The file or a parameter is not one this service knows, or a value is invalid: the
    /// message says which (HTTP 400).
    #[error("{0}")]
    Bad(String),
    /// A district did not answer: the file would silently lack its city (HTTP 503).
    #[error("{0}")]
    Unavailable(String),
}

/// One table's export: its query, where its records are in the answer, and its columns.
struct Table {
    name: &'static str,
    /// The GraphQL query; `$after` pages through connections.
    query: &'static str,
    /// The filter parameters it takes (the GraphQL filter's fields) beside `cities`.
    filters: &'static [(&'static str, Kind)],
    /// The answer's records: a connection (paged), or a list.
    records: Records,
    columns: &'static [(&'static str, Column)],
}

/// How a parameter's text becomes the filter's value.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
    /// Comma-separated enum values.
    Codes,
    /// A moment: `SEASON,WEEKDAY,HH:MM` (`WINTER,FRIDAY,21:30`), a fourth part `named` counting
    /// only timetable lines that name the day.
    Moment,
}

#[derive(Debug, Clone, Copy)]
enum Records {
    /// `data.<field>`, a connection with `nodes` and `pageInfo`.
    Paged(&'static str),
    /// `data.<field>`, a plain list.
    List(&'static str),
}

/// A column's value, from a record.
#[derive(Debug, Clone, Copy)]
enum Column {
    /// A JSON pointer into the record; a scalar.
    At(&'static str),
    /// A list at the pointer, each item's field (or the item itself, `""`) joined with "; ".
    Join(&'static str, &'static str),
    /// A quantity at the pointer, and which of its parts.
    Quantity(&'static str, Part),
    /// The opening hours at the pointer, one line each ("SUMMER MONDAY,TUESDAY 10:00-22:00").
    Hours(&'static str),
}

#[derive(Debug, Clone, Copy)]
enum Part {
    Value,
    Qualifier,
    Unit,
}

use Column::{At, Hours, Join, Quantity as Q};

const ROOMS: Table = Table {
    name: "rooms",
    query: "query($cities: [ID!], $filter: RoomFilter, $after: String) {
  rooms(cities: $cities, filter: $filter, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name nameEn category capacity { min max qualifier }
      equipment { name tag } uses freeOfCharge terms { kind } audiences { group }
      floor address outdoor open24h
      city { id name } center { id name }
      citations { source { file } }
    }
  }
}",
    filters: &[
        ("categories", Kind::Codes),
        ("minCapacity", Kind::Int),
        ("maxCapacity", Kind::Int),
        ("equipment", Kind::Codes),
        ("outdoor", Kind::Bool),
        ("offSite", Kind::Bool),
        ("text", Kind::Text),
        ("freeOfCharge", Kind::Bool),
        ("audience", Kind::Text),
    ],
    records: Records::Paged("rooms"),
    columns: &[
        ("city_id", At("/city/id")),
        ("city", At("/city/name")),
        ("center_id", At("/center/id")),
        ("center", At("/center/name")),
        ("room_id", At("/id")),
        ("room", At("/name")),
        ("room_en", At("/nameEn")),
        ("category", At("/category")),
        ("capacity_min", At("/capacity/min")),
        ("capacity_max", At("/capacity/max")),
        ("capacity_qualifier", At("/capacity/qualifier")),
        ("equipment", Join("/equipment", "name")),
        ("equipment_tags", Join("/equipment", "tag")),
        ("uses", Join("/uses", "")),
        ("free_of_charge", At("/freeOfCharge")),
        ("terms", Join("/terms", "kind")),
        ("audiences", Join("/audiences", "group")),
        ("floor", At("/floor")),
        ("address", At("/address")),
        ("outdoor", At("/outdoor")),
        ("open_24h", At("/open24h")),
        ("sources", Join("/citations", "source")),
    ],
};

const CENTERS: Table = Table {
    name: "centers",
    query: "query($cities: [ID!], $filter: CenterFilter, $after: String) {
  centers(cities: $cities, filter: $filter, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name nameEn address addressEn floorArea { value qualifier unit } roomCount
      openingHours { season days opens closes open24h } serviceItems freeOfCharge
      contacts { name phone } transit
      city { id name } circle { id }
      citations { source { file } }
    }
  }
}",
    filters: &[
        ("floorAreaMin", Kind::Float),
        ("floorAreaMax", Kind::Float),
        ("roomCategories", Kind::Codes),
        ("openAt", Kind::Moment),
        ("equipment", Kind::Codes),
        ("text", Kind::Text),
        ("freeOfCharge", Kind::Bool),
        ("audience", Kind::Text),
    ],
    records: Records::Paged("centers"),
    columns: &[
        ("city_id", At("/city/id")),
        ("city", At("/city/name")),
        ("center_id", At("/id")),
        ("center", At("/name")),
        ("center_en", At("/nameEn")),
        ("circle_id", At("/circle/id")),
        ("address", At("/address")),
        ("address_en", At("/addressEn")),
        ("floor_area_value", Q("/floorArea", Part::Value)),
        ("floor_area_qualifier", Q("/floorArea", Part::Qualifier)),
        ("floor_area_unit", Q("/floorArea", Part::Unit)),
        ("rooms", At("/roomCount")),
        ("opening_hours", Hours("/openingHours")),
        ("service_items", Join("/serviceItems", "")),
        ("free_of_charge", At("/freeOfCharge")),
        ("contacts", Join("/contacts", "phone")),
        ("transit", At("/transit")),
        ("sources", Join("/citations", "source")),
    ],
};

const CIRCLES: Table = Table {
    name: "circles",
    query: "query {
  cities {
    id name
    serviceCircles {
      id name nameEn minutes travelMode
      communities { count { value qualifier unit } names }
      residentialAreas { count { value qualifier unit } }
      villages { count { value qualifier unit } }
      population { value qualifier unit }
      serviceItems { count { value qualifier unit } }
      serviceCategories { count { value qualifier unit } }
      centers { id }
    }
  }
}",
    filters: &[],
    records: Records::List("cities"),
    columns: &[
        ("city_id", At("/city/id")),
        ("city", At("/city/name")),
        ("circle_id", At("/id")),
        ("circle", At("/name")),
        ("circle_en", At("/nameEn")),
        ("minutes", At("/minutes")),
        ("travel_mode", At("/travelMode")),
        ("communities_value", Q("/communities/count", Part::Value)),
        (
            "communities_qualifier",
            Q("/communities/count", Part::Qualifier),
        ),
        ("communities_unit", Q("/communities/count", Part::Unit)),
        ("community_names", Join("/communities/names", "")),
        (
            "residential_areas_value",
            Q("/residentialAreas/count", Part::Value),
        ),
        (
            "residential_areas_qualifier",
            Q("/residentialAreas/count", Part::Qualifier),
        ),
        ("villages_value", Q("/villages/count", Part::Value)),
        ("villages_qualifier", Q("/villages/count", Part::Qualifier)),
        ("population_value", Q("/population", Part::Value)),
        ("population_qualifier", Q("/population", Part::Qualifier)),
        ("population_unit", Q("/population", Part::Unit)),
        ("service_items_value", Q("/serviceItems/count", Part::Value)),
        (
            "service_items_qualifier",
            Q("/serviceItems/count", Part::Qualifier),
        ),
        (
            "service_categories_value",
            Q("/serviceCategories/count", Part::Value),
        ),
        ("centers", Join("/centers", "id")),
    ],
};

const COMPARE: Table = Table {
    name: "compare",
    query: "query($cities: [ID!]) {
  compare(cities: $cities) {
    cityId centers rooms
    floorArea { total { value qualifier unit } counted missing }
    capacity { min max roomsWithCapacity roomsWithoutCapacity }
    categoriesPresent roomsWithoutEquipment
    openingHours { season centers centersWithoutHours weeklyHoursTotal }
    perCapita {
      population { total { value qualifier unit } counted missing }
      floorAreaPer1000Residents { value exact qualifier }
      seatsPer1000Residents { value exact qualifier }
    }
    offer { roomsFreeOfCharge roomsCharging roomsWithoutTerms roomsWithAudience organisations }
  }
}",
    filters: &[],
    records: Records::List("compare"),
    columns: &[
        ("city_id", At("/cityId")),
        ("centers", At("/centers")),
        ("rooms", At("/rooms")),
        ("floor_area_value", Q("/floorArea/total", Part::Value)),
        (
            "floor_area_qualifier",
            Q("/floorArea/total", Part::Qualifier),
        ),
        ("floor_area_unit", Q("/floorArea/total", Part::Unit)),
        ("floor_area_counted", At("/floorArea/counted")),
        ("floor_area_missing", At("/floorArea/missing")),
        ("capacity_min", At("/capacity/min")),
        ("capacity_max", At("/capacity/max")),
        ("rooms_with_capacity", At("/capacity/roomsWithCapacity")),
        (
            "rooms_without_capacity",
            At("/capacity/roomsWithoutCapacity"),
        ),
        ("categories_present", Join("/categoriesPresent", "")),
        ("rooms_without_equipment", At("/roomsWithoutEquipment")),
        ("summer_centers_with_hours", At("/openingHours/0/centers")),
        (
            "summer_weekly_hours_total",
            At("/openingHours/0/weeklyHoursTotal"),
        ),
        ("winter_centers_with_hours", At("/openingHours/1/centers")),
        (
            "winter_weekly_hours_total",
            At("/openingHours/1/weeklyHoursTotal"),
        ),
        (
            "population_value",
            Q("/perCapita/population/total", Part::Value),
        ),
        (
            "population_qualifier",
            Q("/perCapita/population/total", Part::Qualifier),
        ),
        (
            "population_unit",
            Q("/perCapita/population/total", Part::Unit),
        ),
        (
            "floor_area_per_1000_residents",
            At("/perCapita/floorAreaPer1000Residents/value"),
        ),
        (
            "floor_area_per_1000_residents_exact",
            At("/perCapita/floorAreaPer1000Residents/exact"),
        ),
        (
            "floor_area_per_1000_residents_qualifier",
            At("/perCapita/floorAreaPer1000Residents/qualifier"),
        ),
        (
            "seats_per_1000_residents",
            At("/perCapita/seatsPer1000Residents/value"),
        ),
        (
            "seats_per_1000_residents_exact",
            At("/perCapita/seatsPer1000Residents/exact"),
        ),
        (
            "seats_per_1000_residents_qualifier",
            At("/perCapita/seatsPer1000Residents/qualifier"),
        ),
        ("rooms_free_of_charge", At("/offer/roomsFreeOfCharge")),
        ("rooms_charging", At("/offer/roomsCharging")),
        ("rooms_without_terms", At("/offer/roomsWithoutTerms")),
        ("rooms_with_audience", At("/offer/roomsWithAudience")),
        ("organisations", At("/offer/organisations")),
    ],
};

const ALL: [&Table; 4] = [&ROOMS, &CENTERS, &CIRCLES, &COMPARE];

/// A file asked for: its table, format, cities and filter.
#[derive(Debug, Clone)]
pub struct Request {
    table: &'static Table,
    pub format: Format,
    cities: Option<Vec<String>>,
    filter: Map<String, Value>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Request {
    /// The file `file` (`rooms.csv`) with `params` (`cities=korla,taiyuan`, the filter's
    /// fields as GraphQL names them, `bom=true` for CSV).
    pub fn parse(file: &str, params: &[(String, String)]) -> Result<Self, ExportError> {
        let (name, extension) = file.rsplit_once('.').unwrap_or((file, ""));
        let table = ALL.into_iter().find(|t| t.name == name).ok_or_else(|| {
            ExportError::Bad(format!(
                "no export `{file}`: the files are {} (each .csv or .ndjson)",
                TABLES.join(", ")
            ))
        })?;
        let mut bom = false;
        let mut cities = None;
        let mut filter = Map::new();
        for (key, text) in params {
            match key.as_str() {
                "bom" => bom = boolean(key, text)?,
                "cities" => {
                    cities = Some(
                        text.split(',')
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    )
                }
                _ => {
                    let (field, kind) =
                        table
                            .filters
                            .iter()
                            .find(|(f, _)| f == key)
                            .ok_or_else(|| {
                                let known: Vec<&str> = ["cities"]
                                    .into_iter()
                                    .chain(table.filters.iter().map(|(f, _)| *f))
                                    .chain(["bom"])
                                    .collect();
                                ExportError::Bad(format!(
                                    "`{key}` is not a parameter of {name} (known: {})",
                                    known.join(", ")
                                ))
                            })?;
                    filter.insert((*field).to_owned(), value(key, *kind, text)?);
                }
            }
        }
        let format = match extension {
            "csv" => Format::Csv { bom },
            "ndjson" if !bom => Format::Ndjson,
            "ndjson" => return Err(ExportError::Bad("`bom` is for CSV files".to_owned())),
            _ => {
                return Err(ExportError::Bad(format!(
                    "no export `{file}`: ask for {name}.csv or {name}.ndjson"
                )));
            }
        };
        Ok(Self {
            table,
            format,
            cities,
            filter,
        })
    }

    /// The file's name (`rooms.csv`).
    pub fn file_name(&self) -> String {
        let extension = match self.format {
            Format::Csv { .. } => "csv",
            Format::Ndjson => "ndjson",
        };
        format!("{}.{extension}", self.table.name)
    }
}

fn boolean(key: &str, text: &str) -> Result<bool, ExportError> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ExportError::Bad(format!(
            "`{key}` must be true or false, not `{text}`"
        ))),
    }
}

fn value(key: &str, kind: Kind, text: &str) -> Result<Value, ExportError> {
    let bad = |what: &str| ExportError::Bad(format!("`{key}` must be {what}, not `{text}`"));
    Ok(match kind {
        Kind::Int => json!(text.parse::<i64>().map_err(|_| bad("a whole number"))?),
        Kind::Float => json!(text.parse::<f64>().map_err(|_| bad("a number"))?),
        Kind::Bool => json!(boolean(key, text)?),
        Kind::Text => json!(text),
        Kind::Codes => json!(
            text.split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        ),
        Kind::Moment => match text.split(',').map(str::trim).collect::<Vec<_>>()[..] {
            [season, weekday, time] => {
                json!({ "season": season, "weekday": weekday, "time": time })
            }
            [season, weekday, time, "named"] => json!({
                "season": season, "weekday": weekday, "time": time, "requireNamedDays": true
            }),
            _ => {
                return Err(bad(
                    "SEASON,WEEKDAY,HH:MM (and `,named` to count only lines naming the day)",
                ));
            }
        },
    })
}

/// Runs `request` against `schema`, every page, and writes the file.
pub async fn export(schema: &DangqunSchema, request: &Request) -> Result<Vec<u8>, ExportError> {
    let table = request.table;
    let mut records: Vec<Value> = Vec::new();
    let mut after = Value::Null;
    loop {
        let mut variables = Map::new();
        if table.query.contains("$cities") {
            variables.insert("cities".into(), json!(request.cities));
        }
        if table.query.contains("$filter") {
            variables.insert("filter".into(), Value::Object(request.filter.clone()));
        }
        if table.query.contains("$after") {
            variables.insert("after".into(), after.clone());
        }
        let graphql_request = async_graphql::Request::new(table.query).variables(
            async_graphql::Variables::from_json(Value::Object(variables)),
        );
        let executed = graphql::execute(schema, graphql_request).await;
        let answer: Value = serde_json::from_slice(&executed.to_json())
            .map_err(|_| ExportError::Unavailable("the service could not answer".to_owned()))?;
        if let Some(errors) = answer["errors"].as_array() {
            let messages: Vec<&str> = errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect();
            let unavailable = errors
                .iter()
                .any(|e| e["extensions"]["code"] == "DISTRICT_UNAVAILABLE");
            let message = messages.join("; ");
            return Err(if unavailable {
                ExportError::Unavailable(message)
            } else {
                ExportError::Bad(message)
            });
        }
        match table.records {
            Records::Paged(field) => {
                let list = &answer["data"][field];
                records.extend(list["nodes"].as_array().cloned().unwrap_or_default());
                if list["pageInfo"]["hasNextPage"] != true {
                    break;
                }
                after = list["pageInfo"]["endCursor"].clone();
            }
            Records::List("cities") => {
                // Circles, city by city; only the cities asked for.
                let cities = answer["data"]["cities"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if let Some(wanted) = &request.cities
                    && let Some(unknown) = wanted
                        .iter()
                        .find(|w| !cities.iter().any(|c| c["id"] == w.as_str()))
                {
                    return Err(ExportError::Bad(format!(
                        "`cities`: no city `{unknown}` is served here"
                    )));
                }
                for city in cities.iter().filter(|c| {
                    request
                        .cities
                        .as_ref()
                        .is_none_or(|w| w.iter().any(|w| c["id"] == w.as_str()))
                }) {
                    for circle in city["serviceCircles"].as_array().into_iter().flatten() {
                        let mut circle = circle.clone();
                        circle["city"] = json!({ "id": city["id"], "name": city["name"] });
                        records.push(circle);
                    }
                }
                break;
            }
            Records::List(field) => {
                records.extend(
                    answer["data"][field]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                );
                break;
            }
        }
    }
    let rows: Vec<Vec<Value>> = records
        .iter()
        .map(|r| table.columns.iter().map(|(_, c)| cell(r, *c)).collect())
        .collect();
    Ok(match request.format {
        Format::Csv { bom } => csv(table, &rows, bom),
        Format::Ndjson => ndjson(table, &rows),
    })
}

fn cell(record: &Value, column: Column) -> Value {
    let at = |pointer: &str| record.pointer(pointer).cloned().unwrap_or(Value::Null);
    match column {
        Column::At(pointer) => at(pointer),
        Column::Join(pointer, field) => {
            let items: Vec<String> = at(pointer)
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    let v = if field.is_empty() { item } else { &item[field] };
                    match v {
                        Value::String(s) => Some(s.clone()),
                        // A citation's source: its file.
                        Value::Object(o) => {
                            o.get("file").and_then(Value::as_str).map(str::to_owned)
                        }
                        Value::Null => None,
                        other => Some(other.to_string()),
                    }
                })
                .fold(Vec::new(), |mut seen, item| {
                    if !seen.contains(&item) {
                        seen.push(item);
                    }
                    seen
                });
            if items.is_empty() {
                Value::Null
            } else {
                Value::String(items.join("; "))
            }
        }
        Column::Quantity(pointer, part) => {
            let q = at(pointer);
            match part {
                Part::Value => q["value"].clone(),
                Part::Qualifier => q["qualifier"].clone(),
                Part::Unit => q["unit"].clone(),
            }
        }
        Column::Hours(pointer) => {
            let lines: Vec<String> = at(pointer)
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| {
                    let days = h["days"]
                        .as_array()
                        .map(|d| {
                            d.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_else(|| "DAYS_UNSTATED".to_owned());
                    let time = if h["open24h"] == true {
                        "24h".to_owned()
                    } else {
                        format!(
                            "{}-{}",
                            h["opens"].as_str().unwrap_or(""),
                            h["closes"].as_str().unwrap_or("")
                        )
                    };
                    format!("{} {days} {time}", h["season"].as_str().unwrap_or(""))
                })
                .collect();
            if lines.is_empty() {
                Value::Null
            } else {
                Value::String(lines.join("; "))
            }
        }
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180); unknown is
/// empty.
fn field(value: &Value) -> String {
    let text = match value {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        // A whole number as one (60000, not 60000.0); others as JSON writes them.
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(table: &Table, rows: &[Vec<Value>], bom: bool) -> Vec<u8> {
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    let header: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(field).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// One object per line, its keys in the columns' order.
fn ndjson(table: &Table, rows: &[Vec<Value>]) -> Vec<u8> {
    let mut out = String::new();
    for row in rows {
        out.push('{');
        for (i, ((name, _), v)) in table.columns.iter().zip(row).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::String((*name).to_owned()).to_string());
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push_str("}\n");
    }
    out.into_bytes()
}

/// Each table's columns, for README and `--help`.
pub fn columns(table: &str) -> Vec<&'static str> {
    ALL.into_iter()
        .find(|t| t.name == table)
        .map(|t| t.columns.iter().map(|(name, _)| *name).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn files_and_parameters_are_checked() {
        let r = Request::parse(
            "rooms.csv",
            &params(&[
                ("cities", "korla,taiyuan"),
                ("categories", "READING,LEGAL_AID"),
                ("minCapacity", "30"),
                ("freeOfCharge", "true"),
                ("bom", "1"),
            ]),
        )
        .expect("valid");
        assert_eq!(r.format, Format::Csv { bom: true });
        assert_eq!(
            r.cities,
            Some(vec!["korla".to_owned(), "taiyuan".to_owned()])
        );
        assert_eq!(
            Value::Object(r.filter),
            json!({ "categories": ["READING", "LEGAL_AID"], "minCapacity": 30, "freeOfCharge": true })
        );
        let bad = |file: &str, list: &[(&str, &str)]| {
            Request::parse(file, &params(list)).expect_err("refused")
        };
        assert_eq!(
            bad("halls.csv", &[]),
            ExportError::Bad(
                "no export `halls.csv`: the files are rooms, centers, circles, compare (each .csv or .ndjson)"
                    .to_owned()
            )
        );
        assert_eq!(
            bad("rooms.xlsx", &[]),
            ExportError::Bad(
                "no export `rooms.xlsx`: ask for rooms.csv or rooms.ndjson".to_owned()
            )
        );
        assert_eq!(
            bad("rooms.csv", &[("minCapacity", "many")]),
            ExportError::Bad("`minCapacity` must be a whole number, not `many`".to_owned())
        );
        assert_eq!(
            bad("circles.csv", &[("minCapacity", "3")]),
            ExportError::Bad(
                "`minCapacity` is not a parameter of circles (known: cities, bom)".to_owned()
            )
        );
        assert_eq!(
            bad("rooms.ndjson", &[("bom", "true")]),
            ExportError::Bad("`bom` is for CSV files".to_owned())
        );
    }

    #[test]
    fn csv_quotes_what_it_must_and_leaves_unknown_empty() {
        assert_eq!(field(&json!("a,b")), "\"a,b\"");
        assert_eq!(field(&json!("说\"好\"")), "\"说\"\"好\"\"\"");
        assert_eq!(field(&json!("two\nlines")), "\"two\nlines\"");
        assert_eq!(field(&json!(null)), "");
        assert_eq!(field(&json!(4000.0)), "4000");
        assert_eq!(field(&json!(33.3)), "33.3");
        assert_eq!(field(&json!(true)), "true");
        assert_eq!(field(&json!("plain")), "plain");
    }
}
