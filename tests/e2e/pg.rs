//! PostgreSQL for the end-to-end tests (std only: the `psql`, `initdb` and `pg_ctl` binaries do
//! the work, no client crate).
//!
//! `bash tests/run.sh` (README) starts a throwaway PostgreSQL 15 and sets:
//!
//! - `DANGQUN_TEST_PG_URL`: `postgres://postgres:dangqun@127.0.0.1:<port>/postgres`, a superuser
//!   connection to that server. [`admin_url`] reads it; [`create_database`] makes a fresh database
//!   there for one test.
//! - `DANGQUN_TEST_PG_BIN`: the folder of the PostgreSQL binaries. [`psql`] runs its `psql` (else
//!   `psql` on `PATH`); [`PgCluster`] runs its `initdb` and `pg_ctl` (else
//!   `/usr/lib/postgresql/15/bin`).
//!
//! Tests that need PostgreSQL never skip silently: without `DANGQUN_TEST_PG_URL` they panic and
//! say how to run them. A skipped test reports success, so a PostgreSQL pass that quietly
//! skipped would prove nothing while looking green.
//!
//! [`PgCluster`] is a private server for one test that stops and restarts its database
//! mid-test; it needs only the binaries, not the shared server. Run as root (as in CI), the
//! server runs as the `postgres` OS user, which PostgreSQL requires.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of this module"
)]

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The superuser of every server here.
const SUPERUSER: &str = "postgres";
/// Its password.
const PASSWORD: &str = "dangqun";
/// Where Debian/Ubuntu install PostgreSQL 15's server binaries.
const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";
/// How long a server may take to start or stop.
const SERVER_TIMEOUT: Duration = Duration::from_secs(60);

/// The superuser URL of the shared test server, from `DANGQUN_TEST_PG_URL`.
///
/// # Panics
///
/// Without `DANGQUN_TEST_PG_URL`: the test needs PostgreSQL and must not skip.
pub fn admin_url() -> String {
    match std::env::var("DANGQUN_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "this test needs PostgreSQL: run `bash tests/run.sh` (README), which starts a \
             throwaway PostgreSQL 15 and sets DANGQUN_TEST_PG_URL"
        ),
    }
}

/// Creates a fresh, empty database `name` on the shared test server (dropping any database of
/// that name first, with its connections) and returns its URL: the same host, port, user and
/// password as [`admin_url`], database `name`.
///
/// # Panics
///
/// If `name` is not `[a-z0-9_]+` (at most 63 bytes), without `DANGQUN_TEST_PG_URL`, or if
/// `psql` fails.
pub fn create_database(name: &str) -> String {
    check_database_name(name);
    create_database_at(&admin_url(), name)
}

/// Runs one SQL text (one or more statements) through
/// `psql -X -q -A -t -v ON_ERROR_STOP=1 -d <url> -c <sql>` and returns its standard output,
/// trimmed: unaligned, tuples only, so `select count(*) from t` gives `"3"` and several rows
/// come one per line with columns separated by `|`.
///
/// # Panics
///
/// If `psql` cannot run or fails; the message holds the SQL and psql's standard error.
pub fn psql(url: &str, sql: &str) -> String {
    try_psql(url, sql).unwrap_or_else(|error| panic!("{error}"))
}

/// A private PostgreSQL server for one test: its own folder, port and `postgres`/`dangqun`
/// superuser, for tests that stop and restart the database mid-test. Dropping it stops the
/// server and removes the folder.
#[derive(Debug)]
pub struct PgCluster {
    /// Folder of `initdb`, `pg_ctl`.
    bin: PathBuf,
    /// The cluster's own temporary folder: `data/`, `server.log`, the Unix socket.
    dir: PathBuf,
    /// The TCP port on 127.0.0.1, the same across restarts.
    port: u16,
    /// Whether the server's commands run as the `postgres` OS user (we are root).
    as_postgres: bool,
}

impl PgCluster {
    /// Initialises a new cluster in a fresh temporary folder (`initdb` as `tests/run.sh` does
    /// it: UTF8, `C.UTF-8` locale when the system has it, else `C`; superuser `postgres`,
    /// password `dangqun`; trust on the Unix socket, SCRAM over TCP), starts it on a random
    /// free port of 127.0.0.1 and waits until it accepts connections. `name` only labels the
    /// folder.
    ///
    /// # Panics
    ///
    /// If the binaries are missing, `initdb` fails or the server does not start (the message
    /// holds the server log).
    pub fn start_new(name: &str) -> Self {
        let bin = server_bin();
        let dir = fresh_dir(name);
        // The owner of a folder we just created tells our effective user, without `unsafe`.
        let as_postgres = fs::metadata(&dir)
            .expect("read the metadata of the cluster's temp folder")
            .uid()
            == 0;
        let mut cluster = Self {
            bin,
            dir,
            port: 0,
            as_postgres,
        };
        // From here on a panic drops `cluster`, which removes the folder.
        cluster.initdb();
        for attempt in 1..=3 {
            cluster.port = free_port();
            match cluster.try_start() {
                Ok(()) => break,
                // Another process took the port between our probe and the server's bind.
                Err(log) if log.contains("could not bind") && attempt < 3 => {}
                Err(log) => panic!(
                    "PostgreSQL cluster `{name}` did not start on port {}; server log:\n{log}",
                    cluster.port
                ),
            }
        }
        cluster.wait_until_ready();
        cluster
    }

    /// The URL of `database` on this server, as the superuser:
    /// `postgres://postgres:dangqun@127.0.0.1:<port>/<database>`.
    ///
    /// # Panics
    ///
    /// If `database` is not `[a-z0-9_]+` (at most 63 bytes).
    pub fn url(&self, database: &str) -> String {
        check_database_name(database);
        format!(
            "postgres://{SUPERUSER}:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// Creates a fresh, empty database `name` on this server (dropping any of that name first)
    /// and returns its URL.
    ///
    /// # Panics
    ///
    /// If `name` is not `[a-z0-9_]+` (at most 63 bytes), or if `psql` fails (e.g. the server is
    /// stopped).
    pub fn create_database(&self, name: &str) -> String {
        create_database_at(&self.url("postgres"), name)
    }

    /// Stops the server (`pg_ctl stop -m fast`: connections are ended, a clean shutdown) and
    /// waits until it is down. The folder and port stay; [`PgCluster::start`] starts it again.
    ///
    /// # Panics
    ///
    /// If `pg_ctl stop` fails (the message holds the server log).
    pub fn stop(&self) {
        let data = self.data_dir();
        let timeout = SERVER_TIMEOUT.as_secs().to_string();
        let output = self.run_as_server_user(
            "pg_ctl",
            &["stop", "-D", &data, "-m", "fast", "-w", "-t", &timeout],
        );
        assert!(
            output.status.success(),
            "pg_ctl stop failed ({}):\n{}\nserver log:\n{}",
            output.status,
            describe(&output),
            self.log_since(0)
        );
    }

    /// Starts the server again, on the same port and folder, and waits until it accepts
    /// connections.
    ///
    /// # Panics
    ///
    /// If it does not start (the message holds the server log), e.g. because another process
    /// took the port while it was down.
    pub fn start(&self) {
        if let Err(log) = self.try_start() {
            panic!(
                "PostgreSQL did not start again on port {}; server log:\n{log}",
                self.port
            );
        }
        self.wait_until_ready();
    }

    /// The TCP port of this server on 127.0.0.1.
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// `data/` inside the cluster's folder, as a string for the command lines.
    fn data_dir(&self) -> String {
        path_str(&self.dir.join("data"))
    }

    /// `server.log` inside the cluster's folder.
    fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// `initdb` with the password in a file, the folder handed to the `postgres` user if root.
    fn initdb(&self) {
        let pwfile = self.dir.join("pwfile");
        fs::write(&pwfile, format!("{PASSWORD}\n")).expect("write the initdb password file");
        if self.as_postgres {
            hand_to_postgres(&self.dir);
        }
        let data = self.data_dir();
        let locale = format!("--locale={}", utf8_locale());
        let pwfile_arg = format!("--pwfile={}", path_str(&pwfile));
        let output = self.run_as_server_user(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                SUPERUSER,
                &pwfile_arg,
                "--encoding=UTF8",
                &locale,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "--no-instructions",
            ],
        );
        // Best effort: the folder goes with the cluster anyway.
        let _ = fs::remove_file(&pwfile);
        assert!(
            output.status.success(),
            "initdb failed ({}):\n{}",
            output.status,
            describe(&output)
        );
    }

    /// `pg_ctl start -w` on `self.port`; on failure, the server log written by this attempt.
    fn try_start(&self) -> Result<(), String> {
        let log = self.log_path();
        let log_offset = fs::metadata(&log).map_or(0, |m| m.len());
        let data = self.data_dir();
        let log_arg = path_str(&log);
        let timeout = SERVER_TIMEOUT.as_secs().to_string();
        // pg_ctl hands `-o` to /bin/sh, hence the quotes around the socket folder.
        let options = format!(
            "-p {} -k '{}' -c listen_addresses=127.0.0.1 -c max_connections=600 \
             -c shared_buffers=32MB -c fsync=off -c full_page_writes=off",
            self.port,
            path_str(&self.dir)
        );
        let output = self.run_as_server_user(
            "pg_ctl",
            &[
                "start", "-w", "-t", &timeout, "-D", &data, "-l", &log_arg, "-o", &options,
            ],
        );
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl start: {}\n{}\n{}",
                output.status,
                describe(&output),
                self.log_since(log_offset)
            ))
        }
    }

    /// Waits until `select 1` succeeds over TCP with the password (pg_ctl -w already waited for
    /// the server's "ready"; this also proves the port and the authentication).
    fn wait_until_ready(&self) {
        let url = self.url("postgres");
        let deadline = Instant::now() + SERVER_TIMEOUT;
        loop {
            match try_psql(&url, "select 1") {
                Ok(_) => return,
                Err(error) if Instant::now() >= deadline => panic!(
                    "PostgreSQL on port {} does not accept connections: {error}\nserver log:\n{}",
                    self.port,
                    self.log_since(0)
                ),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The server log from byte `offset` on (empty if there is none).
    fn log_since(&self, offset: u64) -> String {
        let bytes = fs::read(self.log_path()).unwrap_or_default();
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        String::from_utf8_lossy(&bytes[start..]).into_owned()
    }

    /// Runs one of the server binaries, as the `postgres` OS user when we are root, from the
    /// cluster's folder (that user may not be allowed into our current directory).
    fn run_as_server_user(&self, program: &str, args: &[&str]) -> Output {
        let program = path_str(&self.bin.join(program));
        let mut command;
        if !self.as_postgres {
            command = Command::new(&program);
            command.args(args);
        } else if let Some(runuser) = find_program("runuser") {
            command = Command::new(runuser);
            command.args(["-u", "postgres", "--", &program]).args(args);
        } else {
            // No runuser (util-linux): su takes the command as one line for the shell.
            let line = std::iter::once(program.as_str())
                .chain(args.iter().copied())
                .map(shell_quote)
                .collect::<Vec<_>>()
                .join(" ");
            command = Command::new("su");
            command.args(["postgres", "-s", "/bin/sh", "-c", &line]);
        }
        command
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("could not run {program}: {error}"))
    }
}

impl Drop for PgCluster {
    /// Stops the server at once (`pg_ctl stop -m immediate`, errors ignored) and removes the
    /// folder.
    fn drop(&mut self) {
        let pid_file = self.dir.join("data").join("postmaster.pid");
        if pid_file.exists() {
            let data = self.data_dir();
            let _ = self.run_as_server_user(
                "pg_ctl",
                &["stop", "-D", &data, "-m", "immediate", "-w", "-t", "30"],
            );
            // pg_ctl could not stop it: SIGQUIT is what `-m immediate` sends.
            if let Some(pid) = fs::read_to_string(&pid_file)
                .ok()
                .and_then(|text| text.lines().next().map(str::to_owned))
            {
                let _ = Command::new("kill")
                    .args(["-QUIT", pid.trim()])
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Drops and creates database `name` through the superuser URL `admin`; returns its URL.
fn create_database_at(admin: &str, name: &str) -> String {
    check_database_name(name);
    // Two psql runs: CREATE DATABASE cannot share a transaction with another statement.
    psql(
        admin,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    );
    psql(admin, &format!("CREATE DATABASE \"{name}\""));
    with_database(admin, name)
}

/// Panics unless `name` is `[a-z0-9_]+` and fits PostgreSQL's 63-byte identifiers (a longer
/// one would be truncated by the server and then not found under its full name).
fn check_database_name(name: &str) {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    assert!(
        valid,
        "database name {name:?} must be 1 to 63 characters of [a-z0-9_]"
    );
}

/// `url` with its database replaced by `database`, keeping any `?parameters`.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url
        .split_once("://")
        .unwrap_or_else(|| panic!("not a postgres://… URL: {url}"));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let query = path_and_query
        .find('?')
        .map_or("", |i| &path_and_query[i..]);
    format!("{scheme}://{authority}/{database}{query}")
}

/// [`psql`] without the panic: the error says what ran and what psql printed.
fn try_psql(url: &str, sql: &str) -> Result<String, String> {
    let program = psql_program();
    let output = Command::new(&program)
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-w",
            "-v",
            "ON_ERROR_STOP=1",
            "-P",
            "pager=off",
        ])
        .args(["-d", url, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| {
            format!(
                "could not run {} ({error}); install PostgreSQL's client or set \
                 DANGQUN_TEST_PG_BIN (bash tests/run.sh does)",
                program.display()
            )
        })?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(format!(
            "psql failed ({}) on {url}\nSQL: {sql}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// `psql` from `DANGQUN_TEST_PG_BIN` if set, else `psql` on `PATH`.
fn psql_program() -> PathBuf {
    match std::env::var_os("DANGQUN_TEST_PG_BIN") {
        Some(bin) if !bin.is_empty() => Path::new(&bin).join("psql"),
        _ => PathBuf::from("psql"),
    }
}

/// The server binaries: `DANGQUN_TEST_PG_BIN` if set, else `/usr/lib/postgresql/15/bin`.
fn server_bin() -> PathBuf {
    let bin = match std::env::var_os("DANGQUN_TEST_PG_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => PathBuf::from(DEFAULT_BIN),
    };
    assert!(
        bin.join("initdb").is_file() && bin.join("pg_ctl").is_file(),
        "no initdb and pg_ctl in {}: install PostgreSQL 15 (Debian: apt-get install \
         postgresql-15) or set DANGQUN_TEST_PG_BIN; `bash tests/run.sh` sets it",
        bin.display()
    );
    bin
}

/// A new, empty folder under the system's temp dir, labelled with `name`.
fn fresh_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    // Short: the Unix socket's path inside it must stay under ~107 bytes.
    let label: String = name
        .chars()
        .take(24)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("dangqun-pgc-{}-{n}-{label}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => panic!("could not create {}: {error}", dir.display()),
        }
    }
}

/// Gives `dir` (and what it holds) to the `postgres` OS user, private to it: PostgreSQL
/// refuses to run as root.
fn hand_to_postgres(dir: &Path) {
    let exists = Command::new("id")
        .args(["-u", "postgres"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        exists,
        "running as root, PostgreSQL must run as the `postgres` OS user, which does not exist: \
         create it (useradd --system postgres) or run `bash tests/run.sh`, which does"
    );
    let status = Command::new("chown")
        .args(["-R", "postgres:"])
        .arg(dir)
        .status()
        .expect("run chown");
    assert!(
        status.success(),
        "chown -R postgres: {} failed",
        dir.display()
    );
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .expect("make the cluster's folder private");
}

/// `C.UTF-8` if `locale -a` lists it (glibc spells it `C.utf8`), else `C`.
fn utf8_locale() -> &'static str {
    let listed = Command::new("locale")
        .arg("-a")
        .stderr(Stdio::null())
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    let has_c_utf8 = listed.lines().any(|line| {
        matches!(
            line.trim().to_ascii_lowercase().as_str(),
            "c.utf8" | "c.utf-8"
        )
    });
    if has_c_utf8 { "C.UTF-8" } else { "C" }
}

/// A port of 127.0.0.1 that was free a moment ago (the system's pick for port 0).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("find a free port on 127.0.0.1")
}

/// `program` on `PATH` or in the usual system folders (root's `PATH` may lack `/usr/sbin`).
fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `s` quoted for /bin/sh.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A path as UTF-8 for a command line (temp folders and the binaries' folder always are).
fn path_str(path: &Path) -> String {
    path.to_str()
        .unwrap_or_else(|| panic!("path is not UTF-8: {}", path.display()))
        .to_owned()
}

/// A command's standard output and error, for a panic message.
fn describe(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
