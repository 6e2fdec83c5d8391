//! Nested lists resolve through DataLoaders: the SQL statements a request runs are bounded by
//! (levels of nesting × districts), however many rows each level holds. The service counts each
//! request's statements and reports them in the `dangqun-sql-statements` response header.

use crate::support::{graphql_counted, shared};
use serde_json::json;

const DISTRICTS: u64 = 4;

fn counted(query: &str) -> (serde_json::Value, u64) {
    let (response, used) = graphql_counted(shared().addr, query, json!(null));
    assert!(response.get("errors").is_none(), "{response}");
    (response, used)
}

#[test]
fn a_deep_query_runs_at_most_one_statement_per_level_and_district() {
    let query = "{ cities { id serviceCircles { id centers { id rooms { id equipment { name tag } } } } } }";
    let (response, used) = counted(query);
    // Levels that read: cities, serviceCircles, centers, rooms, equipment.
    let levels = 5;
    assert!(
        used <= levels * DISTRICTS,
        "{used} statements for {levels} levels × {DISTRICTS} districts"
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
}

#[test]
fn a_flat_list_with_details_runs_one_statement_per_level_and_district() {
    let (_, used) = counted(
        "{ rooms(first: 100) { totalCount nodes { id center { name } equipment { tag } uses citations { quote source { file } } } } }",
    );
    // page + count + center + equipment + uses + citations + source = 7 levels.
    assert!(used <= 7 * DISTRICTS, "{used} statements");
}

#[test]
fn compare_over_all_four_cities_runs_one_statement_per_level_and_district() {
    // Every figure of every city: one aggregate statement per district.
    let (response, used) = counted(
        "{ compare { cityId centers rooms floorArea { total { value } missing } capacity { min max } categories { category rooms } categoriesMissing equipmentCoverage { tag share } openingHours { season weeklyHoursTotal } perCapita { floorAreaPer1000Residents { value reason } } } }",
    );
    assert_eq!(
        response["data"]["compare"].as_array().map(Vec::len),
        Some(4)
    );
    assert!(
        used <= DISTRICTS,
        "{used} statements for the figures of 4 cities"
    );

    // With the cities and their circles' lists: five reads (the figures; the city and the
    // circles one level down; the circles' counts and names one further), each at most once per
    // district.
    let (_, used) = counted(
        "{ compare { cityId city { name } serviceCircles { name communities { count { value } names } villages { names } } } }",
    );
    assert!(used <= 5 * DISTRICTS, "{used} statements for 5 reads");
}
