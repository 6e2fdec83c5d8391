//! Walking `after` cursors visits every item of the union of districts exactly once, in order.

use crate::support::{error_codes, graphql, shared};
use serde_json::{Value, json};

const ROOMS: &str = "query Rooms($first: Int, $after: String, $cities: [ID!]) {
  rooms(first: $first, after: $after, cities: $cities) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id }
  }
}";

fn walk(cities: Value, first: i64) -> (Vec<String>, i64) {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for _ in 0..200 {
        let r = graphql(
            shared().addr,
            ROOMS,
            json!({ "first": first, "after": after, "cities": cities }),
        );
        assert!(r.get("errors").is_none(), "{r}");
        let page = &r["data"]["rooms"];
        let total = page["totalCount"].as_i64().expect("totalCount");
        let edges = page["edges"].as_array().expect("edges");
        assert!(edges.len() as i64 <= first);
        let nodes: Vec<&Value> = page["nodes"].as_array().expect("nodes").iter().collect();
        assert_eq!(nodes.len(), edges.len());
        for (edge, node) in edges.iter().zip(nodes) {
            assert_eq!(edge["node"]["id"], node["id"]);
            seen.push(edge["node"]["id"].as_str().expect("id").to_owned());
        }
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        if let Some(last) = edges.last() {
            assert_eq!(page["pageInfo"]["endCursor"], last["cursor"]);
        }
        if page["pageInfo"]["hasNextPage"] == false {
            return (seen, total);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    panic!("pagination did not end");
}

fn dataset_room_ids(cities: &[&str]) -> Vec<String> {
    server::CITIES
        .iter()
        .filter(|(id, ..)| cities.contains(id))
        .flat_map(|(_, load, _)| load().expect("dataset").rooms.into_iter().map(|r| r.id))
        .collect()
}

#[test]
fn walking_every_room_visits_each_once_in_city_then_source_order() {
    let all = ["korla", "taiyuan", "suzhou", "jinshan"];
    let expected = dataset_room_ids(&all);
    for first in [1, 7, 23, 100] {
        let (seen, total) = walk(Value::Null, first);
        assert_eq!(seen, expected, "page size {first}");
        assert_eq!(total as usize, expected.len());
    }
}

#[test]
fn the_cities_argument_selects_districts_in_the_service_order() {
    let (seen, total) = walk(json!(["jinshan", "korla", "korla"]), 5);
    assert_eq!(seen, dataset_room_ids(&["korla", "jinshan"]));
    assert_eq!(total as usize, seen.len());
}

#[test]
fn a_cursor_from_another_list_or_city_set_is_refused() {
    let r = graphql(
        shared().addr,
        ROOMS,
        json!({ "first": 1, "cities": ["taiyuan"] }),
    );
    let cursor = r["data"]["rooms"]["pageInfo"]["endCursor"].clone();
    let other_cities = graphql(
        shared().addr,
        ROOMS,
        json!({ "first": 1, "after": cursor, "cities": ["korla"] }),
    );
    assert_eq!(error_codes(&other_cities), ["INVALID_CURSOR"]);
    let centers = graphql(
        shared().addr,
        "query($after: String) { centers(after: $after) { totalCount } }",
        json!({ "after": cursor }),
    );
    assert_eq!(error_codes(&centers), ["INVALID_CURSOR"]);
    assert_eq!(centers["errors"][0]["extensions"]["argument"], "after");
}

/// A cursor is bound to its city set in every order, not only the source order: a page of
/// Korla's rooms by capacity does not continue in Taiyuan's list.
#[test]
fn a_cursor_from_another_city_set_is_refused_in_every_order() {
    let query = "query($cities: [ID!], $after: String, $min: Int) {
      rooms(cities: $cities, orderBy: { by: CAPACITY, direction: DESC }, first: 2, after: $after,
            filter: { minCapacity: $min }) {
        pageInfo { endCursor }
        nodes { id }
      }
    }";
    let first = graphql(shared().addr, query, json!({ "cities": ["korla"] }));
    assert!(first.get("errors").is_none(), "{first}");
    let cursor = first["data"]["rooms"]["pageInfo"]["endCursor"].clone();
    assert!(cursor.is_string(), "{first}");
    // The same list continues.
    let next = graphql(
        shared().addr,
        query,
        json!({ "cities": ["korla"], "after": cursor }),
    );
    assert!(next.get("errors").is_none(), "{next}");
    assert_eq!(
        next["data"]["rooms"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
    // Another city set, all cities, or another filter: refused, and no rows.
    for variables in [
        json!({ "cities": ["taiyuan"], "after": cursor }),
        json!({ "cities": ["korla", "taiyuan"], "after": cursor }),
        json!({ "after": cursor }),
        json!({ "cities": ["korla"], "after": cursor, "min": 10 }),
    ] {
        let r = graphql(shared().addr, query, variables.clone());
        assert_eq!(error_codes(&r), ["INVALID_CURSOR"], "{variables}: {r}");
        assert_eq!(r["data"], Value::Null, "{variables}: {r}");
    }
}

/// `first: 0` gives no items but tells the truth about what follows.
#[test]
fn an_empty_page_says_whether_items_follow() {
    let r = graphql(
        shared().addr,
        "{ all: rooms(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
           none: rooms(first: 0, filter: { minCapacity: 100000 }) { totalCount pageInfo { hasNextPage } }
           korlaCenters: centers(cities: [\"korla\"], first: 0) { totalCount pageInfo { hasNextPage } } }",
        json!(null),
    );
    assert!(r.get("errors").is_none(), "{r}");
    let all = dataset_room_ids(&["korla", "taiyuan", "suzhou", "jinshan"]).len();
    assert_eq!(
        r["data"],
        json!({
            "all": { "totalCount": all, "edges": [], "pageInfo": { "hasNextPage": true, "endCursor": null } },
            "none": { "totalCount": 0, "pageInfo": { "hasNextPage": false } },
            "korlaCenters": { "totalCount": 2, "pageInfo": { "hasNextPage": true } },
        })
    );
    // After the last room, an empty page has nothing next.
    let (seen, _) = walk(json!(["jinshan"]), 100);
    let last = graphql(
        shared().addr,
        ROOMS,
        json!({ "first": 100, "cities": ["jinshan"] }),
    );
    let cursor = last["data"]["rooms"]["pageInfo"]["endCursor"].clone();
    let after_last = graphql(
        shared().addr,
        ROOMS,
        json!({ "first": 0, "cities": ["jinshan"], "after": cursor }),
    );
    assert_eq!(seen.len(), 10);
    assert_eq!(
        after_last["data"]["rooms"]["pageInfo"]["hasNextPage"], false,
        "{after_last}"
    );
}
