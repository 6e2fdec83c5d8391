//! The `dangqun` binary's subcommands, run as a user would.

use crate::support::{repo_root, temp_dir};
use std::process::Command;

fn dangqun(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dangqun"))
        .args(args)
        .env("DANGQUN_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run dangqun")
}

#[test]
fn import_is_idempotent_and_says_what_it_did() {
    let dir = temp_dir("cli-import");
    let first = dangqun(&["import", "--city", "korla"], &dir);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).starts_with("korla: imported"));
    assert!(dir.join("korla.sqlite").exists());
    let second = dangqun(&["import", "--city", "korla"], &dir);
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).starts_with("korla: already up to date"));
    let all = dangqun(&["import"], &dir);
    let out = String::from_utf8_lossy(&all.stdout);
    assert!(all.status.success());
    assert!(
        out.contains("korla: already up to date") && out.contains("jinshan: imported"),
        "{out}"
    );
}

#[test]
fn an_unknown_city_is_one_line_and_a_failure() {
    let out = dangqun(&["import", "--city", "atlantis"], &temp_dir("cli-unknown"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("atlantis"), "{err}");
}

#[test]
fn the_committed_schema_is_what_the_code_exports() {
    for (file, args) in [
        ("schema.graphql", &["export-schema", "--output", "-"][..]),
        (
            "schema.federation.graphql",
            &["export-schema", "--output", "-", "--federation"][..],
        ),
    ] {
        let committed = std::fs::read_to_string(repo_root().join(file)).expect(file);
        let out = dangqun(args, &temp_dir("cli-schema"));
        assert!(out.status.success());
        let exported = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            committed == exported,
            "{file} is stale: run `cargo run -p server -- export-schema` and commit the result"
        );
        assert!(exported.contains("type FunctionRoom") && exported.contains("AT_LEAST"));
    }
}

#[test]
fn check_validates_a_dataset_and_lists_what_no_quote_supports() {
    let out = dangqun(&["check", "suzhou"], &temp_dir("cli-check"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "suzhou: valid; 1 circles, 1 centers, 13 rooms, 46 citations",
            "  003_337397fadb35522c.txt: 30 of 106 sentences support a field; 76 support none:",
        ]
    );
    // The repeated headline is listed once, with its count; page chrome and rhetoric are left,
    // and no sentence a quote supports is.
    for expected in [
        "    | 社区党建 | 这个党群服务中心很接地气 (×34)",
        "    | ——— /\u{a0}END\u{a0}/ ————",
        "    | 我们一起期待吧!",
    ] {
        assert!(lines.contains(&expected), "no `{expected}` in:\n{text}");
    }
    assert!(
        !text.contains("兆佳巷区域党群服务中心是依托兆佳巷民众联络所建设"),
        "{text}"
    );

    let unknown = dangqun(&["check", "atlantis"], &temp_dir("cli-check"));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("atlantis"));
}
