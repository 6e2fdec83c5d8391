//! Reads go out in rounds (see `graphql`'s `batch` module): a level of nesting costs one
//! statement per table and *database* holding its parents' children, however many parents it
//! has and however the runtime schedules the request. The service counts each request's
//! statements and reports them in the `dangqun-sql-statements` response header; these tests
//! compare that count with the exact number the query and the data call for, under each layout
//! of `tests/run.sh` (four SQLite files; one PostgreSQL database holding every city; mixed).
//! Plain trees of lists are compiled into one statement per database (`compiled`); the deep
//! queries here go to a server that resolves every field, to count its levels.

use crate::support::{Layout, TestServer, graphql_counted, layout, shared, shared_resolving};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The database a city's district is in, under the layout the suite runs with.
pub fn database_of(city: &str) -> &str {
    match layout() {
        // One file (or one PostgreSQL database) per city.
        Layout::Sqlite | Layout::Mixed => city,
        Layout::Postgres => "the one PostgreSQL database",
    }
}

/// How many databases hold the cities of these ids (`korla/…`, or a city id).
pub fn databases<'a>(ids: impl IntoIterator<Item = &'a str>) -> u64 {
    ids.into_iter()
        .map(|id| database_of(id.split(['/', '#']).next().unwrap_or(id)))
        .collect::<BTreeSet<_>>()
        .len() as u64
}

/// Every string at `path` (a `.`-separated list of keys; arrays are walked) in `value`.
fn ids<'a>(value: &'a Value, path: &str) -> Vec<&'a str> {
    let mut level = vec![value];
    for key in path.split('.') {
        level = level
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().map(|i| &i[key]).collect::<Vec<_>>(),
                other => vec![&other[key]],
            })
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect();
    }
    level.into_iter().filter_map(Value::as_str).collect()
}

fn counted(query: &str) -> (Value, u64) {
    counted_by(shared(), query)
}

fn counted_by(server: &TestServer, query: &str) -> (Value, u64) {
    let (response, used) = graphql_counted(server.addr, query, json!(null));
    assert!(response.get("errors").is_none(), "{response}");
    (response, used)
}

const CITIES: [&str; 4] = ["korla", "taiyuan", "suzhou", "jinshan"];

#[test]
fn a_deep_query_runs_one_statement_per_level_and_database() {
    let query = "{ cities { id serviceCircles { id centers { id rooms { id equipment { name tag } } } } } }";
    let (response, used) = counted_by(shared_resolving(), query);
    let data = &response["data"];
    let circles = ids(data, "cities.serviceCircles.id");
    let centers = ids(data, "cities.serviceCircles.centers.id");
    let rooms = ids(data, "cities.serviceCircles.centers.rooms.id");
    assert!(
        rooms.len() >= 20,
        "{} rooms reached through circles",
        rooms.len()
    );
    // cities, their circles (both keyed by the four cities), the circles' centers, the centers'
    // rooms, the rooms' equipment.
    let expected =
        databases(CITIES) * 2 + databases(circles) + databases(centers) + databases(rooms);
    assert_eq!(used, expected);
}

#[test]
fn a_flat_list_with_details_runs_one_statement_per_level_and_database() {
    let (response, used) = counted(
        "{ rooms(first: 100) { totalCount nodes { id center { name } equipment { tag } uses citations { quote source { id } } } } }",
    );
    let data = &response["data"];
    let rooms = ids(data, "rooms.nodes.id");
    assert_eq!(rooms.len(), 56);
    let sources = ids(data, "rooms.nodes.citations.source.id");
    // The page and its count; then centers, equipment, uses and citations of the rooms; then
    // the citations' sources.
    let expected = databases(CITIES) * 2 + databases(rooms.clone()) * 4 + databases(sources);
    assert_eq!(used, expected);
}

/// A page per parent (each city's first rooms and centers) is one statement per database for
/// all parents, and so is each page's count.
#[test]
fn pages_of_many_parents_run_one_statement_per_database() {
    let (response, used) = counted(
        "{ cities { id rooms(first: 3, orderBy: { by: CAPACITY, direction: DESC }) { totalCount nodes { id equipment { tag } } }
                   centers(first: 1) { totalCount nodes { id } } } }",
    );
    let data = &response["data"];
    let rooms = ids(data, "cities.rooms.nodes.id");
    assert_eq!(rooms.len(), 12);
    let totals: Vec<u64> = data["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .map(|c| c["rooms"]["totalCount"].as_u64().expect("total"))
        .collect();
    assert_eq!(totals, [23, 10, 13, 10]);
    // cities; rooms' pages and counts; centers' pages and counts; the rooms' equipment.
    assert_eq!(used, databases(CITIES) * 5 + databases(rooms));

    // The same list of one city from two starting points (aliases) needs a statement per
    // starting point, and each alias gets its own page.
    let first = "query($after: String) { a: rooms(cities: [\"korla\"], first: 2) { pageInfo { endCursor } nodes { id } }
                 b: rooms(cities: [\"korla\"], first: 2, after: $after) { nodes { id } } }";
    let (response, used) = graphql_counted(shared().addr, first, json!(null));
    assert_eq!(used, 1, "{response}");
    let cursor = response["data"]["a"]["pageInfo"]["endCursor"].clone();
    let (response, used) = graphql_counted(shared().addr, first, json!({ "after": cursor }));
    assert!(response.get("errors").is_none(), "{response}");
    let korla: Vec<String> = server::dataset("korla")
        .expect("dataset")
        .rooms
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids(&response["data"], "a.nodes.id"), korla[..2]);
    assert_eq!(ids(&response["data"], "b.nodes.id"), korla[2..4]);
    assert_eq!(used, 2);
}

#[test]
fn compare_runs_one_statement_per_database() {
    // Every figure of every city: one aggregate statement per database.
    let (response, used) = counted(
        "{ compare { cityId centers rooms floorArea { total { value } missing } capacity { min max } categories { category rooms } categoriesMissing equipmentCoverage { tag share } openingHours { season weeklyHoursTotal } perCapita { floorAreaPer1000Residents { value reason } } } }",
    );
    assert_eq!(
        response["data"]["compare"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(used, databases(CITIES));

    // With the cities and their circles' lists: the figures; the city and the circles one level
    // down; the circles' counts and names one further.
    let (response, used) = counted(
        "{ compare { cityId city { id } serviceCircles { id communities { count { value } names } villages { names } } } }",
    );
    let circles = ids(&response["data"], "compare.serviceCircles.id");
    assert_eq!(used, databases(CITIES) * 3 + databases(circles) * 2);
}

/// The count does not depend on how the runtime schedules the request: many clients at once,
/// on every worker thread, each get the exact count of the query they sent.
#[test]
fn counts_are_exact_under_concurrent_load() {
    let query = "{ cities { id serviceCircles { id centers { id rooms { id equipment { name tag } } } } } }";
    let (_, expected) = counted_by(shared_resolving(), query);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                (0..25)
                    .map(|_| graphql_counted(shared_resolving().addr, query, json!(null)).1)
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    for thread in threads {
        let counts = thread.join().expect("client thread");
        assert_eq!(counts, vec![expected; 25]);
    }
}
