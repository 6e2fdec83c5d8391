//! Configuration, read once at start-up from flags and environment variables.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Settings shared by every subcommand that touches the districts or the network.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "DANGQUN_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Folder of the districts' SQLite files (`<city>.sqlite`).
    #[arg(long, env = "DANGQUN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DANGQUN_MAX_BODY_BYTES", default_value_t = 64 * 1024, global = true)]
    pub max_body_bytes: usize,
}

impl Config {
    /// A configuration for tests and embedding: loopback on any free port, the given folder.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            max_body_bytes: 64 * 1024,
        }
    }

    pub fn database_path(&self, city: &str) -> PathBuf {
        self.data_dir.join(format!("{city}.sqlite"))
    }
}
