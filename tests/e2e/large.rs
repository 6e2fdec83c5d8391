//! Pagination over a generated dataset large enough to span several pages per district: each
//! city's centers (with their rooms) copied many times, capacities and floor areas varied. Every
//! walk is checked against an order computed here, in Rust, from the datasets themselves.

use crate::support::{TestServer, graphql, start_with};
use model::CityDataset;
use serde_json::{Value, json};
use std::cmp::Ordering;
use std::sync::OnceLock;

/// Copies of each center (and its rooms) besides the original.
const COPIES: usize = 12;

/// A deterministic spread of small numbers.
fn spread(i: usize, modulus: u32) -> u32 {
    ((i as u32).wrapping_mul(2_654_435_761) >> 7) % modulus
}

/// `dataset` with every center and its rooms copied [`COPIES`] times. Copies keep their
/// citations (so the dataset stays valid); a stated capacity or floor area is shifted so that
/// values differ, and some copies share values with others to exercise the id tie-break.
pub(crate) fn enlarge(mut dataset: CityDataset) -> CityDataset {
    let centers = dataset.centers.clone();
    let rooms = dataset.rooms.clone();
    let mut n = 0;
    for k in 1..=COPIES {
        for c in &centers {
            let mut copy = c.clone();
            copy.id = format!("{}-copy{k:02}", c.id);
            if let Some(area) = &mut copy.floor_area {
                area.value += f64::from(spread(n, 40) * 50);
            }
            n += 1;
            for r in rooms.iter().filter(|r| r.center == c.id) {
                let mut room = r.clone();
                room.id = format!("{}-copy{k:02}", r.id);
                room.center = copy.id.clone();
                if let Some(cap) = &mut room.capacity {
                    let shift = spread(n, 25);
                    cap.min = cap.min.map(|m| m + shift);
                    cap.max = cap.max.map(|m| m + shift);
                }
                n += 1;
                dataset.rooms.push(room);
            }
            dataset.centers.push(copy);
        }
    }
    dataset
}

fn datasets() -> &'static Vec<CityDataset> {
    static DATA: OnceLock<Vec<CityDataset>> = OnceLock::new();
    DATA.get_or_init(|| {
        server::CITIES
            .iter()
            .map(|(_, load, _)| enlarge(load().expect("dataset")))
            .collect()
    })
}

fn large() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| start_with("large", datasets().clone()))
}

/// A sort key as the service documents it: unknown last in both directions, ties by id.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Text(String),
}

fn order(a: &(Option<Key>, String), b: &(Option<Key>, String), descending: bool) -> Ordering {
    let by_value = match (&a.0, &b.0) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
            if descending { o.reverse() } else { o }
        }
    };
    by_value.then_with(|| a.1.cmp(&b.1))
}

/// Walks a whole list page by page and returns the ids in the order served, checking
/// `totalCount`, `hasNextPage` and the page sizes on the way.
fn walk(list: &str, args: &str, page: usize) -> Vec<String> {
    let query = format!(
        "query($after: String) {{ {list}({args} first: {page}, after: $after) {{ totalCount edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut ids = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    loop {
        let r = graphql(large().addr, &query, json!({ "after": after }));
        assert!(r.get("errors").is_none(), "{r}");
        let c = &r["data"][list];
        let edges = c["edges"].as_array().expect("edges");
        let t = c["totalCount"].as_u64().expect("total");
        assert_eq!(
            *total.get_or_insert(t),
            t,
            "totalCount is stable across pages"
        );
        ids.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().expect("id").to_owned()),
        );
        if !c["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            assert_eq!(ids.len() as u64, t, "the walk ends after totalCount items");
            return ids;
        }
        assert_eq!(edges.len(), page, "a page before the last is full");
        after = c["pageInfo"]["endCursor"].clone();
    }
}

/// The ids of a first page asked without a cursor (a compiled page: `compiled`).
fn first_page(list: &str, args: &str, first: usize) -> Vec<String> {
    let r = graphql(
        large().addr,
        &format!("{{ {list}({args} first: {first}) {{ totalCount nodes {{ id }} }} }}"),
        json!(null),
    );
    assert!(r.get("errors").is_none(), "{r}");
    r["data"][list]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect()
}

fn all_rooms() -> impl Iterator<Item = &'static model::Room> {
    datasets().iter().flat_map(|d| &d.rooms)
}

fn expected_rooms(
    keep: impl Fn(&model::Room) -> bool,
    key: impl Fn(&model::Room) -> Option<Key>,
    descending: bool,
) -> Vec<String> {
    let mut rows: Vec<(Option<Key>, String)> = all_rooms()
        .filter(|r| keep(r))
        .map(|r| (key(r), r.id.clone()))
        .collect();
    rows.sort_by(|a, b| order(a, b, descending));
    rows.into_iter().map(|(_, id)| id).collect()
}

fn capacity(r: &model::Room) -> Option<Key> {
    r.capacity
        .and_then(|c| c.max.or(c.min))
        .map(|v| Key::Num(f64::from(v)))
}

#[test]
fn the_generated_dataset_spans_several_pages_per_district() {
    for d in datasets() {
        assert!(
            d.rooms.len() >= 100,
            "{}: {} rooms",
            d.city.id,
            d.rooms.len()
        );
    }
    let r = graphql(
        large().addr,
        "{ rooms(first: 0) { totalCount } }",
        json!(null),
    );
    assert_eq!(
        r["data"]["rooms"]["totalCount"].as_u64(),
        Some(all_rooms().count() as u64)
    );
}

#[test]
fn source_order_walks_every_room_once_city_by_city() {
    let expected: Vec<String> = all_rooms().map(|r| r.id.clone()).collect();
    for page in [7, 50, 100] {
        assert_eq!(walk("rooms", "", page), expected, "page size {page}");
    }
    assert_eq!(first_page("rooms", "", 100), expected[..100]);
    let mut reversed = expected;
    reversed.reverse();
    assert_eq!(
        walk("rooms", "orderBy: { by: SOURCE, direction: DESC },", 33),
        reversed
    );
    assert_eq!(
        first_page("rooms", "orderBy: { by: SOURCE, direction: DESC },", 100),
        reversed[..100]
    );
}

#[test]
fn capacity_order_is_the_true_order_of_the_union() {
    for descending in [true, false] {
        let expected = expected_rooms(|_| true, capacity, descending);
        let dir = if descending { "DESC" } else { "ASC" };
        let args = format!("orderBy: {{ by: CAPACITY, direction: {dir} }},");
        // The first page of 50 is the top 50 of all four districts together.
        let r = graphql(
            large().addr,
            &format!("{{ rooms({args} first: 50) {{ nodes {{ id }} }} }}"),
            json!(null),
        );
        let first: Vec<&str> = r["data"]["rooms"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["id"].as_str().expect("id"))
            .collect();
        assert_eq!(first, expected[..50].to_vec(), "{dir}");
        assert_eq!(walk("rooms", &args, 50), expected, "{dir}");
        assert_eq!(walk("rooms", &args, 13), expected, "{dir}");
    }
}

#[test]
fn name_category_and_city_orders_walk_every_room_once() {
    let by_name = expected_rooms(|_| true, |r| Some(Key::Text(r.name.clone())), false);
    assert_eq!(walk("rooms", "orderBy: { by: NAME },", 40), by_name);
    let by_category = expected_rooms(
        |_| true,
        |r| Some(Key::Text(r.category.as_str().to_owned())),
        true,
    );
    assert_eq!(
        walk("rooms", "orderBy: { by: CATEGORY, direction: DESC },", 64),
        by_category
    );
    let by_city = expected_rooms(
        |_| true,
        |r| Some(Key::Text(r.id.split('/').next().unwrap_or("").to_owned())),
        false,
    );
    assert_eq!(walk("rooms", "orderBy: { by: CITY },", 90), by_city);
}

#[test]
fn a_filtered_ordered_walk_matches_the_filter_computed_from_the_datasets() {
    use model::RoomCategory::{CultureArts, Reading};
    let expected = expected_rooms(
        |r| {
            matches!(r.category, CultureArts | Reading)
                && r.capacity
                    .and_then(|c| c.max.or(c.min))
                    .is_some_and(|v| v >= 12)
        },
        capacity,
        true,
    );
    assert!(expected.len() > 30, "{}", expected.len());
    let args = "filter: { categories: [CULTURE_ARTS, READING], minCapacity: 12 }, orderBy: { by: CAPACITY, direction: DESC },";
    assert_eq!(walk("rooms", args, 9), expected);
    assert_eq!(first_page("rooms", args, 30), expected[..30]);
}

#[test]
fn centers_walk_in_every_order() {
    let centers: Vec<(&model::Center, Vec<&model::Room>)> = datasets()
        .iter()
        .flat_map(|d| {
            d.centers
                .iter()
                .map(move |c| (c, d.rooms.iter().filter(|r| r.center == c.id).collect()))
        })
        .collect();
    let expect = |key: &dyn Fn(&model::Center, &[&model::Room]) -> Option<Key>, descending| {
        let mut rows: Vec<(Option<Key>, String)> = centers
            .iter()
            .map(|(c, rooms)| (key(c, rooms), c.id.clone()))
            .collect();
        rows.sort_by(|a, b| order(a, b, descending));
        rows.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let area = expect(
        &|c, _| c.floor_area.as_ref().map(|q| Key::Num(q.value)),
        true,
    );
    assert_eq!(
        walk(
            "centers",
            "orderBy: { by: FLOOR_AREA, direction: DESC },",
            6
        ),
        area
    );
    let count = expect(&|_, rooms| Some(Key::Num(rooms.len() as f64)), false);
    assert_eq!(walk("centers", "orderBy: { by: ROOM_COUNT },", 11), count);
    let total = expect(
        &|_, rooms| {
            let caps: Vec<u32> = rooms
                .iter()
                .filter_map(|r| r.capacity.and_then(|c| c.max.or(c.min)))
                .collect();
            (!caps.is_empty()).then(|| Key::Num(f64::from(caps.iter().sum::<u32>())))
        },
        true,
    );
    assert_eq!(
        walk(
            "centers",
            "orderBy: { by: TOTAL_CAPACITY, direction: DESC },",
            10
        ),
        total
    );
    let name = expect(&|c, _| Some(Key::Text(c.name.clone())), false);
    assert_eq!(walk("centers", "orderBy: { by: NAME },", 8), name);
}

#[test]
fn a_cursor_only_continues_its_own_list() {
    let first = graphql(
        large().addr,
        "{ rooms(orderBy: { by: CAPACITY }, first: 5) { pageInfo { endCursor } } }",
        json!(null),
    );
    let cursor = first["data"]["rooms"]["pageInfo"]["endCursor"].clone();
    let r = graphql(
        large().addr,
        "query($after: String) { rooms(orderBy: { by: NAME }, first: 5, after: $after) { nodes { id } } }",
        json!({ "after": cursor }),
    );
    assert_eq!(crate::support::error_codes(&r), ["INVALID_CURSOR"], "{r}");
    assert_eq!(r["errors"][0]["extensions"]["argument"], "after");
}
