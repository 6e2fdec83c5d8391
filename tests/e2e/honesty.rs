//! Unknown is not closed, and not zero: `ServiceCenter.openAt` answers OPEN, CLOSED or UNKNOWN
//! and the `openAt` filter keeps exactly the OPEN ones, at every moment of a week's grid.

use crate::support::{graphql, shared};
use serde_json::{Value, json};

const STATES: &str = "query($at: OpenAt!) {
  centers(first: 100, filter: { openAt: $at }) { edges { node { id } } }
  all: centers(first: 100) { edges { node { id openAt(at: $at) } } }
}";

fn ids(list: &Value) -> Vec<String> {
    list["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect()
}

fn at_moment(
    season: &str,
    weekday: &str,
    time: &str,
    named: bool,
) -> (Vec<String>, Vec<(String, String)>) {
    let at =
        json!({ "season": season, "weekday": weekday, "time": time, "requireNamedDays": named });
    let answer = graphql(shared().addr, STATES, json!({ "at": at }));
    assert!(answer.get("errors").is_none(), "{answer}");
    let states = answer["data"]["all"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().expect("id").to_owned(),
                e["node"]["openAt"].as_str().expect("state").to_owned(),
            )
        })
        .collect();
    (ids(&answer["data"]["centers"]), states)
}

#[test]
fn the_open_at_filter_keeps_exactly_the_centers_open_then() {
    let mut seen = std::collections::BTreeSet::new();
    for season in ["SUMMER", "WINTER"] {
        for weekday in ["MONDAY", "SATURDAY", "SUNDAY"] {
            for time in ["00:30", "09:30", "21:30", "22:30"] {
                for named in [false, true] {
                    let (filtered, states) = at_moment(season, weekday, time, named);
                    let open: Vec<String> = states
                        .iter()
                        .filter(|(_, s)| s == "OPEN")
                        .map(|(id, _)| id.clone())
                        .collect();
                    assert_eq!(filtered, open, "{season} {weekday} {time} {named}");
                    seen.extend(states.into_iter().map(|(_, s)| s));
                }
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["CLOSED", "OPEN", "UNKNOWN"],
        "the grid meets every state"
    );
}

#[test]
fn a_center_without_a_timetable_is_unknown_not_closed() {
    // Kongque: summer 10:00–22:00, winter 10:00–21:00, no days named. Suzhou's center states
    // only its workstation's hours; Taiyuan's centers state none.
    let (_, states) = at_moment("WINTER", "FRIDAY", "21:30", false);
    let state = |id: &str| {
        states
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, s)| s.as_str())
            .unwrap_or_else(|| panic!("no center {id}"))
    };
    assert_eq!(state("korla/kongque"), "CLOSED");
    assert_eq!(state("suzhou/zhaojiaxiang"), "UNKNOWN");
    assert_eq!(state("taiyuan/nanzhai"), "UNKNOWN");
    let (_, summer) = at_moment("SUMMER", "FRIDAY", "21:30", false);
    assert!(summer.contains(&("korla/kongque".to_owned(), "OPEN".to_owned())));
    // Its lines name no day: with requireNamedDays they are set aside, and nothing is known.
    let (_, named) = at_moment("SUMMER", "FRIDAY", "21:30", true);
    assert!(named.contains(&("korla/kongque".to_owned(), "UNKNOWN".to_owned())));
}
