//! Persisted operations: automatic persisted queries (Apollo's protocol) and a safelist.
//!
//! - **Automatic** (the default). A request may carry `extensions.persistedQuery = {"version": 1,
//!   "sha256Hash": "<hex>"}`. With the hash alone, the query is the one registered under it, or
//!   the answer is the error `PersistedQueryNotFound` (`PERSISTED_QUERY_NOT_FOUND`), and the
//!   client sends the hash with the query, which registers it (after checking the hash). A GET
//!   of a hash is then a short URL that caches and CDNs can keep.
//! - **Safelist** (`--safelist DIR`): only the operations in the folder's `.graphql` files run,
//!   asked for by their hash or by their exact text; anything else is refused
//!   (`OPERATION_NOT_IN_SAFELIST`) and nothing new is registered.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// Queries registered at most in automatic mode, and their largest total size; past either,
/// older entries make room.
const MAX_ENTRIES: usize = 2_000;
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Why a request's operation cannot be found or run; `code` is its `extensions.code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refusal(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

#[derive(Debug)]
enum Mode {
    Automatic(Mutex<Registered>),
    Safelist(HashMap<String, Arc<str>>),
}

#[derive(Debug, Default)]
struct Registered {
    queries: HashMap<String, Arc<str>>,
    /// Hashes in the order they were registered, oldest first.
    order: std::collections::VecDeque<String>,
    bytes: usize,
}

/// The persisted operations a server knows.
#[derive(Debug)]
pub struct Persisted(Mode);

impl Default for Persisted {
    fn default() -> Self {
        Self(Mode::Automatic(Mutex::default()))
    }
}

/// The lower-case hex SHA-256 of a query text, as APQ clients compute it.
pub fn hash(query: &str) -> String {
    crate::sha256_hex(query.as_bytes())
}

impl Persisted {
    /// A safelist of every `.graphql` file in `dir` (one operation document per file).
    pub fn safelist(dir: &Path) -> Result<Self, String> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the safelist folder {}: {e}", dir.display()))?;
        let mut queries = HashMap::new();
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot read the safelist folder {}: {e}", dir.display()))?
                .path();
            if path.extension().is_none_or(|e| e != "graphql") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            async_graphql::parser::parse_query(&text)
                .map_err(|e| format!("{} is not a GraphQL document: {e}", path.display()))?;
            queries.insert(hash(&text), Arc::from(text));
        }
        if queries.is_empty() {
            return Err(format!(
                "the safelist folder {} holds no .graphql file",
                dir.display()
            ));
        }
        Ok(Self(Mode::Safelist(queries)))
    }

    /// Operations in the safelist, or `None` in automatic mode.
    pub fn safelisted(&self) -> Option<usize> {
        match &self.0 {
            Mode::Safelist(queries) => Some(queries.len()),
            Mode::Automatic(_) => None,
        }
    }

    /// The query text to run for a request that sent `query` (maybe none) and `extensions`.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: Option<&serde_json::Value>,
    ) -> Result<String, Refusal> {
        let persisted = extensions.and_then(|e| e.get("persistedQuery"));
        let sha = match persisted {
            None | Some(serde_json::Value::Null) => None,
            Some(p) => {
                if p.get("version").and_then(serde_json::Value::as_i64) != Some(1) {
                    return Err(refusal(
                        "PERSISTED_QUERY_NOT_SUPPORTED",
                        "Unsupported persisted query version: only version 1 is supported",
                    ));
                }
                let Some(sha) = p.get("sha256Hash").and_then(serde_json::Value::as_str) else {
                    return Err(refusal(
                        graphql::codes::BAD_REQUEST,
                        "`extensions.persistedQuery.sha256Hash` must be a string",
                    ));
                };
                Some(sha.to_ascii_lowercase())
            }
        };
        match (&self.0, query, sha) {
            (_, None, None) => Err(refusal(
                graphql::codes::BAD_REQUEST,
                "the body is not a GraphQL request: it needs a string `query` (or a persisted query's hash in `extensions.persistedQuery`)",
            )),
            (_, Some(query), Some(sha)) if hash(&query) != sha => Err(refusal(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "provided sha does not match query",
            )),
            (Mode::Safelist(queries), query, sha) => {
                let sha = sha.unwrap_or_else(|| query.as_deref().map(hash).unwrap_or_default());
                queries
                    .get(&sha)
                    .map(|q| q.to_string())
                    .ok_or_else(|| {
                        refusal(
                            "OPERATION_NOT_IN_SAFELIST",
                            "this service runs only the operations of its safelist: send one of them, by its text or its hash",
                        )
                    })
            }
            (Mode::Automatic(_), Some(query), None) => Ok(query),
            (Mode::Automatic(registered), Some(query), Some(sha)) => {
                let mut registered = registered.lock().unwrap_or_else(PoisonError::into_inner);
                registered.insert(sha, &query);
                Ok(query)
            }
            (Mode::Automatic(registered), None, Some(sha)) => registered
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .queries
                .get(&sha)
                .map(|q| q.to_string())
                .ok_or_else(|| refusal("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")),
        }
    }
}

impl Registered {
    fn insert(&mut self, sha: String, query: &str) {
        if self.queries.contains_key(&sha) {
            return;
        }
        while !self.order.is_empty()
            && (self.queries.len() >= MAX_ENTRIES || self.bytes + query.len() > MAX_BYTES)
        {
            if let Some(old) = self.order.pop_front()
                && let Some(text) = self.queries.remove(&old)
            {
                self.bytes -= text.len();
            }
        }
        self.bytes += query.len();
        self.order.push_back(sha.clone());
        self.queries.insert(sha, Arc::from(query));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ext(sha: &str) -> serde_json::Value {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": sha } })
    }

    #[test]
    fn the_hash_is_apollos() {
        // sha256("{ cities { id } }"), as `printf '%s' '{ cities { id } }' | sha256sum` prints it.
        assert_eq!(
            hash("{ cities { id } }"),
            "5f0dfd353b17496c610db097e5ccc40b104ed0cf683bb54c1e60da9d963654ff"
        );
    }

    #[test]
    fn registered_queries_are_bounded_oldest_first() {
        let mut r = Registered::default();
        for i in 0..MAX_ENTRIES + 5 {
            r.insert(format!("h{i}"), "q");
        }
        assert_eq!(r.queries.len(), MAX_ENTRIES);
        assert!(!r.queries.contains_key("h4"));
        assert!(r.queries.contains_key("h5"));
        assert_eq!(r.bytes, MAX_ENTRIES);
    }

    #[test]
    fn automatic_mode_finds_what_was_registered() {
        let p = Persisted::default();
        let q = "{ cities { id } }";
        let sha = hash(q);
        let missing = p.resolve(None, Some(&ext(&sha))).expect_err("not yet");
        assert_eq!(missing.code, "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(missing.message, "PersistedQueryNotFound");
        assert_eq!(
            p.resolve(Some(q.to_owned()), Some(&ext(&sha))),
            Ok(q.to_owned())
        );
        assert_eq!(
            p.resolve(None, Some(&ext(&sha.to_uppercase()))),
            Ok(q.to_owned())
        );
        let wrong = p.resolve(Some("{ sources { id } }".to_owned()), Some(&ext(&sha)));
        assert_eq!(
            wrong.expect_err("mismatch").code,
            "PERSISTED_QUERY_HASH_MISMATCH"
        );
        let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": sha } });
        assert_eq!(
            p.resolve(None, Some(&v2)).expect_err("v2").code,
            "PERSISTED_QUERY_NOT_SUPPORTED"
        );
        assert_eq!(p.resolve(Some(q.to_owned()), None), Ok(q.to_owned()));
    }
}
