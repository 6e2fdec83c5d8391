//! GraphQL over HTTP: media types chosen from `Accept`, status codes, methods, the `graphql-http`
//! audit against the real server, and answers whose keys follow the selection, byte for byte the
//! same for the same request.

use crate::support::{error_codes, graphql, repo_root, request_with, shared, url_encode};
use serde_json::{Value, json};
use std::process::Command;

const JSON: &str = "application/json; charset=utf-8";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";

fn post(headers: &[(&str, &str)], query: &str) -> crate::support::Reply {
    let body = json!({ "query": query }).to_string();
    request_with(shared().addr, "POST", "/graphql", headers, body.as_bytes())
}

fn get(headers: &[(&str, &str)], query_string: &str) -> crate::support::Reply {
    let path = format!("/graphql?{query_string}");
    request_with(shared().addr, "GET", &path, headers, b"")
}

const CT_JSON: (&str, &str) = ("Content-Type", "application/json");

#[test]
fn the_media_type_follows_accept() {
    for (accept, expected) in [
        (None, JSON),
        (Some("application/json"), JSON),
        (Some("*/*"), JSON),
        (Some("application/*"), JSON),
        (Some("application/graphql-response+json"), GRAPHQL_RESPONSE),
        (
            Some("application/json, application/graphql-response+json"),
            GRAPHQL_RESPONSE,
        ),
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            JSON,
        ),
        (Some("text/html, */*;q=0.8"), JSON),
    ] {
        let mut headers = vec![CT_JSON];
        if let Some(accept) = accept {
            headers.push(("Accept", accept));
        }
        let reply = post(&headers, "{ cities { id } }");
        assert_eq!(reply.status, 200, "Accept {accept:?}: {}", reply.text());
        assert_eq!(
            reply.header("content-type"),
            Some(expected),
            "Accept {accept:?}"
        );
        assert_eq!(reply.header("vary"), Some("accept"), "Accept {accept:?}");
        assert_eq!(reply.json()["data"]["cities"][0]["id"], "korla");
    }
}

#[test]
fn an_accept_that_allows_neither_type_is_a_406() {
    let reply = post(&[CT_JSON, ("Accept", "text/html")], "{ cities { id } }");
    assert_eq!(reply.status, 406, "{}", reply.text());
    assert_eq!(error_codes(&reply.json()), ["BAD_REQUEST"]);
    assert_eq!(reply.header("dangqun-sql-statements"), None);
}

#[test]
fn a_request_that_never_runs_has_no_data_and_its_status_follows_the_media_type() {
    let cases = [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ cities { id ", "GRAPHQL_PARSE_FAILED"),
        (
            "query ($n: Int!) { rooms(first: $n) { totalCount } }",
            "BAD_ARGUMENT",
        ),
    ];
    for (query, code) in cases {
        for (accept, status) in [
            ("application/graphql-response+json", 400),
            ("application/json", 200),
        ] {
            let reply = post(&[CT_JSON, ("Accept", accept)], query);
            assert_eq!(
                reply.status,
                status,
                "{query} as {accept}: {}",
                reply.text()
            );
            let body = reply.json();
            assert_eq!(body.get("data"), None, "{query} as {accept}: {body}");
            assert_eq!(error_codes(&body), [code], "{query} as {accept}");
        }
    }
    // An error inside a field is an answer that ran: 200 with its `data` entry, null here as
    // `compare` cannot be null, whatever the media type.
    let reply = post(
        &[CT_JSON, ("Accept", "application/graphql-response+json")],
        "{ compare(cities: []) { cityId } }",
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body.get("data"), Some(&Value::Null));
    assert_eq!(error_codes(&body), ["BAD_ARGUMENT"]);
}

#[test]
fn a_post_that_is_not_json_is_refused_unread() {
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json; charset=latin1"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|ct| ("Content-Type", ct))
            .into_iter()
            .collect();
        let reply = post(&headers, "{ cities { id } }");
        assert_eq!(reply.status, 415, "{content_type:?}: {}", reply.text());
        assert_eq!(
            error_codes(&reply.json()),
            ["BAD_REQUEST"],
            "{content_type:?}"
        );
        // Refused before anything ran.
        assert_eq!(
            reply.header("dangqun-sql-statements"),
            None,
            "{content_type:?}"
        );
    }
    for content_type in [
        "application/json;charset=utf-8",
        "Application/JSON; charset=\"UTF-8\"",
    ] {
        let reply = post(&[("Content-Type", content_type)], "{ cities { id } }");
        assert_eq!(reply.status, 200, "{content_type}: {}", reply.text());
    }
}

#[test]
fn get_runs_queries_only() {
    let reply = get(&[], "query=%7B%20cities%20%7B%20id%20%7D%20%7D");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some(JSON));
    assert_eq!(reply.json()["data"]["cities"][3]["id"], "jinshan");

    for operation in [
        "mutation { cities { id } }",
        "subscription { cities { id } }",
    ] {
        let reply = get(&[], &format!("query={}", url_encode(operation)));
        assert_eq!(reply.status, 405, "{operation}: {}", reply.text());
        assert_eq!(reply.header("allow"), Some("POST"), "{operation}");
        assert_eq!(error_codes(&reply.json()), ["BAD_REQUEST"], "{operation}");
    }
    // Several operations: the one named decides.
    let doc = "query%20a%20%7B%20cities%20%7B%20id%20%7D%20%7D%20mutation%20b%20%7B%20cities%20%7B%20id%20%7D%20%7D";
    assert_eq!(
        get(&[], &format!("query={doc}&operationName=a")).status,
        200
    );
    assert_eq!(
        get(&[], &format!("query={doc}&operationName=b")).status,
        405
    );
}

#[test]
fn the_graphql_http_audit_passes_with_no_error_and_no_warning() {
    let dir = repo_root().join("tests/graphql-http");
    assert!(
        dir.join("node_modules/graphql-http").is_dir(),
        "the audit's Node packages are missing: `tests/run.sh` installs them, or run \
         `npm ci --prefix tests/graphql-http`"
    );
    let url = format!("http://{}/graphql", shared().addr);
    let output = Command::new("node")
        .arg("audit.mjs")
        .arg(&url)
        .current_dir(&dir)
        .output()
        .expect("run node (Node.js 20 or newer)");
    assert!(
        output.status.success(),
        "the audit failed to run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON result per line"))
        .collect();
    // graphql-http 1.23.1 (pinned by the lock file) runs 61 audits.
    assert_eq!(results.len(), 61);
    let not_ok: Vec<&Value> = results.iter().filter(|r| r["status"] != "ok").collect();
    assert!(not_ok.is_empty(), "audits not ok: {not_ok:#?}");
}

/// The raw text of a JSON value as dangqun writes it (compact).
fn compact(v: &Value) -> String {
    v.to_string()
}

#[test]
fn answer_keys_follow_the_selection() {
    let reply = post(
        &[CT_JSON],
        "{ zeta: cities { id } alpha: compare { cityId } mid: sources { id } }",
    );
    let text = reply.text();
    let body = reply.json();
    let expected = format!(
        r#"{{"data":{{"zeta":{},"alpha":{},"mid":{}}}}}"#,
        compact(&body["data"]["zeta"]),
        compact(&body["data"]["alpha"]),
        compact(&body["data"]["mid"]),
    );
    assert_eq!(text, expected);

    // Fragments take their place; a key selected twice keeps its first place and merges.
    let query = "{ rooms(first: 2, orderBy: { by: CAPACITY, direction: DESC }) { nodes { name ...f id center { name } } totalCount } } \
                 fragment f on FunctionRoom { capacity { max min } center { id } }";
    let reply = post(&[CT_JSON], query);
    let text = reply.text();
    let body = reply.json();
    let rooms = &body["data"]["rooms"];
    let node = |n: &Value| {
        format!(
            r#"{{"name":{},"capacity":{{"max":{},"min":{}}},"center":{{"id":{},"name":{}}},"id":{}}}"#,
            n["name"],
            n["capacity"]["max"],
            n["capacity"]["min"],
            n["center"]["id"],
            n["center"]["name"],
            n["id"]
        )
    };
    let expected = format!(
        r#"{{"data":{{"rooms":{{"nodes":[{},{}],"totalCount":{}}}}}}}"#,
        node(&rooms["nodes"][0]),
        node(&rooms["nodes"][1]),
        rooms["totalCount"]
    );
    assert_eq!(text, expected);
}

#[test]
fn identical_requests_get_identical_bytes() {
    // Sibling fields that read different tables (and, for `cities`, every district) finish in
    // whatever order the databases answer: the bytes must not follow it.
    let query = "{ zeta: cities { name id serviceCircles { id centers { name id rooms { name id capacity { min max } equipment { tag name } } } } rooms(first: 5) { totalCount nodes { id } } } \
                 alpha: compare { rooms cityId centers } mid: sources { id } \
                 rooms(first: 30) { nodes { uses equipment { name } center { name } citations { quote } } totalCount } }";
    let first = post(&[CT_JSON], query);
    assert_eq!(first.status, 200, "{}", first.text());
    assert!(graphql(shared().addr, query, json!(null))["errors"].is_null());
    for i in 1..50 {
        let again = post(&[CT_JSON], query);
        assert!(again.body == first.body, "request {i} answered differently");
    }
}
