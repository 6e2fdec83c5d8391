//! What browsers and caches see: CORS (and a page on another origin calling the API in headless
//! Chromium), ETag / `If-None-Match` / `Cache-Control` on GET queries, gzip and br.

use crate::support::{
    Reply, TestServer, config, post_json, repo_root, request_with, shared, start_config, start_with,
};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::OnceLock;

const CITIES_QUERY: &str = "/graphql?query=%7B%20cities%20%7B%20id%20name%20%7D%20%7D";

fn post(addr: SocketAddr, headers: &[(&str, &str)], query: &str) -> Reply {
    post_json(addr, headers, &json!({ "query": query }))
}

fn preflight(addr: SocketAddr, origin: &str) -> Reply {
    request_with(
        addr,
        "OPTIONS",
        "/graphql",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    )
}

/// A server that lets only `http://allowed.example` call it from a browser.
fn listed() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut config = config("cors_listed");
        config.cors_origins = vec!["http://allowed.example".to_owned()];
        start_config(config)
    })
}

#[test]
fn any_origin_may_call_by_default_and_the_preflight_is_answered() {
    let reply = preflight(shared().addr, "http://dashboard.example");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET,POST")
    );
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("content-type,accept,if-none-match,apollo-require-preflight,x-apollo-operation-name")
    );
    assert_eq!(reply.header("access-control-max-age"), Some("86400"));
    // `*` is the same for every origin: nothing varies on it.
    assert!(
        !reply.all("vary").iter().any(|v| v.contains("origin")),
        "{:?}",
        reply.all("vary")
    );

    let reply = post(
        shared().addr,
        &[("Origin", "http://dashboard.example")],
        "{ cities { id } }",
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("etag,dangqun-sql-statements")
    );
    assert_eq!(reply.all("vary"), ["accept", "accept-encoding"]);
}

#[test]
fn a_configured_list_admits_only_its_origins_and_varies_on_origin() {
    let server = listed();
    let reply = preflight(server.addr, "http://allowed.example");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://allowed.example")
    );
    let vary = reply.all("vary").join(",");
    assert!(vary.contains("origin"), "{vary}");

    let reply = post(
        server.addr,
        &[("Origin", "http://allowed.example")],
        "{ cities { id } }",
    );
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://allowed.example")
    );
    assert!(reply.all("vary").join(",").contains("origin"));

    for other in ["http://elsewhere.example", "http://allowed.example.evil"] {
        let reply = preflight(server.addr, other);
        assert_eq!(reply.header("access-control-allow-origin"), None, "{other}");
        let reply = post(server.addr, &[("Origin", other)], "{ cities { id } }");
        assert_eq!(reply.header("access-control-allow-origin"), None, "{other}");
    }
}

/// Serves one HTML page, for any path, on a port of its own: another origin than the API's.
fn page_server(html: String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                html.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(html.as_bytes());
        }
    });
    addr
}

/// Loads a page from another origin in headless Chromium; the page POSTs a query to `api` (a
/// JSON body: the browser sends a preflight first) and writes what it got into the document.
fn browser_reads(api: SocketAddr) -> String {
    let html = format!(
        r#"<!doctype html><html><body><pre id="out">pending</pre><script>
fetch('http://{api}/graphql', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json' }},
  body: JSON.stringify({{ query: '{{ cities {{ id }} }}' }}) }})
  .then(r => r.json())
  .then(j => {{ document.getElementById('out').textContent = 'answer:' + j.data.cities.map(c => c.id).join(','); }})
  .catch(e => {{ document.getElementById('out').textContent = 'refused:' + e; }});
</script></body></html>"#
    );
    let page = page_server(html);
    let profile = crate::support::temp_dir(&format!("chromium-{}", api.port()));
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("http://{page}/"))
        .output()
        .expect("run chromium (Debian package `chromium`; tests/run.sh installs it)");
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    let start = dom
        .find("<pre id=\"out\">")
        .map(|i| i + "<pre id=\"out\">".len());
    let end = dom.find("</pre>");
    match (start, end) {
        (Some(s), Some(e)) if s <= e => dom[s..e].to_owned(),
        _ => panic!(
            "no answer in the page: {dom}\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

#[test]
fn a_page_on_another_origin_reads_an_answer_in_chromium() {
    assert_eq!(
        browser_reads(shared().addr),
        "answer:korla,taiyuan,suzhou,jinshan"
    );
    // The browser does enforce CORS: an API that lists other origins is refused to this page.
    let refused = browser_reads(listed().addr);
    assert!(refused.starts_with("refused:TypeError"), "{refused}");
}

#[test]
fn a_get_query_carries_an_etag_and_a_matching_if_none_match_gets_304() {
    let addr = shared().addr;
    let first = request_with(addr, "GET", CITIES_QUERY, &[], b"");
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let tag = first.header("etag").expect("an ETag").to_owned();
    assert!(tag.starts_with("W/\"") && tag.len() == 3 + 32 + 1, "{tag}");

    let again = request_with(addr, "GET", CITIES_QUERY, &[("If-None-Match", &tag)], b"");
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    assert_eq!(again.header("cache-control"), Some("public, max-age=60"));
    let listed = format!("W/\"0000\", {}", tag.trim_start_matches("W/"));
    let again = request_with(
        addr,
        "GET",
        CITIES_QUERY,
        &[("If-None-Match", &listed)],
        b"",
    );
    assert_eq!(again.status, 304);

    let stale = request_with(
        addr,
        "GET",
        CITIES_QUERY,
        &[("If-None-Match", "W/\"0000\"")],
        b"",
    );
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, first.body);
    assert_eq!(stale.header("etag"), Some(tag.as_str()));

    // Another query, another tag.
    let other = request_with(
        addr,
        "GET",
        "/graphql?query=%7B%20cities%20%7B%20id%20%7D%20%7D",
        &[],
        b"",
    );
    assert_ne!(other.header("etag"), Some(tag.as_str()));
}

#[test]
fn a_changed_dataset_changes_the_etag() {
    let mut korla = server::dataset("korla").expect("korla");
    korla.city.name_en = "Korla (edited)".to_owned();
    let edited = start_with("etag_edited", vec![korla]);
    let original = start_with(
        "etag_original",
        vec![server::dataset("korla").expect("korla")],
    );
    let path = "/graphql?query=%7B%20cities%20%7B%20id%20nameEn%20%7D%20%7D";
    let a = request_with(original.addr, "GET", path, &[], b"");
    let b = request_with(edited.addr, "GET", path, &[], b"");
    assert_eq!(
        a.text(),
        r#"{"data":{"cities":[{"id":"korla","nameEn":"Korla"}]}}"#
    );
    assert_eq!(
        b.text(),
        r#"{"data":{"cities":[{"id":"korla","nameEn":"Korla (edited)"}]}}"#
    );
    assert!(a.header("etag").is_some());
    assert_ne!(a.header("etag"), b.header("etag"));
}

#[test]
fn answers_with_errors_and_posts_are_not_cached() {
    let addr = shared().addr;
    // An argument error: the answer has errors.
    let reply = request_with(
        addr,
        "GET",
        "/graphql?query=%7B%20compare(cities%3A%20%5B%5D)%20%7B%20cityId%20%7D%20%7D",
        &[],
        b"",
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("etag"), None);
    // A request that never ran.
    let reply = request_with(addr, "GET", "/graphql?query=%7B%20nope%20%7D", &[], b"");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("etag"), None);
    // POST answers are not cacheable and carry no validator.
    let reply = post(addr, &[], "{ cities { id } }");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), None);
    assert_eq!(reply.header("etag"), None);
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

fn unbrotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(body, 4096)
        .read_to_end(&mut out)
        .expect("br");
    out
}

#[test]
fn graphiql_assets_and_answers_are_compressed_when_the_client_accepts_it() {
    let addr = shared().addr;
    let asset = std::fs::read(repo_root().join("crates/server/assets/graphiql/graphiql.min.js"))
        .expect("asset");
    let path = "/graphiql/graphiql.min.js";

    let plain = request_with(addr, "GET", path, &[], b"");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, asset);

    let gz = request_with(addr, "GET", path, &[("Accept-Encoding", "gzip")], b"");
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(
        gz.body.len() * 3 < asset.len(),
        "{} of {}",
        gz.body.len(),
        asset.len()
    );
    assert_eq!(gunzip(&gz.body), asset);

    let br = request_with(addr, "GET", path, &[("Accept-Encoding", "gzip, br")], b"");
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(unbrotli(&br.body), asset);
    assert!(br.all("vary").join(",").contains("accept-encoding"));

    let query = "{ rooms(first: 50) { nodes { id name uses equipment { name tag } } } }";
    let identity = post(addr, &[], query);
    let compressed = post(addr, &[("Accept-Encoding", "br")], query);
    assert_eq!(compressed.header("content-encoding"), Some("br"));
    assert!(compressed.body.len() < identity.body.len());
    assert_eq!(unbrotli(&compressed.body), identity.body);
}
