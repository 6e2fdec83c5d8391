//! dangqun in a real supergraph: composed with a second subgraph (`tests/federation/`, a few
//! lines of Node on @apollo/subgraph that extends `City`) by `@theguild/federation-composition`,
//! and queried through Hive Gateway. The Node packages come from `tests/federation/package-lock.json`
//! (`tests/run.sh` runs `npm ci`); without them the test fails, it never skips.

use crate::support::{graphql, repo_root, start_federated, temp_dir};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn federation_dir() -> PathBuf {
    let dir = repo_root().join("tests/federation");
    assert!(
        dir.join("node_modules").is_dir(),
        "the federation tests need their Node packages: run `bash tests/run.sh` (README), which \\
         runs `npm ci --prefix tests/federation`"
    );
    dir
}

/// A Node process, killed when dropped.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `node <script> <args>` in `tests/federation` and waits for its first line,
/// `listening on <url>`; returns the process and the URL.
fn start(script: &str, args: &[&str]) -> (Node, String) {
    let mut child = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(federation_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start node {script}: {e}"));
    let stdout = child.stdout.take().expect("stdout");
    let node = Node(child);
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("read the first line");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{script} said {first:?}"))
        .to_owned();
    (node, url)
}

fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("not a loopback URL: {url}"))
}

/// The value with every number as a float: JavaScript writes `5000.0` as `5000`.
fn numbers_as_floats(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_floats).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), numbers_as_floats(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn compose(out: &Path, subgraphs: &[String]) {
    let status = Command::new("node")
        .arg("compose.mjs")
        .arg("--out")
        .arg(out)
        .args(subgraphs)
        .current_dir(federation_dir())
        .status()
        .expect("run compose.mjs");
    assert!(status.success(), "composition failed (its output is above)");
}

#[test]
fn a_real_gateway_joins_dangqun_and_another_subgraph() {
    let dangqun = start_federated("gateway");
    let dangqun_url = format!("http://{}/graphql", dangqun.addr);
    let (_stats, stats_url) = start("stats-subgraph.mjs", &["0"]);
    let supergraph = temp_dir("gateway").join("supergraph.graphql");
    let ours = repo_root().join("schema.federation.graphql");
    compose(
        &supergraph,
        &[
            format!("dangqun={dangqun_url}={}", ours.display()),
            format!(
                "stats={stats_url}={}",
                federation_dir().join("stats.graphql").display()
            ),
        ],
    );
    let (_gateway, gateway_url) = start(
        "gateway.mjs",
        &[supergraph.to_str().expect("utf-8 path"), "0"],
    );
    let gateway = addr_of(&gateway_url);

    // A city's rooms (dangqun) next to the other subgraph's field, for every city.
    let q = "{ cities { id name rooms(first: 3) { totalCount edges { node { id name capacity { min max } } } } statsFixture { bureauCode note } } }";
    let through = graphql(gateway, q, json!({}));
    assert!(through.get("errors").is_none(), "{through}");
    let direct = graphql(
        dangqun.addr,
        "{ cities { id name rooms(first: 3) { totalCount edges { node { id name capacity { min max } } } } } }",
        json!({}),
    );
    let cities = through["data"]["cities"].as_array().expect("cities");
    assert_eq!(cities.len(), 4);
    for (city, mine) in cities
        .iter()
        .zip(direct["data"]["cities"].as_array().expect("cities"))
    {
        assert_eq!(city["id"], mine["id"]);
        assert_eq!(city["name"], mine["name"]);
        assert_eq!(
            numbers_as_floats(&city["rooms"]),
            numbers_as_floats(&mine["rooms"])
        );
        let id = city["id"].as_str().expect("id");
        assert_eq!(
            city["statsFixture"],
            json!({ "bureauCode": format!("TEST-{}", id.to_uppercase()), "note": "test fixture, not a statistic" })
        );
    }

    // Entities fetched by id: the other subgraph names cities, the gateway asks dangqun's
    // `_entities` for their fields.
    let q = "{ fixtureCities { id name statsFixture { bureauCode } centers(first: 5) { edges { node { id name floorArea { value qualifier unit } } } } } }";
    let through = graphql(gateway, q, json!({}));
    assert!(through.get("errors").is_none(), "{through}");
    let named = through["data"]["fixtureCities"]
        .as_array()
        .expect("fixture cities");
    assert_eq!(
        named
            .iter()
            .map(|c| c["id"].clone())
            .collect::<Vec<Value>>(),
        [json!("jinshan"), json!("korla")]
    );
    for city in named {
        let id = city["id"].as_str().expect("id");
        let mine = graphql(
            dangqun.addr,
            "query ($id: ID!) { city(id: $id) { name centers(first: 5) { edges { node { id name floorArea { value qualifier unit } } } } } }",
            json!({ "id": id }),
        );
        assert_eq!(city["name"], mine["data"]["city"]["name"]);
        assert_eq!(
            numbers_as_floats(&city["centers"]),
            numbers_as_floats(&mine["data"]["city"]["centers"])
        );
        assert_eq!(
            city["statsFixture"]["bureauCode"],
            format!("TEST-{}", id.to_uppercase())
        );
    }

    // dangqun's own entry point for one entity, through the gateway.
    let room = city_korla::dataset().expect("korla").rooms[0].id.clone();
    let through = graphql(
        gateway,
        "query ($id: ID!) { room(id: $id) { id name center { city { id statsFixture { bureauCode } } } } }",
        json!({ "id": room }),
    );
    assert!(through.get("errors").is_none(), "{through}");
    assert_eq!(through["data"]["room"]["id"], room.as_str());
    assert_eq!(
        through["data"]["room"]["center"]["city"]["statsFixture"]["bureauCode"],
        "TEST-KORLA"
    );
}
