//! The four benchmark queries, as each kind of server is asked them, and how an answer becomes
//! comparable: every server's answer is turned into the same plain rows (numbers as numbers,
//! cities sorted by id) and must equal the floor's before anything is timed.

use serde_json::{Value, json};

/// The kinds of server measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dangqun,
    PostGraphile,
    Floor,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dangqun" => Some(Self::Dangqun),
            "postgraphile" => Some(Self::PostGraphile),
            "floor" => Some(Self::Floor),
            _ => None,
        }
    }
}

/// A benchmark query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// (a) cities → centers (first 100) → rooms → equipment.
    Deep,
    /// (b) rooms of two categories holding at least 20, first 50 by capacity, with the center.
    Flat,
    /// (c) per-city aggregates.
    Compare,
    /// (d) one room by id.
    Room,
}

pub const QUERIES: [Query; 4] = [Query::Deep, Query::Flat, Query::Compare, Query::Room];

impl Query {
    pub fn name(self) -> &'static str {
        match self {
            Self::Deep => "deep",
            Self::Flat => "flat",
            Self::Compare => "compare",
            Self::Room => "room",
        }
    }

    /// The GraphQL text for a server of `kind` (the floor takes no GraphQL: `None`).
    pub fn graphql(self, kind: Kind, room_id: &str) -> Option<String> {
        let text = match (kind, self) {
            (Kind::Floor, _) => return None,
            (Kind::Dangqun, Self::Deep) => "{ cities { id name centers(first: 100) { nodes { id name rooms { id name equipment { name tag } } } } } }".to_owned(),
            (Kind::PostGraphile, Self::Deep) => "{ allCities { nodes { rowId name centersByCityId(first: 100, orderBy: ORD_ASC) { nodes { rowId name roomsByCenterId(orderBy: ORD_ASC) { nodes { rowId name roomEquipmentsByRoomId(orderBy: ORD_ASC) { nodes { name tag } } } } } } } } }".to_owned(),
            (Kind::Dangqun, Self::Flat) => "{ rooms(filter: { categories: [CULTURE_ARTS, MULTIPURPOSE], minCapacity: 20 }, orderBy: { by: CAPACITY, direction: DESC }, first: 50) { nodes { id name capacity { min max } center { name } } } }".to_owned(),
            (Kind::PostGraphile, Self::Flat) => "{ roomsByCapacity(categories: [\"CULTURE_ARTS\", \"MULTIPURPOSE\"], minCapacity: \"20\", first: 50) { nodes { rowId name capacityMin capacityMax centerByCenterId { name } } } }".to_owned(),
            (Kind::Dangqun, Self::Compare) => "{ compare { cityId centers rooms floorArea { total { value } missing } categories { category rooms } } }".to_owned(),
            (Kind::PostGraphile, Self::Compare) => "{ allCities { nodes { rowId centersByCityId { totalCount aggregates { sum { floorAreaValue } } } unstated: centersByCityId(condition: { floorAreaValue: null }) { totalCount } roomsByCityId { totalCount groupedAggregates(groupBy: CATEGORY) { keys distinctCount { rowId } } } } } }".to_owned(),
            (Kind::Dangqun, Self::Room) => format!("{{ room(id: \"{room_id}\") {{ id name capacity {{ min max }} center {{ name }} }} }}"),
            (Kind::PostGraphile, Self::Room) => format!("{{ roomByRowId(rowId: \"{room_id}\") {{ rowId name capacityMin capacityMax centerByCenterId {{ name }} }} }}"),
        };
        Some(text)
    }

    /// The floor's path for this query.
    pub fn floor_path(self, room_id: &str) -> String {
        match self {
            Self::Room => format!("/{}?id={room_id}", self.name()),
            _ => format!("/{}", self.name()),
        }
    }

    /// The rows an answer of a server of `kind` holds, comparable across kinds.
    pub fn rows(self, kind: Kind, answer: &Value) -> Value {
        let data = &answer["data"];
        match (kind, self) {
            (Kind::PostGraphile, Self::Deep) => by_city(
                list(&data["allCities"]["nodes"])
                    .map(|c| {
                        json!({
                            "id": c["rowId"], "name": c["name"],
                            "centers": list(&c["centersByCityId"]["nodes"]).map(|ce| json!({
                                "id": ce["rowId"], "name": ce["name"],
                                "rooms": list(&ce["roomsByCenterId"]["nodes"]).map(|r| json!({
                                    "id": r["rowId"], "name": r["name"],
                                    "equipment": list(&r["roomEquipmentsByRoomId"]["nodes"]).map(|e| json!([e["name"], e["tag"]])).collect::<Vec<_>>(),
                                })).collect::<Vec<_>>(),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect(),
            ),
            (_, Self::Deep) => by_city(
                list(&data["cities"])
                    .map(|c| {
                        json!({
                            "id": c["id"], "name": c["name"],
                            "centers": list(&c["centers"]["nodes"]).map(|ce| json!({
                                "id": ce["id"], "name": ce["name"],
                                "rooms": list(&ce["rooms"]).map(|r| json!({
                                    "id": r["id"], "name": r["name"],
                                    "equipment": list(&r["equipment"]).map(|e| json!([e["name"], e["tag"]])).collect::<Vec<_>>(),
                                })).collect::<Vec<_>>(),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect(),
            ),
            (Kind::PostGraphile, Self::Flat) => Value::Array(
                list(&data["roomsByCapacity"]["nodes"])
                    .map(|r| {
                        json!([r["rowId"], r["name"], number(&r["capacityMin"]), number(&r["capacityMax"]), r["centerByCenterId"]["name"]])
                    })
                    .collect(),
            ),
            (_, Self::Flat) => Value::Array(
                list(&data["rooms"]["nodes"])
                    .map(|r| {
                        json!([r["id"], r["name"], number(&r["capacity"]["min"]), number(&r["capacity"]["max"]), r["center"]["name"]])
                    })
                    .collect(),
            ),
            (Kind::PostGraphile, Self::Compare) => by_city(
                list(&data["allCities"]["nodes"])
                    .map(|c| {
                        let mut categories: Vec<Value> = list(&c["roomsByCityId"]["groupedAggregates"])
                            .map(|g| json!([g["keys"][0], number(&g["distinctCount"]["rowId"])]))
                            .collect();
                        categories.sort_by_key(|c| c[0].to_string());
                        json!({
                            "id": c["rowId"],
                            "centers": number(&c["centersByCityId"]["totalCount"]),
                            "rooms": number(&c["roomsByCityId"]["totalCount"]),
                            "areaTotal": number(&c["centersByCityId"]["aggregates"]["sum"]["floorAreaValue"]),
                            "areaMissing": number(&c["unstated"]["totalCount"]),
                            "categories": categories,
                        })
                    })
                    .collect(),
            ),
            (_, Self::Compare) => by_city(
                list(&data["compare"])
                    .map(|c| {
                        let mut categories: Vec<Value> = list(&c["categories"])
                            .filter(|g| number(&g["rooms"]) != json!(0.0))
                            .map(|g| json!([g["category"], number(&g["rooms"])]))
                            .collect();
                        categories.sort_by_key(|c| c[0].to_string());
                        json!({
                            "id": c["cityId"],
                            "centers": number(&c["centers"]),
                            "rooms": number(&c["rooms"]),
                            "areaTotal": number(&c["floorArea"]["total"]["value"]),
                            "areaMissing": number(&c["floorArea"]["missing"]),
                            "categories": categories,
                        })
                    })
                    .collect(),
            ),
            (Kind::PostGraphile, Self::Room) => {
                let r = &data["roomByRowId"];
                json!([r["rowId"], r["name"], number(&r["capacityMin"]), number(&r["capacityMax"]), r["centerByCenterId"]["name"]])
            }
            (_, Self::Room) => {
                let r = &data["room"];
                json!([r["id"], r["name"], number(&r["capacity"]["min"]), number(&r["capacity"]["max"]), r["center"]["name"]])
            }
        }
    }
}

fn list(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// A number as a float, whether it came as a number or as a string (PostGraphile's BigInt).
fn number(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64()),
        Value::String(s) => s.parse::<f64>().map_or(Value::Null, |f| json!(f)),
        _ => Value::Null,
    }
}

fn by_city(mut cities: Vec<Value>) -> Value {
    cities.sort_by_key(|c| c["id"].as_str().unwrap_or_default().to_owned());
    Value::Array(cities)
}
