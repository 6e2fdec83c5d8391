//! Cost limits: requests that would cost too much are refused before any statement runs, with
//! `LIMIT_EXCEEDED` naming the limit; a request can ask what it measured. (Every query of README
//! and `tests/queries` runs under the same default limits in `queries`.)

use crate::support::{error_codes, post_json, shared};
use serde_json::{Value, json};

/// POSTs `body`; returns the answer and the statements it ran.
fn send(body: Value) -> (Value, String) {
    let reply = post_json(shared().addr, &[], &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let statements = reply
        .header("dangqun-sql-statements")
        .unwrap_or("none")
        .to_owned();
    (reply.json(), statements)
}

/// The query is refused over `limit` with these figures, and nothing ran.
fn refused(query: &str, limit: &str, actual: u64, max: u64) {
    let (answer, statements) = send(json!({ "query": query }));
    assert_eq!(error_codes(&answer), ["LIMIT_EXCEEDED"], "{answer}");
    let ext = &answer["errors"][0]["extensions"];
    assert_eq!(ext["limit"], limit, "{answer}");
    assert_eq!(ext["max"], max, "{answer}");
    assert_eq!(ext["actual"], actual, "{answer}");
    assert_eq!(answer.get("data"), None);
    assert_eq!(statements, "0");
}

#[test]
fn a_query_that_nests_lists_into_megabytes_is_refused_before_any_sql() {
    // rooms → center → rooms → …: 47 MB before there were limits. The walk stops at the level
    // that passes 200,000: 1 + 100 + 100 + 1,000 + 1,000 + 10,000 + 10,000 + 100,000 + 100,000.
    let query = "{ rooms(first: 100) { nodes { center { rooms { center { rooms { center { rooms { center { rooms { id } } } } } } } } } } }";
    refused(query, "cost", 222_201, 200_000);
}

#[test]
fn two_hundred_aliases_are_refused() {
    let fields: String = (0..200)
        .map(|i| format!("a{i}: rooms(first: 100) {{ nodes {{ id name }} }} "))
        .collect();
    refused(&format!("{{ {fields}}}"), "aliases", 200, 30);
}

#[test]
fn too_many_root_fields_are_refused() {
    let fields = "cities { id } ".repeat(21);
    refused(&format!("{{ {fields}}}"), "rootFields", 21, 20);
}

#[test]
fn thousands_of_repeated_fields_are_refused_by_their_tokens() {
    let fields = "id ".repeat(5000);
    refused(&format!("{{ cities {{ {fields}}} }}"), "tokens", 5005, 4000);
}

#[test]
fn too_many_directives_are_refused() {
    let fields = "id @skip(if: false) ".repeat(51);
    refused(&format!("{{ cities {{ {fields}}} }}"), "directives", 51, 50);
}

#[test]
fn a_query_too_deep_is_refused() {
    let query = "{ rooms(first: 1) { nodes { center { city { rooms(first: 1) { nodes { center { city { rooms(first: 1) { nodes { center { city { id } } } } } } } } } } } } }";
    refused(query, "depth", 13, 12);
}

#[test]
fn a_request_can_ask_what_it_measured() {
    let query = "{ rooms(first: 100) { nodes { center { rooms { name } } } } }";
    let (answer, _) = send(json!({ "query": query, "extensions": { "cost": true } }));
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(
        answer["extensions"]["cost"],
        json!({
            "cost": { "actual": 2201, "max": 200000 },
            "depth": { "actual": 5, "max": 12 },
            "aliases": { "actual": 0, "max": 30 },
            "rootFields": { "actual": 1, "max": 20 },
            "directives": { "actual": 0, "max": 50 },
            "tokens": { "actual": 20, "max": 4000 },
        })
    );
    // Without asking, no extensions.
    let (answer, _) = send(json!({ "query": query }));
    assert_eq!(answer.get("extensions"), None);
}
