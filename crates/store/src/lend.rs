//! Connections for reads, kept between statements by the district rather than by sqlx's pool.
//!
//! sqlx's pool tests every connection given back to it before it lends it again: a task spawned
//! per statement and a round trip, through the SQLite connection's worker thread or to the
//! PostgreSQL server, after every statement (BENCHMARKS.md has what it cost). A read that ran to its end leaves its connection as it found it (reads open
//! no transaction), so a [`Lender`] keeps such a connection as it is; a read that did not
//! (cancelled by the district's timeout, or its connection failed) drops the connection.
//!
//! Writes, transactions and migrations keep using sqlx's pool.

use sqlx::{ConnectOptions, Connection, Database};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// At most `size` connections of one database lent at once, and the idle ones kept.
pub(crate) struct Lender<DB: Database> {
    options: <DB::Connection as Connection>::Options,
    idle: Mutex<Vec<(DB::Connection, Instant)>>,
    permits: Semaphore,
    size: usize,
    /// Connections opened so far.
    opened: AtomicUsize,
    /// An idle connection older than this is closed rather than lent (a server may end idle
    /// sessions; SQLite's worker threads should not outlive their use).
    idle_timeout: Duration,
}

impl<DB: Database> std::fmt::Debug for Lender<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lender")
            .field("size", &self.size)
            .field("idle", &self.idle().len())
            .field("opened", &self.opened())
            .field("closed", &self.permits.is_closed())
            .finish()
    }
}

impl<DB: Database> Lender<DB> {
    /// Lends connections opened with `options`, at most `size` at once.
    pub(crate) fn new(
        options: <DB::Connection as Connection>::Options,
        size: usize,
        idle_timeout: Duration,
    ) -> Self {
        Self {
            options,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(size),
            size,
            opened: AtomicUsize::new(0),
            idle_timeout,
        }
    }

    /// How many connections it has opened.
    pub(crate) fn opened(&self) -> usize {
        self.opened.load(Ordering::Relaxed)
    }

    /// How many connections may be lent at once.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    fn idle(&self) -> MutexGuard<'_, Vec<(DB::Connection, Instant)>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection, once one of the `size` is free: the one given back last, or a new one.
    pub(crate) async fn lend(&self) -> Result<Lent<'_, DB>, sqlx::Error> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let (kept, expired) = {
            let mut idle = self.idle();
            let expired = match idle
                .iter()
                .position(|(_, since)| since.elapsed() < self.idle_timeout)
            {
                // Given back in order: everything before the first fresh one is older.
                Some(fresh) => idle.drain(..fresh).collect(),
                None => std::mem::take(&mut *idle),
            };
            (idle.pop(), expired)
        };
        // Dropped outside the lock: a SQLite connection's worker thread ends, a PostgreSQL
        // socket closes.
        drop(expired);
        let conn = match kept {
            Some((conn, _)) => conn,
            None => {
                let conn = self.options.connect().await?;
                self.opened.fetch_add(1, Ordering::Relaxed);
                conn
            }
        };
        Ok(Lent {
            lender: self,
            conn: Some(conn),
            _permit: permit,
        })
    }

    /// Closes the idle connections and refuses to lend again; a connection lent now is closed
    /// when it comes back.
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle());
        for (conn, _) in idle {
            // A connection that cannot close cleanly is dropped all the same.
            let _ = conn.close().await;
        }
    }

    fn keep(&self, conn: DB::Connection) {
        if !self.permits.is_closed() {
            self.idle().push((conn, Instant::now()));
        }
    }
}

/// A lent connection. [`Lent::done`] gives it back when the read left it usable; dropped
/// otherwise, the connection is closed.
pub(crate) struct Lent<'a, DB: Database> {
    lender: &'a Lender<DB>,
    conn: Option<DB::Connection>,
    _permit: SemaphorePermit<'a>,
}

impl<DB: Database> Lent<'_, DB> {
    pub(crate) fn conn(&mut self) -> &mut DB::Connection {
        self.conn
            .as_mut()
            .expect("a lent connection is there until the loan ends")
    }

    /// Ends the loan with the read's `result`: the connection goes back when the read ran to its
    /// end, or the database refused the statement (which leaves the connection as it was) and
    /// `usable` agrees; otherwise it is closed.
    pub(crate) fn done<T>(
        mut self,
        result: Result<T, sqlx::Error>,
        usable: impl FnOnce(&sqlx::Error) -> bool,
    ) -> Result<T, sqlx::Error> {
        let keep = match &result {
            Ok(_) => true,
            Err(e @ sqlx::Error::Database(_)) => usable(e),
            Err(_) => false,
        };
        if keep && let Some(conn) = self.conn.take() {
            self.lender.keep(conn);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Sqlite;
    use sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;

    fn lender(size: usize, idle_timeout: Duration) -> Lender<Sqlite> {
        let options =
            SqliteConnectOptions::from_str("sqlite::memory:").expect("an in-memory database");
        Lender::new(options, size, idle_timeout)
    }

    async fn one(lender: &Lender<Sqlite>, sql: &str) -> Result<i64, sqlx::Error> {
        let mut lent = lender.lend().await?;
        let got = sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(lent.conn())
            .await;
        lent.done(got, |_| true)
    }

    #[tokio::test]
    async fn a_read_that_ends_gives_its_connection_back() {
        let l = lender(4, Duration::from_secs(60));
        for _ in 0..5 {
            assert_eq!(one(&l, "SELECT 7").await.expect("a read"), 7);
        }
        assert_eq!(l.opened(), 1);
        // A statement the database refuses leaves the connection usable: kept.
        assert!(matches!(
            one(&l, "SELECT nope").await,
            Err(sqlx::Error::Database(_))
        ));
        assert_eq!(one(&l, "SELECT 8").await.expect("a read"), 8);
        assert_eq!(l.opened(), 1);
    }

    #[tokio::test]
    async fn a_read_that_does_not_end_closes_its_connection() {
        let l = lender(4, Duration::from_secs(60));
        one(&l, "SELECT 1").await.expect("a read");
        // Dropped mid-loan (what a timeout does to the read's future).
        drop(l.lend().await.expect("a loan"));
        one(&l, "SELECT 1").await.expect("a read");
        assert_eq!(l.opened(), 2);
        // Given back with an error that says the connection failed: not kept either.
        let lent = l.lend().await.expect("a loan");
        let failed: Result<(), _> = lent.done(Err(sqlx::Error::WorkerCrashed), |_| true);
        assert!(failed.is_err());
        // A database error the caller says left the connection unusable: not kept.
        let mut lent = l.lend().await.expect("a loan");
        let refused = sqlx::query("SELECT nope").execute(lent.conn()).await;
        assert!(lent.done(refused, |_| false).is_err());
        one(&l, "SELECT 1").await.expect("a read");
        assert_eq!(l.opened(), 4);
    }

    #[tokio::test]
    async fn at_most_size_connections_are_lent_at_once() {
        let l = lender(2, Duration::from_secs(60));
        let a = l.lend().await.expect("a loan");
        let b = l.lend().await.expect("a loan");
        let third = tokio::time::timeout(Duration::from_millis(50), l.lend()).await;
        assert!(third.is_err(), "a third loan waits while two are out");
        drop(a);
        let c = tokio::time::timeout(Duration::from_secs(5), l.lend())
            .await
            .expect("a loan once one is back")
            .expect("a connection");
        drop((b, c));
        assert_eq!(l.opened(), 3);
    }

    #[tokio::test]
    async fn idle_connections_expire() {
        let l = lender(4, Duration::from_millis(20));
        one(&l, "SELECT 1").await.expect("a read");
        one(&l, "SELECT 1").await.expect("a read");
        assert_eq!(l.opened(), 1);
        tokio::time::sleep(Duration::from_millis(40)).await;
        one(&l, "SELECT 1").await.expect("a read");
        assert_eq!(l.opened(), 2);
        assert_eq!(l.idle().len(), 1);
    }

    #[tokio::test]
    async fn a_closed_lender_lends_nothing_and_keeps_nothing() {
        let l = lender(4, Duration::from_secs(60));
        one(&l, "SELECT 1").await.expect("a read");
        let out = l.lend().await.expect("a loan");
        l.close().await;
        assert_eq!(l.idle().len(), 0);
        assert!(out.done(Ok(()), |_| true).is_ok());
        assert_eq!(
            l.idle().len(),
            0,
            "a connection back after the close is closed"
        );
        assert!(matches!(l.lend().await, Err(sqlx::Error::PoolClosed)));
    }
}
