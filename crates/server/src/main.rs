//! `dangqun`: serve the federated schema, import districts, export the schema.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use server::{CITIES, Config, ServerError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "dangqun",
    version,
    about = "GraphQL over the party-and-masses service centers of four cities"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve GraphQL at /graphql and GraphiQL at / (the default). Districts that are missing,
    /// empty or hold an older dataset are imported first; a district that cannot be reached is
    /// reported down and used as soon as it answers.
    Serve,
    /// Import datasets into their districts, idempotently: one transaction per city, so an
    /// interrupted import leaves the district exactly as it was.
    Import {
        /// Only this city (default: every city).
        #[arg(long)]
        city: Option<String>,
        /// The database to import into (a SQLite path or a postgres:// URL) instead of the
        /// city's configured one. Needs `--city`.
        #[arg(long, requires = "city")]
        database: Option<String>,
        /// Re-import even when the district already holds this version.
        #[arg(long)]
        force: bool,
    },
    /// Copy a city's district, exactly as stored, to another database (moving a district from
    /// its SQLite file to a PostgreSQL server, say). One transaction; the copy is compared with
    /// its source row by row before it is committed.
    Copy {
        /// The city whose district to copy.
        #[arg(long)]
        city: String,
        /// The database to copy from (default: the city's configured one).
        #[arg(long)]
        from: Option<String>,
        /// The database to copy to: a SQLite path or a postgres:// URL.
        #[arg(long)]
        to: String,
    },
    /// Write synthetic cities of the real datasets' shape at a chosen scale, for load tests and
    /// benchmarks: ids `synth-0001`…, names and sources marked 合成/SYNTHETIC, deterministic
    /// for a seed. Writes only to its own databases (`--out` folder, or `--database`), never to
    /// the real districts; serve them with `--synthetic`.
    Synth {
        /// How many cities.
        #[arg(long, default_value_t = 4)]
        cities: usize,
        /// Centers of each city.
        #[arg(long, default_value_t = 200)]
        centers_per_city: usize,
        /// Rooms of each center.
        #[arg(long, default_value_t = 7)]
        rooms_per_center: usize,
        /// Into how many SQLite files in `--out` (`synth-1.sqlite`, …) the cities go, round
        /// robin. Ignored with `--database`.
        #[arg(long, default_value_t = 1)]
        databases: usize,
        /// The folder of the SQLite files.
        #[arg(long, default_value = "data-synth")]
        out: PathBuf,
        /// Databases to write to instead (SQLite paths or postgres:// URLs; repeat the flag);
        /// the cities go round robin.
        #[arg(long = "database")]
        database: Vec<String>,
        /// Seeds the random choices: the same seed writes the same cities.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Validate a city's dataset (every city's by default) and report how much of its articles
    /// it transcribes: for each article, how many sentences a quote supports, and every
    /// sentence no quote supports, so a transcriber sees what is left.
    Check {
        /// Only this city (default: every city).
        city: Option<String>,
    },
    /// Write a flat file of rooms, centers, circles or the `compare` figures, as
    /// `GET /export/FILE` serves it: `rooms.csv`, `centers.ndjson`… with `cities=…` and the
    /// GraphQL list's filters (`freeOfCharge=true`, `categories=READING,LEGAL_AID`, `bom=true`
    /// for Excel). Districts missing or older than the binary's data are imported first.
    Export {
        /// The file: rooms, centers, circles or compare, .csv or .ndjson.
        file: String,
        /// Parameters, `NAME=VALUE`, as in the URL's query.
        params: Vec<String>,
        /// Where to write it (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Create a new city's crate, `crates/city-<ID>` (data file, `sources/`, README, tests),
    /// and register it with one line in `crates/server/Cargo.toml`. Run at the root of a
    /// checkout; README's "Adding a city" says what comes next.
    NewCity {
        #[command(flatten)]
        city: server::scaffold::NewCity,
        /// The root of the checkout.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write the public schema (SDL): `schema.graphql` and, in Apollo Federation form,
    /// `schema.federation.graphql`; or one of them to `--output` (`-`: standard output).
    ExportSchema {
        /// Write only one schema, here (`-` for standard output).
        #[arg(long)]
        output: Option<PathBuf>,
        /// With `--output`: the federation SDL (what `_service { sdl }` returns).
        #[arg(long, requires = "output")]
        federation: bool,
    },
}

/// Log filter when `RUST_LOG` is not set: PostgreSQL's notices ("relation already exists,
/// skipping" on every start) are not news.
const DEFAULT_LOG: &str = "info,sqlx::postgres::notice=warn";

/// `synth` draws a progress bar on standard error: one log line per imported city would break it.
const SYNTH_LOG: &str = "warn";

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let default_log = match cli.command {
        Some(Command::Synth { .. }) => SYNTH_LOG,
        _ => DEFAULT_LOG,
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| default_log.into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.config.log_format {
        server::LogFormat::Json => logs.json().init(),
        // Colours only for a person at a terminal, not in files and collectors.
        server::LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
    let runtime = match server::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dangqun: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Cli { config, command } = cli;
    let result = config
        .layered(&matches, |name| std::env::var(name).ok())
        .map_err(|e| CliError::Server(e.into()))
        .map(|config| runtime.block_on(run(config, command)));
    match result.and_then(|r| r) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dangqun: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error("{0}")]
    Io(String),
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        Self::Server(e.into())
    }
}

/// Rows between two progress lines within one table.
const PROGRESS_EVERY: usize = 100;

/// Prints progress to standard error: a line when a table starts, every few hundred rows, and
/// when the last row is written (the transaction commits after it).
fn progress(city: &str) -> impl FnMut(store::Progress<'_>) + Send + use<> {
    let city = city.to_owned();
    let mut table = String::new();
    let mut shown = 0;
    move |p| {
        if p.table != table || p.written >= shown + PROGRESS_EVERY || p.written == p.total {
            table = p.table.to_owned();
            shown = p.written;
            eprintln!(
                "{city}: {:>5}/{} rows written ({})",
                p.written, p.total, p.table
            );
        }
    }
}

async fn run(config: Config, command: Option<Command>) -> Result<(), CliError> {
    match command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Import {
            city,
            database,
            force,
        } => {
            let cities: Vec<&str> = match &city {
                Some(c) if CITIES.iter().any(|(id, ..)| id == c) => vec![c.as_str()],
                Some(c) => return Err(ServerError::UnknownCity { city: c.clone() }.into()),
                None => CITIES.iter().map(|(id, ..)| *id).collect(),
            };
            for city in cities {
                let district = server::open_district(&config, city, database.as_deref()).await?;
                let outcome = server::import_city(&district, force, &mut progress(city)).await?;
                match outcome {
                    store::ImportOutcome::UpToDate { content_hash } => {
                        println!("{city}: already up to date ({})", &content_hash[..12]);
                    }
                    store::ImportOutcome::Imported { content_hash, rows } => {
                        println!("{city}: imported {rows} rows ({})", &content_hash[..12]);
                    }
                }
                district.close().await;
            }
            Ok(())
        }
        Command::Check { city } => {
            let cities: Vec<&str> = match &city {
                Some(c) if CITIES.iter().any(|(id, ..)| id == c) => vec![c.as_str()],
                Some(c) => return Err(ServerError::UnknownCity { city: c.clone() }.into()),
                None => CITIES.iter().map(|(id, ..)| *id).collect(),
            };
            for city in cities {
                print!("{}", server::check_report(city)?);
            }
            Ok(())
        }
        Command::Export {
            file,
            params,
            output,
        } => {
            let params = params
                .iter()
                .map(|p| {
                    p.split_once('=')
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .ok_or_else(|| CliError::Io(format!("`{p}`: parameters are NAME=VALUE")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let request = server::export::Request::parse(&file, &params)
                .map_err(|e| CliError::Io(e.to_string()))?;
            let districts = server::prepare_districts(&config).await?;
            let schema = server::schema(districts, &config);
            let body = server::export::export(&schema, &request)
                .await
                .map_err(|e| CliError::Io(e.to_string()))?;
            match output {
                Some(path) => std::fs::write(&path, &body)
                    .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?,
                None => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&body)
                        .map_err(|e| CliError::Io(format!("standard output: {e}")))?;
                }
            }
            Ok(())
        }
        Command::NewCity { city, root } => {
            let dir = server::scaffold::new_city(&root, &city)
                .map_err(|e| CliError::Io(e.to_string()))?;
            println!(
                "{}: created, and registered in crates/server/Cargo.toml",
                dir.display()
            );
            println!(
                "next: put the articles in {}/sources/, list them in src/lib.rs, transcribe them \
                 into data/dataset.toml, and run `dangqun check {}` (README: \"Adding a city\")",
                dir.display(),
                city.id
            );
            Ok(())
        }
        Command::Copy { city, from, to } => {
            let source = server::open_district(&config, &city, from.as_deref()).await?;
            let target = server::open_district(&config, &city, Some(&to)).await?;
            let rows = source.copy_to(&target, &mut progress(&city)).await?;
            println!(
                "{city}: copied {rows} rows from {} to {}, identical row by row",
                source.location(),
                target.location()
            );
            source.close().await;
            target.close().await;
            Ok(())
        }
        Command::Synth {
            cities,
            centers_per_city,
            rooms_per_center,
            databases,
            out,
            database,
            seed,
        } => {
            if cities == 0 || databases == 0 {
                return Err(CliError::Io(
                    "`--cities` and `--databases` must be at least 1".to_owned(),
                ));
            }
            let databases = if database.is_empty() {
                (1..=databases)
                    .map(|k| out.join(format!("synth-{k}.sqlite")).display().to_string())
                    .collect()
            } else {
                database
            };
            let plan = server::SynthPlan {
                cities,
                shape: model::synth::SynthShape {
                    centers_per_city,
                    rooms_per_center,
                    seed,
                },
                databases,
            };
            let started = std::time::Instant::now();
            let rows = server::synthesize(&plan, |done, all| {
                let width = 30;
                let filled = done * width / all.max(1);
                eprint!(
                    "\rsynth: [{}{}] {done}/{all} cities",
                    "#".repeat(filled),
                    ".".repeat(width - filled)
                );
                if done == all {
                    eprintln!();
                }
            })
            .await?;
            println!(
                "synth: {cities} cities ({} centers, {} rooms each) in {} database(s), {rows} rows written, seed {seed}, {:.1} s",
                centers_per_city,
                centers_per_city * rooms_per_center,
                plan.databases.len(),
                started.elapsed().as_secs_f64()
            );
            println!(
                "serve them with: dangqun --synthetic {}",
                plan.databases.join(",")
            );
            Ok(())
        }
        Command::ExportSchema { output, federation } => {
            let write = |path: &Path, sdl: String| {
                if path.as_os_str() == "-" {
                    print!("{sdl}");
                    return Ok(());
                }
                std::fs::write(path, sdl)
                    .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
                println!("wrote {}", path.display());
                Ok(())
            };
            match output {
                Some(path) if federation => write(&path, graphql::federation_sdl()),
                Some(path) => write(&path, graphql::sdl()),
                None => {
                    write(Path::new("schema.graphql"), graphql::sdl())?;
                    write(
                        Path::new("schema.federation.graphql"),
                        graphql::federation_sdl(),
                    )
                }
            }
        }
    }
}

async fn serve(config: Config) -> Result<(), CliError> {
    let http = config.http().map_err(ServerError::from)?;
    let districts = server::prepare_districts(&config).await?;
    let app = server::app(server::schema(districts, &config), http);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {}: {e}", config.listen)))?;
    tracing::info!(
        "serving GraphQL at http://{}/graphql, GraphiQL at http://{}/",
        config.listen,
        config.listen
    );
    // With each connection's peer address: the rate limit is per client address.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| CliError::Io(format!("server error: {e}")))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
