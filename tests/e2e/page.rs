//! The comparison page at `/compare`, as a person would see it: headless Chromium loads it from
//! the service, and the page must show a row per city, drawn bars, no error, and an open figure
//! must lead to its sentence in the article. Screenshots at 1280 and 390 px wide are kept in
//! `target/test-artefacts/`.

use crate::support::{graphql, repo_root, request, shared, url_encode};
use serde_json::json;
use std::process::Command;

fn chromium(args: &[String]) -> std::process::Output {
    let profile = crate::support::temp_dir("chromium-page");
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium (Debian package `chromium`; tests/run.sh installs it)")
}

/// The page's DOM once its scripts have run.
fn dom(path: &str) -> String {
    let url = format!("http://{}{path}", shared().addr);
    let output = chromium(&["--dump-dom".to_owned(), url]);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn the_page_shows_a_row_per_city_drawn_bars_and_no_error() {
    let page = dom("/compare");
    assert!(
        page.contains("data-ready=\"true\""),
        "the page finished: {page}"
    );
    assert!(
        page.contains("<pre id=\"errors\" aria-live=\"assertive\"></pre>"),
        "no error: {page}"
    );
    let rows: Vec<&str> = page
        .match_indices("<tr data-city=\"")
        .map(|(at, m)| {
            let rest = &page[at + m.len()..];
            &rest[..rest.find('"').expect("closing quote")]
        })
        .collect();
    assert_eq!(rows, ["korla", "taiyuan", "suzhou", "jinshan"]);

    // A bar per city in every group of every chart: categories and tags any city has, the two
    // capacity bounds and the two seasons.
    let answer = graphql(
        shared().addr,
        "{ compare { categories { category rooms } equipmentCoverage { tag rooms } } }",
        json!({}),
    );
    let rows = answer["data"]["compare"].as_array().expect("rows");
    let mut categories = std::collections::BTreeSet::new();
    let mut tags = std::collections::BTreeSet::new();
    for r in rows {
        for c in r["categories"].as_array().expect("categories") {
            if c["rooms"].as_i64() > Some(0) {
                categories.insert(c["category"].as_str().expect("category").to_owned());
            }
        }
        for t in r["equipmentCoverage"].as_array().expect("tags") {
            if t["rooms"].as_i64() > Some(0) {
                tags.insert(t["tag"].as_str().expect("tag").to_owned());
            }
        }
    }
    let groups = categories.len() + 2 + tags.len() + 2;
    assert_eq!(count(&page, "<rect class=\"bar\""), groups * rows.len());
    // Labels in both languages, and every figure a button a keyboard reaches.
    assert!(
        page.contains("文化艺术 — Culture &amp; arts"),
        "bilingual labels"
    );
    assert_eq!(
        count(&page, "<button type=\"button\" class=\"fig\""),
        4 * 7,
        "seven figures a city lead to their sources"
    );
}

#[test]
fn a_figure_leads_to_its_sentence_in_the_article_in_two_clicks() {
    // Click one: Taiyuan's floor area opens its records and quotes (the page opens the panel a
    // link names).
    let page = dom("/compare#evidence=taiyuan:FLOOR_AREA");
    assert!(page.contains("data-ready=\"true\""), "{page}");
    let panel = &page[page.find("<section id=\"evidence\"").expect("the panel")..];
    let panel = &panel[..panel.find("</section>").expect("its end")];
    assert!(
        !panel.starts_with("<section id=\"evidence\" hidden"),
        "{panel}"
    );
    assert!(
        panel.contains("<li data-record=\"taiyuan/nanzhai\">"),
        "{panel}"
    );
    assert!(panel.contains("该中心面积超过4000平方米"), "{panel}");
    let link = format!(
        "/articles/taiyuan/002_a234898d409b6129.txt?quote={}",
        url_encode("该中心面积超过4000平方米")
    );
    assert!(panel.contains(&format!("href=\"{link}\"")), "{panel}");

    // Click two: the article, the sentence marked.
    let article = request(shared().addr, "GET", &link, None, b"");
    assert_eq!(article.status, 200);
    assert!(
        article
            .text()
            .contains("<mark id=\"quote\">该中心面积超过4000平方米</mark>"),
        "{}",
        article.text()
    );
    let seen = dom(&link);
    assert!(
        seen.contains("<mark id=\"quote\">该中心面积超过4000平方米</mark>"),
        "{seen}"
    );

    let absent = request(
        shared().addr,
        "GET",
        "/articles/taiyuan/002_a234898d409b6129.txt?quote=not%20there",
        None,
        b"",
    );
    assert!(absent.text().contains("The quote is not in this article."));
    let missing = request(shared().addr, "GET", "/articles/atlantis/x.txt", None, b"");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json(),
        json!({ "errors": [{ "message": "no article `atlantis/x.txt`", "extensions": { "code": "NOT_FOUND" } }] })
    );
}

/// The width a PNG says it has.
fn png_width(bytes: &[u8]) -> u32 {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]])
}

#[test]
fn screenshots_at_1280_and_390_pixels_are_kept() {
    let dir = repo_root().join("target/test-artefacts");
    std::fs::create_dir_all(&dir).expect("artefacts folder");
    for width in [1280u32, 390] {
        let file = dir.join(format!("compare-{width}.png"));
        let _ = std::fs::remove_file(&file);
        let output = chromium(&[
            format!("--window-size={width},2400"),
            format!("--screenshot={}", file.display()),
            format!("http://{}/compare", shared().addr),
        ]);
        let png = std::fs::read(&file).unwrap_or_else(|e| {
            panic!(
                "{}: {e}\n{}",
                file.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        assert_eq!(png_width(&png), width);
        assert!(png.len() > 20_000, "a drawn page, not a blank one");
    }
}
