//! What a researcher cites: each city's dataset version on `City` and in `Query.about`, equal
//! to the stamp an import of the binary's dataset writes, and `/health` agreeing.

use crate::support::{Layout, graphql, layout, request, shared};
use serde_json::{Value, json};

/// Each served city with its dataset's version stamp, in the service's order.
fn versions() -> Vec<(String, String)> {
    server::CITIES
        .iter()
        .map(|(id, ..)| {
            let d = server::dataset(id).expect("dataset");
            ((*id).to_owned(), store::dataset_version(&d))
        })
        .collect()
}

#[test]
fn each_city_names_the_dataset_version_it_answers_from() {
    let answer = graphql(shared().addr, "{ cities { id datasetVersion } }", json!({}));
    let expected: Vec<Value> = versions()
        .into_iter()
        .map(|(id, hash)| json!({ "id": id, "datasetVersion": hash }))
        .collect();
    assert_eq!(answer, json!({ "data": { "cities": expected } }));
    assert_eq!(versions()[0].1.len(), 64, "a SHA-256, hex");
}

#[test]
fn about_names_the_service_and_each_districts_dataset() {
    let answer = graphql(
        shared().addr,
        "{ about { service version districts { city backend up datasetVersion synthetic } } }",
        json!({}),
    );
    let backend = |city: &str| match (layout(), city) {
        (Layout::Sqlite, _) => "sqlite",
        (Layout::Postgres, _) => "postgres",
        (Layout::Mixed, "korla" | "suzhou") => "postgres",
        (Layout::Mixed, _) => "sqlite",
    };
    let districts: Vec<Value> = versions()
        .into_iter()
        .map(|(city, hash)| {
            json!({ "city": city, "backend": backend(&city), "up": true,
                    "datasetVersion": hash, "synthetic": false })
        })
        .collect();
    assert_eq!(
        answer,
        json!({ "data": { "about": {
            "service": "dangqun",
            "version": env!("CARGO_PKG_VERSION"),
            "districts": districts
        } } })
    );

    // /health gives the same versions.
    let health: Value = request(shared().addr, "GET", "/health", None, b"").json();
    let from_health: Vec<(String, String)> = health["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|d| {
            (
                d["city"].as_str().expect("city").to_owned(),
                d["datasetVersion"].as_str().expect("version").to_owned(),
            )
        })
        .collect();
    assert_eq!(from_health, versions());
}
