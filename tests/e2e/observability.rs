//! What an operator watches: Prometheus `/metrics`, a request id on every answer and in every log
//! line of its request, plain or JSON logs.

use crate::support::{Served, config, post_json, request_with, start_config, temp_dir};
use serde_json::json;
use std::process::Stdio;

#[test]
fn metrics_count_requests_statements_refusals_and_districts() {
    let server = start_config(config("metrics"));
    let named = json!({ "query": "query Rooms { rooms(first: 3) { totalCount nodes { id } } }", "operationName": "Rooms" });
    let mut statements = 0;
    for _ in 0..2 {
        let reply = post_json(server.addr, &[], &named);
        assert_eq!(reply.status, 200);
        statements += reply
            .header("dangqun-sql-statements")
            .and_then(|v| v.parse::<u64>().ok())
            .expect("statements");
    }
    assert!(statements > 0);
    post_json(server.addr, &[], &json!({ "query": "{ nope }" }));
    let aliases: String = (0..31).map(|i| format!("a{i}: cities {{ id }} ")).collect();
    post_json(
        server.addr,
        &[],
        &json!({ "query": format!("{{ {aliases}}}") }),
    );
    let plain = request_with(
        server.addr,
        "POST",
        "/graphql",
        &[("Content-Type", "text/plain")],
        b"{ cities { id } }",
    );
    assert_eq!(plain.status, 415);

    let reply = request_with(server.addr, "GET", "/metrics", &[], b"");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = reply.text();
    for line in [
        "dangqun_requests_total{operation=\"Rooms\",outcome=\"ok\"} 2".to_owned(),
        "dangqun_requests_total{operation=\"anonymous\",outcome=\"invalid\"} 1".to_owned(),
        format!("dangqun_sql_statements_total{{operation=\"Rooms\"}} {statements}"),
        "dangqun_request_duration_seconds_count{operation=\"Rooms\"} 2".to_owned(),
        "dangqun_request_duration_seconds_bucket{operation=\"Rooms\",le=\"+Inf\"} 2".to_owned(),
        "dangqun_requests_refused_total{reason=\"limit_exceeded\"} 1".to_owned(),
        "dangqun_requests_refused_total{reason=\"bad_request\"} 1".to_owned(),
        "dangqun_district_up{city=\"korla\"} 1".to_owned(),
        "dangqun_district_up{city=\"jinshan\"} 1".to_owned(),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line `{line}` in:\n{text}"
        );
    }
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("dangqun_requests_total{"))
            .count(),
        2,
        "{text}"
    );
}

#[test]
fn every_answer_carries_a_request_id() {
    let server = crate::support::shared();
    let a = request_with(server.addr, "GET", "/health", &[], b"");
    let b = request_with(server.addr, "GET", "/health", &[], b"");
    let (a, b) = (
        a.header("x-request-id").expect("id"),
        b.header("x-request-id").expect("id"),
    );
    assert_ne!(a, b);
    let given = request_with(
        server.addr,
        "GET",
        "/health",
        &[("X-Request-Id", "dash-42.a")],
        b"",
    );
    assert_eq!(given.header("x-request-id"), Some("dash-42.a"));
    let unusable = request_with(
        server.addr,
        "GET",
        "/health",
        &[("X-Request-Id", "a b<c>")],
        b"",
    );
    let id = unusable.header("x-request-id").expect("id");
    assert_ne!(id, "a b<c>");
}

#[test]
fn json_logs_carry_the_request_id_of_their_request() {
    let log = temp_dir("json-logs").join("stderr.log");
    let file = std::fs::File::create(&log).expect("log file");
    let served = Served::start_with_env(
        "json-logs",
        &["--log-format", "json", "--rate-limit", "0"],
        &[("RUST_LOG", "info,server=debug")],
        Stdio::from(file),
    );
    let body = json!({ "query": "query Cities { cities { id } }", "operationName": "Cities" });
    let reply = post_json(served.addr, &[("X-Request-Id", "log-test-7")], &body);
    assert_eq!(reply.status, 200);
    drop(served);
    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let answered: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "answered")
        .collect();
    assert_eq!(answered.len(), 1, "{text}");
    assert_eq!(answered[0]["span"]["id"], "log-test-7", "{text}");
    assert_eq!(answered[0]["fields"]["operation"], "Cities", "{text}");
    assert_eq!(answered[0]["fields"]["outcome"], "ok", "{text}");
}
