//! Batch-shaped reads. Callers hand over a whole batch of keys and get every matching row back in
//! one statement, grouped by key.

use crate::{District, StoreError};
use sqlx::sqlite::SqliteRow;

/// A row type readable from a district.
pub trait Table: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin + 'static {
    const TABLE: &'static str;
    /// The columns the row reads, comma-separated.
    const COLUMNS: &'static str;
    /// Order within one key's rows (the source's order).
    const ORDER: &'static str;
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl District {
    /// Rows of `R` whose column `by` is one of `keys`, in one statement, each paired with the key
    /// it matched. `by` is a column name chosen by the caller's code, never by user input.
    pub async fn fetch<R: Table>(
        &self,
        by: &'static str,
        keys: &[String],
    ) -> Result<Vec<(String, R)>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {by} AS batch_key, {cols} FROM {table} WHERE {by} IN ({ph}) ORDER BY {by}, {order}",
            cols = R::COLUMNS,
            table = R::TABLE,
            ph = placeholders(1, keys.len()),
            order = R::ORDER,
        );
        let mut q = sqlx::query(&sql);
        for k in keys {
            q = q.bind(k);
        }
        let rows = q
            .fetch_all(self.counted())
            .await
            .map_err(self.query_err())?;
        rows.iter()
            .map(|row| {
                use sqlx::Row;
                let key: String = row.try_get("batch_key")?;
                Ok((key, R::from_row(row)?))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(self.query_err())
    }
}
