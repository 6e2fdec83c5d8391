//! Districts that fail: a real PostgreSQL district stopped and restarted mid-test, a district
//! slower than its timeout, districts that cannot be reached or are misconfigured, and `/health`
//! and `/ready` through all of it. These tests need PostgreSQL in every pass (never skipped).

use crate::pg::{self, PgCluster};
use crate::support::{error_codes, graphql, request, start_config, temp_dir, unique_name};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const QUERY: &str = "{
  cities { id name }
  rooms(first: 100) { totalCount edges { node { id city { id } } } }
  compare { city { id } centers }
}";

/// The cities answered in `rooms`, in order of first appearance.
fn room_cities(response: &Value) -> Vec<String> {
    let mut cities: Vec<String> = Vec::new();
    for edge in response["data"]["rooms"]["edges"]
        .as_array()
        .expect("edges")
    {
        let city = edge["node"]["city"]["id"]
            .as_str()
            .expect("city")
            .to_owned();
        if !cities.contains(&city) {
            cities.push(city);
        }
    }
    cities
}

fn health(addr: SocketAddr) -> (u16, Value) {
    let reply = request(addr, "GET", "/health", None, b"");
    (reply.status, reply.json())
}

fn ready(addr: SocketAddr) -> u16 {
    request(addr, "GET", "/ready", None, b"").status
}

fn district_status(health: &Value, city: &str) -> String {
    health["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .find(|d| d["city"] == city)
        .and_then(|d| d["status"].as_str())
        .unwrap_or("missing")
        .to_owned()
}

/// Another session holding an exclusive lock on a table until dropped (or `for` has passed).
struct Locker {
    child: std::process::Child,
    url: String,
    table: String,
}

impl Locker {
    fn hold(url: &str, table: &str, duration: Duration) -> Self {
        let psql = std::env::var("DANGQUN_TEST_PG_BIN")
            .map(|bin| format!("{bin}/psql"))
            .unwrap_or_else(|_| "psql".to_owned());
        let child = std::process::Command::new(psql)
            .args(["-X", "-q", "-d", url, "-c"])
            .arg(format!(
                "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({}); COMMIT;",
                duration.as_secs()
            ))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start psql");
        let held = format!(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
             WHERE c.relname = '{table}' AND l.mode = 'AccessExclusiveLock' AND l.granted"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while pg::psql(url, &held) != "1" {
            assert!(Instant::now() < deadline, "the lock was never taken");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            url: url.to_owned(),
            table: table.to_owned(),
        }
    }
}

impl Drop for Locker {
    fn drop(&mut self) {
        // The server would keep the lock until the sleep ends: end the session itself.
        pg::psql(
            &self.url,
            &format!(
                "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_class c \
                 ON c.oid = l.relation WHERE c.relname = '{}' AND l.mode = 'AccessExclusiveLock'",
                self.table
            ),
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A configuration with every district on SQLite in a fresh folder but `korla`, at `korla`.
fn korla_at(name: &str, korla: &str, timeout_ms: u64) -> server::Config {
    let mut config = server::Config::with_data_dir(temp_dir(name)).with_database("korla", korla);
    config.district_timeout_ms = timeout_ms;
    config
}

#[test]
fn a_stopped_postgres_district_is_null_and_used_again_when_it_is_back() {
    let cluster = PgCluster::start_new("outage");
    let url = cluster.create_database("korla");
    let server = start_config(korla_at("outage", &url, 1000));

    let all = graphql(server.addr, QUERY, json!({}));
    assert!(all.get("errors").is_none(), "{all}");
    assert_eq!(all["data"]["cities"][0]["id"], "korla");
    assert_eq!(room_cities(&all)[0], "korla");
    assert_eq!(all["data"]["compare"].as_array().map(Vec::len), Some(4));
    let (status, h) = health(server.addr);
    assert_eq!((status, h["status"].as_str()), (200, Some("up")), "{h}");
    assert_eq!(h["districts"][0]["backend"], "postgres");

    cluster.stop();
    let started = Instant::now();
    let partial = graphql(server.addr, QUERY, json!({}));
    let took = started.elapsed();
    // The other cities' data, Korla's part null, and exactly one error that names Korla.
    let errors = partial["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{partial}");
    assert_eq!(errors[0]["extensions"]["code"], "DISTRICT_UNAVAILABLE");
    assert_eq!(errors[0]["extensions"]["city"], "korla");
    let message = errors[0]["message"].as_str().expect("message");
    assert!(
        !message.contains("postgres") && !message.contains("SELECT"),
        "{message}"
    );
    let cities = &partial["data"]["cities"];
    assert_eq!(cities[0], Value::Null, "{partial}");
    assert_eq!(
        [&cities[1]["id"], &cities[2]["id"], &cities[3]["id"]],
        ["taiyuan", "suzhou", "jinshan"]
    );
    assert_eq!(room_cities(&partial), ["taiyuan", "suzhou", "jinshan"]);
    let compared: Vec<&str> = partial["data"]["compare"]
        .as_array()
        .expect("compare")
        .iter()
        .filter_map(|row| row["city"]["id"].as_str())
        .collect();
    assert_eq!(compared, ["taiyuan", "suzhou", "jinshan"]);
    eprintln!("the query with Korla stopped took {took:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");

    let (status, h) = health(server.addr);
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["status"], "degraded");
    assert_eq!(district_status(&h, "korla"), "down");
    assert_eq!(district_status(&h, "suzhou"), "up");
    assert!(h["districts"][0]["reason"].is_string(), "{h}");
    assert!(h["districts"][0]["latencyMs"].is_number(), "{h}");
    assert_eq!(ready(server.addr), 200);

    // Back up: the next query uses it again, no restart.
    cluster.start();
    let back = graphql(server.addr, QUERY, json!({}));
    assert!(back.get("errors").is_none(), "{back}");
    assert_eq!(back["data"], all["data"]);
    let (_, h) = health(server.addr);
    assert_eq!(h["status"], "up", "{h}");
}

#[test]
fn a_district_slower_than_its_timeout_is_unavailable_for_that_query() {
    let url = pg::create_database(&unique_name("slow"));
    let server = start_config(korla_at("slow", &url, 800));
    let before = graphql(server.addr, QUERY, json!({}));
    assert!(before.get("errors").is_none(), "{before}");

    // Another session holds an exclusive lock on Korla's rooms: its reads wait behind it.
    let locker = Locker::hold(&url, "rooms", Duration::from_secs(6));
    let started = Instant::now();
    let slow = graphql(
        server.addr,
        "{ rooms(first: 100) { totalCount edges { node { id city { id } } } } }",
        json!({}),
    );
    let took = started.elapsed();
    assert_eq!(error_codes(&slow), ["DISTRICT_UNAVAILABLE"], "{slow}");
    assert_eq!(slow["errors"][0]["extensions"]["city"], "korla");
    assert_eq!(room_cities(&slow), ["taiyuan", "suzhou", "jinshan"]);
    eprintln!("the query with Korla locked (timeout 800 ms) took {took:?}");
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(4),
        "took {took:?}"
    );
    drop(locker);
    let after = graphql(server.addr, QUERY, json!({}));
    assert!(after.get("errors").is_none(), "{after}");
}

#[test]
fn ready_fails_only_when_no_district_is_up() {
    let nowhere = "postgres://dangqun:secret@127.0.0.1:1/dangqun";
    let mut config = server::Config::with_data_dir(temp_dir("nowhere"));
    for (city, ..) in server::CITIES {
        config = config.with_database(city, nowhere);
    }
    config.district_timeout_ms = 500;
    let server = start_config(config);
    assert_eq!(ready(server.addr), 503);
    let (status, h) = health(server.addr);
    assert_eq!((status, h["status"].as_str()), (503, Some("down")), "{h}");
    assert!(!h.to_string().contains("secret"), "{h}");
    let answer = graphql(server.addr, "{ cities { id } }", json!({}));
    assert_eq!(answer["data"]["cities"], json!([null, null, null, null]));
    let mut cities: Vec<&str> = answer["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["extensions"]["city"].as_str())
        .collect();
    cities.sort_unstable();
    assert_eq!(cities, ["jinshan", "korla", "suzhou", "taiyuan"]);
}

#[test]
fn a_malformed_url_serves_the_other_districts_and_reports_that_one_down() {
    let server = start_config(korla_at(
        "malformed",
        "postgres://dangqun:secret@db:notaport/x",
        1000,
    ));
    let (status, h) = health(server.addr);
    assert_eq!(status, 200);
    assert_eq!(district_status(&h, "korla"), "down");
    assert_eq!(district_status(&h, "jinshan"), "up");
    let reason = h["districts"][0]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("korla") && !reason.contains("secret"),
        "{reason}"
    );
    let answer = graphql(server.addr, "{ cities { id } }", json!({}));
    assert_eq!(error_codes(&answer), ["DISTRICT_UNAVAILABLE"]);
    assert_eq!(answer["data"]["cities"][1]["id"], "taiyuan");
}

#[test]
fn serve_reports_each_bad_district_down_with_its_reason_and_serves_the_rest() {
    let wrong_password = pg::admin_url().replacen(":dangqun@", ":not-the-password@", 1);
    let config = server::Config::with_data_dir(temp_dir("bad-serve"))
        .with_database(
            "korla",
            crate::support::database_from_the_future("bad-serve-newer"),
        )
        .with_database("taiyuan", wrong_password)
        .with_database("suzhou", "postgres://dangqun:s3cret@127.0.0.1:1/x");
    let server = start_config(config);
    let (status, h) = health(server.addr);
    assert_eq!(
        (status, h["status"].as_str()),
        (200, Some("degraded")),
        "{h}"
    );
    let reason = |i: usize| {
        h["districts"][i]["reason"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        reason(0).contains("korla") && reason(0).contains("migration 99"),
        "{h}"
    );
    assert!(
        reason(1).contains("taiyuan") && reason(1).contains("password authentication failed"),
        "{h}"
    );
    assert!(
        reason(2).contains("suzhou") && reason(2).contains("cannot open"),
        "{h}"
    );
    assert_eq!(district_status(&h, "jinshan"), "up");
    let text = h.to_string();
    assert!(
        !text.contains("s3cret") && !text.contains("not-the-password"),
        "{text}"
    );
    let answer = graphql(server.addr, "{ cities { id } }", json!({}));
    assert_eq!(
        answer["data"]["cities"],
        json!([null, null, null, { "id": "jinshan" }])
    );
    assert_eq!(
        answer["errors"].as_array().map(Vec::len),
        Some(3),
        "{answer}"
    );
}
