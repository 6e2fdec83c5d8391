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
        .filter(|(id, _)| cities.contains(id))
        .flat_map(|(_, load)| load().expect("dataset").rooms.into_iter().map(|r| r.id))
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
