//! Get-or-create under concurrency. Two writers that look for the same row, find none and both
//! insert it would make the second fail on the unique index; so a row that may exist is
//! inserted with `ON CONFLICT DO NOTHING` (the statement waits for a concurrent insert of the
//! same key to commit, then does nothing) and read back, and a transaction that still loses a
//! race (a serialization failure, a deadlock, a unique key this module does not guard) is run
//! again from the start.

use std::future::Future;
use std::time::Duration;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, RuntimeErr, SqlErr,
    TryInsertResult,
};

/// Inserts `row` unless it would break a unique index (any of the table's); answers the row
/// inserted, or `None` when one with the same key is there (committed by another writer, or
/// earlier in this transaction).
///
/// # Errors
///
/// The database's.
pub async fn insert_new<A>(
    db: &impl ConnectionTrait,
    row: A,
) -> Result<Option<<A::Entity as EntityTrait>::Model>, DbErr>
where
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let inserted = A::Entity::insert(row)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .try_insert()
        .exec_with_returning_many(db)
        .await?;
    // A conflict returns no row (the backends differ in how they say so).
    Ok(match inserted {
        TryInsertResult::Inserted(rows) => rows.into_iter().next(),
        TryInsertResult::Conflicted | TryInsertResult::Empty => None,
    })
}

/// Whether `e` is a lost race that running the transaction again would win: a unique key
/// taken meanwhile, a serialization failure or a deadlock (PostgreSQL), a busy database
/// (SQLite).
#[must_use]
pub fn lost_race(e: &DbErr) -> bool {
    if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        return true;
    }
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = e
    else {
        return false;
    };
    let Some(db) = e.as_database_error() else {
        return false;
    };
    // 40001 serialization_failure, 40P01 deadlock_detected; SQLite's 5 SQLITE_BUSY and 6
    // SQLITE_LOCKED (with their extended codes, 261, 517, 262...).
    match db.code().as_deref() {
        Some("40001" | "40P01") => true,
        Some(code) => code.parse::<u32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6)),
        None => false,
    }
}

/// Attempts of a transaction that loses races.
const ATTEMPTS: u32 = 5;

/// Runs `attempt` (a whole transaction) again when it loses a race ([`lost_race`]), a few
/// times with a short growing pause; any other error, or the last one, is answered.
///
/// # Errors
///
/// The last attempt's, or the first that is not a lost race.
pub async fn retry_races<T, E, F, Fut>(
    mut attempt: F,
    as_db: impl Fn(&E) -> Option<&DbErr>,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut n = 1;
    loop {
        match attempt().await {
            Err(e) if n < ATTEMPTS && as_db(&e).is_some_and(lost_race) => {
                tracing::debug!(attempt = n, "a transaction lost a race; running it again");
                tokio::time::sleep(Duration::from_millis(5 * u64::from(n * n))).await;
                n += 1;
            }
            other => return other,
        }
    }
}
