//! `dangqun`: serve the federated schema, import districts, export the schema.

use clap::{Parser, Subcommand};
use server::{CITIES, Config, ServerError};
use std::path::PathBuf;
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
    /// empty or hold an older dataset are imported first.
    Serve,
    /// Import datasets into their districts, idempotently (one transaction per city).
    Import {
        /// Only this city (default: every city).
        #[arg(long)]
        city: Option<String>,
        /// Re-import even when the district already holds this version.
        #[arg(long)]
        force: bool,
    },
    /// Write the public schema (SDL) to a file, or to standard output with `-`.
    ExportSchema {
        #[arg(long, default_value = "schema.graphql")]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match server::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dangqun: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
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

async fn run(cli: Cli) -> Result<(), CliError> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Import { city, force } => {
            let cities: Vec<&str> = match &city {
                Some(c) if CITIES.iter().any(|(id, _)| id == c) => vec![c.as_str()],
                Some(c) => return Err(ServerError::UnknownCity { city: c.clone() }.into()),
                None => CITIES.iter().map(|(id, _)| *id).collect(),
            };
            for city in cities {
                let district = server::open_district(&config, city).await?;
                let outcome = server::import_city(&district, force).await?;
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
        Command::ExportSchema { output } => {
            let sdl = graphql::sdl();
            if output.as_os_str() == "-" {
                print!("{sdl}");
                Ok(())
            } else {
                std::fs::write(&output, sdl)
                    .map_err(|e| CliError::Io(format!("cannot write {}: {e}", output.display())))?;
                println!("wrote {}", output.display());
                Ok(())
            }
        }
    }
}

async fn serve(config: Config) -> Result<(), CliError> {
    let districts = server::prepare_districts(&config).await?;
    let app = server::app(server::schema(districts, &config), config.max_body_bytes);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {}: {e}", config.listen)))?;
    tracing::info!(
        "serving GraphQL at http://{}/graphql, GraphiQL at http://{}/",
        config.listen,
        config.listen
    );
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
