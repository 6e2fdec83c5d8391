//! No input crashes it: bounded property runs (proptest) over request bodies, headers and query
//! documents against the real server. Every answer is a well-formed response with a status the
//! protocol allows, never a 5xx or a hang. Failures proptest finds are kept in
//! `tests/e2e/fuzz.proptest-regressions` and replayed first on every run.

use crate::support::{Reply, TestServer, config, post_json, request_with, shared, start_config};
use proptest::prelude::*;
use serde_json::json;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Statuses a request may get: answers, refusals of the request, and 304.
const ALLOWED: [u16; 9] = [200, 304, 400, 405, 406, 413, 415, 429, 503];

fn checked(reply: &Reply, took: Duration) {
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        ALLOWED.contains(&reply.status),
        "status {}: {}",
        reply.status,
        reply.text()
    );
    if reply.status != 304 {
        let body: serde_json::Value = serde_json::from_slice(&reply.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", reply.text()));
        assert!(body.is_object(), "{body}");
    }
}

fn send(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
    let started = Instant::now();
    let reply = request_with(shared().addr, method, path, headers, body);
    checked(&reply, started.elapsed());
}

/// Pieces GraphQL documents are made of, valid and not.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ":",
        "!",
        "$",
        "@",
        "...",
        "=",
        "|",
        "&",
        " ",
        "\n",
        ",",
        "\"",
        "\"\"\"",
        "#",
        "\\",
        "query",
        "mutation",
        "subscription",
        "fragment",
        "on",
        "cities",
        "rooms",
        "centers",
        "compare",
        "search",
        "sources",
        "room",
        "id",
        "name",
        "nodes",
        "edges",
        "cursor",
        "totalCount",
        "first",
        "after",
        "filter",
        "orderBy",
        "categories",
        "cityIds",
        "text",
        "__typename",
        "__schema",
        "__type",
        "true",
        "null",
        "100",
        "-1",
        "1e400",
        "0.5",
        "\"korla\"",
        "\"\u{0}\"",
        "\"法律\"",
        "CAPACITY",
        "DESC",
        "@skip(if: true)",
        "@include(if: $x)",
        "$x",
        "Int!",
        "F",
        "...F",
    ])
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..120).prop_map(|parts| parts.join(" "))
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin1",
        "text/plain",
        "application/graphql",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "",
        ";;;",
    ]))
}

fn accept() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "application/json",
        "application/graphql-response+json",
        "*/*",
        "text/html",
        "application/json;q=0",
        "application/graphql-response+json;q=abc, application/json;q=0.1",
        ",,,",
    ]))
}

fn headers<'a>(ct: Option<&'a str>, accept: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut headers = Vec::new();
    if let Some(ct) = ct {
        headers.push(("Content-Type", ct));
    }
    if let Some(accept) = accept {
        headers.push(("Accept", accept));
    }
    headers
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_a_body(body in prop::collection::vec(any::<u8>(), 0..512), ct in content_type(), accept in accept()) {
        send("POST", "/graphql", &headers(ct, accept), &body);
    }

    #[test]
    fn any_document_with_any_variables(
        query in document(),
        variables in json_value(),
        operation in prop::option::of("[A-Za-z]{0,8}"),
        extensions in json_value(),
        accept in accept(),
    ) {
        let body = json!({ "query": query, "variables": variables, "operationName": operation, "extensions": extensions });
        send("POST", "/graphql", &headers(Some("application/json"), accept), body.to_string().as_bytes());
    }

    #[test]
    fn any_document_over_get(
        query in document(),
        variables in prop_oneof![json_value().prop_map(|v| v.to_string()), ".{0,40}"],
        accept in accept(),
    ) {
        let path = format!(
            "/graphql?query={}&variables={}",
            crate::support::url_encode(&query),
            crate::support::url_encode(&variables)
        );
        send("GET", &path, &headers(None, accept), b"");
    }
}

/// A server that reads bodies up to 2 MB: the megabyte reaches the query's own checks.
fn large_bodies() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = config("large_bodies");
        config.max_body_bytes = 2 * 1024 * 1024;
        start_config(config)
    })
}

#[test]
fn a_megabyte_of_braces_gets_a_4xx_within_a_second() {
    let braces = "{".repeat(1024 * 1024);
    let body = json!({ "query": braces });
    for (server, status) in [(shared(), 413), (large_bodies(), 200)] {
        let started = Instant::now();
        let reply = post_json(server.addr, &[], &body);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "took {took:?}");
        assert_eq!(reply.status, status, "{}", reply.text());
        if status == 200 {
            // application/json: a request that never ran is a 200 without data.
            assert_eq!(
                reply.json()["errors"][0]["extensions"]["code"],
                "LIMIT_EXCEEDED"
            );
        }
        let reply = post_json(
            server.addr,
            &[("Accept", "application/graphql-response+json")],
            &body,
        );
        assert!((400..500).contains(&reply.status), "{}", reply.status);
    }
}

#[test]
fn deep_nesting_under_the_token_limit_is_refused_without_overflowing() {
    // 1,300 nested selection sets are 3,900 tokens, under the token limit: a recursive parser
    // without a bound would exhaust a worker thread's stack. async-graphql's parser has one.
    let query = format!("{}{}", "{ a ".repeat(1300), "}".repeat(1300));
    let reply = post_json(shared().addr, &[], &json!({ "query": query }));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "the query does not parse: recursion limit exceeded."
    );
    // And the service is still there.
    assert_eq!(
        request_with(shared().addr, "GET", "/health", &[], b"").status,
        200
    );
}
