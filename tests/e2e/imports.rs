//! `dangqun import` and `dangqun copy` against real databases: an importer killed with SIGKILL at
//! random points leaves the district exactly as before or exactly as after, on SQLite and on
//! PostgreSQL; a copy from SQLite to PostgreSQL is served and equal row by row; bad settings
//! fail in one line that names the city.

use crate::pg;
use crate::support::{graphql, temp_dir, unique_name};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use store::{District, DistrictOptions};

type Dump = Vec<(String, Vec<String>)>;

fn dangqun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dangqun"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env("DANGQUN_DATA_DIR", temp_dir("imports-unused"))
        .output()
        .expect("run dangqun")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn block_on<T>(f: impl Future<Output = T>) -> T {
    server::runtime().expect("runtime").block_on(f)
}

/// The district's whole content, the import time left out (it differs between two imports of
/// the same version).
fn dump(database: &str) -> Dump {
    block_on(async {
        let d = District::open_setting("korla", database, DistrictOptions::default())
            .await
            .expect("open district");
        let mut dump = d.dump().await.expect("dump");
        for (table, rows) in &mut dump {
            if table == "dataset_versions" {
                for row in rows.iter_mut() {
                    *row = row.split(", ").next().unwrap_or_default().to_owned();
                }
            }
        }
        let problems = d.integrity_problems().await.expect("integrity checks");
        assert!(problems.is_empty(), "{problems:?}");
        d.close().await;
        dump
    })
}

/// Imports `dataset` in-process (the state an interrupted import must be able to return to).
fn import_in_process(database: &str, dataset: model::CityDataset) {
    block_on(async {
        let d = District::open_setting(
            "korla",
            database,
            DistrictOptions {
                keep: Some(Arc::new(dataset)),
                ..DistrictOptions::default()
            },
        )
        .await
        .expect("import the state before");
        d.close().await;
    });
}

/// A small deterministic generator (the tests need no random-number crate).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Runs `import --city korla --force` against `database` and kills it with SIGKILL after it
/// has printed `lines` progress lines (0: as soon as it starts), or lets it finish when `lines`
/// is past its end. Returns whether it was killed, and the lines it printed.
fn import_killed_after(database: &str, lines: usize) -> (bool, Vec<String>) {
    import_killed(database, Kill::AfterLines(lines))
}

/// When to kill the importer.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// After it has printed this many progress lines.
    AfterLines(usize),
    /// This long after it started, wherever it is then (perhaps finished).
    After(std::time::Duration),
}

fn import_killed(database: &str, when: Kill) -> (bool, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dangqun"))
        .args([
            "import",
            "--city",
            "korla",
            "--force",
            "--database",
            database,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the importer");
    let mut seen = Vec::new();
    let err = child.stderr.take().expect("stderr");
    let mut reader = BufReader::new(err);
    let mut killed = false;
    match when {
        Kill::AfterLines(lines) => {
            while seen.len() < lines {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => seen.push(line.trim().to_owned()),
                }
            }
            if seen.len() == lines {
                killed = child.kill().is_ok();
            }
        }
        Kill::After(delay) => {
            std::thread::sleep(delay);
            killed = child.kill().is_ok();
            let mut rest = String::new();
            let _ = std::io::Read::read_to_string(&mut reader, &mut rest);
            seen.extend(rest.lines().map(|l| l.trim().to_owned()));
        }
    }
    let status = child.wait().expect("wait for the importer");
    (killed && !status.success(), seen)
}

/// SIGKILL at random points: before the transaction, between any two progress lines, and
/// after the commit. Afterwards the district is exactly the state before or the state after.
fn killed_imports_lose_nothing(database: &str, seed: u64) {
    let korla = city_korla::dataset().expect("korla");
    let before_dataset = crate::large::enlarge(korla.clone());
    import_in_process(database, korla);
    let after = dump(database);
    import_in_process(database, before_dataset);
    let before = dump(database);
    assert_ne!(before, after);

    // How many progress lines a whole import prints, and how long it takes.
    let started = std::time::Instant::now();
    let (_, all_lines) = import_killed_after(database, usize::MAX);
    let whole = started.elapsed();
    let total = all_lines.len();
    assert!(total >= 5, "{all_lines:?}");
    assert_eq!(dump(database), after);

    let mut rng = Lcg(seed);
    let (mut kept_before, mut reached_after, mut mid_write) = (0, 0, 0);
    for run in 0..24 {
        import_in_process(
            database,
            crate::large::enlarge(city_korla::dataset().expect("korla")),
        );
        // Mostly inside the write (after 1 to total-1 lines); every third run at a random time
        // between the start and twice a whole import's duration (start-up, connecting,
        // migrating, writing, committing, or already done).
        let when = if run % 3 == 0 {
            Kill::After(whole.mul_f64(rng.below(200) as f64 / 100.0))
        } else {
            Kill::AfterLines(1 + rng.below(total as u64 - 1) as usize)
        };
        let (killed, seen) = import_killed(database, when);
        let state = dump(database);
        if state == before {
            kept_before += 1;
        } else if state == after {
            reached_after += 1;
        } else {
            panic!(
                "run {run}: killed {when:?} ({seen:?}): the district is neither before nor after"
            );
        }
        if killed
            && matches!(when, Kill::AfterLines(_))
            && seen.last().is_some_and(|l| l.contains("rows written"))
            && state == before
        {
            mid_write += 1;
        }
    }
    eprintln!(
        "{database}: 24 kills (a whole import: {whole:?}): {kept_before} left it before ({mid_write} of them after some rows were written), {reached_after} after the commit"
    );
    assert!(
        mid_write >= 12,
        "only {mid_write} kills landed inside the transaction (before {kept_before}, after {reached_after})"
    );
    // An interrupted import is simply run again.
    let (_, _) = import_killed_after(database, usize::MAX);
    assert_eq!(dump(database), after);
}

#[test]
fn a_killed_sqlite_import_leaves_the_district_before_or_after() {
    let path = temp_dir("kill-sqlite").join("korla.sqlite");
    killed_imports_lose_nothing(path.to_str().expect("utf-8 path"), 0x5eed);
}

#[test]
fn a_killed_postgres_import_leaves_the_district_before_or_after() {
    let url = pg::create_database(&unique_name("kill"));
    killed_imports_lose_nothing(&url, 0xfeed);
}

#[test]
fn import_into_a_named_database_is_idempotent_and_shows_progress() {
    let url = pg::create_database(&unique_name("import"));
    let first = dangqun(&["import", "--city", "korla", "--database", &url]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(String::from_utf8_lossy(&first.stdout).starts_with("korla: imported"));
    let progress = stderr(&first);
    assert!(
        progress.contains("korla:") && progress.contains("rows written (rooms)"),
        "{progress}"
    );
    let again = dangqun(&["import", "--city", "korla", "--database", &url]);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("korla: already up to date"));
    let no_city = dangqun(&["import", "--database", &url]);
    assert!(!no_city.status.success());
}

#[test]
fn a_district_moves_from_sqlite_to_postgres_with_copy() {
    let dir = temp_dir("copy");
    let sqlite = dir.join("korla.sqlite");
    let sqlite = sqlite.to_str().expect("utf-8 path");
    let imported = dangqun(&["import", "--city", "korla", "--database", sqlite]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let url = pg::create_database(&unique_name("copy"));
    let copied = dangqun(&["copy", "--city", "korla", "--from", sqlite, "--to", &url]);
    assert!(copied.status.success(), "{}", stderr(&copied));
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(said.contains("identical row by row"), "{said}");
    assert!(
        !said.contains("dangqun@") || !said.contains(":dangqun@"),
        "{said}"
    );

    // Equal row by row, the import time included.
    let exact = |db: &str| {
        block_on(async {
            let d = District::open_setting("korla", db, DistrictOptions::default())
                .await
                .expect("open");
            d.dump().await.expect("dump")
        })
    };
    assert_eq!(exact(sqlite), exact(&url));
    // The copy is current: importing into it finds nothing to do, and the service serves it.
    let again = dangqun(&["import", "--city", "korla", "--database", &url]);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("korla: already up to date"));
    let moved = crate::support::start_config(
        server::Config::with_data_dir(temp_dir("copy-serve")).with_database("korla", &url),
    );
    let sqlite_served = crate::support::shared();
    let q = "{ city(id: \"korla\") { name centers(first: 100) { edges { node { id name rooms(first: 100) { edges { node { id capacity { min max } } } } } } } } }";
    assert_eq!(
        graphql(moved.addr, q, json!({})),
        graphql(sqlite_served.addr, q, json!({}))
    );
}

#[test]
fn bad_databases_fail_in_one_line_naming_the_city() {
    let admin = pg::admin_url();
    let wrong_password = admin.replacen(":dangqun@", ":not-the-password@", 1);
    assert_ne!(
        wrong_password, admin,
        "the test server's password is `dangqun`"
    );
    let newer = crate::support::database_from_the_future("newer");
    for (database, expect) in [
        (
            "postgres://dangqun:s3cret@127.0.0.1:notaport/x",
            "not a usable PostgreSQL URL",
        ),
        ("postgres://dangqun:s3cret@127.0.0.1:1/x", "cannot open"),
        (wrong_password.as_str(), "password authentication failed"),
        (
            newer.as_str(),
            "at migration 99, newer than this binary knows",
        ),
        ("mysql://db/x", "unsupported database"),
    ] {
        let out = dangqun(&["import", "--city", "korla", "--database", database]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{database}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{database}: {err}");
        assert!(
            err.contains("korla") && err.contains(expect),
            "{database}: {err}"
        );
        assert!(
            !err.contains("s3cret") && !err.contains("not-the-password"),
            "{err}"
        );
    }
}

/// Every migration, `ALTER TABLE`s and all, run on a scratch database of each backend, makes
/// exactly the tables and columns `store` declares (`store::declared_tables`), with their types.
#[test]
fn the_migrations_make_the_declared_tables_on_both_backends() {
    let declared = store::declared_tables();
    let file = temp_dir("drift").join("scratch.sqlite");
    let pg = pg::create_database(&unique_name("drift"));
    // Columns are compared by name: every statement names its columns, and a column added by
    // `ALTER TABLE` comes last whatever its place in the declaration.
    let sorted = |mut tables: Vec<(String, Vec<(String, String)>)>| {
        for (_, columns) in &mut tables {
            columns.sort();
        }
        tables.sort();
        tables
    };
    let declared = sorted(declared);
    for setting in [file.to_string_lossy().into_owned(), pg] {
        let stored = block_on(async {
            let d = District::open_setting("korla", &setting, DistrictOptions::default())
                .await
                .expect("open district");
            d.stored_tables().await.expect("tables")
        });
        let stored = sorted(stored);
        let expected = &declared;
        let names = |t: &[(String, Vec<(String, String)>)]| -> Vec<String> {
            t.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(names(&stored), names(expected), "{setting}");
        for ((table, columns), (_, wanted)) in stored.iter().zip(expected) {
            if columns.iter().all(|(_, ty)| ty.is_empty()) {
                // SQLite's full-text table: its columns have no types.
                let names: Vec<&String> = columns.iter().map(|(c, _)| c).collect();
                let wanted: Vec<&String> = wanted.iter().map(|(c, _)| c).collect();
                assert_eq!(names, wanted, "{table} in {setting}");
            } else {
                assert_eq!(columns, wanted, "{table} in {setting}");
            }
        }
    }
}
