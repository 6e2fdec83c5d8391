//! The HTTP surface: bad requests get clear JSON errors with stable codes, never a panic or 500.

use crate::support::{Connection, error_codes, graphql, request, shared};
use serde_json::json;

#[test]
fn malformed_json_is_a_400_with_a_code() {
    let reply = request(
        shared().addr,
        "POST",
        "/graphql",
        Some("application/json"),
        b"{\"query\": ",
    );
    assert_eq!(reply.status, 400);
    let body = reply.json();
    assert_eq!(error_codes(&body), ["BAD_REQUEST"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not valid JSON")
    );
}

#[test]
fn a_body_that_is_not_a_graphql_request_is_a_400() {
    let reply = request(
        shared().addr,
        "POST",
        "/graphql",
        Some("application/json"),
        br#"{"q": 1}"#,
    );
    assert_eq!(reply.status, 400);
    assert_eq!(error_codes(&reply.json()), ["BAD_REQUEST"]);
}

#[test]
fn batches_are_refused() {
    let body = json!([{ "query": "{ cities { id } }" }, { "query": "{ cities { id } }" }]);
    let reply = request(
        shared().addr,
        "POST",
        "/graphql",
        Some("application/json"),
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(error_codes(&reply.json()), ["BAD_REQUEST"]);
}

/// The limit `--max-body-bytes` has by default.
const LIMIT: usize = 64 * 1024;

fn assert_too_large(reply: &crate::support::Reply) {
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(error_codes(&reply.json()), ["BAD_REQUEST"]);
    assert_eq!(
        reply.json()["errors"][0]["message"],
        format!("the request body is larger than {LIMIT} bytes")
    );
    // The body was not read to its end, so the connection cannot carry another request.
    assert_eq!(reply.header("connection"), Some("close"));
}

#[test]
fn an_oversized_body_is_refused_before_it_is_read() {
    // Only the head is sent: a server that waited for the body would never answer.
    let mut connection = Connection::open(shared().addr);
    connection.head(
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Content-Length", &(LIMIT + 1).to_string()),
        ],
    );
    assert_too_large(&connection.reply().expect("an answer to the head alone"));
    assert!(connection.closed());
}

#[test]
fn a_chunked_body_is_refused_once_it_passes_the_limit() {
    // Twice the limit in chunks, never the last chunk: the answer must come from the limit.
    let mut connection = Connection::open(shared().addr);
    connection.head(
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Transfer-Encoding", "chunked"),
        ],
    );
    let chunk = vec![b' '; 8 * 1024];
    for _ in 0..(2 * LIMIT / chunk.len()) {
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        if !connection.write(&framed) {
            break;
        }
    }
    assert_too_large(&connection.reply().expect("an answer before the body ends"));
    assert!(connection.closed());
}

#[test]
fn a_kept_alive_connection_carries_requests_until_a_body_is_refused() {
    let query = br#"{"query":"{ cities { id } }"}"#;
    let ids = json!({ "data": { "cities": [
        { "id": "korla" }, { "id": "taiyuan" }, { "id": "suzhou" }, { "id": "jinshan" }
    ] } });
    let json = [("Content-Type", "application/json")];
    let mut connection = Connection::open(shared().addr);
    connection.send("POST", "/graphql", &json, query);
    let first = connection.reply().expect("first answer");
    assert_eq!((first.status, first.json()), (200, ids.clone()));
    assert_eq!(first.header("connection"), None);
    connection.send(
        "GET",
        "/graphql?query=%7B%20cities%20%7B%20id%20%7D%20%7D",
        &[],
        b"",
    );
    let second = connection
        .reply()
        .expect("second answer on the same connection");
    assert_eq!((second.status, second.json()), (200, ids));

    // An oversized body whose tail looks like a request: the server answers 413 and closes,
    // and nothing in the unread body is ever taken for a request.
    let smuggled =
        b"\r\nGET /graphql?query=%7B%20cities%20%7B%20id%20%7D%20%7D HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut body = vec![b' '; LIMIT];
    body.extend_from_slice(smuggled);
    connection.send("POST", "/graphql", &json, &body);
    assert_too_large(&connection.reply().expect("413"));
    connection.send("POST", "/graphql", &json, query);
    assert!(
        connection.reply().is_none(),
        "an answer after the connection was to close"
    );
}

#[test]
fn a_query_that_does_not_parse_has_a_parse_code() {
    let response = graphql(shared().addr, "{ cities { id ", json!(null));
    assert_eq!(error_codes(&response), ["GRAPHQL_PARSE_FAILED"]);
    assert!(response.get("data").is_none_or(|d| d.is_null()));
}

/// Requests refused before any statement runs say why in their own terms. (A statement that
/// fails inside a district is `a_district_whose_statement_fails_is_a_district_error_that_leaks_nothing`.)
#[test]
fn refused_requests_name_no_internals() {
    for (query, code) in [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ rooms(first: -1) { totalCount } }", "BAD_ARGUMENT"),
        ("{ rooms(after: \"x\") { totalCount } }", "INVALID_CURSOR"),
    ] {
        let answer = graphql(shared().addr, query, json!(null));
        assert_eq!(error_codes(&answer), [code], "{answer}");
        let text = answer.to_string().to_lowercase();
        for leak in ["select ", "sqlite", "panicked", "src/", ".rs:"] {
            assert!(!text.contains(leak), "{query} leaked `{leak}`: {text}");
        }
    }
}

#[test]
fn a_district_whose_statement_fails_is_a_district_error_that_leaks_nothing() {
    // Korla's file loses a table after it was imported: the district is up, its statement fails.
    // Through the resolvers, so that the failing read is a nested one (compiled, the whole
    // tree is one statement: `compiled::a_district_whose_statement_fails_is_null_with_one_error`).
    let dir = crate::support::temp_dir("district-error");
    let mut config = server::Config::with_data_dir(&dir);
    config.resolve_every_field = true;
    let server = crate::support::start_config(config);
    crate::support::drop_table(&dir.join("korla.sqlite"), "room_equipment");
    let answer = graphql(
        server.addr,
        "{ rooms(first: 100) { nodes { id equipment { name } } } }",
        json!(null),
    );
    assert_eq!(error_codes(&answer), ["DISTRICT_ERROR"], "{answer}");
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["city"], "korla");
    assert_eq!(error["message"], "district `korla` could not answer");
    // One error for the city, not one per room whose equipment it failed to read; only Korla's
    // rooms lost their equipment, the other cities' lists are whole.
    let rooms = answer["data"]["rooms"]["nodes"].as_array().expect("rooms");
    assert_eq!(rooms.len(), 56);
    assert!(
        rooms
            .iter()
            .filter(|r| r["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("jinshan/")))
            .any(|r| r["equipment"].as_array().is_some_and(|e| !e.is_empty()))
    );
    let text = answer.to_string().to_lowercase();
    for leak in [
        "select ",
        "sqlite",
        "no such table",
        "room_equipment",
        "panicked",
        "src/",
        ".rs:",
        &dir.display().to_string().to_lowercase(),
    ] {
        assert!(!text.contains(leak), "leaked `{leak}`: {text}");
    }
}

#[test]
fn get_serves_queries_with_variables() {
    let path = "/graphql?query=query%20C(%24id%3AID!)%7Bcity(id%3A%24id)%7BnameEn%7D%7D&variables=%7B%22id%22%3A%22suzhou%22%7D";
    let reply = request(shared().addr, "GET", path, None, b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({ "data": { "city": { "nameEn": "Suzhou" } } })
    );

    let reply = request(shared().addr, "GET", "/graphql", None, b"");
    assert_eq!(reply.status, 400);
    assert_eq!(error_codes(&reply.json()), ["BAD_REQUEST"]);
}

#[test]
fn graphiql_is_served_from_the_binary_with_no_outside_url() {
    let page = request(shared().addr, "GET", "/", None, b"");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
    );
    let html = page.text();
    assert!(
        html.contains("/graphiql/graphiql.min.js") && html.contains("/graphql"),
        "{html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"),
        "{html}"
    );
    for (asset, kind) in [
        ("graphiql.min.js", "text/javascript"),
        ("graphiql.min.css", "text/css"),
        ("react.production.min.js", "text/javascript"),
        ("react-dom.production.min.js", "text/javascript"),
    ] {
        let reply = request(
            shared().addr,
            "GET",
            &format!("/graphiql/{asset}"),
            None,
            b"",
        );
        assert_eq!(reply.status, 200, "{asset}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|c| c.starts_with(kind)),
            "{asset}"
        );
        assert!(reply.body.len() > 5_000, "{asset} is suspiciously small");
    }
    assert_eq!(
        request(shared().addr, "GET", "/graphiql/nope.js", None, b"").status,
        404
    );
}

#[test]
fn health_reports_every_district_up() {
    let reply = request(shared().addr, "GET", "/health", None, b"");
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["status"], "up");
    let cities: Vec<&str> = body["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|d| {
            assert_eq!(d["status"], "up");
            assert_eq!(d["datasetVersion"].as_str().map(str::len), Some(64));
            d["city"].as_str().expect("city")
        })
        .collect();
    assert_eq!(cities, ["korla", "taiyuan", "suzhou", "jinshan"]);
}

#[test]
fn unknown_paths_are_json_404s() {
    let reply = request(shared().addr, "GET", "/nope", None, b"");
    assert_eq!(reply.status, 404);
    assert_eq!(error_codes(&reply.json()), ["NOT_FOUND"]);
}

#[test]
fn every_type_field_and_enum_value_is_documented() {
    let query = "{ __schema { types { name kind description fields { name description args { name description } } enumValues { name description } } } }";
    let response = graphql(shared().addr, query, json!(null));
    let mut undocumented = Vec::new();
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    for t in response["data"]["__schema"]["types"]
        .as_array()
        .expect("types")
    {
        let name = t["name"].as_str().expect("name");
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        let blank = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
        if blank(&t["description"]) {
            undocumented.push(name.to_owned());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                undocumented.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if blank(&a["description"]) {
                    undocumented.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if blank(&v["description"]) {
                undocumented.push(format!("{name}.{}", v["name"]));
            }
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}
