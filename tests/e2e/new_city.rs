//! A fifth city without touching code: `dangqun new-city`'s scaffold run in a scratch checkout,
//! then filled with the made-up article and records of `tests/fixture-city/` (never one of the
//! real cities), checked as `dangqun check` reports it, imported next to the real four and
//! queried across all five.

use crate::support::{
    Layout, TestServer, config, graphql, graphql_counted, layout, repo_root, shared,
    start_config_with, temp_dir,
};
use serde_json::{Value, json};
use server::registry::registered_cities;
use server::scaffold::{NewCity, ScaffoldError, new_city};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ID: &str = "fixture";

fn fixture_city() -> NewCity {
    NewCity {
        id: ID.to_owned(),
        name: "示例市".to_owned(),
        name_en: "Example City".to_owned(),
        province: "示例省".to_owned(),
        province_en: "Example Province".to_owned(),
        area: Some("东区".to_owned()),
        area_en: Some("East District".to_owned()),
    }
}

/// A checkout with just what the scaffold reads and changes: the workspace manifest and the
/// server's.
fn scratch_checkout(name: &str) -> PathBuf {
    let root = temp_dir(name);
    std::fs::create_dir_all(root.join("crates/server")).expect("mkdir");
    for file in ["Cargo.toml", "crates/server/Cargo.toml"] {
        std::fs::copy(repo_root().join(file), root.join(file)).expect("copy manifest");
    }
    root
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path.strip_prefix(base).expect("under base");
                out.push(relative.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn the_scaffold_writes_a_crate_and_registers_it_with_one_line() {
    let root = scratch_checkout("new_city_scaffold");
    let before = read(&root.join("crates/server/Cargo.toml"));
    let dir = new_city(&root, &fixture_city()).expect("scaffold");
    assert_eq!(dir, root.join("crates/city-fixture"));
    assert_eq!(
        files(&dir),
        [
            "Cargo.toml",
            "README.md",
            "data/dataset.toml",
            "sources/README.md",
            "src/lib.rs",
            "src/tests.rs"
        ]
    );
    assert_eq!(
        files(&root.join("crates")),
        [
            "city-fixture/Cargo.toml",
            "city-fixture/README.md",
            "city-fixture/data/dataset.toml",
            "city-fixture/sources/README.md",
            "city-fixture/src/lib.rs",
            "city-fixture/src/tests.rs",
            "server/Cargo.toml"
        ],
        "no staging folder or manifest copy is left behind"
    );

    // Registered: exactly one line more, after the last city, so it is served last.
    let after = read(&root.join("crates/server/Cargo.toml"));
    let added: Vec<&str> = after
        .lines()
        .filter(|line| !before.lines().any(|b| b == *line))
        .collect();
    assert_eq!(added, [r#"city-fixture = { path = "../city-fixture" }"#]);
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    assert_eq!(
        registered_cities(&after),
        ["korla", "taiyuan", "suzhou", "jinshan", "fixture"]
    );

    // The crate as written: named for the city, its data file valid before anything is
    // transcribed, its tests pinning the city.
    let manifest = read(&dir.join("Cargo.toml"));
    assert!(
        manifest.starts_with("[package]\nname = \"city-fixture\"\n"),
        "{manifest}"
    );
    let data = read(&dir.join("data/dataset.toml"));
    let empty = model::CityDataset::load(&data, &[]).expect("the template loads");
    assert_eq!(
        (
            empty.city.id.as_str(),
            empty.city.name.as_str(),
            empty.city.name_en.as_str(),
            empty.city.province.as_str(),
            empty.city.province_en.as_str(),
            empty.city.area.as_deref(),
            empty.city.area_en.as_deref(),
        ),
        (
            "fixture",
            "示例市",
            "Example City",
            "示例省",
            "Example Province",
            Some("东区"),
            Some("East District")
        )
    );
    assert_eq!(
        (
            empty.sources.len(),
            empty.centers.len(),
            empty.citation_count()
        ),
        (0, 0, 0)
    );
    let lib = read(&dir.join("src/lib.rs"));
    assert!(lib.contains("model::city_data! {\n    dataset: \"../data/dataset.toml\",\n    articles: [\n    ],\n}"), "{lib}");
    let tests = read(&dir.join("src/tests.rs"));
    assert!(
        tests.contains("assert_eq!(d.city.id, \"fixture\");"),
        "{tests}"
    );
    assert!(
        tests.contains("assert_eq!(d.city.name, \"示例市\");"),
        "{tests}"
    );
    let readme = read(&dir.join("README.md"));
    assert!(
        readme.starts_with("# city-fixture — Example City (示例市)\n"),
        "{readme}"
    );
    assert!(
        readme.contains("cargo run -q -p server -- check fixture"),
        "{readme}"
    );

    // Refused, and nothing changed: the same city again, a malformed id, a synthetic id, a
    // folder that is not a checkout.
    assert!(matches!(
        new_city(&root, &fixture_city()),
        Err(ScaffoldError::Registered(id)) if id == "fixture"
    ));
    let mut bad = fixture_city();
    bad.id = "Fixture-2".to_owned();
    assert!(matches!(
        new_city(&root, &bad),
        Err(ScaffoldError::BadId(_))
    ));
    bad.id = "synth9".to_owned();
    assert!(matches!(
        new_city(&root, &bad),
        Err(ScaffoldError::Reserved(_))
    ));
    let nowhere = temp_dir("new_city_not_a_checkout");
    assert!(matches!(
        new_city(&nowhere, &fixture_city()),
        Err(ScaffoldError::NotACheckout(_))
    ));
    assert_eq!(read(&root.join("crates/server/Cargo.toml")), after);
    assert_eq!(files(&root.join("crates")).len(), 7);

    // A crate folder already there (an unregistered city of the same id) is not overwritten.
    let other = scratch_checkout("new_city_exists");
    std::fs::create_dir_all(other.join("crates/city-fixture")).expect("mkdir");
    assert!(matches!(
        new_city(&other, &fixture_city()),
        Err(ScaffoldError::Exists(_))
    ));
    assert_eq!(
        read(&other.join("crates/server/Cargo.toml")),
        before,
        "not registered"
    );
}

/// The fixture city as a transcriber leaves it: the scaffold's crate with the article in
/// `sources/` and the records appended to its data file, loaded as its crate would load it.
struct Fixture {
    dataset: model::CityDataset,
    articles: Vec<model::Article>,
    server: TestServer,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = scratch_checkout("new_city_fixture");
        let dir = new_city(&root, &fixture_city()).expect("scaffold");
        let given = repo_root().join("tests/fixture-city");
        std::fs::copy(given.join("article.txt"), dir.join("sources/article.txt")).expect("copy");
        let data = read(&dir.join("data/dataset.toml")) + &read(&given.join("records.toml"));
        std::fs::write(dir.join("data/dataset.toml"), &data).expect("write");

        let text: &'static str = Box::leak(read(&dir.join("sources/article.txt")).into_boxed_str());
        let articles = vec![model::Article {
            file: "article.txt",
            text,
            normalisation: None,
        }];
        let dataset = model::CityDataset::load(&data, &articles).unwrap_or_else(|e| panic!("{e}"));

        // Next to the real four; where they live in a server database, in one of theirs.
        let mut config = config("new_city");
        if layout() != Layout::Sqlite {
            let korla = config.database("korla");
            config = config.with_database(ID, korla);
        }
        let mut datasets: Vec<model::CityDataset> = server::CITIES
            .iter()
            .map(|(_, load, _)| load().expect("dataset"))
            .collect();
        datasets.push(dataset.clone());
        let server = start_config_with(config, datasets);
        Fixture {
            dataset,
            articles,
            server,
        }
    })
}

#[test]
fn the_fixture_city_is_checked_as_dangqun_check_reports_it() {
    let f = fixture();
    let coverage = f.dataset.coverage(&f.articles).expect("coverage");
    assert_eq!(
        server::coverage_report(&f.dataset, &coverage),
        "fixture: valid; 1 circles, 1 centers, 2 rooms, 5 citations\n\
         \x20 article.txt: 5 of 9 sentences support a field; 4 support none:\n\
         \x20   | 示例市东区试点社区党群服务中心正式启用\n\
         \x20   | (本文为dangqun测试虚构的文章,文中地点、数字与人物均不存在。\n\
         \x20   | 中心设有阅览室和法律咨询室等功能室。\n\
         \x20   | 大家都说,家门口的中心真好!\n"
    );
}

#[test]
fn the_fixture_city_is_served_next_to_the_real_four() {
    let addr = fixture().server.addr;
    let cities = graphql(addr, "{ cities { id name nameEn area areaEn } }", json!({}));
    assert!(cities.get("errors").is_none(), "{cities}");
    let ids: Vec<&str> = cities["data"]["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["korla", "taiyuan", "suzhou", "jinshan", "fixture"]);
    assert_eq!(
        cities["data"]["cities"][4],
        json!({ "id": "fixture", "name": "示例市", "nameEn": "Example City", "area": "东区", "areaEn": "East District" })
    );

    let room = graphql(
        addr,
        r#"{ room(id: "fixture/pilot/legal") {
            name category freeOfCharge uses terms { kind text } staff { role roleEn volunteer }
            center { name floorArea { value qualifier unit } openingHours { season days opens closes }
                     circle { name minutes travelMode } }
            citations { quote supports source { file title contributors { name role roleText } } }
        } }"#,
        json!({}),
    );
    assert_eq!(
        room,
        json!({ "data": { "room": {
            "name": "法律咨询室",
            "category": "LEGAL_AID",
            "freeOfCharge": true,
            "uses": ["法律咨询"],
            "terms": [{ "kind": "FREE", "text": "免费" }],
            "staff": [{ "role": "专业律师", "roleEn": "Professional lawyer", "volunteer": false }],
            "center": {
                "name": "示例市东区试点社区党群服务中心",
                "floorArea": { "value": 1200.0, "qualifier": "APPROX", "unit": "m²" },
                "openingHours": [{ "season": "ALL_YEAR", "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"], "opens": "09:00", "closes": "17:00" }],
                "circle": { "name": "10分钟党群服务圈", "minutes": 10, "travelMode": "UNSTATED" }
            },
            "citations": [{
                "quote": "法律咨询室每周由专业律师坐诊,免费为居民提供法律咨询",
                "supports": ["name", "uses", "terms", "staff"],
                "source": {
                    "file": "article.txt",
                    "title": "示例市东区试点社区党群服务中心正式启用",
                    "contributors": [{ "name": "张三", "role": "EDITOR", "roleText": "编辑" }]
                }
            }]
        } } })
    );

    // A room's own hours, beside its center's.
    let reading = graphql(
        addr,
        r#"{ room(id: "fixture/pilot/reading") { openingHours { unit season days opens closes open24h } } }"#,
        json!({}),
    );
    assert_eq!(
        reading,
        json!({ "data": { "room": { "openingHours": [{
            "unit": null, "season": "ALL_YEAR",
            "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"],
            "opens": "08:00", "closes": "20:00", "open24h": false
        }] } } })
    );
}

/// The ids of a room list's nodes.
fn room_ids(answer: &Value) -> Vec<String> {
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["rooms"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn lists_filters_and_compare_take_the_fifth_city_in_and_leave_the_four_as_they_were() {
    let addr = fixture().server.addr;

    // Filtered lists across every city: the real four's rooms, as served without the fifth
    // city, then the fixture's (the sources' order puts it last).
    for (filter, fixture_rooms) in [
        ("{ freeOfCharge: true }", &["fixture/pilot/legal"][..]),
        ("{ categories: [LEGAL_AID] }", &["fixture/pilot/legal"][..]),
        ("{ equipment: [PROJECTOR] }", &["fixture/pilot/reading"][..]),
        (
            "{ minCapacity: 30, maxCapacity: 30 }",
            &["fixture/pilot/reading"][..],
        ),
    ] {
        let query =
            format!("{{ rooms(first: 100, filter: {filter}) {{ edges {{ node {{ id }} }} }} }}");
        let four = room_ids(&graphql(shared().addr, &query, json!({})));
        let five = room_ids(&graphql(addr, &query, json!({})));
        assert!(
            !four.is_empty(),
            "{filter}: the real cities have such rooms"
        );
        let mut expected = four.clone();
        expected.extend(fixture_rooms.iter().map(|id| (*id).to_owned()));
        assert_eq!(five, expected, "{filter}");
    }

    // Ordered by capacity across all five: the reading room's 30 seats fall where they should,
    // the legal room (no capacity) among the last, each tie by id.
    let by_capacity = r#"{ rooms(first: 100, orderBy: { by: CAPACITY, direction: DESC }) { totalCount edges { node { id capacity { min max } } } } }"#;
    let four = graphql(shared().addr, by_capacity, json!({}));
    let five = graphql(addr, by_capacity, json!({}));
    let order = |answer: &Value| -> Vec<(String, Option<u64>)> {
        assert!(answer.get("errors").is_none(), "{answer}");
        let list = &answer["data"]["rooms"];
        let edges = list["edges"].as_array().expect("edges");
        assert_eq!(
            list["totalCount"].as_u64(),
            Some(edges.len() as u64),
            "one page"
        );
        edges
            .iter()
            .map(|e| {
                let capacity = &e["node"]["capacity"];
                (
                    e["node"]["id"].as_str().expect("id").to_owned(),
                    capacity["max"].as_u64().or(capacity["min"].as_u64()),
                )
            })
            .collect()
    };
    let mut expected = order(&four);
    for room in [
        ("fixture/pilot/reading", Some(30)),
        ("fixture/pilot/legal", None),
    ] {
        let after = |(id, key): &(String, Option<u64>)| match (key, room.1) {
            (Some(k), Some(r)) => *k < r || (*k == r && id.as_str() > room.0),
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => id.as_str() > room.0,
        };
        let at = expected.iter().position(after).unwrap_or(expected.len());
        expected.insert(at, (room.0.to_owned(), room.1));
    }
    assert_eq!(order(&five), expected);

    // compare over all five: the real four's rows exactly as without it, then the fixture's.
    let query = read(&repo_root().join("tests/queries/compare_all.graphql"));
    let four = graphql(shared().addr, &query, json!({}));
    let five = graphql(addr, &query, json!({}));
    assert!(five.get("errors").is_none(), "{five}");
    let rows = five["data"]["compare"].as_array().expect("rows");
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[..4],
        four["data"]["compare"].as_array().expect("rows")[..]
    );
    let row = &rows[4];
    assert_eq!(
        (
            row["cityId"].clone(),
            row["centers"].clone(),
            row["rooms"].clone(),
            row["floorArea"]["total"].clone(),
            row["capacity"].clone(),
            row["categoriesPresent"].clone(),
            row["roomsWithoutEquipment"].clone(),
            row["offer"].clone(),
        ),
        (
            json!("fixture"),
            json!(1),
            json!(2),
            json!({ "value": 1200.0, "qualifier": "APPROX", "unit": "m²" }),
            json!({ "min": 30, "max": 30, "roomsWithCapacity": 1, "roomsWithoutCapacity": 1, "roomsWithoutMin": 1, "roomsWithoutMax": 1 }),
            json!(["LEGAL_AID", "READING"]),
            json!(1),
            json!({ "roomsFreeOfCharge": 1, "roomsCharging": 0, "roomsWithoutTerms": 1, "roomsWithAudience": 0, "organisations": 0 }),
        )
    );
    let weekly = |season: &str| {
        json!({ "season": season, "centers": 1, "centersWithoutHours": 0, "assumedDaily": 0,
                "weeklyHoursTotal": 40.0, "weeklyHoursMin": 40.0, "weeklyHoursMax": 40.0 })
    };
    assert_eq!(
        row["openingHours"],
        json!([weekly("SUMMER"), weekly("WINTER")])
    );
}

#[test]
fn a_fifth_city_costs_statements_only_when_it_brings_a_database() {
    let deep = "{ cities { id centers(first: 50) { nodes { name rooms { name equipment { name tag } } } } } }";
    let (four, four_statements) = graphql_counted(shared().addr, deep, json!({}));
    let (five, five_statements) = graphql_counted(fixture().server.addr, deep, json!({}));
    assert!(five.get("errors").is_none(), "{five}");
    assert_eq!(
        five["data"]["cities"].as_array().expect("cities")[..4],
        four["data"]["cities"].as_array().expect("cities")[..]
    );
    assert_eq!(
        five["data"]["cities"][4]["centers"]["nodes"][0]["rooms"],
        json!([
            { "name": "阅览室", "equipment": [{ "name": "电脑", "tag": "COMPUTER" }, { "name": "投影仪", "tag": "PROJECTOR" }] },
            { "name": "法律咨询室", "equipment": [] }
        ])
    );
    // The four real cities sit in four SQLite files, in one PostgreSQL database, or in two
    // of each (mixed); the fixture is a fifth SQLite file, or shares Korla's database.
    let databases = match layout() {
        Layout::Sqlite => (4, 5),
        Layout::Postgres => (1, 1),
        Layout::Mixed => (4, 4),
    };
    assert_eq!(
        four_statements * databases.1,
        five_statements * databases.0,
        "statements per database: {four_statements} over {} database(s), {five_statements} over {}",
        databases.0,
        databases.1
    );
}
