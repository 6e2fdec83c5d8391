//! Batch-shaped reads. Callers hand over a whole batch of keys and get every matching row back in
//! one statement, grouped by key.

use crate::backend::Readable;
use crate::sql::Sql;
use crate::{District, StoreError};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

/// A row type readable from a district.
pub trait Table: Readable {
    const TABLE: &'static str;
    /// The columns the row reads, comma-separated.
    const COLUMNS: &'static str;
    /// Order within one key's rows (the source's order).
    const ORDER: &'static str;
}

/// A row with the batch key it matched (column `batch_key`).
pub(crate) struct Keyed<R> {
    key: String,
    row: R,
}

impl<'r, W, R> FromRow<'r, W> for Keyed<R>
where
    W: Row,
    R: FromRow<'r, W>,
    &'r str: ColumnIndex<W>,
    String: Decode<'r, W::Database> + Type<W::Database>,
{
    fn from_row(row: &'r W) -> Result<Self, sqlx::Error> {
        Ok(Self {
            key: row.try_get("batch_key")?,
            row: R::from_row(row)?,
        })
    }
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
        let mut sql = Sql::new(&format!(
            "SELECT {by} AS batch_key, {cols} FROM {table} WHERE {by} IN ",
            cols = R::COLUMNS,
            table = R::TABLE,
        ));
        sql.bind_list(keys)
            .push(&format!(" ORDER BY {by}, {order}", order = R::ORDER));
        let rows: Vec<Keyed<R>> = self.fetch_rows(&sql).await?;
        Ok(rows.into_iter().map(|k| (k.key, k.row)).collect())
    }
}
