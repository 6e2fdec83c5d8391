//! Plain trees of lists, answered in one statement per database.
//!
//! A query that only walks cities, their centers, rooms, equipment, uses and circles (down their
//! lists, or up to a record's center, circle or city), from `cities`, one record by id, or the
//! first page of `rooms` or `centers` (filtered and ordered as the arguments say), and reads
//! their plain fields (`{ cities { name centers(first: 100) { nodes { name rooms { name
//! equipment { name tag } } } } } }`, `{ room(id: …) { name center { name } } }`), does not need
//! a resolver per field: [`plan`] turns it into a [`store::Tree`] per root field, each database
//! builds the JSON of all its records in one statement (`store::tree`), and [`run`] puts it in
//! the service's order. The
//! answer is the same, byte for byte, as the one the resolvers give (tested in
//! `tests/e2e/compiled.rs` against a server that compiles nothing); it costs one statement per
//! database instead of one per level, table and database, and no work per field.
//!
//! A root page is one statement per database too: each database's first rows in the list's
//! order (the filter, the order and the total computed by SQL as the resolvers' pages compute
//! them), merged and cut the way the resolvers merge the cities' pages. `compare` over plain
//! fields is planned as well (`compare::compiled`): its figures come from the statement the
//! resolvers use, and only the selected fields are written.
//!
//! Plans are kept by query text and operation name ([`Plans`]): a query asked before is not
//! lexed, parsed, measured or planned again.
//!
//! Anything else — a nested list's filter or order, a cursor (`after`, `edges`, `pageInfo`),
//! citations, quantities, variables, fragments, directives, a field this module does not know,
//! arguments the resolvers would refuse — makes [`plan`] return `None`, and the request runs through the
//! resolvers, which validate it and answer everything the schema has. A document [`plan`]
//! accepts is valid by construction: it names only fields of the right types, with their
//! selections and arguments.

use crate::{Districts, error};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{PathSegment, Pos, Positioned, ServerError, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use store::{Parent, Relation, Root as Table, Scalar, StoreError, Tree};

/// Objects with more fields than this are left to the resolvers (a function call takes at most
/// 100 arguments on PostgreSQL, two per field).
const MAX_FIELDS: usize = 40;

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
    /// `city`, `center`, `room` or `serviceCircle` by id, in the district at this position.
    One {
        table: Table,
        district: usize,
        id: String,
        tree: Tree,
    },
    /// `rooms` or `centers`: the first page of a list over the selected cities.
    Page(Box<Page>),
    /// `compare`, its figures computed as the resolvers compute them.
    Compare(Box<crate::compare::Compiled>),
}

/// A list's first page: which rows, in which order, and what of it the query asks for.
#[derive(Debug)]
struct Page {
    list: List,
    descending: bool,
    /// Positions of the selected districts, in the service's order.
    selected: Vec<usize>,
    first: i64,
    /// The connection's fields in selection order.
    fields: Vec<(String, PageField)>,
    /// How each row is built (the `nodes` selection).
    tree: Tree,
}

#[derive(Debug)]
enum List {
    Rooms(store::RoomFilter, store::RoomOrder),
    Centers(store::CenterFilter, store::CenterOrder),
}

#[derive(Debug)]
enum PageField {
    Typename(&'static str),
    Nodes,
    TotalCount,
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
    for (key, field) in fields(&operation.selection_set.node)? {
        let pos = field.pos;
        let field = &field.node;
        let root = match field.name.node.as_str() {
            "__typename" => {
                leaf(field)?;
                RootField::Typename
            }
            "cities" if field.arguments.is_empty() => {
                RootField::Cities(Tree::Object(object(Type::City, selections(field)?)?))
            }
            name @ ("city" | "center" | "room" | "serviceCircle") => {
                let [(argument, value)] = field.arguments.as_slice() else {
                    return None;
                };
                let (true, Value::String(id)) =
                    (argument.node == "id", value.node.clone().into_const()?)
                else {
                    return None;
                };
                let (table, ty, district) = match name {
                    "city" => (Table::Cities, Type::City, districts.index_of(&id)?),
                    "center" => (Table::Centers, Type::Center, districts.index_of_id(&id)?),
                    "room" => (Table::Rooms, Type::Room, districts.index_of_id(&id)?),
                    _ => (Table::Circles, Type::Circle, districts.index_of_id(&id)?),
                };
                let tree = Tree::Object(object(ty, selections(field)?)?);
                RootField::One {
                    table,
                    district,
                    id,
                    tree,
                }
            }
            "rooms" => RootField::Page(Box::new(page(field, districts, Type::Room)?)),
            "centers" => RootField::Page(Box::new(page(field, districts, Type::Center)?)),
            "compare" => RootField::Compare(Box::new(crate::compare::compiled(field, districts)?)),
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

/// A root `rooms` or `centers` asked for its first page: literal arguments (no `after`), valid
/// as the resolvers would find them, `first` at least 1, and `nodes` (with `totalCount` and
/// `__typename` if wanted) selected.
fn page(field: &Field, districts: &Districts, item: Type) -> Option<Page> {
    use async_graphql::InputType;
    let mut cities = None;
    let (mut first, mut filter, mut order) = (None, None, None);
    for (name, value) in &field.arguments {
        let value = value.node.clone().into_const()?;
        match name.node.as_str() {
            "cities" => cities = Some(Vec::<async_graphql::ID>::parse(Some(value)).ok()?),
            "first" => first = Some(i32::parse(Some(value)).ok()?),
            "filter" => filter = Some(value),
            "orderBy" => order = Some(value),
            _ => return None,
        }
    }
    // `first: 0` is left to the resolvers: with no row to carry it, the window that counts the
    // total would have nothing to say.
    let first = crate::connection::page_size(first)
        .ok()
        .filter(|&n| n > 0)?;
    let selected = crate::connection::select(districts, cities, "cities").ok()?;
    let (list, descending, type_name) = match item {
        Type::Room => {
            let filter = Option::<crate::inputs::RoomFilter>::parse(filter).ok()?;
            let order = Option::<crate::inputs::RoomOrder>::parse(order).ok()?;
            let (order, descending) = order.unwrap_or_default().into_store();
            let filter = filter.unwrap_or_default().into_store("filter").ok()?;
            (List::Rooms(filter, order), descending, "RoomConnection")
        }
        _ => {
            let filter = Option::<crate::inputs::CenterFilter>::parse(filter).ok()?;
            let order = Option::<crate::inputs::CenterOrder>::parse(order).ok()?;
            let (order, descending) = order.unwrap_or_default().into_store();
            let filter = filter.unwrap_or_default().into_store("filter").ok()?;
            (List::Centers(filter, order), descending, "CenterConnection")
        }
    };
    let mut fields: Vec<(String, PageField)> = Vec::new();
    let mut tree = None;
    for (key, sub) in self::fields(selections(field)?)? {
        let sub = &sub.node;
        let value = match sub.name.node.as_str() {
            "__typename" => {
                leaf(sub)?;
                PageField::Typename(type_name)
            }
            "totalCount" => {
                leaf(sub)?;
                PageField::TotalCount
            }
            // One `nodes` selection: the rows are built once.
            "nodes" if sub.arguments.is_empty() && tree.is_none() => {
                tree = Some(Tree::Object(object(item, selections(sub)?)?));
                PageField::Nodes
            }
            _ => return None,
        };
        fields.push((key, value));
    }
    Some(Page {
        list,
        descending,
        selected,
        first,
        fields,
        tree: tree?,
    })
}

/// The fields of a selection set with their response keys, in selection order: only fields (no
/// fragments), no directives, no response key twice (merging repeated keys is the resolvers'
/// business).
pub(crate) fn fields(set: &SelectionSet) -> Option<Vec<(String, &Positioned<Field>)>> {
    let mut fields: Vec<(String, &Positioned<Field>)> = Vec::with_capacity(set.items.len());
    for selection in &set.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let key = field.node.response_key().node.to_string();
        if !field.node.directives.is_empty() || fields.iter().any(|(k, _)| *k == key) {
            return None;
        }
        fields.push((key, field));
    }
    Some(fields)
}

/// The selection set of an object field: present, and the field has no arguments.
pub(crate) fn selections(field: &Field) -> Option<&SelectionSet> {
    let set = &field.selection_set.node;
    (!set.items.is_empty()).then_some(set)
}

/// A leaf: no arguments, no selection.
pub(crate) fn leaf(field: &Field) -> Option<()> {
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

/// The record a row names (its center, city or circle), or null.
fn one(field: &Field, of: Parent, item: Type) -> Option<Tree> {
    if !field.arguments.is_empty() {
        return None;
    }
    Some(Tree::One {
        of,
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
    use async_graphql::InputType;
    let mut first = None;
    for (name, value) in &field.arguments {
        match name.node.as_str() {
            "first" => first = Some(i32::parse(value.node.clone().into_const()).ok()?),
            _ => return None,
        }
    }
    let first = crate::connection::page_size(first).ok()?;
    let mut fields: Vec<(String, Tree)> = Vec::new();
    for (key, sub) in self::fields(selections(field)?)? {
        let sub = &sub.node;
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
    for (key, field) in self::fields(set)? {
        let field = &field.node;
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
        (Type::Circle, "minutes") => column(field, "minutes", Int),
        (Type::Circle, "travelMode") => column(field, "travel_mode", Text),
        (Type::Circle, "centers") => list(field, Relation::CircleCenters, Type::Center),
        (Type::Room, "center") => one(field, Parent::RoomCenter, Type::Center),
        (Type::Room, "city") => one(field, Parent::RoomCity, Type::City),
        (Type::Center, "city") => one(field, Parent::CenterCity, Type::City),
        (Type::Center, "circle") => one(field, Parent::CenterCircle, Type::Circle),
        (Type::Circle, "city") => one(field, Parent::CircleCity, Type::City),
        (Type::Capacity, "min") => column(field, "capacity_min", Int),
        (Type::Capacity, "max") => column(field, "capacity_max", Int),
        (Type::Capacity, "qualifier") => column(field, "capacity_qualifier", Text),
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
        write_json(&mut data, &root.key);
        data.push(b':');
        match &root.field {
            RootField::Typename => write_json(&mut data, "Query"),
            RootField::Cities(tree) => {
                let cities: Vec<(usize, String)> = districts
                    .list()
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i, d.city().to_owned()))
                    .collect();
                let answers = built(districts, Table::Cities, tree, &cities).await;
                data.push(b'[');
                for (i, answer) in answers.into_iter().enumerate() {
                    if i > 0 {
                        data.push(b',');
                    }
                    let path = vec![PathSegment::Field(root.key.clone()), PathSegment::Index(i)];
                    record(&mut data, &mut errors, answer, root.pos, path);
                }
                data.push(b']');
            }
            RootField::Page(page) => {
                let path = vec![PathSegment::Field(root.key.clone())];
                paged(&mut data, &mut errors, page, districts, root.pos, path).await;
            }
            RootField::Compare(compare) => {
                let path = vec![PathSegment::Field(root.key.clone())];
                for failure in crate::compare::run_compiled(compare, districts, &mut data).await {
                    errors.push(failed(failure, root.pos, path.clone()));
                }
            }
            RootField::One {
                table,
                district,
                id,
                tree,
            } => {
                let wanted = [(*district, id.clone())];
                let answer = built(districts, *table, tree, &wanted).await.pop();
                let path = vec![PathSegment::Field(root.key.clone())];
                if let Some(answer) = answer {
                    record(&mut data, &mut errors, answer, root.pos, path);
                }
            }
        }
    }
    data.push(b'}');
    (data, errors)
}

/// What a record's database answered: its JSON (`None` when it holds no such record), or why
/// it could not.
type Answer = Result<Option<String>, Arc<StoreError>>;

fn record(
    data: &mut Vec<u8>,
    errors: &mut Vec<ServerError>,
    answer: Answer,
    pos: Pos,
    path: Vec<PathSegment>,
) {
    match answer {
        Ok(Some(json)) => data.extend_from_slice(json.as_bytes()),
        Ok(None) => data.extend_from_slice(b"null"),
        Err(failure) => {
            data.extend_from_slice(b"null");
            errors.push(failed(failure, pos, path));
        }
    }
}

/// The error of a city whose database failed, at the field at `pos` and `path`.
fn failed(failure: Arc<StoreError>, pos: Pos, path: Vec<PathSegment>) -> ServerError {
    let mut error = error::district(failure).into_server_error(pos);
    error.path = path;
    error
}

/// Builds `tree` for each wanted record of `table` (the district holding it, its id): one
/// statement per database, the databases at once. The answers are in the order wanted.
async fn built(
    districts: &Districts,
    table: Table,
    tree: &Tree,
    wanted: &[(usize, String)],
) -> Vec<Answer> {
    let in_them: Vec<usize> = wanted.iter().map(|(district, _)| *district).collect();
    let reads = districts
        .per_database(&in_them, |district, ready| {
            let ids: Vec<String> = wanted
                .iter()
                .filter(|(d, _)| ready.contains(d))
                .map(|(_, id)| id.clone())
                .collect();
            async move { district.tree(table, tree, &ids).await }
        })
        .await;
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    let mut failed = HashMap::new();
    for (found, failures) in reads {
        rows.extend(found.unwrap_or_default());
        failed.extend(failures);
    }
    wanted
        .iter()
        .map(|(district, id)| match failed.get(district) {
            Some(failure) => Err(Arc::clone(failure)),
            None => Ok(rows.remove(id)),
        })
        .collect()
}

/// Writes a page: each database's first rows (one statement each, concurrently), merged in the
/// list's order and cut at `first`, as the resolvers merge the cities' pages. A database that
/// fails leaves its cities out of the page and the total, with one error each.
async fn paged(
    data: &mut Vec<u8>,
    errors: &mut Vec<ServerError>,
    page: &Page,
    districts: &Districts,
    pos: Pos,
    path: Vec<PathSegment>,
) {
    let ask = store::TreePage {
        descending: page.descending,
        limit: page.first,
        total: page
            .fields
            .iter()
            .any(|(_, f)| matches!(f, PageField::TotalCount)),
        tree: &page.tree,
    };
    let reads = districts
        .per_database(&page.selected, |district, ready| {
            let cities = districts.cities(&ready);
            async move {
                match &page.list {
                    List::Rooms(filter, order) => {
                        district.rooms_tree(&cities, filter, *order, &ask).await
                    }
                    List::Centers(filter, order) => {
                        district.centers_tree(&cities, filter, *order, &ask).await
                    }
                }
            }
        })
        .await;
    let mut rows: Vec<store::PagedTree> = Vec::new();
    let mut total = 0;
    let mut failed: BTreeMap<usize, Arc<StoreError>> = BTreeMap::new();
    for (answer, failures) in reads {
        if let Some((found, count)) = answer {
            rows.extend(found);
            total += count;
        }
        failed.extend(failures);
    }
    for failure in failed.into_values() {
        errors.push(self::failed(failure, pos, path.clone()));
    }
    let source = matches!(
        page.list,
        List::Rooms(_, store::RoomOrder::Source) | List::Centers(_, store::CenterOrder::Source)
    );
    // In the sources' order the cities follow each other (in reverse when descending).
    let position = |city: &str| {
        let i = districts.index_of(city).unwrap_or(usize::MAX);
        if page.descending { usize::MAX - i } else { i }
    };
    rows.sort_by(|a, b| {
        let by_city = if source {
            position(&a.city).cmp(&position(&b.city))
        } else {
            std::cmp::Ordering::Equal
        };
        by_city
            .then_with(|| crate::connection::value_order(&a.key, &b.key, page.descending))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows.truncate(usize::try_from(page.first).unwrap_or(0));
    data.push(b'{');
    for (n, (key, field)) in page.fields.iter().enumerate() {
        if n > 0 {
            data.push(b',');
        }
        write_json(data, key);
        data.push(b':');
        match field {
            PageField::Typename(name) => write_json(data, name),
            PageField::TotalCount => data.extend_from_slice(total.to_string().as_bytes()),
            PageField::Nodes => {
                data.push(b'[');
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        data.push(b',');
                    }
                    data.extend_from_slice(row.json.as_bytes());
                }
                data.push(b']');
            }
        }
    }
    data.push(b'}');
}

/// Writes `value` as JSON.
pub(crate) fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The plans of the plain trees lately asked, by query text and operation name. A dashboard
/// asks the same few queries over and over; a plan depends on nothing but its text (it takes
/// no variables) and the service's districts, so a query seen before skips parsing, measuring
/// and planning. Queries longer than [`Plans::LONGEST`] are not kept, and the whole is emptied
/// when it holds [`Plans::KEPT`] texts: at most about a mebibyte of text, and a client that
/// sends new queries without end costs what it would without this.
#[derive(Default)]
pub(crate) struct Plans {
    by_query: Mutex<HashMap<String, Named>>,
}

/// A text's plans, by operation name.
type Named = Vec<(Option<String>, Arc<Plan>)>;

impl Plans {
    const KEPT: usize = 256;
    const LONGEST: usize = 4096;

    fn by_query(&self) -> MutexGuard<'_, HashMap<String, Named>> {
        self.by_query.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The plan of `query`'s operation `name`, if it was planned before.
    pub(crate) fn get(&self, query: &str, name: Option<&str>) -> Option<Arc<Plan>> {
        self.by_query()
            .get(query)?
            .iter()
            .find(|(n, _)| n.as_deref() == name)
            .map(|(_, plan)| Arc::clone(plan))
    }

    /// Keeps `plan` as the plan of `query`'s operation `name`.
    pub(crate) fn keep(&self, query: &str, name: Option<&str>, plan: Arc<Plan>) {
        if query.len() > Self::LONGEST {
            return;
        }
        let mut by_query = self.by_query();
        if by_query.len() >= Self::KEPT {
            by_query.clear();
        }
        let plans = by_query.entry(query.to_owned()).or_default();
        if !plans.iter().any(|(n, _)| n.as_deref() == name) {
            plans.push((name.map(str::to_owned), plan));
        }
    }
}
