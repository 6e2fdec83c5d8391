//! Persisted operations: automatic persisted queries (Apollo's protocol: hash, then hash and
//! query, then a GET of the hash alone) and a safelist that runs only its folder's operations.

use crate::support::{
    Reply, TestServer, config, error_codes, post_json, request_with, shared, start_config,
    temp_dir, url_encode,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

fn sha(query: &str) -> String {
    Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

fn post(server: &TestServer, accept: &str, body: Value) -> Reply {
    post_json(server.addr, &[("Accept", accept)], &body)
}

#[test]
fn automatic_persisted_queries_register_then_run_by_hash() {
    let query = "{ apq: cities { id nameEn } }";
    let hash = sha(query);
    let server = shared();

    // The hash alone, before the query was sent: PersistedQueryNotFound, as Apollo clients expect.
    let reply = post(
        server,
        "application/json",
        json!({ "extensions": persisted(&hash) }),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(body.get("data"), None);
    assert_eq!(reply.header("dangqun-sql-statements"), None);
    let reply = post(
        server,
        "application/graphql-response+json",
        json!({ "extensions": persisted(&hash) }),
    );
    assert_eq!(reply.status, 400);

    // A hash that is not the query's is refused, and registers nothing.
    let reply = post(
        server,
        "application/json",
        json!({ "query": "{ cities { id } }", "extensions": persisted(&hash) }),
    );
    assert_eq!(
        error_codes(&reply.json()),
        ["PERSISTED_QUERY_HASH_MISMATCH"]
    );

    // Hash and query: answered, and registered.
    let reply = post(
        server,
        "application/json",
        json!({ "query": query, "extensions": persisted(&hash) }),
    );
    assert_eq!(reply.status, 200);
    let answer = reply.body.clone();
    assert_eq!(
        reply.json()["data"]["apq"][0],
        json!({ "id": "korla", "nameEn": "Korla" })
    );

    // Now the hash alone, by POST and by GET (a short URL caches can keep).
    let reply = post(
        server,
        "application/json",
        json!({ "extensions": persisted(&hash) }),
    );
    assert_eq!(reply.body, answer);
    let path = format!(
        "/graphql?extensions={}",
        url_encode(&persisted(&hash).to_string())
    );
    let reply = request_with(server.addr, "GET", &path, &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.body, answer);
    assert!(reply.header("etag").is_some());

    let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } });
    let reply = post(server, "application/json", json!({ "extensions": v2 }));
    assert_eq!(
        error_codes(&reply.json()),
        ["PERSISTED_QUERY_NOT_SUPPORTED"]
    );
}

const CITIES: &str = "{ cities { id } }\n";
const ROOMS: &str = "query Rooms($n: Int) { rooms(first: $n) { totalCount } }\n";

fn safelisted() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = temp_dir("safelist-ops");
        std::fs::write(dir.join("cities.graphql"), CITIES).expect("write");
        std::fs::write(dir.join("rooms.graphql"), ROOMS).expect("write");
        std::fs::write(dir.join("notes.txt"), "not an operation").expect("write");
        let mut config = config("safelist");
        config.safelist = Some(dir);
        start_config(config)
    })
}

#[test]
fn a_safelist_runs_its_operations_by_text_or_hash_and_nothing_else() {
    let server = safelisted();
    let reply = post(server, "application/json", json!({ "query": CITIES }));
    assert_eq!(reply.json()["data"]["cities"][3]["id"], "jinshan");
    let reply = post(
        server,
        "application/json",
        json!({ "variables": { "n": 1 }, "extensions": persisted(&sha(ROOMS)) }),
    );
    assert_eq!(reply.json()["data"]["rooms"]["totalCount"], 56);

    for body in [
        json!({ "query": "{ cities { id name } }" }),
        // Registering a new one, as automatic persisted queries would.
        json!({ "query": "{ sources { id } }", "extensions": persisted(&sha("{ sources { id } }")) }),
        // The safelisted text with other whitespace is another operation.
        json!({ "query": CITIES.trim() }),
    ] {
        let reply = post(server, "application/json", body.clone());
        assert_eq!(reply.status, 200, "{body}");
        let answer = reply.json();
        assert_eq!(
            error_codes(&answer),
            ["OPERATION_NOT_IN_SAFELIST"],
            "{body}"
        );
        assert_eq!(answer.get("data"), None);
        assert_eq!(reply.header("dangqun-sql-statements"), None);
    }
}

#[test]
fn a_safelist_folder_without_operations_is_a_start_error() {
    let mut config = server::Config::with_data_dir(temp_dir("safelist-empty-data"));
    config.safelist = Some(temp_dir("safelist-empty"));
    let e = config.http().expect_err("empty safelist");
    assert!(
        e.to_string().starts_with("the safelist folder ")
            && e.to_string().ends_with(" holds no .graphql file"),
        "{e}"
    );
    config.safelist = Some("/nonexistent/ops".into());
    let e = config.http().expect_err("missing folder");
    assert!(
        e.to_string()
            .starts_with("cannot read the safelist folder /nonexistent/ops:"),
        "{e}"
    );
}
