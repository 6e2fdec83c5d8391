//! Configuration, read once at start-up: flags, then environment variables, then a TOML file
//! (`--config`), then defaults; the first that gives a value wins.
//!
//! Each district's database is set per city: `DANGQUN_DATABASE_<CITY>` (`DANGQUN_DATABASE_KORLA`)
//! or `[districts.<city>] database = "…"` in the file; a city without a setting uses the SQLite
//! file `<data_dir>/<city>.sqlite`.

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Settings shared by every subcommand that touches the districts or the network.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// A TOML file with any of these settings, and `[districts.<city>]` tables (see README).
    #[arg(long = "config", env = "DANGQUN_CONFIG", global = true)]
    pub config_file: Option<PathBuf>,
    /// Address to listen on.
    #[arg(
        long,
        env = "DANGQUN_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Folder of the districts' SQLite files (`<city>.sqlite`), for cities without a database
    /// setting of their own.
    #[arg(long, env = "DANGQUN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DANGQUN_MAX_BODY_BYTES", default_value_t = 64 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Secret that signs pagination cursors. Give every replica the same one to keep cursors
    /// valid across restarts and replicas; without it, each start picks a random one.
    #[arg(
        long,
        env = "DANGQUN_CURSOR_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub cursor_secret: Option<String>,
    /// How long a district may take to answer before a query counts it as unavailable, in
    /// milliseconds (per district: `timeout_ms` in its `[districts.<city>]` table).
    #[arg(
        long,
        env = "DANGQUN_DISTRICT_TIMEOUT_MS",
        default_value_t = 2000,
        global = true
    )]
    pub district_timeout_ms: u64,
    /// Requests executed at once; more wait their turn (0: twice the cores). Bounds memory
    /// under load: a request's answer is built in memory.
    #[arg(
        long,
        env = "DANGQUN_MAX_CONCURRENT_QUERIES",
        default_value_t = 0,
        global = true
    )]
    pub max_concurrent_queries: usize,
    /// Origins a browser page may call the API from (`https://dash.example.org`; repeat the
    /// flag, or separate them with commas). Without any, every origin may: the data is public
    /// and the API read-only.
    #[arg(
        long,
        env = "DANGQUN_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,
    /// How long caches may keep the answer to a GET query, in seconds (`Cache-Control:
    /// max-age`; 0: revalidate every time, with the answer's ETag).
    #[arg(
        long,
        env = "DANGQUN_CACHE_MAX_AGE",
        default_value_t = 60,
        global = true
    )]
    pub cache_max_age: u32,
    /// Most values one answer may hold, estimated before it runs (a list counts its `first`, or
    /// the cities, or 10 per parent; see README, "Running in production").
    #[arg(
        long,
        env = "DANGQUN_MAX_COST",
        default_value_t = 200_000,
        global = true
    )]
    pub max_cost: u64,
    /// Deepest nesting of fields a query may have.
    #[arg(long, env = "DANGQUN_MAX_DEPTH", default_value_t = 12, global = true)]
    pub max_depth: u64,
    /// Most aliases a query may use.
    #[arg(long, env = "DANGQUN_MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: u64,
    /// Most fields a query may select at its root.
    #[arg(
        long,
        env = "DANGQUN_MAX_ROOT_FIELDS",
        default_value_t = 20,
        global = true
    )]
    pub max_root_fields: u64,
    /// Most directives a query may carry.
    #[arg(
        long,
        env = "DANGQUN_MAX_DIRECTIVES",
        default_value_t = 50,
        global = true
    )]
    pub max_directives: u64,
    /// Most lexical tokens a query text may have (counted before it is parsed).
    #[arg(
        long,
        env = "DANGQUN_MAX_TOKENS",
        default_value_t = 4_000,
        global = true
    )]
    pub max_tokens: u64,
    /// Requests that may wait for a turn when every turn is taken; one more is turned away at
    /// once with 503 and `Retry-After` (0: eight times the concurrent requests).
    #[arg(
        long,
        env = "DANGQUN_MAX_QUEUED_QUERIES",
        default_value_t = 0,
        global = true
    )]
    pub max_queued_queries: usize,
    /// Longest a request may take, its wait for a turn included, in milliseconds (503 after).
    #[arg(
        long,
        env = "DANGQUN_REQUEST_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub request_timeout_ms: u64,
    /// Requests a second one client address may send to /graphql (429 with `Retry-After`
    /// beyond; 0: no limit).
    #[arg(
        long,
        env = "DANGQUN_RATE_LIMIT",
        default_value_t = 50.0,
        global = true
    )]
    pub rate_limit: f64,
    /// Requests one client address may send at once before its rate applies.
    #[arg(long, env = "DANGQUN_RATE_BURST", default_value_t = 100, global = true)]
    pub rate_burst: u32,
    /// Run only the operations in this folder's `.graphql` files (asked for by text or by their
    /// SHA-256 hash, as persisted queries); without it, any query runs and clients may register
    /// automatic persisted queries.
    #[arg(long, env = "DANGQUN_SAFELIST", global = true)]
    pub safelist: Option<PathBuf>,
    /// Log lines as plain text (colours only on a terminal) or as JSON objects, one per line.
    /// Read from the flag or the environment only: logging starts before the file is read.
    #[arg(long, env = "DANGQUN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Serve as an Apollo Federation v2 subgraph: adds `_entities` and `_service` (see README,
    /// "Joining a supergraph"; only on a private network).
    #[arg(long, env = "DANGQUN_FEDERATION", global = true)]
    pub federation: bool,
    /// Answer every query through the resolvers, one statement per level of nesting, table and
    /// database: turns off compiling plain trees of lists (and `compare`) into one statement per
    /// database (to compare the two, or to rule the compiler out).
    #[arg(long, env = "DANGQUN_RESOLVE_EVERY_FIELD", global = true)]
    pub resolve_every_field: bool,
    /// Databases written by `dangqun synth`: every synthetic city found in them is served
    /// beside the built-in ones (a SQLite path or a postgres:// URL; repeat the flag, or
    /// separate them with commas).
    #[arg(
        long,
        env = "DANGQUN_SYNTHETIC",
        value_delimiter = ',',
        global = true,
        hide_env_values = true
    )]
    pub synthetic: Vec<String>,
    /// Serve only the synthetic cities of `--synthetic`, not the built-in ones.
    #[arg(long, env = "DANGQUN_ONLY_SYNTHETIC", global = true)]
    pub only_synthetic: bool,
    /// Per-city settings, from `DANGQUN_DATABASE_<CITY>` and the file's `[districts.<city>]`.
    #[arg(skip)]
    pub districts: BTreeMap<String, DistrictSetting>,
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// One city's district settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictSetting {
    /// A SQLite path (`data/korla.sqlite`, `sqlite:…`) or a `postgres://` URL.
    pub database: Option<String>,
    /// This district's timeout in milliseconds, instead of `district_timeout_ms`.
    pub timeout_ms: Option<u64>,
}

/// The file's shape: the flags' names in snake case, and the districts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    cursor_secret: Option<String>,
    district_timeout_ms: Option<u64>,
    federation: Option<bool>,
    resolve_every_field: Option<bool>,
    max_concurrent_queries: Option<usize>,
    cors_origins: Option<Vec<String>>,
    cache_max_age: Option<u32>,
    max_cost: Option<u64>,
    max_depth: Option<u64>,
    max_aliases: Option<u64>,
    max_root_fields: Option<u64>,
    max_directives: Option<u64>,
    max_tokens: Option<u64>,
    max_queued_queries: Option<usize>,
    safelist: Option<PathBuf>,
    request_timeout_ms: Option<u64>,
    rate_limit: Option<f64>,
    rate_burst: Option<u32>,
    synthetic: Option<Vec<String>>,
    only_synthetic: Option<bool>,
    #[serde(default)]
    districts: BTreeMap<String, DistrictSetting>,
}

/// A configuration that cannot be used. One line, naming the file or the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("the configuration file {path} is invalid: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "the configuration names city `{city}`, which this binary does not serve (known: {known})"
    )]
    UnknownCity { city: String, known: String },
    #[error(
        "`{origin}` is not an origin: give scheme, host and optional port, like https://dash.example.org"
    )]
    Origin { origin: String },
    #[error("{0}")]
    Safelist(String),
}

impl Config {
    /// A configuration for tests and embedding: loopback on any free port, the given folder.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            config_file: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            max_body_bytes: 64 * 1024,
            cursor_secret: Some("dangqun-tests".to_owned()),
            district_timeout_ms: 2000,
            federation: false,
            resolve_every_field: false,
            max_concurrent_queries: 0,
            cors_origins: Vec::new(),
            cache_max_age: 60,
            max_cost: graphql::cost::Budget::default().max_cost,
            max_depth: graphql::cost::Budget::default().max_depth,
            max_aliases: graphql::cost::Budget::default().max_aliases,
            max_root_fields: graphql::cost::Budget::default().max_root_fields,
            max_directives: graphql::cost::Budget::default().max_directives,
            max_tokens: graphql::cost::Budget::default().max_tokens,
            max_queued_queries: 0,
            safelist: None,
            log_format: LogFormat::Text,
            request_timeout_ms: 10_000,
            // Tests send many requests from one address at once.
            rate_limit: 0.0,
            rate_burst: 100,
            synthetic: Vec::new(),
            only_synthetic: false,
            districts: BTreeMap::new(),
        }
    }

    /// The same configuration with `city`'s district at `database`.
    pub fn with_database(mut self, city: &str, database: impl Into<String>) -> Self {
        self.districts.entry(city.to_owned()).or_default().database = Some(database.into());
        self
    }

    /// Completes a configuration parsed from flags and environment variables: settings the
    /// command line and environment left at their defaults come from the file when it has
    /// them, and `DANGQUN_DATABASE_<CITY>` variables override the file's databases.
    pub fn layered(
        mut self,
        matches: &ArgMatches,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let given = |id: &str| {
            matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        if let Some(path) = self.config_file.clone() {
            let file = read_file(&path)?;
            // A file value for each setting the command line and the environment left unset.
            macro_rules! overlay {
                ($($field:ident),* $(,)?) => {
                    $(
                        if !given(stringify!($field))
                            && let Some(value) = file.$field
                        {
                            self.$field = value;
                        }
                    )*
                };
            }
            overlay!(
                listen,
                data_dir,
                max_body_bytes,
                district_timeout_ms,
                federation,
                resolve_every_field,
                max_concurrent_queries,
                cors_origins,
                cache_max_age,
                max_cost,
                max_depth,
                max_aliases,
                max_root_fields,
                max_directives,
                max_tokens,
                max_queued_queries,
                request_timeout_ms,
                rate_limit,
                rate_burst,
                synthetic,
                only_synthetic,
            );
            if !given("cursor_secret") && file.cursor_secret.is_some() {
                self.cursor_secret = file.cursor_secret;
            }
            if !given("safelist") && file.safelist.is_some() {
                self.safelist = file.safelist;
            }
            for (city, setting) in file.districts {
                if !crate::CITIES.iter().any(|(id, ..)| *id == city) {
                    return Err(ConfigError::UnknownCity {
                        city,
                        known: crate::known_cities(),
                    });
                }
                self.districts.insert(city, setting);
            }
        }
        for (city, ..) in crate::CITIES {
            if let Some(url) = env(&database_variable(city)).filter(|v| !v.trim().is_empty()) {
                self.districts
                    .entry((*city).to_owned())
                    .or_default()
                    .database = Some(url);
            }
        }
        Ok(self)
    }

    /// The key cursors are signed with: the configured secret, or 32 random bytes.
    /// The HTTP surface's settings; an entry of `cors_origins` that is not an origin is an error.
    pub fn http(&self) -> Result<crate::http::HttpOptions, ConfigError> {
        let cors_origins = self
            .cors_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(|origin| {
                let refused = || ConfigError::Origin {
                    origin: origin.to_owned(),
                };
                let rest = origin
                    .strip_prefix("https://")
                    .or_else(|| origin.strip_prefix("http://"))
                    .ok_or_else(refused)?;
                if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '*']) {
                    return Err(refused());
                }
                axum::http::HeaderValue::from_str(origin).map_err(|_| refused())
            })
            .collect::<Result<_, _>>()?;
        Ok(crate::http::HttpOptions {
            max_body_bytes: self.max_body_bytes,
            cors_origins,
            cache_max_age: self.cache_max_age,
            rate_limit: (self.rate_limit > 0.0)
                .then_some((self.rate_limit, f64::from(self.rate_burst.max(1)))),
            persisted: std::sync::Arc::new(match &self.safelist {
                Some(dir) => {
                    crate::persisted::Persisted::safelist(dir).map_err(ConfigError::Safelist)?
                }
                None => crate::persisted::Persisted::default(),
            }),
        })
    }

    /// What one request may cost (see [`graphql::cost`]).
    pub fn budget(&self) -> graphql::cost::Budget {
        graphql::cost::Budget {
            max_cost: self.max_cost,
            max_depth: self.max_depth,
            max_aliases: self.max_aliases,
            max_root_fields: self.max_root_fields,
            max_directives: self.max_directives,
            max_tokens: self.max_tokens,
        }
    }

    pub fn cursor_key(&self) -> graphql::CursorKey {
        match &self.cursor_secret {
            Some(secret) => graphql::CursorKey(secret.as_bytes().to_vec()),
            None => graphql::CursorKey(random_bytes()),
        }
    }

    /// `city`'s database setting: its own, or the SQLite file under the data folder.
    pub fn database(&self, city: &str) -> String {
        self.districts
            .get(city)
            .and_then(|d| d.database.clone())
            .unwrap_or_else(|| {
                self.data_dir
                    .join(format!("{city}.sqlite"))
                    .display()
                    .to_string()
            })
    }

    /// How long `city`'s district may take to answer.
    pub fn timeout(&self, city: &str) -> Duration {
        Duration::from_millis(
            self.districts
                .get(city)
                .and_then(|d| d.timeout_ms)
                .unwrap_or(self.district_timeout_ms),
        )
    }
}

/// The environment variable that sets `city`'s database: `DANGQUN_DATABASE_KORLA`.
fn database_variable(city: &str) -> String {
    format!("DANGQUN_DATABASE_{}", city.to_ascii_uppercase())
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: shown,
        reason: e.message().to_owned(),
    })
}

/// 32 random bytes from the standard library's per-process hash keys (seeded by the operating
/// system), without a dependency for it.
fn random_bytes() -> Vec<u8> {
    use std::hash::{BuildHasher, Hasher};
    (0..4u8)
        .flat_map(|i| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u8(i);
            h.finish().to_le_bytes()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    /// Parses `args` as the command line and `env` as the environment. The process's own
    /// `DANGQUN_*` variables are not read: clap's environment fallbacks are switched off, so a
    /// developer's shell cannot change these tests (tests/e2e/serve.rs runs the real binary with
    /// variables).
    fn load(args: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let matches = Cli::command()
            .mut_args(|arg| arg.env(None))
            .try_get_matches_from(std::iter::once("dangqun").chain(args.iter().copied()))
            .expect("arguments parse");
        let cli = Cli::from_arg_matches(&matches).expect("config");
        cli.config.layered(&matches, |name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    fn file(text: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("dangqun-config-{}-{n}.toml", std::process::id()));
        std::fs::write(&path, text).expect("write config");
        path
    }

    #[test]
    fn districts_default_to_sqlite_files_under_the_data_folder() {
        let c = load(&["--data-dir", "/srv/dq"], &[]).expect("config");
        assert_eq!(c.database("korla"), "/srv/dq/korla.sqlite");
        assert_eq!(c.timeout("korla"), Duration::from_secs(2));
        assert!(!c.federation);
        let on = load(&[], &[]).map(|c| c.federation);
        assert!(matches!(on, Ok(false)));
    }

    #[test]
    fn the_file_sets_districts_and_flags_and_variables_win() {
        let path = file(
            r#"
listen = "0.0.0.0:9000"
data_dir = "/from/file"
district_timeout_ms = 500
federation = true

[districts.korla]
database = "postgres://dq@db-korla/dangqun"
timeout_ms = 3000

[districts.suzhou]
database = "postgres://dq@db-shared/dangqun"
"#,
        );
        let p = path.to_str().expect("utf-8 path");
        let c = load(
            &["--config", p, "--data-dir", "/from/flag"],
            &[("DANGQUN_DATABASE_SUZHOU", "postgres://dq@db-suzhou/x")],
        )
        .expect("config");
        assert_eq!(c.listen.port(), 9000);
        assert!(c.federation);
        assert_eq!(c.data_dir, PathBuf::from("/from/flag"));
        assert_eq!(c.database("korla"), "postgres://dq@db-korla/dangqun");
        assert_eq!(c.database("suzhou"), "postgres://dq@db-suzhou/x");
        assert_eq!(c.database("jinshan"), "/from/flag/jinshan.sqlite");
        assert_eq!(c.timeout("korla"), Duration::from_secs(3));
        assert_eq!(c.timeout("jinshan"), Duration::from_millis(500));
    }

    #[test]
    fn cors_origins_and_cache_age_come_from_file_or_flag_and_must_be_origins() {
        let path = file(
            "cors_origins = [\"https://dash.example.org\", \"http://127.0.0.1:3000\"]\ncache_max_age = 5\n",
        );
        let p = path.to_str().expect("utf-8 path");
        let c = load(&["--config", p], &[]).expect("config");
        let http = c.http().expect("origins");
        assert_eq!(
            http.cors_origins,
            ["https://dash.example.org", "http://127.0.0.1:3000"]
        );
        assert_eq!(http.cache_max_age, 5);
        let c = load(
            &[
                "--config",
                p,
                "--cors-origins",
                "https://a.example,https://b.example:8443",
                "--cache-max-age",
                "0",
            ],
            &[],
        )
        .expect("config");
        let http = c.http().expect("origins");
        assert_eq!(
            http.cors_origins,
            ["https://a.example", "https://b.example:8443"]
        );
        assert_eq!(http.cache_max_age, 0);
        for bad in [
            "dash.example.org",
            "https://dash.example.org/",
            "https://*.example.org",
            "ftp://x",
        ] {
            let c = load(&["--cors-origins", bad], &[]).expect("config");
            let e = c.http().expect_err(bad);
            assert_eq!(
                e.to_string(),
                format!(
                    "`{bad}` is not an origin: give scheme, host and optional port, like https://dash.example.org"
                )
            );
        }
    }

    #[test]
    fn the_limits_default_to_the_budget_and_can_be_set() {
        let c = load(&[], &[]).expect("config");
        assert_eq!(c.budget(), graphql::cost::Budget::default());
        let path = file("max_cost = 5000\nmax_tokens = 300\n");
        let p = path.to_str().expect("utf-8 path");
        let c = load(&["--config", p, "--max-aliases", "3"], &[]).expect("config");
        let b = c.budget();
        assert_eq!((b.max_cost, b.max_tokens, b.max_aliases), (5000, 300, 3));
        assert_eq!(b.max_depth, graphql::cost::Budget::default().max_depth);
    }

    #[test]
    fn a_bad_file_says_what_is_wrong() {
        let unknown_key = file("listen = \"127.0.0.1:1\"\nlisten_port = 3\n");
        let e = load(&["--config", unknown_key.to_str().expect("utf-8")], &[])
            .expect_err("unknown key");
        assert!(e.to_string().contains("listen_port"), "{e}");
        let unknown_city = file("[districts.atlantis]\ndatabase = \"x.sqlite\"\n");
        let e = load(&["--config", unknown_city.to_str().expect("utf-8")], &[])
            .expect_err("unknown city");
        assert!(e.to_string().contains("atlantis"), "{e}");
        let e = load(&["--config", "/nonexistent/dangqun.toml"], &[]).expect_err("missing");
        assert!(e.to_string().contains("/nonexistent/dangqun.toml"), "{e}");
    }
}
