//! The real `dangqun serve` binary: settings from a file, the environment and flags together,
//! a district's own timeout, cursors signed with a random secret, and a graceful stop on
//! SIGTERM.

use crate::support::{Connection, Served, error_codes, graphql, post_json, temp_dir};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A listener that accepts connections (the kernel does) and never says a word: a database
/// that does not answer.
fn silent_database() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (
        listener,
        format!("postgres://dangqun@127.0.0.1:{port}/korla"),
    )
}

#[test]
fn a_file_the_environment_and_flags_combine_and_the_nearest_wins() {
    let (_silent, korla) = silent_database();
    let elsewhere = temp_dir("serve-layers-file-data");
    let config = temp_dir("serve-layers-config").join("dangqun.toml");
    std::fs::write(
        &config,
        format!(
            r#"
data_dir = "{}"
max_body_bytes = 1000
max_depth = 3

[districts.korla]
database = "{korla}"
timeout_ms = 400
"#,
            elsewhere.display()
        ),
    )
    .expect("write the file");
    let config = config.to_str().expect("utf-8").to_owned();
    // `Served` gives `--data-dir` and `--listen` as flags.
    let served = Served::start_with_env(
        "serve-layers",
        &["--max-depth", "7"],
        &[
            ("DANGQUN_CONFIG", &config),
            ("DANGQUN_MAX_BODY_BYTES", "2000"),
            ("DANGQUN_MAX_DEPTH", "2"),
            ("DANGQUN_DISTRICT_TIMEOUT_MS", "6000"),
        ],
        Stdio::null(),
    );

    // The flag's data folder, not the file's.
    assert_eq!(std::fs::read_dir(&elsewhere).expect("dir").count(), 0);

    // The environment over the file: 2,000 bytes, not 1,000.
    let padded = |n: usize| json!({ "query": format!("{{ __typename }} #{}", " ".repeat(n)) });
    let fits = post_json(served.addr, &[], &padded(1500));
    assert_eq!(fits.status, 200, "{}", fits.text());
    let over = post_json(served.addr, &[], &padded(2500));
    assert_eq!(over.status, 413);
    assert_eq!(
        over.json()["errors"][0]["message"],
        "the request body is larger than 2000 bytes"
    );

    // The flag over the environment and the file: depth 7, not 2 or 3.
    let shallow = served
        .post("{ cities { centers { nodes { id } } } }")
        .json();
    assert_eq!(error_codes(&shallow), ["DISTRICT_UNAVAILABLE"], "{shallow}");
    let deep = served
        .post("{ cities { centers { nodes { rooms { citations { source { city { id } } } } } } } }")
        .json();
    assert_eq!(error_codes(&deep), ["LIMIT_EXCEEDED"]);
    assert_eq!(deep["errors"][0]["extensions"]["limit"], "depth");
    assert_eq!(deep["errors"][0]["extensions"]["max"], 7);

    // Korla's own timeout (400 ms) over everyone's (6 s): the silent database costs a query
    // about 400 ms, and Korla alone is unavailable.
    let started = Instant::now();
    let answer = served.post("{ cities { id } }").json();
    let took = started.elapsed();
    assert_eq!(
        answer,
        json!({
            "data": { "cities": [null, { "id": "taiyuan" }, { "id": "suzhou" }, { "id": "jinshan" }] },
            "errors": [{
                "message": "district `korla` is unavailable; the other cities answered",
                "locations": [{ "line": 1, "column": 3 }],
                "path": ["cities", 0],
                "extensions": { "code": "DISTRICT_UNAVAILABLE", "city": "korla" }
            }]
        })
    );
    assert!(
        took >= Duration::from_millis(350) && took < Duration::from_secs(3),
        "Korla's 400 ms timeout: took {took:?}"
    );
}

#[test]
fn the_file_sets_what_nothing_else_does() {
    let config = temp_dir("serve-file-only").join("dangqun.toml");
    std::fs::write(&config, "cache_max_age = 7\n").expect("write the file");
    let served = Served::start(
        "serve-file-only",
        &["--config", config.to_str().expect("utf-8")],
    );
    let get = crate::support::request(
        served.addr,
        "GET",
        "/graphql?query=%7B%20cities%20%7B%20id%20%7D%20%7D",
        None,
        b"",
    );
    assert_eq!(get.status, 200);
    assert_eq!(get.header("cache-control"), Some("public, max-age=7"));
}

/// The first page of one room and its cursor, from `served`.
fn first_cursor(served: &Served) -> String {
    let page = served
        .post("{ rooms(first: 1) { pageInfo { endCursor } } }")
        .json();
    page["data"]["rooms"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{page}"))
        .to_owned()
}

fn next_page(served: &Served, after: &str) -> Value {
    graphql(
        served.addr,
        "query($after: String) { rooms(first: 1, after: $after) { nodes { id } } }",
        json!({ "after": after }),
    )
}

#[test]
fn without_a_secret_each_process_signs_cursors_with_its_own() {
    let a = Served::start("serve-secret-a", &[]);
    let b = Served::start("serve-secret-b", &[]);
    let two = a.post("{ rooms(first: 2) { nodes { id } } }").json();
    let second = json!({ "data": { "rooms": { "nodes": [two["data"]["rooms"]["nodes"][1]] } } });
    let cursor = first_cursor(&a);
    assert_eq!(next_page(&a, &cursor), second);
    assert_eq!(error_codes(&next_page(&b, &cursor)), ["INVALID_CURSOR"]);

    // A secret shared by two processes (replicas, restarts) makes their cursors interchangeable.
    let shared = [("DANGQUN_CURSOR_SECRET", "replicas-share-this")];
    let c = Served::start_with_env("serve-secret-c", &[], &shared, Stdio::null());
    let d = Served::start_with_env("serve-secret-d", &[], &shared, Stdio::null());
    assert_eq!(next_page(&d, &first_cursor(&c)), second);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_0() {
    let mut served = Served::start("serve-sigterm", &[]);
    let body = br#"{"query":"{ cities { id } }"}"#;
    let mut connection = Connection::open(served.addr);
    connection.head(
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Content-Length", &body.len().to_string()),
        ],
    );
    connection.write(&body[..10]);
    // The request is in the server (its handler waits for the rest of the body) when the
    // signal arrives.
    std::thread::sleep(Duration::from_millis(300));
    served.terminate();
    std::thread::sleep(Duration::from_millis(300));
    let early = served.exit_within(Duration::ZERO);
    assert!(
        early.is_none(),
        "exited with a request in flight: {early:?}"
    );
    // No new connections once stopping.
    let refused = (0..50).any(|_| {
        let gone = std::net::TcpStream::connect(served.addr).is_err();
        if !gone {
            std::thread::sleep(Duration::from_millis(20));
        }
        gone
    });
    assert!(refused, "still accepting connections after SIGTERM");

    connection.write(&body[10..]);
    let reply = connection
        .reply()
        .expect("the answer to the request in flight");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({ "data": { "cities": [
            { "id": "korla" }, { "id": "taiyuan" }, { "id": "suzhou" }, { "id": "jinshan" }
        ] } })
    );
    let status = served
        .exit_within(Duration::from_secs(10))
        .expect("exited after the request");
    assert_eq!(status.code(), Some(0), "{status}");
}
