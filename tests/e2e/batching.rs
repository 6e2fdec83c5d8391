//! Nested lists resolve through DataLoaders: the SQL statements a request runs are bounded by
//! (levels of nesting × districts), however many rows each level holds.

use crate::support::{graphql, start};
use serde_json::json;

#[test]
fn a_deep_query_runs_at_most_one_statement_per_level_and_district() {
    // Its own server, so that no other test's requests move the counters.
    let server = start("batching");
    let count = || {
        server
            .districts
            .list()
            .iter()
            .map(|d| d.statement_count())
            .sum::<u64>()
    };
    let query = "{ cities { id serviceCircles { id centers { id rooms { id equipment { name tag } } } } } }";
    let before = count();
    let response = graphql(server.addr, query, json!(null));
    let used = count() - before;
    assert!(response.get("errors").is_none(), "{response}");
    let districts = server.districts.list().len() as u64;
    // Levels that read: cities, serviceCircles, centers, rooms, equipment.
    let levels = 5;
    assert!(
        used <= levels * districts,
        "{used} statements for {levels} levels × {districts} districts"
    );
    // And the answer is not trivially small: many parents were batched.
    let rooms: usize = response["data"]["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .flat_map(|c| c["serviceCircles"].as_array().into_iter().flatten())
        .flat_map(|c| c["centers"].as_array().into_iter().flatten())
        .map(|c| c["rooms"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(rooms >= 20, "{rooms} rooms reached through circles");

    // A flat list with per-room details: one page query, one count, one batch per detail level.
    let before = count();
    let response = graphql(
        server.addr,
        "{ rooms(first: 100) { totalCount nodes { id center { name } equipment { tag } uses citations { quote source { file } } } } }",
        json!(null),
    );
    assert!(response.get("errors").is_none(), "{response}");
    let used = count() - before;
    // page + count + center + equipment + uses + citations + source = 7 levels.
    assert!(used <= 7 * districts, "{used} statements");
}
