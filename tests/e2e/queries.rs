//! Queries kept as data: `tests/queries/NAME.graphql` is sent (with `NAME.variables.json` when
//! present) and the whole response must equal `NAME.json`. `UPDATE_EXPECT=1` rewrites them.

use crate::support::{graphql, repo_root, shared};
use serde_json::Value;

#[test]
fn every_query_file_gives_its_expected_answer() {
    let server = shared();
    let dir = repo_root().join("tests/queries");
    // Only `1` rewrites: `UPDATE_EXPECT=0` (or any other value) compares, as without it.
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/queries")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "graphql"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the query corpus, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let query = std::fs::read_to_string(file).expect("read query");
        let vars_path = file.with_extension("variables.json");
        let variables: Value = std::fs::read_to_string(&vars_path)
            .map(|s| serde_json::from_str(&s).expect("variables JSON"))
            .unwrap_or(Value::Null);
        let actual = graphql(server.addr, &query, variables);
        // A file named `error_*` pins an error; any other pins data. An expectation recorded
        // with `UPDATE_EXPECT=1` must not quietly enshrine the wrong one.
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let has_errors = actual.get("errors").is_some();
        if has_errors != name.starts_with("error_") {
            failures.push(format!(
                "{}: errors present = {has_errors}, which its name does not allow:\n{actual}",
                file.display()
            ));
            continue;
        }
        let expected_path = file.with_extension("json");
        let pretty = serde_json::to_string_pretty(&actual).expect("pretty") + "\n";
        if update {
            std::fs::write(&expected_path, &pretty).expect("write expectation");
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) => {
                let expected: Value = serde_json::from_str(&expected).expect("expected JSON");
                if expected != actual {
                    failures.push(format!(
                        "{}: response differs from {}\n--- actual ---\n{pretty}",
                        file.display(),
                        expected_path.display()
                    ));
                }
            }
            Err(_) => failures.push(format!(
                "{}: no expectation file (run with UPDATE_EXPECT=1)",
                file.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// README's fenced blocks, in order: (language, text).
fn readme_blocks() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if let Some(language) = line.strip_prefix("```") {
            let text: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((language.trim().to_owned(), text.join("\n")));
        }
    }
    blocks
}

/// README's example queries are what users paste first. Each answers without errors, and a
/// query followed by a JSON answer gets exactly that answer.
#[test]
fn the_readme_examples_answer_exactly_as_shown() {
    let blocks = readme_blocks();
    let mut exact = 0;
    let mut queries = 0;
    for (i, (language, query)) in blocks.iter().enumerate() {
        if language != "graphql" {
            continue;
        }
        queries += 1;
        let response = graphql(shared().addr, query, Value::Null);
        assert!(
            response.get("errors").is_none(),
            "README example failed:\n{query}\n{response}"
        );
        match blocks.get(i + 1) {
            Some((next, shown)) if next == "json" => {
                let shown: Value = serde_json::from_str(shown)
                    .unwrap_or_else(|e| panic!("README's answer to\n{query}\nis not JSON: {e}"));
                assert_eq!(response, shown, "README shows another answer to\n{query}");
                exact += 1;
            }
            _ => assert!(
                response["data"].as_object().is_some_and(|d| !d.is_empty()),
                "{response}"
            ),
        }
    }
    // A reference shown is one the service gives.
    let references = graphql(
        shared().addr,
        "{ sources { citation(style: BIBTEX) } }",
        Value::Null,
    );
    let given: Vec<&str> = references["data"]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["citation"].as_str().expect("citation"))
        .collect();
    let shown: Vec<&String> = blocks
        .iter()
        .filter(|(language, _)| language == "bibtex")
        .map(|(_, text)| text)
        .collect();
    assert_eq!(shown.len(), 1);
    for reference in shown {
        assert!(
            given.contains(&reference.as_str()),
            "README shows {reference}"
        );
    }
    // The three first examples, the three of "Comparing cities" and the one of "From a figure
    // to the sentence" with their answers.
    assert_eq!(
        (queries, exact),
        (7, 4),
        "README's examples changed: update this count"
    );
}

/// Hits come in the documented order: by the best field that matched (name, category, use,
/// equipment, its tag, address, a circle's list, an own quote, a shared quote), then centers,
/// rooms, circles and cities, then city by city in the service's order; `score` falls with it,
/// `direct` is false exactly for hits only shared quotes match; and `first` takes the head of
/// that order.
#[test]
fn search_hits_follow_their_documented_order() {
    let field = |f: &str| {
        [
            "NAME",
            "CATEGORY",
            "USE",
            "EQUIPMENT",
            "EQUIPMENT_TAG",
            "ADDRESS",
            "COVERAGE",
            "QUOTE",
            "SHARED_QUOTE",
        ]
        .iter()
        .position(|x| *x == f)
        .unwrap_or_else(|| panic!("field {f}"))
    };
    let kind = |k: &str| {
        ["CENTER", "ROOM", "CIRCLE", "CITY"]
            .iter()
            .position(|x| *x == k)
            .unwrap_or_else(|| panic!("kind {k}"))
    };
    let city = |c: &str| {
        ["korla", "taiyuan", "suzhou", "jinshan"]
            .iter()
            .position(|x| *x == c)
            .unwrap_or_else(|| panic!("city {c}"))
    };
    let query = "query($first: Int) { search(text: \"服务\", first: $first) { kind id cityId score direct matches { field } } }";
    let all = graphql(shared().addr, query, serde_json::json!({ "first": 100 }));
    let hits = all["data"]["search"].as_array().expect("hits");
    let keys: Vec<(usize, usize, usize)> = hits
        .iter()
        .map(|hit| {
            let best = hit["matches"]
                .as_array()
                .expect("matches")
                .iter()
                .map(|m| field(m["field"].as_str().expect("field")))
                .min()
                .expect("a hit matches somewhere");
            (
                best,
                kind(hit["kind"].as_str().expect("kind")),
                city(hit["cityId"].as_str().expect("city")),
            )
        })
        .collect();
    // The check means something only if the hits differ in each part of the key.
    let distinct = |part: fn(&(usize, usize, usize)) -> usize| {
        keys.iter()
            .map(part)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert_eq!(
        (
            hits.len(),
            distinct(|k| k.0),
            distinct(|k| k.1),
            distinct(|k| k.2)
        ),
        (44, 6, 4, 4),
        "{all}"
    );
    for (i, pair) in keys.windows(2).enumerate() {
        assert!(
            pair[0] <= pair[1],
            "hit {i} and {} out of order: {pair:?}",
            i + 1
        );
    }
    let scores: Vec<f64> = hits
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.windows(2).all(|p| p[0] >= p[1]), "{scores:?}");
    for (hit, key) in hits.iter().zip(&keys) {
        assert_eq!(hit["direct"], key.0 != 8, "{hit}");
    }
    // Each district ranks its own hits before it cuts them to `first`.
    for first in [1, 2, 7] {
        let head = graphql(shared().addr, query, serde_json::json!({ "first": first }));
        assert_eq!(
            head["data"]["search"],
            serde_json::json!(hits[..first]),
            "first {first}"
        );
    }
}

/// A document with several operations runs the one `operationName` names; without a name, or
/// with a name it does not have, nothing runs.
#[test]
fn the_operation_name_picks_one_operation_of_several() {
    let document = "query Cities { cities { id } } query Sources { sources { city { id } } }";
    let run = |name: serde_json::Value| {
        crate::support::post_json(
            shared().addr,
            &[],
            &serde_json::json!({ "query": document, "operationName": name }),
        )
        .json()
    };
    let sources = run("Sources".into());
    assert!(sources.get("errors").is_none(), "{sources}");
    assert_eq!(
        sources["data"]["sources"][0],
        serde_json::json!({ "city": { "id": "korla" } })
    );
    assert_eq!(sources["data"].as_object().map(|d| d.len()), Some(1));
    let cities = run("Cities".into());
    assert_eq!(
        cities["data"]["cities"][3],
        serde_json::json!({ "id": "jinshan" })
    );
    for (name, message) in [
        (Value::Null, "Operation name required in request."),
        ("Nope".into(), "Unknown operation named \"Nope\""),
    ] {
        assert_eq!(
            run(name),
            serde_json::json!({ "errors": [{
                "message": message,
                "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" }
            }] })
        );
    }
}

/// Search serves both languages: an English word finds the rooms of a category or with an
/// equipment tag, exactly those the filters give; a sentence shared by several records ranks
/// them last and says so.
#[test]
fn english_finds_categories_and_equipment_tags() {
    let ids = |answer: &Value, list: &str| -> std::collections::BTreeSet<String> {
        answer["data"][list]
            .as_array()
            .expect(list)
            .iter()
            .map(|h| h["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let rooms = |filter: &str| {
        let answer = graphql(
            shared().addr,
            &format!("{{ rooms(first: 100, filter: {filter}) {{ edges {{ node {{ id }} }} }} }}"),
            Value::Null,
        );
        answer["data"]["rooms"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
            .collect::<std::collections::BTreeSet<String>>()
    };
    let answer = graphql(
        shared().addr,
        "{ legal: search(text: \"legal\", first: 100) { id matches { field } }
           projector: search(text: \"PROJECTOR\", first: 100) { id matches { field } } }",
        Value::Null,
    );
    let legal_rooms = rooms("{ categories: [LEGAL_AID] }");
    assert_eq!(legal_rooms.len(), 4);
    let by_category: std::collections::BTreeSet<String> = answer["data"]["legal"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|h| {
            h["matches"]
                .as_array()
                .expect("m")
                .iter()
                .any(|m| m["field"] == "CATEGORY")
        })
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(by_category, legal_rooms);
    assert!(ids(&answer, "legal").is_superset(&legal_rooms));
    assert_eq!(
        ids(&answer, "projector"),
        rooms("{ equipment: [PROJECTOR] }")
    );

    // 法律: the rooms only a shared sentence names come last, not direct.
    let law = graphql(
        shared().addr,
        "{ search(text: \"法律\", first: 100) { id direct matches { field } } }",
        Value::Null,
    );
    let hits = law["data"]["search"].as_array().expect("hits");
    let direct: Vec<bool> = hits.iter().map(|h| h["direct"] == true).collect();
    let first_shared = direct
        .iter()
        .position(|d| !d)
        .expect("some hits share a sentence");
    assert!(direct[first_shared..].iter().all(|d| !d), "{law}");
    for hit in &hits[first_shared..] {
        assert!(
            hit["matches"]
                .as_array()
                .expect("m")
                .iter()
                .all(|m| m["field"] == "SHARED_QUOTE"),
            "{hit}"
        );
    }
}
