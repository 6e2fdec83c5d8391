//! The two kinds of district database, SQLite and PostgreSQL, behind one set of operations.
//!
//! Everything above this module builds SQL once, as a [`Sql`] with `$n` placeholders, and hands
//! it here: [`Pool`] runs it on whichever backend the district has, [`Tx`] runs it inside a
//! transaction. The only SQL that differs between the backends is chosen through [`Backend`]
//! (the search predicate, the collation of text sort keys) and the migrations that create the
//! search index ([`migrator`]).

use crate::lend::Lender;
use crate::schema::{TableDef, Ty};
use crate::sql::{Sql, Val};
use sqlx::migrate::{Migrate, MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{ColumnIndex, ConnectOptions, Connection, Decode, FromRow, Postgres, Row, Sqlite, Type};
use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Which database a district runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// A text expression as a sort key that orders by code point on both backends (SQLite's
    /// BINARY collation; PostgreSQL's "C" collation, whatever the database's own is), the order
    /// Rust's `str` comparison merges districts in.
    pub(crate) fn text_key(self, expr: &str) -> String {
        match self {
            Self::Sqlite => expr.to_owned(),
            Self::Postgres => format!("({expr}) COLLATE \"C\""),
        }
    }
}

/// Where a district's database is: a SQLite file (the default) or a PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// Reads a database setting: `postgres://…` or `postgresql://…` is a PostgreSQL server;
    /// `sqlite:PATH`, `sqlite://PATH` or a plain path is a SQLite file. The error says what is
    /// wrong, in one line, without echoing a password.
    pub fn parse(setting: &str) -> Result<Self, String> {
        let setting = setting.trim();
        if setting.is_empty() {
            return Err("the database setting is empty".to_owned());
        }
        if setting.starts_with("postgres://") || setting.starts_with("postgresql://") {
            return match sqlx::postgres::PgConnectOptions::from_str(setting) {
                Ok(_) => Ok(Self::Postgres(setting.to_owned())),
                Err(e) => Err(format!(
                    "`{}` is not a usable PostgreSQL URL: {}",
                    redact(setting),
                    redact(&e.to_string())
                )),
            };
        }
        if let Some(path) = setting
            .strip_prefix("sqlite://")
            .or_else(|| setting.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(format!("`{setting}` names no SQLite file"));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = setting.split_once("://") {
            return Err(format!(
                "unsupported database `{scheme}://…`: use a SQLite file path or a postgres:// URL"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(setting)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The location as it may be shown in logs and messages: a URL's password is replaced by `***`.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// `scheme://user:secret@host/db?password=secret` → `scheme://user:***@host/db?password=***`.
pub(crate) fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(start) = out.find("://").map(|i| i + 3) {
        let authority_end = out[start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..authority_end].rfind('@').map(|i| start + i)
            && let Some(colon) = out[start..at].find(':').map(|i| start + i)
        {
            out.replace_range(colon + 1..at, "***");
        }
    }
    if let Some(p) = out.find("password=") {
        let from = p + "password=".len();
        let to = out[from..].find(['&', ' ']).map_or(out.len(), |i| from + i);
        out.replace_range(from..to, "***");
    }
    out
}

/// A row type both backends can decode.
pub trait Readable:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}
impl<T> Readable for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}

/// Runs `work` on `pool` until it does not fail on a connection the server has closed (it
/// restarted, or ended an idle session): the pools lend connections without a ping first (a
/// round trip before every statement), so a connection that went stale while idle shows only
/// when it is used. Such a connection is closed, and `work` runs again on another one (a new
/// one, once the idle ones are spent). At most one more time than the pool holds connections:
/// a server that is down refuses each at once, and the district's timeout bounds the whole.
async fn fresh<T, F: Future<Output = Result<T, sqlx::Error>>>(
    mut tries: usize,
    work: impl Fn() -> F,
) -> Result<T, sqlx::Error> {
    loop {
        match work().await {
            Err(e) if tries > 0 && stale(&e) => tries -= 1,
            other => return other,
        }
    }
}

/// Whether `e` says the connection was closed under the statement: the socket failed, or the
/// server ended the session before it ran (57P01 shutdown or terminated, 57P02 crash).
fn stale(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("57P01" | "57P02")),
        _ => false,
    }
}

/// A district's connections: sqlx's pool for writes, transactions and migrations, and a
/// [`Lender`] of as many connections for reads. `Broken` is a district whose setting cannot work
/// (a malformed URL): it stays listed, and every use of it fails with the reason.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool, Arc<Lender<Sqlite>>),
    Postgres(PgPool, Arc<Lender<Postgres>>),
    Broken(Arc<str>),
}

/// How long a read connection may stay idle (sqlx's pool closes its own after as long).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Every row `sql` returns, on a lent SQLite connection.
async fn sqlite_rows(reads: &Lender<Sqlite>, sql: &Sql) -> Result<Vec<SqliteRow>, sqlx::Error> {
    let mut lent = reads.lend().await?;
    let rows = sql.sqlite().fetch_all(lent.conn()).await;
    lent.done(rows, |_| true)
}

/// Every row `sql` returns, on a lent PostgreSQL connection; one the server closed is not kept.
async fn pg_rows(reads: &Lender<Postgres>, sql: &Sql) -> Result<Vec<PgRow>, sqlx::Error> {
    let mut lent = reads.lend().await?;
    let rows = sql.postgres().fetch_all(lent.conn()).await;
    lent.done(rows, |e| !stale(e))
}

/// A lender of read connections opened as `pool` opens its own, as many as it may hold.
fn reads_beside<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> Arc<Lender<DB>> {
    Arc::new(Lender::new(
        (*pool.connect_options()).clone(),
        pool.options().get_max_connections() as usize,
        IDLE_TIMEOUT,
    ))
}

impl Pool {
    pub(crate) fn sqlite(pool: SqlitePool) -> Self {
        let reads = reads_beside(&pool);
        Self::Sqlite(pool, reads)
    }

    pub(crate) fn postgres(pool: PgPool) -> Self {
        let reads = reads_beside(&pool);
        Self::Postgres(pool, reads)
    }

    /// Every row `sql` returns.
    pub(crate) async fn fetch<R: Readable>(&self, sql: &Sql) -> Result<Vec<R>, sqlx::Error> {
        match self {
            Self::Sqlite(_, reads) => decode(sqlite_rows(reads, sql).await?),
            Self::Postgres(_, reads) => decode(fresh(reads.size(), || pg_rows(reads, sql)).await?),
            Self::Broken(reason) => Err(broken(reason)),
        }
    }

    /// Every row `sql` returns, as values typed by `def`'s columns (in that order).
    pub(crate) async fn fetch_vals(
        &self,
        sql: &Sql,
        def: &TableDef,
    ) -> Result<Vec<Vec<Val>>, sqlx::Error> {
        match self {
            Self::Sqlite(_, reads) => vals_of(&sqlite_rows(reads, sql).await?, def),
            Self::Postgres(_, reads) => {
                vals_of(&fresh(reads.size(), || pg_rows(reads, sql)).await?, def)
            }
            Self::Broken(reason) => Err(broken(reason)),
        }
    }

    /// Connects directly (not through the pool, whose timeout would hide why a connection
    /// failed) and brings the database to the latest of `migrator`'s migrations.
    pub(crate) async fn migrate(&self, migrator: &Migrator) -> Result<(), Unprepared> {
        match self {
            Self::Sqlite(p, _) => migrate_on(p.connect_options().connect().await, migrator).await,
            Self::Postgres(p, _) => migrate_on(p.connect_options().connect().await, migrator).await,
            Self::Broken(reason) => Err(Unprepared::Connect(broken(reason))),
        }
    }

    /// Starts a transaction. SQLite's is `BEGIN IMMEDIATE`: it takes the write lock at once, so
    /// two importers queue on the busy timeout instead of failing halfway through.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Self::Sqlite(p, _) => Ok(Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
            Self::Postgres(p, _) => {
                let tries = p.options().get_max_connections() as usize;
                Ok(Tx::Postgres(fresh(tries, || p.begin()).await?))
            }
            Self::Broken(reason) => Err(broken(reason)),
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(p, reads) => {
                reads.close().await;
                p.close().await;
            }
            Self::Postgres(p, reads) => {
                reads.close().await;
                p.close().await;
            }
            Self::Broken(_) => {}
        }
    }
}

fn decode<W, R>(rows: Vec<W>) -> Result<Vec<R>, sqlx::Error>
where
    W: Row,
    R: for<'r> FromRow<'r, W>,
{
    rows.iter().map(R::from_row).collect()
}

fn vals_of<W>(rows: &[W], def: &TableDef) -> Result<Vec<Vec<Val>>, sqlx::Error>
where
    W: Row,
    usize: ColumnIndex<W>,
    for<'r> Option<String>: Decode<'r, W::Database> + Type<W::Database>,
    for<'r> Option<i64>: Decode<'r, W::Database> + Type<W::Database>,
    for<'r> Option<f64>: Decode<'r, W::Database> + Type<W::Database>,
    for<'r> bool: Decode<'r, W::Database> + Type<W::Database>,
{
    rows.iter()
        .map(|row| {
            def.columns
                .iter()
                .enumerate()
                .map(|(i, (_, ty))| {
                    Ok(match ty {
                        Ty::Text => Val::Text(row.try_get(i)?),
                        Ty::Int => Val::Int(row.try_get(i)?),
                        Ty::Real => Val::Real(row.try_get(i)?),
                        Ty::Bool => Val::Bool(row.try_get(i)?),
                    })
                })
                .collect()
        })
        .collect()
}

/// Why [`Pool::migrate`] failed.
#[derive(Debug)]
pub(crate) enum Unprepared {
    Connect(sqlx::Error),
    Migrate(MigrateError),
}

async fn migrate_on<C>(
    connected: Result<C, sqlx::Error>,
    migrator: &Migrator,
) -> Result<(), Unprepared>
where
    C: Connection + Migrate,
{
    let mut conn = connected.map_err(Unprepared::Connect)?;
    migrator
        .run_direct(&mut conn)
        .await
        .map_err(Unprepared::Migrate)?;
    conn.close().await.map_err(Unprepared::Connect)
}

fn broken(reason: &str) -> sqlx::Error {
    sqlx::Error::Configuration(reason.to_owned().into())
}

/// An open transaction on either backend; dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) async fn execute(&mut self, sql: &Sql) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(tx) => sql.sqlite().execute(&mut **tx).await?.rows_affected(),
            Self::Postgres(tx) => sql.postgres().execute(&mut **tx).await?.rows_affected(),
        })
    }

    /// Every row `sql` returns inside the transaction, as values typed by `def`'s columns.
    pub(crate) async fn fetch_vals(
        &mut self,
        sql: &Sql,
        def: &TableDef,
    ) -> Result<Vec<Vec<Val>>, sqlx::Error> {
        match self {
            Self::Sqlite(tx) => vals_of(&sql.sqlite().fetch_all(&mut **tx).await?, def),
            Self::Postgres(tx) => vals_of(&sql.postgres().fetch_all(&mut **tx).await?, def),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

/// The migrations, in order: version, description, and the SQL for each backend. Both backends
/// share every migration but the search index, which each builds with its own machinery.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "districts",
        include_str!("../../../migrations/0001_districts.sql"),
        include_str!("../../../migrations/0001_districts.sql"),
    ),
    (
        2,
        "search",
        include_str!("../../../migrations/0002_search.sqlite.sql"),
        include_str!("../../../migrations/0002_search.postgres.sql"),
    ),
    (
        3,
        "city_indexes",
        include_str!("../../../migrations/0003_city_indexes.sql"),
        include_str!("../../../migrations/0003_city_indexes.sql"),
    ),
    (
        4,
        "room_categories",
        include_str!("../../../migrations/0004_room_categories.sql"),
        include_str!("../../../migrations/0004_room_categories.sql"),
    ),
    (
        5,
        "travel_and_units",
        include_str!("../../../migrations/0005_travel_and_units.sql"),
        include_str!("../../../migrations/0005_travel_and_units.sql"),
    ),
    (
        6,
        "source_contributors",
        include_str!("../../../migrations/0006_source_contributors.sql"),
        include_str!("../../../migrations/0006_source_contributors.sql"),
    ),
    (
        7,
        "terms_and_audiences",
        include_str!("../../../migrations/0007_terms_and_audiences.sql"),
        include_str!("../../../migrations/0007_terms_and_audiences.sql"),
    ),
    (
        8,
        "capacity_qualifier",
        include_str!("../../../migrations/0008_capacity_qualifier.sql"),
        include_str!("../../../migrations/0008_capacity_qualifier.sql"),
    ),
    (
        9,
        "organisations",
        include_str!("../../../migrations/0009_organisations.sql"),
        include_str!("../../../migrations/0009_organisations.sql"),
    ),
    (
        10,
        "staff_and_exhibits",
        include_str!("../../../migrations/0010_staff_and_exhibits.sql"),
        include_str!("../../../migrations/0010_staff_and_exhibits.sql"),
    ),
    (
        11,
        "dated_indicators",
        include_str!("../../../migrations/0011_dated_indicators.sql"),
        include_str!("../../../migrations/0011_dated_indicators.sql"),
    ),
    (
        12,
        "room_hours",
        include_str!("../../../migrations/0012_room_hours.sql"),
        include_str!("../../../migrations/0012_room_hours.sql"),
    ),
    (
        13,
        "indicator_claims",
        include_str!("../../../migrations/0013_indicator_claims.sql"),
        include_str!("../../../migrations/0013_indicator_claims.sql"),
    ),
];

/// The newest migration this binary knows.
pub const LATEST_MIGRATION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The migrations of one backend, for sqlx's [`Migrator`].
#[derive(Debug)]
struct Embedded(Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> futures::future::BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async move {
            Ok(MIGRATIONS
                .iter()
                .map(|&(version, description, sqlite, postgres)| {
                    let sql = match self.0 {
                        Backend::Sqlite => sqlite,
                        Backend::Postgres => postgres,
                    };
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// The migrator of `backend`.
pub(crate) async fn migrator(backend: Backend) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(backend)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_their_backend() {
        assert_eq!(
            Location::parse("data/korla.sqlite"),
            Ok(Location::Sqlite("data/korla.sqlite".into()))
        );
        assert_eq!(
            Location::parse("sqlite://data/k.sqlite?mode=rwc"),
            Ok(Location::Sqlite("data/k.sqlite".into()))
        );
        assert_eq!(
            Location::parse("postgres://u:p@db:5432/korla")
                .map(|l| l.backend())
                .ok(),
            Some(Backend::Postgres)
        );
        let bad = Location::parse("postgres://u:secret@db:notaport/korla").expect_err("bad port");
        assert!(!bad.contains("secret") && bad.contains("***"), "{bad}");
        assert!(Location::parse("mysql://x").is_err());
        assert!(Location::parse("  ").is_err());
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://dq:s3cret@db.example:5432/korla?sslmode=require"),
            "postgres://dq:***@db.example:5432/korla?sslmode=require"
        );
        assert_eq!(
            redact("postgres://db/korla?user=dq&password=s3cret&x=1"),
            "postgres://db/korla?user=dq&password=***&x=1"
        );
        assert_eq!(redact("postgres://dq@db/korla"), "postgres://dq@db/korla");
        assert_eq!(
            Location::Postgres("postgres://a:b@h/d".into()).to_string(),
            "postgres://a:***@h/d"
        );
    }

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut listed: Vec<String> = MIGRATIONS
            .iter()
            .flat_map(|&(v, d, s, p)| {
                if s == p {
                    vec![format!("{v:04}_{d}.sql")]
                } else {
                    vec![
                        format!("{v:04}_{d}.postgres.sql"),
                        format!("{v:04}_{d}.sqlite.sql"),
                    ]
                }
            })
            .collect();
        listed.sort();
        assert_eq!(files, listed);
        assert_eq!(LATEST_MIGRATION, 13);
    }
}
