//! One district down, every root field: each answers with the other cities' data and one
//! `DISTRICT_UNAVAILABLE` naming the city, or `null` where the field asked for the city itself.

use crate::support::{TestServer, graphql, shared, start_config, temp_dir};
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The city whose district is down: one with centers, rooms, circles and sources.
const DOWN: &str = "taiyuan";

/// A federated service whose Taiyuan district is a PostgreSQL server nobody listens on.
fn city_down() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = server::Config::with_data_dir(temp_dir("outage-roots"))
            .with_database(DOWN, "postgres://dangqun:secret@127.0.0.1:1/x");
        config.district_timeout_ms = 1000;
        config.federation = true;
        start_config(config)
    })
}

/// The answer of the service with Taiyuan down: its data, and its one error (which must be
/// Taiyuan's `DISTRICT_UNAVAILABLE`, leaking nothing).
fn down(query: &str) -> Value {
    let answer = graphql(city_down().addr, query, json!({}));
    let errors = answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {answer}"));
    assert_eq!(errors.len(), 1, "{answer}");
    assert_eq!(
        errors[0]["extensions"],
        json!({ "code": "DISTRICT_UNAVAILABLE", "city": DOWN }),
        "{answer}"
    );
    assert_eq!(
        errors[0]["message"],
        format!("district `{DOWN}` is unavailable; the other cities answered")
    );
    let text = answer.to_string();
    assert!(
        !text.contains("secret") && !text.contains("127.0.0.1"),
        "{text}"
    );
    answer["data"].clone()
}

/// The same query on the shared service, every district up.
fn up(query: &str) -> Value {
    let answer = graphql(shared().addr, query, json!({}));
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

/// Every string at `pointer` in the items of `list`.
fn ids(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| {
            item.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{pointer} in {item}"))
                .to_owned()
        })
        .collect()
}

/// `ids` without the down city's, which must have been there.
fn without_down(ids: Vec<String>) -> Vec<String> {
    let prefix = format!("{DOWN}/");
    let kept: Vec<String> = ids
        .iter()
        .filter(|id| !id.starts_with(&prefix))
        .cloned()
        .collect();
    assert!(kept.len() < ids.len(), "{DOWN} was not in {ids:?}");
    kept
}

/// The first id of the down city's in the list at `pointer` of this query's answer.
fn an_id_of_the_down_city(query: &str, pointer: &str) -> String {
    let data = up(query);
    let list = data.pointer(pointer).unwrap_or_else(|| panic!("{pointer}"));
    let prefix = format!("{DOWN}/");
    ids(list, "/id")
        .into_iter()
        .find(|id| id.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {DOWN} id in {list}"))
}

#[test]
fn cities_and_city_by_id() {
    let data = down("{ cities { id } }");
    assert_eq!(
        data["cities"],
        json!([{ "id": "korla" }, null, { "id": "suzhou" }, { "id": "jinshan" }])
    );
    assert_eq!(
        down("{ city(id: \"taiyuan\") { id } }"),
        json!({ "city": null })
    );
    // A city in another district is not touched by Korla's outage.
    let other = graphql(
        city_down().addr,
        "{ city(id: \"suzhou\") { id } }",
        json!({}),
    );
    assert_eq!(other, json!({ "data": { "city": { "id": "suzhou" } } }));
}

#[test]
fn sources_lists_the_other_cities() {
    let query = "{ sources { id } }";
    assert_eq!(
        ids(&down(query)["sources"], "/id"),
        without_down(ids(&up(query)["sources"], "/id"))
    );
}

#[test]
fn centers_and_rooms_page_over_the_other_cities() {
    for (list, first) in [("centers", 100), ("rooms", 100)] {
        let query = format!("{{ {list}(first: {first}) {{ totalCount nodes {{ id }} }} }}");
        let all = up(&query);
        let without = without_down(ids(&all[list]["nodes"], "/id"));
        let data = down(&query);
        assert_eq!(ids(&data[list]["nodes"], "/id"), without, "{list}");
        assert_eq!(
            data[list]["totalCount"],
            json!(without.len()),
            "{list}: the total counts the cities that answered"
        );
    }
}

#[test]
fn one_center_room_or_circle_of_the_city_is_null() {
    for (field, id) in [
        (
            "center",
            an_id_of_the_down_city("{ centers(first: 100) { nodes { id } } }", "/centers/nodes"),
        ),
        (
            "room",
            an_id_of_the_down_city("{ rooms(first: 100) { nodes { id } } }", "/rooms/nodes"),
        ),
        (
            "serviceCircle",
            an_id_of_the_down_city(
                "{ cities { serviceCircles { id } } }",
                "/cities/1/serviceCircles",
            ),
        ),
    ] {
        let query = format!("{{ {field}(id: \"{id}\") {{ id }} }}");
        assert_eq!(up(&query)[field]["id"], json!(id));
        assert_eq!(down(&query), json!({ field: null }), "{field}");
    }
}

#[test]
fn compare_and_the_breakdown_leave_the_city_out() {
    // Compiled (plain fields) and through the resolvers (`city` is one): the same answer, its
    // error at the field.
    for compare in [
        "{ compare { cityId rooms } }",
        "{ compare { cityId rooms city { id } } }",
    ] {
        assert_eq!(
            ids(&down(compare)["compare"], "/cityId"),
            ["korla", "suzhou", "jinshan"]
        );
        let answer = graphql(city_down().addr, compare, json!({}));
        assert_eq!(answer["errors"][0]["path"], json!(["compare"]), "{compare}");
        assert_eq!(
            answer["errors"][0]["locations"],
            json!([{ "line": 1, "column": 3 }]),
            "{compare}"
        );
    }
    let breakdown = "{ roomCategoryBreakdown { city category rooms } }";
    let all = up(breakdown)["roomCategoryBreakdown"].clone();
    let expected: Vec<&Value> = all
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["city"] != DOWN)
        .collect();
    assert!(expected.len() < all.as_array().map_or(0, Vec::len));
    assert_eq!(down(breakdown)["roomCategoryBreakdown"], json!(expected));
}

#[test]
fn search_finds_the_other_cities_hits() {
    let query = "{ search(text: \"服务\", first: 100) { kind id cityId } }";
    let all = up(query)["search"].clone();
    let expected: Vec<&Value> = all
        .as_array()
        .expect("hits")
        .iter()
        .filter(|hit| hit["cityId"] != DOWN)
        .collect();
    assert!(expected.len() < all.as_array().map_or(0, Vec::len));
    assert_eq!(down(query)["search"], json!(expected));
}

#[test]
fn entities_of_the_city_are_null() {
    let query = r#"{ _entities(representations: [
        { __typename: "City", id: "jinshan" }, { __typename: "City", id: "taiyuan" }
    ]) { ... on City { id } } }"#;
    assert_eq!(
        down(query),
        json!({ "_entities": [{ "id": "jinshan" }, null] })
    );
}
