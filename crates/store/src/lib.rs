//! District databases. A district is one city's database: an embedded SQLite file by default, or
//! a PostgreSQL server. `store` is the only crate that writes SQL. It opens and migrates a
//! district, imports a [`model::CityDataset`] in one transaction, copies a district to another
//! database, and answers batch-shaped reads: every read takes a whole batch of keys, so a caller
//! never needs one query per parent. The same SQL serves both backends (see `backend`).

mod backend;
mod compare;
mod import;
mod lend;
mod listing;
mod read;
mod rows;
mod schema;
mod search;
mod sql;
mod tree;

pub use compare::{
    CapacitySum, CategoryFigures, CityFigures, Figure, OfferFigures, PerCapitaFigures,
    QualifierCounts, QuantitySum, SeasonFigures, SeatSum, TagFigures,
};
pub use import::{ImportOutcome, Progress, ProgressSink, dataset_version};
pub use listing::{
    After, CenterFilter, CenterOrder, OpenAt, OpenState, PagePart, PagedTree, RoomFilter,
    RoomOrder, SortValue, TreePage,
};
pub use read::Table;
pub use rows::*;
pub use schema::declared_tables;
pub use search::{FIELDS as SEARCH_FIELDS, SearchRow, field_rank, field_score, kind_rank};
pub use tree::{Parent, Relation, Root, Scalar, Tree};

pub use backend::{Backend, LATEST_MIGRATION, Location, Readable};

use backend::Pool;
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use model::CityDataset;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a SQLite connection waits for another writer before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What can go wrong in a district. The messages name the city and what is wrong, in one line,
/// never SQL and never a password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("district `{city}`: its database setting cannot work: {reason}")]
    Config { city: String, reason: String },
    #[error("district `{city}`: cannot open its database at {location}: {reason}")]
    Open {
        city: String,
        location: String,
        reason: String,
    },
    #[error("district `{city}`: cannot migrate its database at {location}: {reason}")]
    Migrate {
        city: String,
        location: String,
        reason: String,
    },
    #[error(
        "district `{city}`: its database at {location} is at migration {version}, newer than this binary knows (up to {known}); run a newer dangqun"
    )]
    TooNew {
        city: String,
        location: String,
        version: i64,
        known: i64,
    },
    #[error("district `{city}`: its SQLite connection is not set up safely: {detail}")]
    Settings { city: String, detail: String },
    #[error("district `{city}`: no answer within {} ms", timeout.as_millis())]
    Timeout { city: String, timeout: Duration },
    #[error("{0}")]
    NotReady(Arc<StoreError>),
    #[error("district `{city}`: the dataset belongs to `{dataset}`")]
    WrongCity { city: String, dataset: String },
    #[error("district `{city}`: the dataset is invalid, nothing was imported: {source}")]
    Invalid {
        city: String,
        #[source]
        source: Box<model::DatasetError>,
    },
    #[error(
        "district `{city}`: the copy differs from its source in table `{table}`; nothing was kept"
    )]
    CopyMismatch { city: String, table: String },
    /// A failure of another city's district that shares this city's database: a statement
    /// read both cities at once.
    #[error("district `{city}` shares a database with `{}`, which failed: {cause}", cause.city())]
    Shared {
        city: String,
        cause: Arc<StoreError>,
    },
    #[error("district `{city}`: database error: {}", one_line(source))]
    Query {
        city: String,
        #[source]
        source: sqlx::Error,
    },
}

/// A driver's message on one line, passwords redacted.
fn one_line(e: &dyn std::fmt::Display) -> String {
    backend::redact(
        &e.to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

impl StoreError {
    /// The city whose district failed.
    pub fn city(&self) -> &str {
        match self {
            Self::NotReady(inner) => inner.city(),
            Self::Shared { city, .. }
            | Self::Config { city, .. }
            | Self::Open { city, .. }
            | Self::Migrate { city, .. }
            | Self::TooNew { city, .. }
            | Self::Settings { city, .. }
            | Self::Timeout { city, .. }
            | Self::WrongCity { city, .. }
            | Self::Invalid { city, .. }
            | Self::CopyMismatch { city, .. }
            | Self::Query { city, .. } => city,
        }
    }

    /// Whether the district cannot serve at all right now (unreachable, too slow, not set up),
    /// as opposed to one request failing in a district that is up.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::NotReady(_)
            | Self::Config { .. }
            | Self::Open { .. }
            | Self::Migrate { .. }
            | Self::TooNew { .. }
            | Self::Settings { .. }
            | Self::Timeout { .. } => true,
            Self::Query { source, .. } => connection_lost(source),
            Self::Shared { cause, .. } => cause.is_unavailable(),
            Self::WrongCity { .. } | Self::Invalid { .. } | Self::CopyMismatch { .. } => false,
        }
    }
}

/// Errors that mean the database cannot be reached, not that a statement failed.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Configuration(_) => true,
        // SQLSTATE classes 08 (connection exception), 53 (insufficient resources) and 57P
        // (operator intervention: shutdown, cannot connect now).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("53") || c.starts_with("57P")),
        _ => false,
    }
}

/// How a district behaves.
#[derive(Debug, Clone)]
pub struct DistrictOptions {
    /// Longest a read may take, preparation included, before the district counts as
    /// unavailable for it.
    pub timeout: Duration,
    /// The dataset the district must hold: imported when the district is first reached and
    /// holds another version (or none). `None` leaves the data alone (the `import` command).
    pub keep: Option<Arc<CityDataset>>,
}

impl Default for DistrictOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            keep: None,
        }
    }
}

type Preparation = Shared<BoxFuture<'static, Result<(), Arc<StoreError>>>>;

/// Whether a district has been migrated (and imported) since the process started, and the
/// preparation under way, shared by every caller that waits for it.
#[derive(Debug, Default)]
struct Readiness {
    ready: AtomicBool,
    under_way: Mutex<Option<Preparation>>,
}

/// One city's database: an embedded SQLite file or a PostgreSQL server.
///
/// A district is created without touching its database. It is *prepared* (connected, migrated,
/// its dataset imported when it holds another version) on first use and again after a failed
/// preparation, so a database that is down when the service starts is used as soon as it is up.
/// Every read is bounded by the district's timeout.
///
/// Every statement it runs is counted twice: in the district's own total, and in the counter of
/// the request it runs for, when the caller gave one ([`District::counting_into`]).
#[derive(Debug, Clone)]
pub struct District {
    city: Arc<str>,
    location: Arc<Location>,
    pool: Pool,
    options: Arc<DistrictOptions>,
    readiness: Arc<Readiness>,
    statements: Arc<AtomicU64>,
    request: Option<Arc<AtomicU64>>,
}

/// What a health check saw.
#[derive(Debug, Clone)]
pub struct Health {
    pub backend: Backend,
    /// How long the check took, preparation included.
    pub latency: Duration,
    /// The dataset version held, when the district is up.
    pub version: Result<Option<String>, String>,
}

impl District {
    /// A district of `city` at `location`. Nothing is opened yet: a database that is down, or a
    /// setting that cannot work, shows when the district is first used.
    pub fn new(city: &str, location: &Location, options: DistrictOptions) -> Self {
        let pool = match location {
            Location::Sqlite(path) => Pool::sqlite(
                SqlitePoolOptions::new()
                    .max_connections(4)
                    // A ping is a round trip through the connection's worker thread.
                    .test_before_acquire(false)
                    .acquire_timeout(options.timeout)
                    .connect_lazy_with(sqlite_options(path)),
            ),
            Location::Postgres(url) => match PgConnectOptions::from_str(url) {
                Ok(o) => Pool::postgres(
                    PgPoolOptions::new()
                        .max_connections(4)
                        // A ping is a round trip before every statement; a connection that
                        // went stale is retried instead (`backend::fresh`).
                        .test_before_acquire(false)
                        .min_connections(0)
                        .idle_timeout(Duration::from_secs(60))
                        .acquire_timeout(options.timeout)
                        .connect_lazy_with(o.application_name("dangqun")),
                ),
                Err(e) => Pool::Broken(one_line(&e).into()),
            },
        };
        Self::with_pool(city, location.clone(), pool, options)
    }

    /// A district of `city` at the database `setting` names ([`Location::parse`]). A setting
    /// that cannot work gives a district that is always down, saying why.
    pub fn from_setting(city: &str, setting: &str, options: DistrictOptions) -> Self {
        match Location::parse(setting) {
            Ok(location) => Self::new(city, &location, options),
            Err(reason) => {
                // Shown in messages (a URL's password hidden), never opened.
                let shown = if setting.trim_start().starts_with("postgres") {
                    Location::Postgres(setting.to_owned())
                } else {
                    Location::Sqlite(setting.into())
                };
                Self::with_pool(city, shown, Pool::Broken(reason.into()), options)
            }
        }
    }

    fn with_pool(city: &str, location: Location, pool: Pool, options: DistrictOptions) -> Self {
        Self {
            city: city.into(),
            location: Arc::new(location),
            pool,
            options: Arc::new(options),
            readiness: Arc::default(),
            statements: Arc::default(),
            request: None,
        }
    }

    /// [`District::open`] at the database `setting` names.
    pub async fn open_setting(
        city: &str,
        setting: &str,
        options: DistrictOptions,
    ) -> Result<Self, StoreError> {
        Self::from_setting(city, setting, options).prepared().await
    }

    /// Waits until the district is prepared (connected, migrated, holding its dataset), without
    /// a timeout, or says why it cannot be.
    pub async fn ready(&self) -> Result<(), StoreError> {
        self.ensure_ready().await
    }

    /// Prepares the district if it is not yet, within its timeout: what a read does before its
    /// statement, for a caller that runs one statement for several districts of one database.
    pub async fn usable(&self) -> Result<(), StoreError> {
        self.read(async { Ok(()) }).await
    }

    /// A district of `city` in this district's database, through the same connection pool:
    /// how the cities of one database (synthetic ones, say) are served without a pool each.
    /// It holds whatever the database holds for `city`, and keeps no dataset of its own.
    pub fn sharing(&self, city: &str) -> District {
        Self {
            city: city.into(),
            location: self.location.clone(),
            pool: self.pool.clone(),
            options: Arc::new(DistrictOptions {
                timeout: self.options.timeout,
                keep: None,
            }),
            // Preparing a district that keeps no dataset is migrating and checking its
            // database: done already when this one is ready.
            readiness: Arc::new(Readiness {
                ready: AtomicBool::new(self.readiness.ready.load(Ordering::Acquire)),
                under_way: Mutex::default(),
            }),
            statements: Arc::default(),
            request: None,
        }
    }

    /// The ids of the cities this district's database holds, in id order.
    pub async fn city_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = self
            .fetch_rows(&sql::Sql::new("SELECT id FROM cities ORDER BY id"))
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Whether `other` reads the same database: one statement can serve both cities (every
    /// table carries the city).
    pub fn shares_database_with(&self, other: &District) -> bool {
        self.location == other.location
    }

    /// A district prepared now: connected, migrated, checked, and holding `options.keep` if
    /// given. For commands, which should stop on the first problem.
    pub async fn open(
        city: &str,
        location: &Location,
        options: DistrictOptions,
    ) -> Result<Self, StoreError> {
        Self::new(city, location, options).prepared().await
    }

    /// This district, prepared now.
    async fn prepared(self) -> Result<Self, StoreError> {
        self.prepare().await?;
        self.readiness.ready.store(true, Ordering::Release);
        Ok(self)
    }

    /// The city id this district serves.
    pub fn city(&self) -> &str {
        &self.city
    }

    pub fn backend(&self) -> Backend {
        self.location.backend()
    }

    /// Where the database is (a URL's password hidden when displayed).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// How many SQL statements this district has run since it was opened.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The same district, also counting its statements into `counter` (one request's count).
    pub fn counting_into(&self, counter: Arc<AtomicU64>) -> Self {
        Self {
            request: Some(counter),
            ..self.clone()
        }
    }

    fn counted(&self) -> &Pool {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if let Some(request) = &self.request {
            request.fetch_add(1, Ordering::Relaxed);
        }
        &self.pool
    }

    fn query_err(&self) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
        move |source| StoreError::Query {
            city: self.city.to_string(),
            source,
        }
    }

    /// Runs one read: prepares the district if it is not yet, and gives up after the district's
    /// timeout (a preparation under way goes on in the background).
    pub(crate) async fn read<T>(
        &self,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let attempt = async {
            self.ensure_ready().await?;
            work.await
        };
        tokio::time::timeout(self.options.timeout, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::Timeout {
                    city: self.city.to_string(),
                    timeout: self.options.timeout,
                })
            })
    }

    /// Every row `sql` returns, as one counted read.
    pub(crate) async fn fetch_rows<R: Readable>(
        &self,
        sql: &sql::Sql,
    ) -> Result<Vec<R>, StoreError> {
        self.read(async { self.counted().fetch(sql).await.map_err(self.query_err()) })
            .await
    }

    async fn ensure_ready(&self) -> Result<(), StoreError> {
        if self.readiness.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let preparation = {
            let mut slot = self
                .readiness
                .under_way
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            slot.get_or_insert_with(|| {
                let district = Self {
                    request: None,
                    ..self.clone()
                };
                let city = self.city.to_string();
                let location = self.location.to_string();
                tokio::spawn(async move { district.prepare().await.map_err(Arc::new) })
                    .map(move |joined| {
                        joined.unwrap_or_else(|e| {
                            Err(Arc::new(StoreError::Open {
                                city,
                                location,
                                reason: format!("its preparation stopped: {e}"),
                            }))
                        })
                    })
                    .boxed()
                    .shared()
            })
            .clone()
        };
        let outcome = preparation.clone().await;
        let mut slot = self
            .readiness
            .under_way
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|p| p.ptr_eq(&preparation)) {
            *slot = None;
        }
        match outcome {
            Ok(()) => {
                self.readiness.ready.store(true, Ordering::Release);
                Ok(())
            }
            Err(e) => Err(StoreError::NotReady(e)),
        }
    }

    /// Connects, migrates, checks the connection settings, and imports the dataset to keep.
    async fn prepare(&self) -> Result<(), StoreError> {
        let city = self.city.to_string();
        let location = self.location.to_string();
        let open_err = |reason: String| StoreError::Open {
            city: city.clone(),
            location: location.clone(),
            reason,
        };
        let migrate_err = |e: sqlx::migrate::MigrateError| match e {
            sqlx::migrate::MigrateError::VersionMissing(version) => StoreError::TooNew {
                city: city.clone(),
                location: location.clone(),
                version,
                known: LATEST_MIGRATION,
            },
            other => StoreError::Migrate {
                city: city.clone(),
                location: location.clone(),
                reason: one_line(&other),
            },
        };
        if let Pool::Broken(reason) = &self.pool {
            return Err(StoreError::Config {
                city: city.clone(),
                reason: reason.to_string(),
            });
        }
        if let Location::Sqlite(path) = &*self.location
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| open_err(one_line(&e)))?;
        }
        let migrator = backend::migrator(self.backend())
            .await
            .map_err(migrate_err)?;
        self.pool.migrate(&migrator).await.map_err(|e| match e {
            backend::Unprepared::Connect(e) => open_err(one_line(&e)),
            backend::Unprepared::Migrate(e) => migrate_err(e),
        })?;
        if self.backend() == Backend::Sqlite {
            self.check_sqlite_settings().await?;
        }
        if let Some(dataset) = self.options.keep.clone() {
            match self.import(&dataset, false).await? {
                ImportOutcome::UpToDate { .. } => {
                    tracing::info!(city = %self.city, "district is up to date");
                }
                ImportOutcome::Imported { rows, .. } => {
                    tracing::info!(city = %self.city, rows, "district imported");
                }
            }
        }
        Ok(())
    }

    /// SQLite must run in WAL mode with `synchronous=FULL`, foreign keys enforced and a busy
    /// timeout: what makes an interrupted import harmless and concurrent readers safe.
    async fn check_sqlite_settings(&self) -> Result<(), StoreError> {
        let found = [
            (
                "journal_mode",
                "wal",
                self.pragma::<String>("journal_mode").await,
            ),
            // 2 is FULL.
            ("synchronous", "2", self.pragma::<i64>("synchronous").await),
            (
                "foreign_keys",
                "1",
                self.pragma::<i64>("foreign_keys").await,
            ),
            (
                "busy_timeout",
                &SQLITE_BUSY_TIMEOUT.as_millis().to_string(),
                self.pragma::<i64>("busy_timeout").await,
            ),
        ];
        let mut wrong = Vec::new();
        for (pragma, want, got) in found {
            let got = got.map_err(self.query_err())?;
            if !got.eq_ignore_ascii_case(want) {
                wrong.push(format!("{pragma} is {got}, not {want}"));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Settings {
                city: self.city.to_string(),
                detail: wrong.join("; "),
            })
        }
    }

    /// One SQLite setting, as text.
    async fn pragma<T>(&self, pragma: &str) -> Result<String, sqlx::Error>
    where
        (T,): Readable,
        T: ToString,
    {
        let rows: Vec<(T,)> = self
            .counted()
            .fetch(&sql::Sql::new(&format!("PRAGMA {pragma}")))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(|r| r.0.to_string())
            .unwrap_or_default())
    }

    /// Looks at the district now: prepares it if needed and reads its dataset version, within
    /// the district's timeout.
    pub async fn health(&self) -> Health {
        let started = Instant::now();
        let version = self.stored_version().await.map_err(|e| {
            tracing::warn!(city = %self.city, error = %e, "district is down");
            e.to_string()
        });
        Health {
            backend: self.backend(),
            latency: started.elapsed(),
            version,
        }
    }

    /// What SQLite's own checks of the file find wrong (`integrity_check`, then
    /// `foreign_key_check`); empty when the file is sound. PostgreSQL enforces both itself, so
    /// there is nothing to ask it.
    pub async fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        if self.backend() == Backend::Postgres {
            return Ok(Vec::new());
        }
        let integrity: Vec<(String,)> = self
            .counted()
            .fetch(&sql::Sql::new("PRAGMA integrity_check"))
            .await
            .map_err(self.query_err())?;
        let foreign: Vec<(String, Option<i64>, String, i64)> = self
            .counted()
            .fetch(&sql::Sql::new("PRAGMA foreign_key_check"))
            .await
            .map_err(self.query_err())?;
        Ok(integrity
            .into_iter()
            .map(|r| r.0)
            .filter(|r| r != "ok")
            .chain(foreign.into_iter().map(|(table, rowid, parent, _)| {
                format!("{table} row {rowid:?} points at a missing {parent} row")
            }))
            .collect())
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn sqlite_options(path: &std::path::Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .row_buffer_size(SQLITE_ROW_BUFFER)
}

/// Rows a SQLite connection's worker thread may run ahead of the reader. sqlx hands every row
/// from the worker to the reading task one by one; with its default of 50, a level of a few
/// thousand rows makes the two threads take turns every 50 rows.
const SQLITE_ROW_BUFFER: usize = 4096;

#[cfg(test)]
mod tests;
