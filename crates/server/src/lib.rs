//! The `dangqun` service: configuration, the district set-up, and the HTTP surface. `server` is
//! the only crate that knows axum, the CLI and the city crates; it hands `graphql` the districts.

mod config;
pub mod export;
mod http;
mod metrics;
mod persisted;
pub mod registry;
pub mod scaffold;

pub use config::{Config, ConfigError, DistrictSetting, LogFormat};
pub use http::{HttpOptions, app};

use graphql::{DangqunSchema, Districts, Limits};
use model::{CityDataset, DatasetError};
use std::sync::Arc;
use std::time::Duration;
use store::{District, DistrictOptions, ImportOutcome, ProgressSink, StoreError};

/// Loads a city crate's dataset: parsed, validated, every quote checked against its article.
pub type DatasetLoader = fn() -> Result<CityDataset, DatasetError>;

include!(concat!(env!("OUT_DIR"), "/cities.rs"));

pub(crate) fn known_cities() -> String {
    CITIES
        .iter()
        .map(|(id, ..)| *id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What stops the service or a command. Each names the city and what is wrong, in one line.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("city `{city}` is not served by this binary (known: {known})", known = known_cities())]
    UnknownCity { city: String },
    #[error("city `{city}`: its dataset is invalid, nothing was imported: {source}")]
    Dataset {
        city: String,
        #[source]
        source: Box<DatasetError>,
    },
    #[error(
        "the database {database} holds city `{city}`, which is not synthetic: `dangqun synth` writes only to databases of its own"
    )]
    NotSynthetic { database: String, city: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The lower-case hex SHA-256 of `bytes`: persisted queries' hashes and answers' ETags.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// `city`'s dataset loader, or `UnknownCity`.
fn loader(city: &str) -> Result<DatasetLoader, ServerError> {
    CITIES
        .iter()
        .find(|(id, ..)| *id == city)
        .map(|(_, load, _)| *load)
        .ok_or_else(|| ServerError::UnknownCity {
            city: city.to_owned(),
        })
}

/// Loads `city`'s dataset: parsed, validated, every quote checked against its article.
pub fn dataset(city: &str) -> Result<CityDataset, ServerError> {
    loader(city)?().map_err(|source| ServerError::Dataset {
        city: city.to_owned(),
        source: Box::new(source),
    })
}

/// `city`'s dataset, validated, and how much of each of its articles the dataset's quotes
/// cover, sentence by sentence.
pub fn coverage(city: &str) -> Result<(CityDataset, Vec<model::ArticleCoverage>), ServerError> {
    let d = dataset(city)?;
    let articles = CITIES
        .iter()
        .find(|(id, ..)| *id == city)
        .map_or(&[][..], |(.., articles)| *articles);
    let coverage = d
        .coverage(articles)
        .map_err(|source| ServerError::Dataset {
            city: city.to_owned(),
            source: Box::new(source),
        })?;
    Ok((d, coverage))
}

/// What `dangqun check` prints for `city`: its record counts, then for each article how many
/// sentences some quote supports and every sentence none supports, once each in order (a
/// repeated heading with its count).
pub fn check_report(city: &str) -> Result<String, ServerError> {
    let (d, coverage) = coverage(city)?;
    Ok(coverage_report(&d, &coverage))
}

/// [`check_report`] of a dataset and its coverage.
pub fn coverage_report(d: &CityDataset, coverage: &[model::ArticleCoverage]) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "{}: valid; {} circles, {} centers, {} rooms, {} citations\n",
        d.city.id,
        d.circles.len(),
        d.centers.len(),
        d.rooms.len(),
        d.citation_count()
    );
    for article in coverage {
        let mut uncovered: Vec<(&str, usize)> = Vec::new();
        for sentence in article.uncovered() {
            match uncovered.iter_mut().find(|(s, _)| *s == sentence) {
                Some((_, n)) => *n += 1,
                None => uncovered.push((sentence, 1)),
            }
        }
        let _ = writeln!(
            out,
            "  {}: {} of {} sentences support a field; {} support none:",
            article.file,
            article.covered(),
            article.sentences.len(),
            article.sentences.len() - article.covered()
        );
        for (sentence, n) in uncovered {
            let _ = match n {
                1 => writeln!(out, "    | {sentence}"),
                n => writeln!(out, "    | {sentence} (×{n})"),
            };
        }
    }
    out
}

/// The district of `city` as configured, not yet opened; it will hold `keep` when given.
pub fn district(config: &Config, city: &str, keep: Option<Arc<CityDataset>>) -> District {
    District::from_setting(city, &config.database(city), options(config, city, keep))
}

fn options(config: &Config, city: &str, keep: Option<Arc<CityDataset>>) -> DistrictOptions {
    DistrictOptions {
        timeout: config.timeout(city),
        keep,
    }
}

/// Opens `city`'s district at `database` (its configured one when `None`) for a command:
/// connected, migrated and checked now, or the reason it cannot be.
pub async fn open_district(
    config: &Config,
    city: &str,
    database: Option<&str>,
) -> Result<District, ServerError> {
    loader(city)?;
    let setting = database.map_or_else(|| config.database(city), str::to_owned);
    Ok(District::open_setting(city, &setting, options(config, city, None)).await?)
}

/// Loads `city`'s dataset and imports it unless the district already holds exactly that
/// version (`force` imports anyway), reporting progress.
pub async fn import_city(
    district: &District,
    force: bool,
    progress: ProgressSink<'_>,
) -> Result<ImportOutcome, ServerError> {
    let dataset = dataset(district.city())?;
    Ok(district.import_reporting(&dataset, force, progress).await?)
}

/// How long `serve` waits for the districts at start-up before it serves whatever is up; the
/// rest are prepared as soon as their databases answer.
pub const STARTUP_WAIT: Duration = Duration::from_secs(30);

/// Every district, in the service's order, each to hold its city's dataset. The districts are
/// prepared concurrently (migrated, imported when missing, empty or older than the binary's);
/// one that cannot be reached or is misconfigured is logged in one line and reported down, and
/// the others are served. Only an invalid dataset (a defect of the binary) stops the service.
pub async fn prepare_districts(config: &Config) -> Result<Districts, ServerError> {
    let mut list = Vec::with_capacity(CITIES.len());
    if !config.only_synthetic {
        for (city, ..) in CITIES {
            list.push(district(config, city, Some(Arc::new(dataset(city)?))));
        }
    }
    // Synthetic cities follow the built-in ones, in id order whatever database holds them.
    let mut synthetic = Vec::new();
    for setting in &config.synthetic {
        synthetic.extend(synthetic_districts(config, setting).await);
    }
    synthetic.sort_by(|a, b| a.city().cmp(b.city()));
    list.extend(synthetic);
    let waits = list.iter().map(|d| async move {
        match tokio::time::timeout(STARTUP_WAIT, d.ready()).await {
            Ok(Ok(())) => tracing::info!(
                city = d.city(),
                backend = d.backend().as_str(),
                "district is up"
            ),
            Ok(Err(e)) => tracing::error!("district `{}` is down: {e}", d.city()),
            Err(_) => tracing::error!(
                "district `{}` is down: not ready after {} s; it will be used once it answers",
                d.city(),
                STARTUP_WAIT.as_secs()
            ),
        }
    });
    futures::future::join_all(waits).await;
    Ok(Districts::new(list))
}

/// The runtime `dangqun` runs on: tokio's multi-thread runtime, one worker per core. Batching
/// does not depend on it (see `graphql`'s `batch` module).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// The synthetic cities of the database `setting` names (`dangqun synth` wrote them), each a
/// district sharing the database's pool, in id order. A database that cannot be read is logged
/// and gives none: its cities are only known by reading it.
async fn synthetic_districts(config: &Config, setting: &str) -> Vec<District> {
    let options = DistrictOptions {
        timeout: Duration::from_millis(config.district_timeout_ms),
        keep: None,
    };
    let probe = District::from_setting("synthetic", setting, options);
    let found = match tokio::time::timeout(STARTUP_WAIT, probe.ready()).await {
        Ok(Ok(())) => probe.city_ids().await,
        Ok(Err(e)) => Err(e),
        Err(_) => {
            tracing::error!("synthetic database {} did not answer", probe.location());
            return Vec::new();
        }
    };
    match found {
        Ok(ids) => {
            let cities: Vec<District> = ids
                .iter()
                .filter(|id| model::synth::is_synthetic(id))
                .map(|id| probe.sharing(id))
                .collect();
            tracing::info!(
                database = %probe.location(),
                cities = cities.len(),
                "serving synthetic cities"
            );
            cities
        }
        Err(e) => {
            tracing::error!("synthetic database {}: {e}", probe.location());
            Vec::new()
        }
    }
}

/// What `dangqun synth` writes.
#[derive(Debug, Clone)]
pub struct SynthPlan {
    pub cities: usize,
    pub shape: model::synth::SynthShape,
    /// The databases, each a SQLite path or a postgres:// URL; city `n` goes to database
    /// `(n - 1) % len`.
    pub databases: Vec<String>,
}

/// Writes the synthetic cities of `plan` into its databases, one transaction per city, and
/// reports each city done to `done(cities done, cities)`. Refuses a database that holds any
/// city that is not synthetic: `synth` never touches the real districts.
pub async fn synthesize(
    plan: &SynthPlan,
    mut done: impl FnMut(usize, usize),
) -> Result<usize, ServerError> {
    let templates = CITIES
        .iter()
        .map(|(city, ..)| dataset(city))
        .collect::<Result<Vec<_>, _>>()?;
    let mut probes = Vec::new();
    for setting in &plan.databases {
        let probe =
            District::open_setting("synthetic", setting, DistrictOptions::default()).await?;
        if let Some(real) = probe
            .city_ids()
            .await?
            .into_iter()
            .find(|id| !model::synth::is_synthetic(id))
        {
            return Err(ServerError::NotSynthetic {
                database: probe.location().to_string(),
                city: real,
            });
        }
        probes.push(probe);
    }
    let mut rows = 0;
    for n in 1..=plan.cities {
        let dataset = model::synth::synthesize(&templates, plan.shape, n);
        let district = probes[(n - 1) % probes.len()].sharing(&dataset.city.id);
        district.ready().await?;
        if let ImportOutcome::Imported { rows: written, .. } =
            district.import(&dataset, false).await?
        {
            rows += written;
        }
        done(n, plan.cities);
    }
    for probe in &probes {
        probe.close().await;
    }
    Ok(rows)
}

/// The schema over prepared districts, signing cursors as `config` says.
pub fn schema(districts: Districts, config: &Config) -> DangqunSchema {
    graphql::build_schema(
        Arc::new(districts),
        {
            let max_concurrent = match config.max_concurrent_queries {
                0 => graphql::default_concurrency(),
                n => n,
            };
            Limits {
                budget: config.budget(),
                max_concurrent,
                max_queued: match config.max_queued_queries {
                    0 => max_concurrent * 8,
                    n => n,
                },
                request_timeout: std::time::Duration::from_millis(config.request_timeout_ms),
            }
        },
        config.cursor_key(),
        config.federation,
    )
    .compiling_trees(!config.resolve_every_field)
}
