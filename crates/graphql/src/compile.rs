//! Plain trees of lists, answered in one statement per database.
//!
//! A query that only walks cities, their centers, rooms, equipment, uses and circles, and reads
//! their plain fields (`{ cities { name centers(first: 100) { nodes { name rooms { name
//! equipment { name tag } } } } } }`), does not need a resolver per field: [`plan`] turns it
//! into a [`store::Tree`] per root field, each database builds the JSON of all its cities in one
//! statement (`store::tree`), and [`run`] puts the cities' JSON in the service's order. The
//! answer is the same, byte for byte, as the one the resolvers give (tested in
//! `tests/e2e/compiled.rs` against a server that compiles nothing); it costs one statement per
//! database instead of one per level, table and database, and no work per field.
//!
//! Anything else — an argument other than a connection's literal `first`, a filter, an order,
//! a cursor, edges, citations, quantities, variables, fragments, directives, a field this
//! module does not know — makes [`plan`] return `None`, and the request runs through the
//! resolvers, which validate it and answer everything the schema has. A document [`plan`]
//! accepts is valid by construction: it names only fields of the right types, with their
//! selections and arguments.

use crate::{Districts, error};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{PathSegment, Pos, ServerError, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::{Relation, Scalar, StoreError, Tree};

/// Objects with more fields than this are left to the resolvers (a function call takes at most
/// 100 arguments on PostgreSQL, two per field).
const MAX_FIELDS: usize = 40;
/// A connection's page when `first` is not given, and the most it may ask (as `connection`).
const DEFAULT_FIRST: i64 = 20;
const MAX_FIRST: i64 = 100;

/// What a request's operation compiles to: its root fields in selection order.
#[derive(Debug)]
pub(crate) struct Plan {
    roots: Vec<Root>,
}

#[derive(Debug)]
struct Root {
    key: String,
    pos: Pos,
    field: RootField,
}

#[derive(Debug)]
enum RootField {
    /// `__typename` on `Query`.
    Typename,
    /// `cities`: every city, each built by the tree.
    Cities(Tree),
    /// `city(id:)` of a city the service has (at this position of the districts).
    City(usize, Tree),
}

/// The object types a plain tree walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    City,
    Center,
    Room,
    Equipment,
    Circle,
    Capacity,
}

impl Type {
    fn name(self) -> &'static str {
        match self {
            Self::City => "City",
            Self::Center => "ServiceCenter",
            Self::Room => "FunctionRoom",
            Self::Equipment => "EquipmentItem",
            Self::Circle => "ServiceCircle",
            Self::Capacity => "Capacity",
        }
    }
}

/// The plan for `operation`, if it is a plain tree (see the module's documentation).
pub(crate) fn plan(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    districts: &Districts,
) -> Option<Plan> {
    if operation.ty != OperationType::Query
        || !operation.variable_definitions.is_empty()
        || !operation.directives.is_empty()
        || !document.fragments.is_empty()
    {
        return None;
    }
    let mut roots: Vec<Root> = Vec::new();
    for selection in &operation.selection_set.node.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let pos = field.pos;
        let field = &field.node;
        let key = field.response_key().node.to_string();
        if !field.directives.is_empty() || roots.iter().any(|r| r.key == key) {
            return None;
        }
        let root = match field.name.node.as_str() {
            "__typename" => {
                leaf(field)?;
                RootField::Typename
            }
            "cities" if field.arguments.is_empty() => {
                RootField::Cities(Tree::Object(object(Type::City, selections(field)?)?))
            }
            "city" => {
                let [(name, value)] = field.arguments.as_slice() else {
                    return None;
                };
                let (true, Value::String(id)) =
                    (name.node == "id", value.node.clone().into_const()?)
                else {
                    return None;
                };
                let index = districts.index_of(&id)?;
                RootField::City(index, Tree::Object(object(Type::City, selections(field)?)?))
            }
            _ => return None,
        };
        roots.push(Root {
            key,
            pos,
            field: root,
        });
    }
    Some(Plan { roots })
}

/// The selection set of an object field: present, and the field has no arguments.
fn selections(field: &Field) -> Option<&SelectionSet> {
    let set = &field.selection_set.node;
    (!set.items.is_empty()).then_some(set)
}

/// A leaf: no arguments, no selection.
fn leaf(field: &Field) -> Option<()> {
    (field.arguments.is_empty() && field.selection_set.node.items.is_empty()).then_some(())
}

fn column(field: &Field, name: &'static str, scalar: Scalar) -> Option<Tree> {
    leaf(field)?;
    Some(Tree::Column(name, scalar))
}

/// A list of objects of `item` under the current row.
fn list(field: &Field, of: Relation, item: Type) -> Option<Tree> {
    if !field.arguments.is_empty() {
        return None;
    }
    Some(Tree::List {
        of,
        first: None,
        item: Box::new(Tree::Object(object(item, selections(field)?)?)),
    })
}

/// A list of one column of the children.
fn strings(field: &Field, of: Relation, name: &'static str) -> Option<Tree> {
    leaf(field)?;
    Some(Tree::List {
        of,
        first: None,
        item: Box::new(Tree::Column(name, Scalar::Text)),
    })
}

/// A connection with only a literal `first`, asked for its `nodes` and `totalCount`.
fn connection(field: &Field, of: Relation, item: Type, type_name: &str) -> Option<Tree> {
    let mut first = DEFAULT_FIRST;
    for (name, value) in &field.arguments {
        match (name.node.as_str(), value.node.clone().into_const()?) {
            ("first", Value::Number(n)) => first = n.as_i64()?,
            _ => return None,
        }
    }
    if !(0..=MAX_FIRST).contains(&first) {
        return None;
    }
    let mut fields: Vec<(String, Tree)> = Vec::new();
    for selection in &selections(field)?.items {
        let Selection::Field(sub) = &selection.node else {
            return None;
        };
        let sub = &sub.node;
        let key = sub.response_key().node.to_string();
        if !sub.directives.is_empty() || fields.iter().any(|(k, _)| *k == key) {
            return None;
        }
        let value = match sub.name.node.as_str() {
            "__typename" => {
                leaf(sub)?;
                Tree::Text(type_name.to_owned())
            }
            "totalCount" => {
                leaf(sub)?;
                Tree::Count(of)
            }
            "nodes" if sub.arguments.is_empty() => Tree::List {
                of,
                first: Some(first),
                item: Box::new(Tree::Object(object(item, selections(sub)?)?)),
            },
            _ => return None,
        };
        fields.push((key, value));
    }
    Some(Tree::Object(fields))
}

/// The fields of an object of type `ty`, in selection order, each keyed by its response key.
fn object(ty: Type, set: &SelectionSet) -> Option<Vec<(String, Tree)>> {
    let mut fields: Vec<(String, Tree)> = Vec::new();
    for selection in &set.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let field = &field.node;
        let key = field.response_key().node.to_string();
        if !field.directives.is_empty() || fields.iter().any(|(k, _)| *k == key) {
            return None;
        }
        let value = match field.name.node.as_str() {
            "__typename" => {
                leaf(field)?;
                Tree::Text(ty.name().to_owned())
            }
            name => self::field(ty, name, field)?,
        };
        fields.push((key, value));
    }
    (fields.len() <= MAX_FIELDS).then_some(fields)
}

/// One field of `ty` (not `__typename`).
fn field(ty: Type, name: &str, field: &Field) -> Option<Tree> {
    use Scalar::{Bool, Int, Text};
    match (ty, name) {
        (_, "id") if ty != Type::Equipment && ty != Type::Capacity => column(field, "id", Text),
        (Type::City | Type::Center | Type::Room | Type::Circle | Type::Equipment, "name") => {
            column(field, "name", Text)
        }
        (Type::City | Type::Center | Type::Room | Type::Circle, "nameEn") => {
            column(field, "name_en", Text)
        }
        (Type::City, "province") => column(field, "province", Text),
        (Type::City, "provinceEn") => column(field, "province_en", Text),
        (Type::City, "area") => column(field, "area", Text),
        (Type::City, "areaEn") => column(field, "area_en", Text),
        (Type::City, "serviceCircles") => list(field, Relation::CityCircles, Type::Circle),
        (Type::City, "centers") => connection(
            field,
            Relation::CityCenters,
            Type::Center,
            "CenterConnection",
        ),
        (Type::City, "rooms") => {
            connection(field, Relation::CityRooms, Type::Room, "RoomConnection")
        }
        (Type::Center | Type::Room, "address") => column(field, "address", Text),
        (Type::Center, "addressEn") => column(field, "address_en", Text),
        (Type::Center, "transit") => column(field, "transit", Text),
        (Type::Center, "transitEn") => column(field, "transit_en", Text),
        (Type::Center | Type::Room | Type::Circle, "note") => column(field, "note", Text),
        (Type::Center, "rooms") => list(field, Relation::CenterRooms, Type::Room),
        (Type::Center, "roomCount") => {
            leaf(field)?;
            Some(Tree::Count(Relation::CenterRooms))
        }
        (Type::Center, "serviceItems") => strings(field, Relation::CenterServiceItems, "item"),
        (Type::Room, "category") => column(field, "category", Text),
        (Type::Room, "description") => column(field, "description", Text),
        (Type::Room, "floor") => column(field, "floor", Text),
        (Type::Room, "outdoor") => column(field, "outdoor", Bool),
        (Type::Room, "open24h") => column(field, "open_24h", Bool),
        (Type::Room, "capacity") => {
            if !field.arguments.is_empty() {
                return None;
            }
            Some(Tree::ObjectUnlessNull(
                &["capacity_min", "capacity_max"],
                object(Type::Capacity, selections(field)?)?,
            ))
        }
        (Type::Room, "equipment") => list(field, Relation::RoomEquipment, Type::Equipment),
        (Type::Room, "uses") => strings(field, Relation::RoomUses, "use_text"),
        (Type::Equipment, "tag") => column(field, "tag", Text),
        (Type::Circle, "walkingMinutes") => column(field, "walking_minutes", Int),
        (Type::Circle, "centers") => list(field, Relation::CircleCenters, Type::Center),
        (Type::Capacity, "min") => column(field, "capacity_min", Int),
        (Type::Capacity, "max") => column(field, "capacity_max", Int),
        _ => None,
    }
}

/// Runs `plan`: each root field's tree in one statement per database, the databases at once.
/// Gives the JSON of `data` and the errors of the cities whose database failed (each such city
/// is `null`, as the resolvers leave it).
pub(crate) async fn run(plan: &Plan, districts: &Districts) -> (Vec<u8>, Vec<ServerError>) {
    let mut data = Vec::with_capacity(1024);
    let mut errors = Vec::new();
    data.push(b'{');
    for (n, root) in plan.roots.iter().enumerate() {
        if n > 0 {
            data.push(b',');
        }
        write_string(&mut data, &root.key);
        data.push(b':');
        match &root.field {
            RootField::Typename => write_string(&mut data, "Query"),
            RootField::Cities(tree) => {
                let all: Vec<usize> = (0..districts.list().len()).collect();
                let mut answers = built(districts, tree, &all).await;
                data.push(b'[');
                for i in all {
                    if i > 0 {
                        data.push(b',');
                    }
                    let path = vec![PathSegment::Field(root.key.clone()), PathSegment::Index(i)];
                    city(&mut data, &mut errors, answers.remove(&i), root.pos, path);
                }
                data.push(b']');
            }
            RootField::City(index, tree) => {
                let mut answers = built(districts, tree, &[*index]).await;
                let path = vec![PathSegment::Field(root.key.clone())];
                city(
                    &mut data,
                    &mut errors,
                    answers.remove(index),
                    root.pos,
                    path,
                );
            }
        }
    }
    data.push(b'}');
    (data, errors)
}

/// What a city's database answered: its JSON (`None` when it holds no row of the city), or why
/// it could not.
type Answer = Result<Option<String>, Arc<StoreError>>;

fn city(
    data: &mut Vec<u8>,
    errors: &mut Vec<ServerError>,
    answer: Option<Answer>,
    pos: Pos,
    path: Vec<PathSegment>,
) {
    match answer {
        Some(Ok(Some(json))) => data.extend_from_slice(json.as_bytes()),
        Some(Ok(None)) | None => data.extend_from_slice(b"null"),
        Some(Err(failure)) => {
            data.extend_from_slice(b"null");
            let mut error = error::district(failure).into_server_error(pos);
            error.path = path;
            errors.push(error);
        }
    }
}

/// Builds `tree` for the cities at these positions: one statement per database, concurrently.
async fn built(districts: &Districts, tree: &Tree, cities: &[usize]) -> BTreeMap<usize, Answer> {
    let mut by_database: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &i in cities {
        by_database
            .entry(districts.database_of(i))
            .or_default()
            .push(i);
    }
    let reads = by_database
        .into_iter()
        .map(|(database, indexes)| async move {
            let (rows, failed) = districts
                .for_database(database, &indexes, |district, ready| {
                    let ids: Vec<String> = ready
                        .iter()
                        .map(|&i| districts.list()[i].city().to_owned())
                        .collect();
                    async move { district.tree(tree, &ids).await }
                })
                .await;
            let mut rows: BTreeMap<String, String> = rows.unwrap_or_default().into_iter().collect();
            indexes
                .into_iter()
                .map(|i| {
                    let answer = match failed.get(&i) {
                        Some(failure) => Err(failure.clone()),
                        None => Ok(rows.remove(districts.list()[i].city())),
                    };
                    (i, answer)
                })
                .collect::<Vec<_>>()
        });
    futures::future::join_all(reads)
        .await
        .into_iter()
        .flatten()
        .collect()
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}
