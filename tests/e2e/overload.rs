//! Overload, through the real `dangqun serve` binary: requests past the queue are shed with 503
//! and `Retry-After`, a request over the timeout is a 503, a client over its rate gets 429, and a
//! load far past capacity leaves the process up, under 200 MB, with every answer correct or a
//! clean refusal.

use crate::support::{Reply, Served, post_json, request_with};
use serde_json::{Value, json};
use std::sync::{Arc, Barrier};

const DEEP: &str = "{ cities { id serviceCircles { id centers { id name rooms { id name capacity { min max } equipment { name tag } } } } } }";

/// Every reply is the expected answer or a clean refusal with one of `codes` and `Retry-After`.
fn check(replies: &[Reply], expected: &[u8], codes: &[&str]) -> (usize, usize) {
    let (mut answered, mut refused) = (0, 0);
    for reply in replies {
        match reply.status {
            200 => {
                assert!(reply.body == expected, "a wrong answer: {}", reply.text());
                answered += 1;
            }
            503 | 429 => {
                let body: Value = reply.json();
                let code = body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("");
                assert!(codes.contains(&code), "{}: {body}", reply.status);
                assert!(body.get("data").is_none(), "{body}");
                assert!(reply.header("retry-after").is_some(), "{body}");
                refused += 1;
            }
            other => panic!("status {other}: {}", reply.text()),
        }
    }
    (answered, refused)
}

/// `clients` threads, released together, each sending `each` requests.
fn burst(served: &Served, clients: usize, each: usize) -> Vec<Reply> {
    let barrier = Arc::new(Barrier::new(clients));
    let addr = served.addr;
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let body = json!({ "query": DEEP });
                (0..each)
                    .map(|_| post_json(addr, &[], &body))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().expect("client thread"))
        .collect()
}

#[test]
fn requests_past_the_queue_are_shed_with_503_and_the_rest_answered() {
    let served = Served::start(
        "shed",
        &[
            "--max-concurrent-queries",
            "1",
            "--max-queued-queries",
            "2",
            "--rate-limit",
            "0",
        ],
    );
    let expected = served.post(DEEP);
    assert_eq!(expected.status, 200, "{}", expected.text());
    let replies = burst(&served, 24, 1);
    let (answered, refused) = check(&replies, &expected.body, &["OVERLOADED"]);
    assert_eq!(answered + refused, 24);
    assert!(
        answered >= 1 && refused >= 1,
        "{answered} answered, {refused} shed"
    );
    // Shed requests never queued: once the burst is over, the service answers at once.
    assert_eq!(served.post(DEEP).body, expected.body);
}

#[test]
fn a_request_over_the_timeout_is_a_503() {
    // One turn, a long queue, 20 ms: waiting for the turn counts, so behind 63 others most time
    // out, and the ones that got their turn in time are answered in full.
    let served = Served::start(
        "timeout",
        &[
            "--max-concurrent-queries",
            "1",
            "--max-queued-queries",
            "100",
            "--request-timeout-ms",
            "20",
            "--rate-limit",
            "0",
        ],
    );
    // The expected answer from a server without the 20 ms bound (same data, same bytes): on a
    // loaded machine even a lone request here may time out.
    let expected = crate::support::shared_post(DEEP);
    let replies = burst(&served, 64, 1);
    let (answered, timed_out) = check(&replies, &expected, &["TIMED_OUT"]);
    assert_eq!(answered + timed_out, 64);
    assert!(timed_out >= 1, "{answered} answered, none timed out");
    let refusal = replies.iter().find(|r| r.status == 503).expect("a 503");
    assert_eq!(refusal.header("retry-after"), Some("1"));
}

#[test]
fn a_client_over_its_rate_gets_429_with_retry_after() {
    let served = Served::start("rate", &["--rate-limit", "0.5", "--rate-burst", "3"]);
    for i in 0..3 {
        let reply = served.post("{ cities { id } }");
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text());
    }
    let reply = served.post("{ cities { id } }");
    assert_eq!(reply.status, 429, "{}", reply.text());
    assert_eq!(reply.header("retry-after"), Some("2"));
    assert_eq!(
        reply.json()["errors"][0]["extensions"]["code"],
        "RATE_LIMITED"
    );
    // Only /graphql is limited.
    assert_eq!(
        request_with(served.addr, "GET", "/health", &[], b"").status,
        200
    );
}

#[test]
fn load_far_past_capacity_leaves_the_process_up_and_small() {
    let served = Served::start("ramp", &["--rate-limit", "0"]);
    let expected = served.post(DEEP);
    assert_eq!(expected.status, 200);
    // 64 clients at once, then 128: far past the 4 turns and 32 places of a 2-core machine.
    let mut replies = burst(&served, 64, 4);
    replies.extend(burst(&served, 128, 2));
    let (answered, refused) = check(&replies, &expected.body, &["OVERLOADED", "TIMED_OUT"]);
    assert_eq!(answered + refused, 64 * 4 + 128 * 2);
    assert!(answered > 0);
    assert_eq!(
        request_with(served.addr, "GET", "/health", &[], b"").status,
        200
    );
    let rss = served.peak_rss_mib();
    assert!(rss < 200, "peak RSS {rss} MiB");
}
