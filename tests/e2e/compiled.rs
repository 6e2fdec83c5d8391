//! Plain trees of lists are compiled into one statement per database (`graphql`'s `compile`):
//! the answer is the resolvers' answer, byte for byte, for every field the compiler knows, and
//! costs one statement per database it touches.

use crate::batching::databases;
use crate::support::{
    error_codes, graphql, post_json, shared, shared_resolving, start_config, temp_dir,
};
use serde_json::json;

/// The bytes of the answer to `query` and the statements it cost, from `server`.
fn answer(server: &crate::support::TestServer, query: &str) -> (Vec<u8>, u64) {
    let reply = post_json(server.addr, &[], &json!({ "query": query }));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let statements = reply
        .header("dangqun-sql-statements")
        .and_then(|s| s.parse().ok())
        .expect("statements header");
    (reply.body, statements)
}

const CITIES: [&str; 4] = ["korla", "taiyuan", "suzhou", "jinshan"];

/// Plain trees and the cities whose databases each touches.
const TREES: &[(&str, &[&str])] = &[
    (
        "{ cities { id name centers(first: 100) { nodes { id name rooms { id name equipment { name tag } } } } } }",
        &CITIES,
    ),
    (
        "{ __typename cities { __typename id name nameEn province provinceEn area areaEn
             serviceCircles { __typename id name nameEn walkingMinutes note centers { id name } }
             centers(first: 100) { __typename totalCount nodes { __typename id name nameEn address addressEn transit transitEn note roomCount serviceItems rooms { id } } }
             rooms(first: 100) { __typename totalCount nodes { __typename id name nameEn category description address floor outdoor open24h note capacity { __typename min max qualifier } equipment { __typename name tag } uses } } } }",
        &CITIES,
    ),
    (
        "{ all: cities { key: id none: centers(first: 0) { totalCount nodes { id } } some: rooms { nodes { id c: capacity { max } } } } }",
        &CITIES,
    ),
    (
        "{ city(id: \"taiyuan\") { id rooms(first: 7) { nodes { name capacity { min qualifier } } } serviceCircles { centers { name rooms { uses } } } } }",
        &["taiyuan"],
    ),
    (
        "{ room(id: \"korla/kongque/street-corner-theatre\") { id name capacity { min max } center { name city { id } circle { id } } city { nameEn } } }",
        &["korla"],
    ),
    (
        "{ center(id: \"taiyuan/nanzhai\") { name circle { name city { id } centers { id } } city { id } rooms { center { id } } } }",
        &["taiyuan"],
    ),
    (
        "{ serviceCircle(id: \"taiyuan/jiancaoping-15min\") { __typename name city { name } centers { name } } }",
        &["taiyuan"],
    ),
    ("{ room(id: \"korla/no-such-room\") { id } }", &["korla"]),
    // First pages of the root lists, in every kind of order.
    (
        "{ rooms(filter: { categories: [CULTURE_ARTS, MULTIPURPOSE], minCapacity: 20 }, orderBy: { by: CAPACITY, direction: DESC }, first: 50) { nodes { id name capacity { min max } center { name } } } }",
        &CITIES,
    ),
    ("{ rooms(first: 30) { totalCount nodes { id } } }", &CITIES),
    (
        "{ rooms(orderBy: { by: CAPACITY }, first: 100) { totalCount nodes { id capacity { min max } } } }",
        &CITIES,
    ),
    (
        "{ rooms(orderBy: { by: NAME }, cities: [\"jinshan\", \"korla\"], first: 10) { nodes { name } } }",
        &["jinshan", "korla"],
    ),
    (
        "{ centers(orderBy: { by: SOURCE, direction: DESC }, first: 5) { __typename totalCount nodes { id } } }",
        &CITIES,
    ),
    (
        "{ centers(filter: { text: \"服务\" }, orderBy: { by: FLOOR_AREA, direction: DESC }) { totalCount nodes { name city { id } } } }",
        &CITIES,
    ),
    (
        "{ rooms(filter: { equipment: [PROJECTOR] }, orderBy: { by: CITY, direction: DESC }) { totalCount nodes { id equipment { tag } } } }",
        &CITIES,
    ),
    // `compare`: the same figures, one statement per database.
    (
        "{ compare { cityId centers rooms floorArea { total { value } missing } categories { category rooms } } }",
        &CITIES,
    ),
    (
        "{ __typename compare { __typename cityId centers rooms
             floorArea { __typename total { __typename value qualifier unit } counted missing parts { __typename exact approx atLeast atMost } }
             capacity { __typename min max roomsWithCapacity roomsWithoutCapacity roomsWithoutMin roomsWithoutMax }
             categories { __typename city category categoryName categoryNameEn rooms capacityMin capacityMax roomsWithoutCapacity }
             categoriesPresent categoriesMissing
             equipmentCoverage { __typename tag rooms share }
             roomsWithoutEquipment
             openingHours { __typename season centers centersWithoutHours assumedDaily weeklyHoursTotal weeklyHoursMin weeklyHoursMax }
             perCapita { __typename population { total { value unit } counted missing parts { exact atLeast } }
               floorAreaPer1000Residents { __typename value qualifier basis reason }
               seatsPer1000Residents { value qualifier basis reason } }
             offer { __typename roomsFreeOfCharge roomsCharging roomsWithoutTerms roomsWithAudience organisations } } }",
        &CITIES,
    ),
    (
        "{ two: compare(cities: [\"jinshan\", \"korla\"]) { id: cityId n: rooms h: openingHours { season weeklyHoursMax } } }",
        &["jinshan", "korla"],
    ),
];

#[test]
fn plain_trees_answer_the_resolvers_bytes_in_one_statement_per_database() {
    for (query, cities) in TREES {
        let (compiled, statements) = answer(shared(), query);
        let (resolved, resolver_statements) = answer(shared_resolving(), query);
        assert_eq!(
            String::from_utf8_lossy(&compiled),
            String::from_utf8_lossy(&resolved),
            "{query}"
        );
        assert!(!compiled.windows(8).any(|w| w == b"\"errors\""), "{query}");
        assert_eq!(statements, databases(cities.iter().copied()), "{query}");
        assert!(resolver_statements >= statements, "{query}");
    }
}

#[test]
fn each_root_field_is_read_on_its_own() {
    // Two root fields: one statement each per database they touch.
    let query = "{ korla: city(id: \"korla\") { name } t: city(id: \"taiyuan\") { name } }";
    let (compiled, statements) = answer(shared(), query);
    assert_eq!(compiled, answer(shared_resolving(), query).0);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&compiled).expect("JSON"),
        json!({ "data": { "korla": { "name": "库尔勒市" }, "t": { "name": "太原市" } } })
    );
    assert_eq!(statements, 2);
}

#[test]
fn what_the_compiler_does_not_know_goes_to_the_resolvers() {
    // A filter, a cursor's edges, a quantity, citations: answered as before, level by level.
    for query in [
        "{ cities { centers(filter: { text: \"服务\" }) { nodes { id } } } }",
        "{ cities { centers { edges { cursor } } } }",
        "{ cities { centers { nodes { floorArea { value } } } } }",
        "{ cities { citations { quote } } }",
        "query($n: Int) { cities { centers(first: $n) { nodes { id } } } }",
        "{ rooms(first: 3) { pageInfo { hasNextPage } nodes { id } } }",
        "{ rooms(first: 0) { totalCount nodes { id } } }",
        "{ compare { cityId city { name } categories { cityName rooms } } }",
        "{ compare(cities: [\"korla\", \"korla\"]) { cityId } }",
        "{ compare(cities: [\"atlantis\"]) { cityId } }",
    ] {
        let (a, s) = answer(shared(), query);
        let (b, t) = answer(shared_resolving(), query);
        assert_eq!(a, b, "{query}");
        assert_eq!(s, t, "{query}");
    }
}

#[test]
fn a_district_whose_statement_fails_is_null_with_one_error() {
    let dir = temp_dir("compiled-error");
    let server = start_config(server::Config::with_data_dir(&dir));
    crate::support::drop_table(&dir.join("korla.sqlite"), "room_equipment");
    let answer = graphql(
        server.addr,
        "{ cities { id centers(first: 5) { nodes { rooms { equipment { name } } } } } }",
        json!(null),
    );
    assert_eq!(error_codes(&answer), ["DISTRICT_ERROR"], "{answer}");
    assert_eq!(answer["errors"][0]["path"], json!(["cities", 0]));
    assert_eq!(answer["errors"][0]["extensions"]["city"], "korla");
    assert_eq!(answer["data"]["cities"][0], json!(null));
    assert_eq!(answer["data"]["cities"][3]["id"], "jinshan");
    let text = answer.to_string();
    assert!(
        !text.contains("room_equipment") && !text.contains("SELECT"),
        "{text}"
    );
}

#[test]
fn a_plan_is_kept_for_its_query_and_operation() {
    // One text, two operations: each name gets its own plan, the second time as the first.
    let text =
        "query A { city(id: \"korla\") { name } } query B { city(id: \"taiyuan\") { name } }";
    for _ in 0..2 {
        for (name, city) in [("A", "库尔勒市"), ("B", "太原市")] {
            let reply = post_json(
                shared().addr,
                &[],
                &json!({ "query": text, "operationName": name }),
            );
            assert_eq!(
                reply.json(),
                json!({ "data": { "city": { "name": city } } }),
                "{name}"
            );
            assert_eq!(reply.header("dangqun-sql-statements"), Some("1"), "{name}");
        }
    }
    // Asked for its cost, a query planned before is measured as ever.
    let query = "{ cities { id } }";
    answer(shared(), query);
    let reply = post_json(
        shared().addr,
        &[],
        &json!({ "query": query, "extensions": { "cost": true } }),
    );
    assert_eq!(
        reply.json()["extensions"]["cost"]["cost"]["actual"],
        json!(8)
    );
}
