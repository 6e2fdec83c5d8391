//! `compare` and `roomCategoryBreakdown` checked against the datasets: every figure the service
//! computes in SQL is recomputed here in Rust, straight from each city's dataset, and must agree.
//! (The recorded answer `tests/queries/compare_all.json` was also read against the articles by
//! hand; README's "Comparing cities" shows part of it.)

use crate::support::{graphql, shared};
use model::{CityDataset, Qualifier};
use serde_json::{Value, json};

const QUERY: &str = "{ compare { cityId centers rooms
  floorArea { total { value qualifier unit } counted missing }
  capacity { min max roomsWithCapacity roomsWithoutCapacity roomsWithoutMin roomsWithoutMax }
  categories { category rooms capacityMin capacityMax roomsWithoutCapacity }
  categoriesPresent categoriesMissing
  equipmentCoverage { tag rooms share shareExact roomsKnown roomsUnknown } roomsWithoutEquipment
  openingHours { season centers centersWithoutHours assumedDaily weeklyHoursTotal weeklyHoursMin weeklyHoursMax }
  perCapita { population { total { value } counted missing } floorAreaPer1000Residents { value exact qualifier } seatsPer1000Residents { value exact reason } }
  offer { roomsFreeOfCharge roomsCharging roomsWithoutTerms roomsWithAudience organisations }
} }";

/// A ratio as shown: one decimal (the exact value is given beside it).
fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn sum_opt(values: impl Iterator<Item = Option<u32>>) -> Value {
    let known: Vec<u64> = values.flatten().map(u64::from).collect();
    if known.is_empty() {
        Value::Null
    } else {
        json!(known.iter().sum::<u64>())
    }
}

/// Weekly hours of one center in a season (ALL_YEAR lines count; a unit's lines inside it do
/// not), and whether a line names no days; `None` without a line for the season.
fn weekly_hours(c: &model::Center, season: model::Season) -> Option<(f64, bool)> {
    let lines: Vec<_> = c
        .opening_hours
        .iter()
        .filter(|h| h.unit.is_none())
        .filter(|h| h.season == season || h.season == model::Season::AllYear)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut minutes = 0.0;
    let mut assumed = false;
    for h in lines {
        let span = if h.open_24h {
            1440.0
        } else {
            let (o, c) = (
                f64::from(h.opens.map_or(0, |t| t.minutes())),
                f64::from(h.closes.map_or(0, |t| t.minutes())),
            );
            if c >= o { c - o } else { c + 1440.0 - o }
        };
        let days = h.days.as_ref().map_or(7, Vec::len);
        assumed |= h.days.is_none();
        minutes += span * days as f64;
    }
    Some((minutes / 60.0, assumed))
}

fn expected(d: &CityDataset) -> Value {
    let rooms = &d.rooms;
    let areas: Vec<&model::Quantity> = d
        .centers
        .iter()
        .filter_map(|c| c.floor_area.as_ref())
        .collect();
    let area_q = Qualifier::of_sum(areas.iter().map(|q| q.qualifier));
    let categories: Vec<Value> = model::RoomCategory::ALL
        .iter()
        .filter_map(|cat| {
            let of: Vec<_> = rooms.iter().filter(|r| r.category == *cat).collect();
            (!of.is_empty()).then(|| {
                json!({
                    "category": cat.as_str(),
                    "rooms": of.len(),
                    "capacityMin": sum_opt(of.iter().map(|r| r.capacity.and_then(|c| c.min))),
                    "capacityMax": sum_opt(of.iter().map(|r| r.capacity.and_then(|c| c.max))),
                    "roomsWithoutCapacity": of.iter().filter(|r| r.capacity.is_none_or(|c| c.min.is_none() && c.max.is_none())).count(),
                })
            })
        })
        .collect();
    let present: Vec<&str> = model::RoomCategory::ALL
        .iter()
        .filter(|c| rooms.iter().any(|r| r.category == **c))
        .map(|c| c.as_str())
        .collect();
    let missing: Vec<&str> = model::RoomCategory::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !present.contains(c))
        .collect();
    let coverage: Vec<Value> = model::EquipmentTag::ALL
        .iter()
        .map(|tag| {
            let n = rooms
                .iter()
                .filter(|r| {
                    r.equipment
                        .iter()
                        .any(|e| model::EquipmentTag::from_raw(e) == Some(*tag))
                })
                .count();
            // Over the rooms whose equipment is known; unknown when none is.
            let known = rooms.iter().filter(|r| !r.equipment.is_empty()).count();
            let exact = (known > 0).then(|| n as f64 / known as f64);
            json!({ "tag": tag.as_str(), "rooms": n,
                    "share": exact.map(|x| (x * 1000.0).round() / 1000.0), "shareExact": exact,
                    "roomsKnown": known, "roomsUnknown": rooms.len() - known })
        })
        .collect();
    let hours: Vec<Value> = [model::Season::Summer, model::Season::Winter]
        .iter()
        .map(|season| {
            let weekly: Vec<(f64, bool)> = d
                .centers
                .iter()
                .filter_map(|c| weekly_hours(c, *season))
                .collect();
            let total = (!weekly.is_empty()).then(|| weekly.iter().map(|w| w.0).sum::<f64>());
            let min = weekly.iter().map(|w| w.0).reduce(f64::min);
            let max = weekly.iter().map(|w| w.0).reduce(f64::max);
            json!({
                "season": season.as_str(),
                "centers": weekly.len(),
                "centersWithoutHours": d.centers.len() - weekly.len(),
                "assumedDaily": weekly.iter().filter(|w| w.1).count(),
                "weeklyHoursTotal": total, "weeklyHoursMin": min, "weeklyHoursMax": max,
            })
        })
        .collect();
    let populated: Vec<&model::Circle> = d
        .circles
        .iter()
        .filter(|c| c.population.is_some())
        .collect();
    let population: f64 = populated
        .iter()
        .filter_map(|c| c.population.as_ref())
        .map(|q| q.value)
        .sum();
    let scope: Vec<&model::Center> = d
        .centers
        .iter()
        .filter(|c| {
            populated
                .iter()
                .any(|p| c.circle.as_deref() == Some(p.id.as_str()))
        })
        .collect();
    let scope_area: Vec<&model::Quantity> =
        scope.iter().filter_map(|c| c.floor_area.as_ref()).collect();
    let per_1000_area = (!populated.is_empty() && !scope_area.is_empty())
        .then(|| scope_area.iter().map(|q| q.value).sum::<f64>() * 1000.0 / population);
    let per_1000_area_q = per_1000_area.map(|_| {
        let num = Qualifier::of_sum(scope_area.iter().map(|q| q.qualifier)).unwrap_or_default();
        let den = Qualifier::of_sum(
            populated
                .iter()
                .filter_map(|c| c.population.as_ref())
                .map(|q| q.qualifier),
        )
        .unwrap_or_default();
        Qualifier::of_ratio(num, den).as_str()
    });
    let seats: Vec<u32> = rooms
        .iter()
        .filter(|r| scope.iter().any(|c| c.id == r.center))
        .filter_map(|r| r.capacity.and_then(|c| c.max.or(c.min)))
        .collect();
    let per_1000_seats = (!populated.is_empty() && !seats.is_empty())
        .then(|| f64::from(seats.iter().sum::<u32>()) * 1000.0 / population);
    json!({
        "cityId": d.city.id,
        "centers": d.centers.len(),
        "rooms": rooms.len(),
        "floorArea": {
            "total": area_q.map(|q| json!({ "value": areas.iter().map(|a| a.value).sum::<f64>(), "qualifier": q.as_str(), "unit": "m²" })),
            "counted": areas.len(),
            "missing": d.centers.len() - areas.len(),
        },
        "capacity": {
            "min": sum_opt(rooms.iter().map(|r| r.capacity.and_then(|c| c.min))),
            "max": sum_opt(rooms.iter().map(|r| r.capacity.and_then(|c| c.max))),
            "roomsWithCapacity": rooms.iter().filter(|r| r.capacity.is_some_and(|c| c.min.is_some() || c.max.is_some())).count(),
            "roomsWithoutCapacity": rooms.iter().filter(|r| r.capacity.is_none_or(|c| c.min.is_none() && c.max.is_none())).count(),
            "roomsWithoutMin": rooms.iter().filter(|r| r.capacity.and_then(|c| c.min).is_none()).count(),
            "roomsWithoutMax": rooms.iter().filter(|r| r.capacity.and_then(|c| c.max).is_none()).count(),
        },
        "categories": categories,
        "categoriesPresent": present,
        "categoriesMissing": missing,
        "equipmentCoverage": coverage,
        "roomsWithoutEquipment": rooms.iter().filter(|r| r.equipment.is_empty()).count(),
        "openingHours": hours,
        "perCapita": {
            "population": {
                "total": (!populated.is_empty()).then(|| json!({ "value": population })),
                "counted": populated.len(),
                "missing": d.circles.len() - populated.len(),
            },
            "floorAreaPer1000Residents": { "value": per_1000_area.map(one_decimal), "exact": per_1000_area, "qualifier": per_1000_area_q },
            "seatsPer1000Residents": { "value": per_1000_seats.map(one_decimal), "exact": per_1000_seats },
        },
        "offer": {
            "roomsFreeOfCharge": rooms.iter().filter(|r| r.terms.iter().any(|t| t.kind.is_free())).count(),
            "roomsCharging": rooms.iter().filter(|r| !r.terms.is_empty() && r.terms.iter().all(|t| !t.kind.is_free())).count(),
            "roomsWithoutTerms": rooms.iter().filter(|r| r.terms.is_empty()).count(),
            "roomsWithAudience": rooms.iter().filter(|r| !r.audiences.is_empty()).count(),
            "organisations": d.organisations.len(),
        },
    })
}

/// `actual` with every field `expected` does not name removed, for a like-for-like comparison.
fn project(actual: &Value, expected: &Value) -> Value {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => Value::Object(
            e.keys()
                .filter_map(|k| a.get(k).map(|v| (k.clone(), project(v, &e[k]))))
                .collect(),
        ),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => {
            Value::Array(a.iter().zip(e).map(|(a, e)| project(a, e)).collect())
        }
        _ => actual.clone(),
    }
}

#[test]
fn every_figure_of_compare_agrees_with_the_datasets() {
    let response = graphql(shared().addr, QUERY, Value::Null);
    assert!(response.get("errors").is_none(), "{response}");
    let rows = response["data"]["compare"].as_array().expect("rows");
    let datasets: Vec<CityDataset> = server::CITIES
        .iter()
        .map(|(_, load, _)| load().expect("dataset"))
        .collect();
    assert_eq!(rows.len(), datasets.len());
    for (row, d) in rows.iter().zip(&datasets) {
        let want = expected(d);
        assert_eq!(project(row, &want), want, "{}", d.city.id);
        // Where a per-capita figure is missing, the service says why.
        let seats = &row["perCapita"]["seatsPer1000Residents"];
        assert!(
            seats["value"].is_number() || seats["reason"].is_string(),
            "{seats}"
        );
    }
}

#[test]
fn the_breakdown_is_the_compare_categories_as_flat_rows() {
    let response = graphql(
        shared().addr,
        "{ roomCategoryBreakdown { city category rooms capacityMin capacityMax } full: roomCategoryBreakdown(includeEmpty: true) { city rooms } }",
        Value::Null,
    );
    assert!(response.get("errors").is_none(), "{response}");
    let rows = response["data"]["roomCategoryBreakdown"]
        .as_array()
        .expect("rows");
    let total: u64 = rows.iter().filter_map(|r| r["rooms"].as_u64()).sum();
    let datasets_rooms: usize = server::CITIES
        .iter()
        .map(|(_, load, _)| load().expect("dataset").rooms.len())
        .sum();
    assert_eq!(total as usize, datasets_rooms);
    let full = response["data"]["full"].as_array().expect("full");
    assert_eq!(
        full.len(),
        4 * model::RoomCategory::ALL.len(),
        "a full matrix"
    );
}

/// A query that shows some figures gets exactly those figures of the full answer: the service
/// computes only the figures asked for (one branch set per selection), and no figure depends on
/// a branch it leaves out.
#[test]
fn a_subset_of_the_figures_equals_the_same_part_of_the_full_answer() {
    let full = graphql(shared().addr, QUERY, json!(null));
    assert!(full.get("errors").is_none(), "{full}");
    let subsets: [(&str, &[&str]); 7] = [
        (
            "floorArea { total { value qualifier unit } counted missing }",
            &["floorArea"],
        ),
        (
            "capacity { min max roomsWithCapacity roomsWithoutCapacity roomsWithoutMin roomsWithoutMax }",
            &["capacity"],
        ),
        ("categoriesMissing", &["categoriesMissing"]),
        (
            "equipmentCoverage { tag rooms share shareExact roomsKnown roomsUnknown } roomsWithoutEquipment",
            &["equipmentCoverage", "roomsWithoutEquipment"],
        ),
        // The shares need the rooms without equipment even when those are not shown.
        (
            "equipmentCoverage { tag rooms share shareExact roomsKnown roomsUnknown }",
            &["equipmentCoverage"],
        ),
        (
            "openingHours { season centers centersWithoutHours assumedDaily weeklyHoursTotal weeklyHoursMin weeklyHoursMax }",
            &["openingHours"],
        ),
        (
            "perCapita { population { total { value } counted missing } floorAreaPer1000Residents { value exact qualifier } seatsPer1000Residents { value exact reason } }",
            &["perCapita"],
        ),
    ];
    for (selection, fields) in subsets {
        let part = graphql(
            shared().addr,
            &format!("{{ compare {{ cityId {selection} }} }}"),
            json!(null),
        );
        assert!(part.get("errors").is_none(), "{part}");
        let expected: Vec<Value> = full["data"]["compare"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                let mut kept = serde_json::Map::new();
                kept.insert("cityId".into(), row["cityId"].clone());
                for f in fields {
                    kept.insert((*f).into(), row[*f].clone());
                }
                Value::Object(kept)
            })
            .collect();
        assert_eq!(part["data"]["compare"], json!(expected), "{selection}");
    }
}

/// The records and quotes behind each figure, for every city: as many records as the figure
/// counts, each quote supporting the figure's field and standing in the record's citations.
#[test]
fn every_figure_leads_to_its_records_and_quotes() {
    let answer = graphql(
        shared().addr,
        "{ compare { cityId centers rooms floorArea { counted } capacity { roomsWithCapacity }
           roomsWithoutEquipment openingHours { season centers centersWithoutHours }
           perCapita { population { counted } }
           centersEvidence: evidence(figure: CENTERS) { record citations { quote supports source { id } } }
           roomsEvidence: evidence(figure: ROOMS) { record }
           floor: evidence(figure: FLOOR_AREA) { record citations { quote supports } }
           capacityEvidence: evidence(figure: CAPACITY) { record citations { supports } }
           equipment: evidence(figure: EQUIPMENT) { record citations { supports } }
           hours: evidence(figure: OPENING_HOURS) { record citations { supports } }
           population: evidence(figure: POPULATION) { record citations { supports } }
           offer: evidence(figure: OFFER) { record }
        } }",
        json!({}),
    );
    assert!(answer.get("errors").is_none(), "{answer}");
    let count = |row: &Value, key: &str| row[key].as_array().expect(key).len() as u64;
    let records = |row: &Value, key: &str| -> Vec<String> {
        row[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|e| e["record"].as_str().expect("record").to_owned())
            .collect()
    };
    for (row, (_, load, _)) in answer["data"]["compare"]
        .as_array()
        .expect("rows")
        .iter()
        .zip(server::CITIES)
    {
        let d = load().expect("dataset");
        let city = row["cityId"].as_str().expect("city");
        assert_eq!(
            Some(count(row, "centersEvidence")),
            row["centers"].as_u64(),
            "{city}"
        );
        assert_eq!(
            Some(count(row, "roomsEvidence")),
            row["rooms"].as_u64(),
            "{city}"
        );
        assert_eq!(
            Some(count(row, "floor")),
            row["floorArea"]["counted"].as_u64(),
            "{city}"
        );
        assert_eq!(
            Some(count(row, "capacityEvidence")),
            row["capacity"]["roomsWithCapacity"].as_u64(),
            "{city}"
        );
        assert_eq!(
            Some(count(row, "equipment")),
            row["rooms"]
                .as_u64()
                .map(|r| r - row["roomsWithoutEquipment"].as_u64().expect("n")),
            "{city}"
        );
        // Every center with hours of its own has a summer timetable in these datasets.
        let summer = &row["openingHours"][0];
        assert_eq!(summer["season"], "SUMMER");
        assert_eq!(
            Some(count(row, "hours")),
            summer["centers"].as_u64(),
            "{city}"
        );
        assert_eq!(
            Some(count(row, "population")),
            row["perCapita"]["population"]["counted"].as_u64(),
            "{city}"
        );

        // The records are the dataset's own, and each quote supports the figure's field.
        let mut centers: Vec<String> = d.centers.iter().map(|c| c.id.clone()).collect();
        centers.sort();
        assert_eq!(records(row, "centersEvidence"), centers, "{city}");
        let mut rooms: Vec<String> = d.rooms.iter().map(|r| r.id.clone()).collect();
        rooms.sort();
        assert_eq!(records(row, "roomsEvidence"), rooms, "{city}");
        let mut floors: Vec<String> = d
            .centers
            .iter()
            .filter(|c| c.floor_area.is_some())
            .map(|c| c.id.clone())
            .collect();
        floors.sort();
        assert_eq!(records(row, "floor"), floors, "{city}");
        for (key, field) in [
            ("floor", "floor_area"),
            ("capacityEvidence", "capacity"),
            ("equipment", "equipment"),
            ("hours", "opening_hours"),
            ("population", "population"),
        ] {
            for e in row[key].as_array().expect(key) {
                let citations = e["citations"].as_array().expect("citations");
                assert!(!citations.is_empty(), "{city} {key}");
                for c in citations {
                    assert!(
                        c["supports"]
                            .as_array()
                            .expect("supports")
                            .contains(&json!(field)),
                        "{city} {key}: {c}"
                    );
                }
            }
        }
        // Offer: every record with stated terms or audiences, and every organisation.
        let mut offer: Vec<String> = d
            .centers
            .iter()
            .filter(|c| !c.terms.is_empty() || !c.audiences.is_empty())
            .map(|c| c.id.clone())
            .chain(
                d.rooms
                    .iter()
                    .filter(|r| !r.terms.is_empty() || !r.audiences.is_empty())
                    .map(|r| r.id.clone()),
            )
            .chain(d.organisations.iter().map(|o| o.id.clone()))
            .collect();
        offer.sort();
        assert_eq!(records(row, "offer"), offer, "{city}");
    }

    // One figure, read as a researcher would: Korla's floor areas and the sentences they
    // stand on.
    let korla = &answer["data"]["compare"][0];
    let floor: Vec<(String, Vec<String>)> = korla["floor"]
        .as_array()
        .expect("floor")
        .iter()
        .map(|e| {
            (
                e["record"].as_str().expect("record").to_owned(),
                e["citations"]
                    .as_array()
                    .expect("citations")
                    .iter()
                    .map(|c| c["quote"].as_str().expect("quote").to_owned())
                    .collect(),
            )
        })
        .collect();
    let expected: Vec<(String, Vec<String>)> = {
        let d = server::dataset("korla").expect("korla");
        let mut list: Vec<(String, Vec<String>)> = d
            .centers
            .iter()
            .filter(|c| c.floor_area.is_some())
            .map(|c| {
                (
                    c.id.clone(),
                    c.citations
                        .iter()
                        .filter(|q| q.supports.iter().any(|s| s == "floor_area"))
                        .map(|q| q.quote.clone())
                        .collect(),
                )
            })
            .collect();
        list.sort();
        list
    };
    assert_eq!(floor, expected);
    assert_eq!(floor.len(), 2);
}
