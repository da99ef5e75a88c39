//! Write transactions, and the turn each takes on a SQLite file.
//!
//! SQLite lets one connection write at a time, and a second `BEGIN IMMEDIATE` does not queue for
//! the lock: it fails with `SQLITE_BUSY`, and the busy handler sleeps on a timer that grows (1, 2,
//! 5, 10, 15, 20, 25 ms and on) before it tries again. Under load a writer so slept on long after
//! the lock was free: replies to a community had a p99 of 59 ms for a median of 5. Writers in one
//! process therefore line up on an asynchronous lock per database file before they begin, and
//! each starts the moment the one before it ends (p99 15 ms since).
//!
//! Writers of another process on the same file (a command run beside the server) and writes
//! made outside [`begin_write`] still meet the busy handler, as before: the lock orders waiting,
//! it does not replace SQLite's own.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait as _,
};
use tokio::sync::{Mutex as Turn, OwnedMutexGuard};

/// The turn of every SQLite file this process writes, by the file's path as the pool opened it.
static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<Turn<()>>>>> = LazyLock::new(Mutex::default);

/// A transaction from [`begin_write`]. It reads and writes as a [`DatabaseTransaction`] does (it
/// dereferences to one and is a [`ConnectionTrait`] itself); on SQLite it holds its file's turn
/// until it is committed, rolled back or dropped.
#[derive(Debug)]
pub struct WriteTransaction {
    // Declared first: dropped first, so a dropped transaction starts its rollback before the
    // next writer is let in.
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

/// Opens a transaction that reads and then writes. On SQLite it takes the write lock at once:
/// a deferred transaction that read first could not upgrade to a writer while another one writes,
/// and would fail at once instead of waiting its turn (two password-reset requests for one
/// address, two sign-ups, two ingests); and it waits in line behind the other writers of this
/// process rather than on SQLite's timer (see the module). On PostgreSQL it is an ordinary
/// transaction.
///
/// # Errors
///
/// The database's.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    let turn = match turn_of(db) {
        Some(turn) => Some(turn.lock_owned().await),
        None => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok(WriteTransaction { txn, _turn: turn })
}

/// The turn of `db`'s file when `db` is a SQLite pool.
fn turn_of(db: &DatabaseConnection) -> Option<Arc<Turn<()>>> {
    if !matches!(
        db.inner,
        sea_orm::DatabaseConnectionType::SqlxSqlitePoolConnection(_)
    ) {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut turns = TURNS.lock().unwrap_or_else(PoisonError::into_inner);
    Some(Arc::clone(turns.entry(file).or_default()))
}

impl WriteTransaction {
    /// Commits, then lets the next writer in.
    ///
    /// # Errors
    ///
    /// The database's; the transaction is then rolled back.
    pub async fn commit(self) -> Result<(), DbErr> {
        let Self { txn, _turn } = self;
        txn.commit().await
    }

    /// Rolls back, then lets the next writer in.
    ///
    /// # Errors
    ///
    /// The database's.
    pub async fn rollback(self) -> Result<(), DbErr> {
        let Self { txn, _turn } = self;
        txn.rollback().await
    }
}

impl Deref for WriteTransaction {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.txn.is_mock_connection()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two writers of one file: the second waits for the first to end, then goes on; a dropped
    /// transaction lets the next one in too.
    #[tokio::test]
    async fn writers_of_one_file_take_turns() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = super::super::connect(&url).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER)")
            .await
            .unwrap();
        let first = begin_write(&db).await.unwrap();
        first
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let second = {
            let db = db.clone();
            tokio::spawn(async move {
                let txn = begin_write(&db).await.unwrap();
                let n = txn
                    .query_one_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        "SELECT COUNT(*) AS n FROM t",
                    ))
                    .await
                    .unwrap()
                    .unwrap()
                    .try_get::<i64>("", "n")
                    .unwrap();
                txn.commit().await.unwrap();
                n
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "the second writer did not wait");
        first.commit().await.unwrap();
        assert_eq!(second.await.unwrap(), 1, "it began after the first ended");

        let dropped = begin_write(&db).await.unwrap();
        drop(dropped);
        let next = tokio::time::timeout(std::time::Duration::from_secs(2), begin_write(&db))
            .await
            .expect("a dropped transaction kept the turn")
            .unwrap();
        next.rollback().await.unwrap();
    }

    #[tokio::test]
    async fn an_in_memory_database_takes_turns_too() {
        let db = super::super::connect("sqlite::memory:").await.unwrap();
        let txn = begin_write(&db).await.unwrap();
        txn.commit().await.unwrap();
    }
}
