//! The `dangqun` service: configuration, the district set-up, and the HTTP surface. `server` is
//! the only crate that knows axum, the CLI and the city crates; it hands `graphql` the districts.

mod config;
mod http;

pub use config::Config;
pub use http::app;

use graphql::{DangqunSchema, Districts, Limits};
use model::{CityDataset, DatasetError};
use std::sync::Arc;
use store::{District, ImportOutcome, StoreError};

/// Loads a city crate's dataset: parsed, validated, every quote checked against its article.
pub type DatasetLoader = fn() -> Result<CityDataset, DatasetError>;

/// The cities this binary serves, in the service's order, each with its dataset loader.
pub const CITIES: &[(&str, DatasetLoader)] = &[
    ("korla", city_korla::dataset),
    ("taiyuan", city_taiyuan::dataset),
    ("suzhou", city_suzhou::dataset),
    ("jinshan", city_jinshan::dataset),
];

fn known_cities() -> String {
    CITIES
        .iter()
        .map(|(id, _)| *id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What stops the service or an import. Each names the city and what is wrong, in one line.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("city `{city}` is not served by this binary (known: {known})", known = known_cities())]
    UnknownCity { city: String },
    #[error("city `{city}`: its dataset is invalid, nothing was imported: {source}")]
    Dataset {
        city: String,
        #[source]
        source: DatasetError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Opens the district of `city` under the configured data folder.
pub async fn open_district(config: &Config, city: &str) -> Result<District, ServerError> {
    Ok(District::open_sqlite(city, &config.database_path(city)).await?)
}

/// Loads `city`'s dataset (validated, every quote checked) and imports it unless the district
/// already holds exactly that version (`force` imports anyway).
pub async fn import_city(district: &District, force: bool) -> Result<ImportOutcome, ServerError> {
    let city = district.city();
    let (_, load) =
        CITIES
            .iter()
            .find(|(id, _)| *id == city)
            .ok_or_else(|| ServerError::UnknownCity {
                city: city.to_owned(),
            })?;
    let dataset = load().map_err(|source| ServerError::Dataset {
        city: city.to_owned(),
        source,
    })?;
    Ok(district.import(&dataset, force).await?)
}

/// Opens every district, migrating it and importing its dataset when it is missing, empty or
/// older than the binary's, and returns them in the service's order.
pub async fn prepare_districts(config: &Config) -> Result<Districts, ServerError> {
    let mut list = Vec::with_capacity(CITIES.len());
    for (city, _) in CITIES {
        let district = open_district(config, city).await?;
        match import_city(&district, false).await? {
            ImportOutcome::UpToDate { .. } => tracing::info!(city, "district is up to date"),
            ImportOutcome::Imported { rows, .. } => tracing::info!(city, rows, "district imported"),
        }
        list.push(district);
    }
    Ok(Districts::new(list))
}

/// Scheduler ticks between two looks at work from outside the runtime thread: the timer and I/O
/// driver (tokio's default: every 61 ticks) and the queue of tasks woken by other threads
/// (default: every 31). The DataLoader's batch timer is such a wake-up (async-graphql's timer runs
/// on async-io's own thread), and it must not be handled while the request task can still enqueue
/// keys of the current level. With a large interval, outside work is taken when the runtime has no
/// local task ready. This narrows the window; `graphql::BATCH_DELAY` closes it in practice.
const OUTSIDE_WORK_INTERVAL: u32 = 1024;

/// The runtime `dangqun` runs on: one thread, so that DataLoader batching is exact (see
/// `graphql::BATCH_DELAY`). SQL does not run here: sqlx gives each SQLite connection a worker
/// thread of its own.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .event_interval(OUTSIDE_WORK_INTERVAL)
        .global_queue_interval(OUTSIDE_WORK_INTERVAL)
        .build()
}

/// The schema over prepared districts, signing cursors as `config` says.
pub fn schema(districts: Districts, config: &Config) -> DangqunSchema {
    graphql::build_schema(Arc::new(districts), Limits::default(), config.cursor_key())
}
