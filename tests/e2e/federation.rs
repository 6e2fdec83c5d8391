//! dangqun as an Apollo Federation v2 subgraph, over HTTP: the federation SDL it serves is the
//! committed contract, entities resolve in batches per district with unknown ids as `null`, and
//! without `--federation` neither `_entities` nor `_service` exists.

use crate::support::{error_codes, graphql, graphql_counted, repo_root, shared, start_federated};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::OnceLock;

fn federated() -> &'static crate::support::TestServer {
    static SERVER: OnceLock<crate::support::TestServer> = OnceLock::new();
    SERVER.get_or_init(|| start_federated("federated"))
}

const ENTITIES: &str = "query ($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on City { id name }
    ... on ServiceCircle { id name }
    ... on ServiceCenter { id name }
    ... on FunctionRoom { id name capacity { min max } }
  }
}";

#[test]
fn the_subgraph_serves_its_committed_federation_sdl() {
    let committed = std::fs::read_to_string(repo_root().join("schema.federation.graphql"))
        .expect("schema.federation.graphql");
    let answer = graphql(federated().addr, "{ _service { sdl } }", json!({}));
    assert_eq!(
        answer["data"]["_service"]["sdl"].as_str(),
        Some(committed.as_str())
    );
    for entity in ["City", "ServiceCircle", "ServiceCenter", "FunctionRoom"] {
        assert!(
            committed.contains(&format!("type {entity} @key(fields: \"id\")")),
            "{entity}"
        );
    }
}

#[test]
fn entities_resolve_in_one_statement_per_table_and_database_and_unknown_ids_are_null() {
    let datasets = [
        city_korla::dataset().expect("korla"),
        city_taiyuan::dataset().expect("taiyuan"),
        city_suzhou::dataset().expect("suzhou"),
        city_jinshan::dataset().expect("jinshan"),
    ];
    let mut wanted: Vec<(&str, String, String)> = vec![
        ("City", "korla".into(), datasets[0].city.name.clone()),
        ("City", "jinshan".into(), datasets[3].city.name.clone()),
        (
            "ServiceCircle",
            datasets[1].circles[0].id.clone(),
            datasets[1].circles[0].name.clone(),
        ),
        (
            "ServiceCenter",
            datasets[2].centers[0].id.clone(),
            datasets[2].centers[0].name.clone(),
        ),
    ];
    for d in &datasets {
        for room in d.rooms.iter().take(3) {
            wanted.push(("FunctionRoom", room.id.clone(), room.name.clone()));
        }
    }
    // Exactly one statement per table and database the representations reach (unknown ids
    // reach none: `atlantis` has no district, and Korla's table is read anyway).
    let expected = wanted
        .iter()
        .map(|(ty, id, _)| {
            (
                *ty,
                crate::batching::database_of(id.split(['/', '#']).next().unwrap_or_default())
                    .to_owned(),
            )
        })
        .collect::<HashSet<_>>()
        .len() as u64;
    let mut representations: Vec<Value> = wanted
        .iter()
        .map(|(ty, id, _)| json!({ "__typename": ty, "id": id }))
        .collect();
    representations.push(json!({ "__typename": "City", "id": "atlantis" }));
    representations.push(json!({ "__typename": "FunctionRoom", "id": "korla/no-such-room" }));

    let (answer, statements) =
        graphql_counted(federated().addr, ENTITIES, json!({ "r": representations }));
    assert!(answer.get("errors").is_none(), "{answer}");
    let entities = answer["data"]["_entities"].as_array().expect("entities");
    assert_eq!(entities.len(), wanted.len() + 2);
    for (entity, (ty, id, name)) in entities.iter().zip(&wanted) {
        assert_eq!(entity["__typename"], *ty, "{entity}");
        assert_eq!(entity["id"], id.as_str(), "{entity}");
        assert_eq!(entity["name"], name.as_str(), "{entity}");
    }
    assert_eq!(entities[wanted.len()], Value::Null);
    assert_eq!(entities[wanted.len() + 1], Value::Null);
    assert_eq!(
        statements,
        expected,
        "{} representations",
        representations.len()
    );
}

#[test]
fn without_federation_there_is_no_entities_and_no_service() {
    for query in [
        "{ _service { sdl } }",
        "{ _entities(representations: [{ __typename: \"City\", id: \"korla\" }]) { __typename } }",
    ] {
        let answer = graphql(shared().addr, query, json!({}));
        assert_eq!(
            error_codes(&answer),
            ["GRAPHQL_VALIDATION_FAILED"],
            "{answer}"
        );
    }
    let sdl = std::fs::read_to_string(repo_root().join("schema.graphql")).expect("schema");
    assert!(!sdl.contains("_entities") && !sdl.contains("_service") && !sdl.contains("@key"));
}
