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
    /// Secret that signs pagination cursors. Give every replica the same one to keep cursors
    /// valid across restarts and replicas; without it, each start picks a random one.
    #[arg(
        long,
        env = "DANGQUN_CURSOR_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub cursor_secret: Option<String>,
}

impl Config {
    /// A configuration for tests and embedding: loopback on any free port, the given folder.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            max_body_bytes: 64 * 1024,
            cursor_secret: Some("dangqun-tests".to_owned()),
        }
    }

    /// The key cursors are signed with: the configured secret, or 32 random bytes.
    pub fn cursor_key(&self) -> graphql::CursorKey {
        match &self.cursor_secret {
            Some(secret) => graphql::CursorKey(secret.as_bytes().to_vec()),
            None => graphql::CursorKey(random_bytes()),
        }
    }

    pub fn database_path(&self, city: &str) -> PathBuf {
        self.data_dir.join(format!("{city}.sqlite"))
    }
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
