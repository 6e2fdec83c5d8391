//! District databases. A district is one city's database: an embedded SQLite file by default.
//! `store` is the only crate that writes SQL. It opens and migrates a district, imports a
//! [`model::CityDataset`] in one transaction, and answers batch-shaped reads: every read takes a
//! whole batch of keys, so a caller never needs one query per parent.

mod compare;
mod import;
mod listing;
mod read;
mod rows;
mod search;
mod sql;

pub use compare::{
    CapacitySum, CategoryFigures, CityFigures, PerCapitaFigures, QualifierCounts, QuantitySum,
    SeasonFigures, SeatSum, TagFigures,
};
pub use import::ImportOutcome;
pub use listing::{After, CenterFilter, CenterOrder, OpenAt, RoomFilter, RoomOrder, SortValue};
pub use read::Table;
pub use rows::*;
pub use search::{SearchRow, field_rank, kind_rank};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The migrations in `migrations/`, embedded in the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// What can go wrong in a district. The messages name the city and what is wrong, never SQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("district `{city}`: cannot open its database at {location}: {source}")]
    Open {
        city: String,
        location: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("district `{city}`: cannot migrate its database: {source}")]
    Migrate {
        city: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("district `{city}`: the dataset belongs to `{dataset}`")]
    WrongCity { city: String, dataset: String },
    #[error("district `{city}`: the dataset is invalid, nothing was imported: {source}")]
    Invalid {
        city: String,
        #[source]
        source: model::DatasetError,
    },
    #[error("district `{city}`: database error: {source}")]
    Query {
        city: String,
        #[source]
        source: sqlx::Error,
    },
}

impl StoreError {
    /// The city whose district failed.
    pub fn city(&self) -> &str {
        match self {
            Self::Open { city, .. }
            | Self::Migrate { city, .. }
            | Self::WrongCity { city, .. }
            | Self::Invalid { city, .. }
            | Self::Query { city, .. } => city,
        }
    }
}

/// One city's database.
///
/// Every statement it runs is counted twice: in the district's own total, and in the counter of
/// the request it runs for, when the caller gave one ([`District::counting_into`]).
#[derive(Debug, Clone)]
pub struct District {
    city: Arc<str>,
    pool: SqlitePool,
    statements: Arc<AtomicU64>,
    request: Option<Arc<AtomicU64>>,
}

impl District {
    /// Opens (creating if needed) the SQLite database at `path` and brings it to the latest
    /// migration. WAL journal, `synchronous=FULL`, foreign keys on, 5 s busy timeout.
    pub async fn open_sqlite(city: &str, path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            city: city.to_owned(),
            location: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| open_err(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                city: city.to_owned(),
                source,
            })?;
        Ok(Self {
            city: city.into(),
            pool,
            statements: Arc::default(),
            request: None,
        })
    }

    /// The city id this district serves.
    pub fn city(&self) -> &str {
        &self.city
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

    fn counted(&self) -> &SqlitePool {
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

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests;
