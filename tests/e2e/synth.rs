//! `dangqun synth`: synthetic cities of the real data's shape, deterministic for a seed, written
//! only to databases of their own, and served next to or instead of the built-in cities. The
//! statements a request costs follow the databases, not the cities: 40 synthetic cities in 4
//! databases cost what 4 cities in 4 databases cost.

use crate::support::{TestServer, graphql_counted, request, start_config, temp_dir};
use model::synth::SynthShape;
use serde_json::{Value, json};
use std::path::Path;

const SHAPE: SynthShape = SynthShape {
    centers_per_city: 3,
    rooms_per_center: 4,
    seed: 7,
};

fn block_on<T>(f: impl Future<Output = T>) -> T {
    server::runtime().expect("runtime").block_on(f)
}

/// Four SQLite files in `dir`.
fn files(dir: &Path) -> Vec<String> {
    (1..=4)
        .map(|k| dir.join(format!("synth-{k}.sqlite")).display().to_string())
        .collect()
}

fn synthesize(dir: &Path, cities: usize) -> usize {
    let plan = server::SynthPlan {
        cities,
        shape: SHAPE,
        databases: files(dir),
    };
    block_on(server::synthesize(&plan, |_, _| {})).expect("synth")
}

fn serve(dir: &Path) -> TestServer {
    serve_with(dir, false)
}

/// [`serve`], resolving every field when `resolving` (`--resolve-every-field`).
fn serve_with(dir: &Path, resolving: bool) -> TestServer {
    let mut config = server::Config::with_data_dir(dir.join("real"));
    config.resolve_every_field = resolving;
    config.synthetic = files(dir);
    config.only_synthetic = true;
    // The deep query over 40 cities may hold up to 10 values per list per city (488,920 in
    // all): more than the default limit, as an operator serving that many cities would raise it.
    config.max_cost = 1_000_000;
    start_config(config)
}

/// Every table of `city`, as stored; the version stamp without its import time.
fn dump(setting: &str, city: &str) -> Vec<(String, Vec<String>)> {
    block_on(async {
        let probe =
            store::District::open_setting("probe", setting, store::DistrictOptions::default())
                .await
                .expect("open");
        let mut dump = probe.sharing(city).dump().await.expect("dump");
        probe.close().await;
        for (table, rows) in &mut dump {
            if table == "dataset_versions" {
                for row in rows {
                    *row = row.split(',').next().unwrap_or_default().to_owned();
                }
            }
        }
        dump
    })
}

#[test]
fn the_same_seed_writes_the_same_cities_and_a_rerun_writes_nothing() {
    let (a, b) = (temp_dir("synth-a"), temp_dir("synth-b"));
    let written = synthesize(&a, 5);
    assert!(written > 5 * 12, "{written} rows");
    assert_eq!(synthesize(&b, 5), written);
    // Cities 1 and 5 both go to the first file (round robin over four).
    for city in ["synth-0001", "synth-0005"] {
        let (da, db) = (dump(&files(&a)[0], city), dump(&files(&b)[0], city));
        assert_eq!(da, db, "{city}");
        let rooms = da.iter().find(|(t, _)| t == "rooms").expect("rooms table");
        assert_eq!(rooms.1.len(), 12, "{city}");
    }
    // Written already: nothing to do.
    assert_eq!(synthesize(&a, 5), 0);
}

#[test]
fn synth_refuses_a_database_that_holds_a_real_city() {
    let dir = temp_dir("synth-real");
    let real = dir.join("korla.sqlite").display().to_string();
    block_on(async {
        let korla = store::District::open_setting("korla", &real, Default::default())
            .await
            .expect("open");
        korla
            .import(&server::dataset("korla").expect("korla"), false)
            .await
            .expect("import");
        korla.close().await;
    });
    let before = dump(&real, "korla");
    let plan = server::SynthPlan {
        cities: 2,
        shape: SHAPE,
        databases: vec![real.clone()],
    };
    let refused = block_on(server::synthesize(&plan, |_, _| {})).expect_err("refused");
    assert!(
        refused
            .to_string()
            .contains("holds city `korla`, which is not synthetic"),
        "{refused}"
    );
    assert_eq!(dump(&real, "korla"), before);
    assert!(
        dump(&real, "synth-0001")
            .iter()
            .all(|(t, rows)| t == "dataset_versions" || rows.is_empty())
    );
}

/// Cities served, and what the deep query costs.
fn cities_and_cost(server: &TestServer) -> (Vec<String>, u64, Value) {
    let (r, used) = graphql_counted(
        server.addr,
        "{ cities { id provinceEn serviceCircles { id centers { id rooms { id equipment { tag } } } } } }",
        json!(null),
    );
    assert!(r.get("errors").is_none(), "{r}");
    let ids = r["data"]["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    (ids, used, r)
}

#[test]
fn forty_cities_in_four_databases_cost_what_four_cities_cost() {
    let (four, forty) = (temp_dir("synth-4"), temp_dir("synth-40"));
    synthesize(&four, 4);
    synthesize(&forty, 40);
    let (small, large) = (serve(&four), serve(&forty));
    let (ids4, used4, _) = cities_and_cost(&small);
    let (ids40, used40, answer) = cities_and_cost(&large);
    assert_eq!(
        ids4,
        (1..=4)
            .map(model::synth::synthetic_city_id)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        ids40,
        (1..=40)
            .map(model::synth::synthetic_city_id)
            .collect::<Vec<_>>()
    );
    assert!(
        answer["data"]["cities"]
            .as_array()
            .expect("cities")
            .iter()
            .all(|c| c["provinceEn"] == "Synthetic data")
    );
    // A plain tree: one statement per database, whatever the number of cities.
    assert_eq!(used4, 4);
    assert_eq!(used40, used4);
    // Through the resolvers: five levels, each one statement per database.
    let (_, resolved4, _) = cities_and_cost(&serve_with(&four, true));
    let (_, resolved40, answer40) = cities_and_cost(&serve_with(&forty, true));
    assert_eq!((resolved4, resolved40), (5 * 4, 5 * 4));
    assert_eq!(answer40, answer);
    let (compare, used) = graphql_counted(large.addr, "{ compare { cityId rooms } }", json!(null));
    assert_eq!(
        compare["data"]["compare"].as_array().map(Vec::len),
        Some(40)
    );
    assert!(
        compare["data"]["compare"]
            .as_array()
            .expect("compare")
            .iter()
            .all(|c| c["rooms"] == 12)
    );
    assert_eq!(used, 4);
    // /health says the service serves synthetic data.
    let health = request(large.addr, "GET", "/health", None, b"").json();
    assert_eq!(health["synthetic"], true);
    assert_eq!(health["districts"][0]["synthetic"], true);
}
