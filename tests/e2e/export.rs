//! `GET /export/…` and `dangqun export`: each file read back with a real CSV parser (or line
//! by line as JSON) and compared with the GraphQL answer to the same question.

use crate::support::{graphql, request, shared, temp_dir};
use serde_json::{Value, json};

fn get(path: &str) -> crate::support::Reply {
    request(shared().addr, "GET", path, None, b"")
}

/// The CSV file at `path`: its header and rows, each a map from column to text.
fn csv_rows(path: &str) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let reply = get(path);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    parse_csv(&reply.body)
}

fn parse_csv(body: &[u8]) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed row");
            assert_eq!(r.len(), header.len(), "every row has every column");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Every node of a GraphQL list, paged to the end.
fn all_nodes(list: &str, args: &str, fields: &str) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let query = format!(
            "query($after: String) {{ {list}({args} first: 100, after: $after) {{ nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let answer = graphql(shared().addr, &query, json!({ "after": after }));
        assert!(answer.get("errors").is_none(), "{answer}");
        let page = &answer["data"][list];
        nodes.extend(page["nodes"].as_array().expect("nodes").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// A GraphQL value as the CSV writes it: empty for null, whole numbers without a fraction.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            format!("{:.0}", n.as_f64().unwrap_or_default())
        }
        other => other.to_string(),
    }
}

#[test]
fn rooms_csv_is_the_rooms_list_row_for_row() {
    let (header, rows) = csv_rows("/export/rooms.csv");
    assert_eq!(header, server::export::columns("rooms"));
    let nodes = all_nodes(
        "rooms",
        "",
        "id name category capacity { min max qualifier } equipment { name tag } freeOfCharge city { id } center { id }",
    );
    assert_eq!(rows.len(), nodes.len());
    assert_eq!(rows.len(), 56);
    for (row, node) in rows.iter().zip(&nodes) {
        let equipment: Vec<&str> = node["equipment"]
            .as_array()
            .expect("equipment")
            .iter()
            .map(|e| e["name"].as_str().expect("name"))
            .collect();
        assert_eq!(
            [
                &row["room_id"],
                &row["room"],
                &row["city_id"],
                &row["center_id"],
                &row["category"],
                &row["capacity_min"],
                &row["capacity_max"],
                &row["capacity_qualifier"],
                &row["equipment"],
                &row["free_of_charge"],
            ],
            [
                &text(&node["id"]),
                &text(&node["name"]),
                &text(&node["city"]["id"]),
                &text(&node["center"]["id"]),
                &text(&node["category"]),
                &text(&node["capacity"]["min"]),
                &text(&node["capacity"]["max"]),
                &text(&node["capacity"]["qualifier"]),
                &equipment.join("; "),
                &text(&node["freeOfCharge"]),
            ],
        );
    }
}

#[test]
fn filters_and_cities_are_the_graphql_lists() {
    let (_, rows) = csv_rows("/export/rooms.csv?cities=korla,jinshan&freeOfCharge=true");
    let ids: Vec<&str> = rows.iter().map(|r| r["room_id"].as_str()).collect();
    let nodes = all_nodes(
        "rooms",
        r#"cities: ["korla", "jinshan"], filter: { freeOfCharge: true },"#,
        "id",
    );
    let expected: Vec<&str> = nodes
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, expected);
    assert!(!ids.is_empty());

    let (_, rows) = csv_rows("/export/rooms.csv?categories=READING,LEGAL_AID&minCapacity=10");
    let nodes = all_nodes(
        "rooms",
        "filter: { categories: [READING, LEGAL_AID], minCapacity: 10 },",
        "id",
    );
    assert_eq!(
        rows.iter()
            .map(|r| r["room_id"].clone())
            .collect::<Vec<_>>(),
        nodes.iter().map(|n| text(&n["id"])).collect::<Vec<_>>()
    );
}

#[test]
fn the_open_at_filter_is_a_moment_parameter() {
    let (_, rows) = csv_rows("/export/centers.csv?openAt=SUMMER,FRIDAY,21:30");
    let nodes = all_nodes(
        "centers",
        "filter: { openAt: { season: SUMMER, weekday: FRIDAY, time: \"21:30\" } },",
        "id",
    );
    let ids: Vec<String> = rows.iter().map(|r| r["center_id"].clone()).collect();
    assert_eq!(
        ids,
        nodes.iter().map(|n| text(&n["id"])).collect::<Vec<_>>()
    );
    assert_eq!(ids, ["korla/kongque", "korla/shanghu"]);
    let (_, named) = csv_rows("/export/centers.csv?openAt=SUMMER,FRIDAY,21:30,named");
    assert!(named.is_empty(), "their lines name no day");
    let refused = get("/export/centers.csv?openAt=SUMMER,21:30");
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["errors"][0]["message"],
        "`openAt` must be SEASON,WEEKDAY,HH:MM (and `,named` to count only lines naming the day), not `SUMMER,21:30`"
    );
}

#[test]
fn centers_ndjson_is_the_centers_list() {
    let reply = get("/export/centers.ndjson?cities=taiyuan,suzhou");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = reply
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let nodes = all_nodes(
        "centers",
        r#"cities: ["taiyuan", "suzhou"],"#,
        "id floorArea { value qualifier unit } roomCount",
    );
    assert_eq!(lines.len(), nodes.len());
    for (line, node) in lines.iter().zip(&nodes) {
        let keys: Vec<&str> = line
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut columns = server::export::columns("centers");
        columns.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, columns);
        assert_eq!(line["center_id"], node["id"]);
        assert_eq!(line["floor_area_value"], node["floorArea"]["value"]);
        assert_eq!(line["floor_area_qualifier"], node["floorArea"]["qualifier"]);
        assert_eq!(line["floor_area_unit"], node["floorArea"]["unit"]);
        assert_eq!(line["rooms"], node["roomCount"]);
    }
    // The first line's keys come in the columns' order.
    let first = reply.text();
    let first = first.lines().next().expect("a line");
    assert!(
        first.starts_with(r#"{"city_id":"taiyuan","city":"太原市","center_id":"taiyuan/nanzhai","#),
        "{first}"
    );
}

#[test]
fn circles_and_compare_with_a_byte_order_mark_for_excel() {
    let (header, rows) = csv_rows("/export/circles.csv");
    assert_eq!(header, server::export::columns("circles"));
    let answer = graphql(
        shared().addr,
        "{ cities { serviceCircles { id minutes travelMode population { value qualifier unit } } } }",
        json!({}),
    );
    let circles: Vec<&Value> = answer["data"]["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .flat_map(|c| c["serviceCircles"].as_array().expect("circles").iter())
        .collect();
    assert_eq!(rows.len(), circles.len());
    for (row, c) in rows.iter().zip(&circles) {
        assert_eq!(row["circle_id"], text(&c["id"]));
        assert_eq!(row["minutes"], text(&c["minutes"]));
        assert_eq!(row["travel_mode"], text(&c["travelMode"]));
        assert_eq!(row["population_value"], text(&c["population"]["value"]));
        assert_eq!(row["population_unit"], text(&c["population"]["unit"]));
    }

    let reply = get("/export/compare.csv?bom=true");
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .body
            .starts_with(b"\xEF\xBB\xBFcity_id,centers,rooms,")
    );
    let (_, rows) = parse_csv(&reply.body[3..]);
    let answer = graphql(
        shared().addr,
        "{ compare { cityId centers rooms floorArea { total { value qualifier } } perCapita { floorAreaPer1000Residents { value exact } } } }",
        json!({}),
    );
    let figures = answer["data"]["compare"].as_array().expect("rows");
    assert_eq!(rows.len(), figures.len());
    for (row, f) in rows.iter().zip(figures) {
        assert_eq!(row["city_id"], text(&f["cityId"]));
        assert_eq!(row["rooms"], text(&f["rooms"]));
        assert_eq!(
            row["floor_area_value"],
            text(&f["floorArea"]["total"]["value"])
        );
        assert_eq!(
            row["floor_area_qualifier"],
            text(&f["floorArea"]["total"]["qualifier"])
        );
        assert_eq!(
            row["floor_area_per_1000_residents_exact"],
            text(&f["perCapita"]["floorAreaPer1000Residents"]["exact"])
        );
    }
    assert_eq!(rows[2]["floor_area_per_1000_residents"], "33.3");
}

#[test]
fn bad_files_and_parameters_are_refused_in_one_line() {
    for (path, message) in [
        (
            "/export/halls.csv",
            "no export `halls.csv`: the files are rooms, centers, circles, compare (each .csv or .ndjson)",
        ),
        (
            "/export/rooms.csv?minCapacity=many",
            "`minCapacity` must be a whole number, not `many`",
        ),
        (
            "/export/rooms.csv?shoeSize=42",
            "`shoeSize` is not a parameter of rooms (known: cities, categories, minCapacity, maxCapacity, equipment, outdoor, offSite, text, freeOfCharge, audience, bom)",
        ),
        (
            "/export/circles.csv?cities=atlantis",
            "`cities`: no city `atlantis` is served here",
        ),
    ] {
        let reply = get(path);
        assert_eq!(reply.status, 400, "{path}");
        assert_eq!(
            reply.json(),
            json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] }),
            "{path}"
        );
    }
    // A value the GraphQL list refuses is refused with its message.
    let reply = get("/export/rooms.csv?cities=atlantis");
    assert_eq!(reply.status, 400);
    let message = reply.json()["errors"][0]["message"]
        .as_str()
        .expect("message")
        .to_owned();
    assert!(message.contains("atlantis"), "{message}");
    assert!(!message.to_lowercase().contains("select"), "{message}");
}

#[test]
fn dangqun_export_writes_the_same_file() {
    let dir = temp_dir("cli-export");
    let out = dir.join("rooms.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_dangqun"))
        .args([
            "export",
            "rooms.csv",
            "cities=suzhou",
            "bom=true",
            "--output",
        ])
        .arg(&out)
        .env("DANGQUN_DATA_DIR", &dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run dangqun");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let written = std::fs::read(&out).expect("the file");
    assert_eq!(
        written,
        get("/export/rooms.csv?cities=suzhou&bom=true").body
    );
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_dangqun"))
        .args(["export", "rooms.csv", "minCapacity"])
        .env("DANGQUN_DATA_DIR", &dir)
        .output()
        .expect("run dangqun");
    assert!(!refused.status.success());
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        "dangqun: `minCapacity`: parameters are NAME=VALUE\n"
    );
}

/// README's table of columns is the export's.
#[test]
fn readme_lists_each_files_columns() {
    let readme =
        std::fs::read_to_string(crate::support::repo_root().join("README.md")).expect("README.md");
    for table in server::export::TABLES {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {table} | `")))
            .unwrap_or_else(|| panic!("README lists no columns for {table}"));
        let listed: Vec<&str> = row.split('`').skip(1).step_by(2).collect();
        assert_eq!(listed, server::export::columns(table), "{table}");
    }
}

/// Every file in both formats: the same rows, the same values (NDJSON typed, CSV as text).
#[test]
fn each_file_says_the_same_in_csv_and_ndjson() {
    for table in server::export::TABLES {
        let (header, rows) = csv_rows(&format!("/export/{table}.csv"));
        let reply = get(&format!("/export/{table}.ndjson"));
        assert_eq!(reply.status, 200, "{table}");
        let lines: Vec<serde_json::Map<String, Value>> = reply
            .text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON object"))
            .collect();
        assert_eq!(lines.len(), rows.len(), "{table}");
        assert!(!rows.is_empty(), "{table}");
        for (line, row) in lines.iter().zip(&rows) {
            let keys: Vec<&String> = line.keys().collect();
            assert_eq!(keys.len(), header.len(), "{table}");
            for column in &header {
                assert_eq!(text(&line[column]), row[column], "{table}.{column}");
            }
        }
    }
}
