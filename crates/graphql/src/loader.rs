//! One DataLoader for every batched read. A key names a table (by its row type), the column the
//! batch is keyed by, and the key value; a batch becomes one `store` statement per district and
//! column, run concurrently across districts.
//!
//! Delay: see [`crate::BATCH_DELAY`].

use crate::Districts;
use async_graphql::dataloader::Loader;
use futures::future::join_all;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;
use store::{StoreError, Table};

/// The key of one batched read: rows of `T` whose column `by` equals `id`.
pub struct Key<T> {
    by: &'static str,
    id: String,
    _row: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    pub fn new(by: &'static str, id: impl Into<String>) -> Self {
        Self {
            by,
            id: id.into(),
            _row: PhantomData,
        }
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        Self::new(self.by, self.id.clone())
    }
}
impl<T> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        self.by == other.by && self.id == other.id
    }
}
impl<T> Eq for Key<T> {}
impl<T> Hash for Key<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.by.hash(state);
        self.id.hash(state);
    }
}

/// Loads batches from the districts.
pub struct StoreLoader {
    pub(crate) districts: Arc<Districts>,
}

/// One key's rows, or the failure of the district that holds them.
pub type Loaded<T> = Result<Vec<T>, Arc<StoreError>>;

impl<T: Table + Clone + Send + Sync> Loader<Key<T>> for StoreLoader {
    type Value = Loaded<T>;
    type Error = Arc<StoreError>;

    /// Never fails as a whole: a district that fails fails only its own keys, so the other
    /// cities' rows still arrive.
    async fn load(&self, keys: &[Key<T>]) -> Result<HashMap<Key<T>, Loaded<T>>, Self::Error> {
        // Group by (district, column): one statement each.
        let mut groups: HashMap<(usize, &'static str), Vec<String>> = HashMap::new();
        for key in keys {
            if let Some(index) = self.districts.index_of_id(&key.id) {
                groups
                    .entry((index, key.by))
                    .or_default()
                    .push(key.id.clone());
            }
        }
        let fetches = groups.into_iter().map(|((index, by), ids)| {
            let district = &self.districts.list()[index];
            async move {
                let rows = self
                    .districts
                    .attempt(district, district.fetch::<T>(by, &ids))
                    .await;
                (by, ids, rows)
            }
        });
        let mut out: HashMap<Key<T>, Loaded<T>> = HashMap::new();
        for (by, ids, rows) in join_all(fetches).await {
            match rows {
                Ok(rows) => {
                    for (id, row) in rows {
                        if let Ok(list) = out
                            .entry(Key::new(by, id))
                            .or_insert_with(|| Ok(Vec::new()))
                        {
                            list.push(row);
                        }
                    }
                }
                Err(failure) => {
                    for id in ids {
                        out.insert(Key::new(by, id), Err(failure.clone()));
                    }
                }
            }
        }
        Ok(out)
    }
}
