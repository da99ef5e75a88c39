//! The job queue: background work (crawls, e-mail, re-indexing) as rows of the `jobs` table.
//!
//! - [`enqueue`] adds a job; a job with a deduplication key is added only if no job with that key
//!   is queued, running or dead, so fanning out the same repository twice queues it once.
//! - [`Queue::claim`] takes the next due job and leases it to one worker for a while. On
//!   PostgreSQL the claim skips rows other workers are claiming (`FOR UPDATE SKIP LOCKED`), so
//!   several `riuso worker` processes on several machines share the queue; on SQLite the claim is
//!   one write under the database's single write lock.
//! - A worker that dies mid-job stops renewing its lease ([`Queue::extend`]); when the lease runs
//!   out, another worker claims the job again.
//! - [`Queue::fail`] schedules another attempt after an exponential backoff with jitter; a job
//!   that has used all its attempts is kept as `dead` with its last error, for an operator.
//! - [`Queue::complete`] deletes the job: the queue holds only work still to do.
//!
//! Times are microseconds since the Unix epoch taken from the worker's clock, so both databases
//! compare integers.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement};

use crate::db::{in_list, statement};

/// Microseconds since the Unix epoch, now.
fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// A job to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What to do (`crawl-publisher`, `crawl-repository`, ...): the worker dispatches on it.
    pub kind: String,
    /// The job's arguments.
    pub payload: serde_json::Value,
    /// At most one job with this key exists at a time.
    pub dedup_key: Option<String>,
    /// Higher runs first among due jobs.
    pub priority: i32,
    /// Not before this delay from now.
    pub delay: Duration,
    /// Attempts before the job is declared dead.
    pub max_attempts: u32,
    /// The batch the job belongs to (a crawl run), if any.
    pub batch: Option<i64>,
}

impl NewJob {
    /// The values of its row at `now`, in the order the inserts name the columns: kind,
    /// payload, dedup key, priority, max attempts, run at, created at, batch.
    fn values(&self, now: i64) -> [sea_orm::Value; 8] {
        [
            self.kind.clone().into(),
            self.payload.to_string().into(),
            self.dedup_key.clone().into(),
            self.priority.into(),
            i32::try_from(self.max_attempts).unwrap_or(i32::MAX).into(),
            now.saturating_add(micros(self.delay)).into(),
            now.into(),
            self.batch.into(),
        ]
    }

    /// A job of `kind` with `payload`, due now, five attempts, no key.
    #[must_use]
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            dedup_key: None,
            priority: 0,
            delay: Duration::ZERO,
            max_attempts: 5,
            batch: None,
        }
    }

    /// The same job, deduplicated by `key`.
    #[must_use]
    pub fn dedup(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }
}

/// Adds `job`; returns its id, or `None` when a job with the same key already exists.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue(db: &impl ConnectionTrait, job: &NewJob) -> Result<Option<i64>, DbErr> {
    let backend = db.get_database_backend();
    let now = now_us();
    // Only a keyed job can conflict with another.
    let on_conflict = if job.dedup_key.is_some() {
        " ON CONFLICT (dedup_key) DO NOTHING"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO jobs (kind, payload, dedup_key, priority, state, attempts, max_attempts, \
         run_at_us, created_at_us, batch) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?){on_conflict} \
         RETURNING id"
    );
    let row = db
        .query_one_raw(statement(backend, &sql, job.values(now).to_vec()))
        .await?;
    row.map(|r| r.try_get::<i64>("", "id")).transpose()
}

/// Jobs added per statement by [`enqueue_all`]. PostgreSQL plans a statement of thousands of
/// bound values slowly (1,000 jobs took 150 ms in statements of 500, 30 ms in statements of 100),
/// and 800 values stay far below both databases' limits (SQLite 32,766, PostgreSQL 65,535).
const ROWS_PER_INSERT: usize = 100;

/// Adds `jobs` with one statement per 100 (a job whose key exists already is skipped, as by
/// [`enqueue`]); returns how many were added. For work found in bulk, where a round trip per job
/// would cost more than the jobs' rows.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue_all(db: &impl ConnectionTrait, jobs: &[NewJob]) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let now = now_us();
    let mut added = 0;
    for chunk in jobs.chunks(ROWS_PER_INSERT) {
        let rows = vec!["(?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)"; chunk.len()].join(", ");
        // Keys are unique; rows without one never conflict.
        let sql = format!(
            "INSERT INTO jobs (kind, payload, dedup_key, priority, state, attempts, max_attempts, \
             run_at_us, created_at_us, batch) VALUES {rows} ON CONFLICT (dedup_key) DO NOTHING"
        );
        let mut values = Vec::with_capacity(chunk.len() * 8);
        for job in chunk {
            values.extend(job.values(now));
        }
        added += db
            .execute_raw(statement(backend, &sql, values))
            .await?
            .rows_affected();
    }
    Ok(added)
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// The batch it belongs to.
    pub batch: Option<i64>,
    /// Kind.
    pub kind: String,
    /// Arguments.
    pub payload: serde_json::Value,
    /// This attempt's number, from 1.
    pub attempt: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
}

/// What happened to a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Another attempt is scheduled after this delay.
    Retry(Duration),
    /// No attempts left: the job is kept as dead.
    Dead,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Waiting (due or not), including jobs whose lease ran out.
    pub queued: u64,
    /// Leased to a worker.
    pub running: u64,
    /// Out of attempts.
    pub dead: u64,
}

/// One worker's handle on the queue.
#[derive(Debug, Clone)]
pub struct Queue {
    db: DatabaseConnection,
    worker: String,
    lease: Duration,
    backoff: Duration,
    /// Kinds this handle never claims.
    skip: Vec<String>,
    /// When (µs) this handle next looks for jobs whose lease ran out before due ones, shared by
    /// its clones: a lease runs out only when a worker died, so one look a second is enough,
    /// and a claim is then one statement.
    next_expiry_look_us: Arc<AtomicI64>,
}

/// How often a busy worker looks for jobs whose lease ran out; an idle one looks at every claim.
const EXPIRY_LOOK_EVERY: Duration = Duration::from_secs(1);

impl Queue {
    /// A handle for the worker named `worker` (unique per process, e.g. host and pid), leasing
    /// jobs for `lease` at a time.
    #[must_use]
    pub fn new(db: DatabaseConnection, worker: impl Into<String>, lease: Duration) -> Self {
        Self {
            db,
            worker: worker.into(),
            lease,
            backoff: Duration::from_secs(30),
            skip: Vec::new(),
            next_expiry_look_us: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The same handle, never claiming jobs of `kinds` (other workers take them).
    #[must_use]
    pub fn skipping(mut self, kinds: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.skip = kinds.into_iter().map(Into::into).collect();
        self
    }

    /// The kinds this handle never claims.
    #[must_use]
    pub fn skipped(&self) -> &[String] {
        &self.skip
    }

    /// The same handle with another first retry delay (doubled at every attempt, ±25 % jitter).
    #[must_use]
    pub fn with_backoff(mut self, first_retry: Duration) -> Self {
        self.backoff = first_retry;
        self
    }

    /// The worker name this handle claims jobs as.
    #[must_use]
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Claims the next due job (highest priority, then oldest), or `None` when nothing is due.
    /// A job whose lease ran out (its worker died) goes first: looked for once a second while
    /// due jobs keep coming, and whenever none is due.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn claim(&self) -> Result<Option<Job>, DbErr> {
        self.claim_in(None).await
    }

    /// Claims as [`Queue::claim`] does, only among the jobs of `batch` when one is given.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn claim_in(&self, batch: Option<i64>) -> Result<Option<Job>, DbErr> {
        const EXPIRED: &str = "state = 'running' AND locked_until_us < ?";
        let now = now_us();
        let look_first = self.next_expiry_look_us.load(Ordering::Relaxed) <= now;
        if look_first {
            self.next_expiry_look_us.store(
                now.saturating_add(micros(EXPIRY_LOOK_EVERY)),
                Ordering::Relaxed,
            );
            if let Some(expired) = self.claim_where(EXPIRED, batch).await? {
                return Ok(Some(expired));
            }
        }
        // Each query walks an index in the order it takes jobs, and stops at the first. SQLite
        // would pick the index on (state, run_at_us) for the range and sort what it finds; `+`
        // keeps the column out of the index choice, so the ordered index is walked instead.
        let due = if self.db.get_database_backend() == DbBackend::Sqlite {
            "state = 'queued' AND +run_at_us <= ?"
        } else {
            "state = 'queued' AND run_at_us <= ?"
        };
        match self.claim_where(due, batch).await? {
            Some(job) => Ok(Some(job)),
            // An idle worker takes a job whose lease ran out without waiting for its next look.
            None if !look_first => self.claim_where(EXPIRED, batch).await,
            None => Ok(None),
        }
    }

    /// Claims the first job (highest priority, then oldest) that `due`, a condition on the time
    /// now, selects among the kinds this handle takes (and in `batch`, if given).
    async fn claim_where(&self, due: &str, batch: Option<i64>) -> Result<Option<Job>, DbErr> {
        let backend = self.db.get_database_backend();
        // As for the time, SQLite must not choose the index on the batch and sort its jobs.
        let in_batch = match (batch, backend) {
            (None, _) => "",
            (Some(_), DbBackend::Sqlite) => " AND +batch = ?",
            (Some(_), _) => " AND batch = ?",
        };
        let now = now_us();
        let lock = if backend == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let skip = " AND kind <> ?".repeat(self.skip.len());
        let sql = format!(
            "UPDATE jobs SET state = 'running', locked_by = ?, locked_until_us = ?, \
             attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE {due}{in_batch}{skip} \
             ORDER BY priority DESC, run_at_us, id LIMIT 1{lock}) \
             RETURNING id, kind, payload, attempts, max_attempts, batch"
        );
        let mut values: Vec<sea_orm::Value> = vec![
            self.worker.clone().into(),
            now.saturating_add(micros(self.lease)).into(),
            now.into(),
        ];
        values.extend(batch.map(Into::into));
        values.extend(self.skip.iter().map(|kind| kind.clone().into()));
        let row = self
            .db
            .query_one_raw(statement(backend, &sql, values))
            .await?;
        row.map(|r| job(&r)).transpose()
    }

    /// Renews the lease of `job`; `false` when this worker no longer holds it (the lease ran
    /// out and another worker took the job).
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn extend(&self, job: &Job) -> Result<bool, DbErr> {
        let backend = self.db.get_database_backend();
        let done = self
            .db
            .execute_raw(statement(
                backend,
                "UPDATE jobs SET locked_until_us = ? WHERE id = ? AND locked_by = ? AND state = 'running'",
                vec![
                    now_us().saturating_add(micros(self.lease)).into(),
                    job.id.into(),
                    self.worker.clone().into(),
                ],
            ))
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes `job`, done; `false` when this worker no longer held it.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn complete(&self, job: &Job) -> Result<bool, DbErr> {
        let backend = self.db.get_database_backend();
        let done = self
            .db
            .execute_raw(statement(
                backend,
                "DELETE FROM jobs WHERE id = ? AND locked_by = ?",
                vec![job.id.into(), self.worker.clone().into()],
            ))
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes `job`, done, and says whether any other job of its batch `batch` of the `kinds`
    /// is left queued or running (see [`any_pending_of`]). On SQLite the two are one statement:
    /// the write lock orders it after every other worker's, so the last job of a batch always
    /// sees none left. On PostgreSQL two: a look in the same statement would not see another
    /// worker's last job deleted at the same time, and neither would close the batch.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn complete_in(&self, job: &Job, batch: i64, kinds: &[&str]) -> Result<bool, DbErr> {
        let backend = self.db.get_database_backend();
        if backend == DbBackend::Sqlite && !kinds.is_empty() {
            let (pending, pending_values) = pending_of("other.", batch, kinds);
            let sql = format!(
                "DELETE FROM jobs WHERE id = ? AND locked_by = ? RETURNING CASE WHEN EXISTS \
                 (SELECT 1 FROM jobs AS other WHERE {pending} AND other.id <> ?) \
                 THEN 1 ELSE 0 END AS pending"
            );
            let mut values: Vec<sea_orm::Value> = vec![job.id.into(), self.worker.clone().into()];
            values.extend(pending_values);
            values.push(job.id.into());
            let row = self
                .db
                .query_one_raw(statement(backend, &sql, values))
                .await?;
            if let Some(row) = row {
                return Ok(row.try_get::<i32>("", "pending")? != 0);
            }
        } else {
            self.complete(job).await?;
        }
        any_pending_of(&self.db, batch, kinds).await
    }

    /// Records that `job` failed with `error`: another attempt after a backoff, or dead.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn fail(&self, job: &Job, error: &str) -> Result<Failure, DbErr> {
        let backend = self.db.get_database_backend();
        let outcome = if job.attempt >= job.max_attempts {
            Failure::Dead
        } else {
            Failure::Retry(backoff(self.backoff, job.attempt, job.id.unsigned_abs()))
        };
        let (state, run_at) = match outcome {
            Failure::Dead => ("dead", now_us()),
            Failure::Retry(delay) => ("queued", now_us().saturating_add(micros(delay))),
        };
        // A dead job gives its key up, so the same work can be queued afresh.
        let dedup = if outcome == Failure::Dead {
            "dedup_key = NULL, "
        } else {
            ""
        };
        let sql = format!(
            "UPDATE jobs SET state = ?, {dedup}run_at_us = ?, locked_by = NULL, \
             locked_until_us = NULL, last_error = ? WHERE id = ? AND locked_by = ?"
        );
        self.db
            .execute_raw(statement(
                backend,
                &sql,
                vec![
                    state.into(),
                    run_at.into(),
                    error.chars().take(4000).collect::<String>().into(),
                    job.id.into(),
                    self.worker.clone().into(),
                ],
            ))
            .await?;
        Ok(outcome)
    }

    /// How many jobs are queued, running and dead.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn stats(&self) -> Result<Stats, DbErr> {
        stats(&self.db).await
    }
}

/// How many jobs of `batch` are queued or running.
///
/// # Errors
///
/// Fails on a database error.
pub async fn pending(db: &impl ConnectionTrait, batch: i64) -> Result<u64, DbErr> {
    count_pending(db, batch, &[]).await
}

/// How many jobs of `batch` other than those of `kind` are queued or running.
///
/// # Errors
///
/// Fails on a database error.
pub async fn pending_except(
    db: &impl ConnectionTrait,
    batch: i64,
    kind: &str,
) -> Result<u64, DbErr> {
    count_pending(db, batch, &[kind]).await
}

/// Whether any job of `batch` of the `kinds` is queued or running (a look for the first, not a
/// count: workers ask after every job). Asked by the kinds wanted, not those left out, so the
/// index on a batch's jobs by kind reads none of the others.
///
/// # Errors
///
/// Fails on a database error.
pub async fn any_pending_of(
    db: &impl ConnectionTrait,
    batch: i64,
    kinds: &[&str],
) -> Result<bool, DbErr> {
    if kinds.is_empty() {
        return Ok(false);
    }
    let (pending, values) = pending_of("", batch, kinds);
    let sql = format!("SELECT 1 AS one FROM jobs WHERE {pending} LIMIT 1");
    Ok(db
        .query_one_raw(statement(db.get_database_backend(), &sql, values))
        .await?
        .is_some())
}

/// The condition that a job (its columns prefixed with `prefix`, e.g. `other.`) is of `batch`,
/// of one of the `kinds`, and queued or running; and the values it binds.
fn pending_of(prefix: &str, batch: i64, kinds: &[&str]) -> (String, Vec<sea_orm::Value>) {
    let condition = format!(
        "{prefix}batch = ? AND {prefix}kind IN ({}) AND {prefix}state <> 'dead'",
        in_list(kinds.len())
    );
    let mut values: Vec<sea_orm::Value> = vec![batch.into()];
    values.extend(kinds.iter().map(|kind| (*kind).into()));
    (condition, values)
}

/// How many jobs of `batch` other than those of the `except` kinds are queued or running.
async fn count_pending(
    db: &impl ConnectionTrait,
    batch: i64,
    except: &[&str],
) -> Result<u64, DbErr> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM jobs WHERE batch = ? AND state <> 'dead'{}",
        " AND kind <> ?".repeat(except.len())
    );
    let mut values: Vec<sea_orm::Value> = vec![batch.into()];
    values.extend(except.iter().map(|kind| (*kind).into()));
    let row = db
        .query_one_raw(statement(db.get_database_backend(), &sql, values))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0))
}

/// How many jobs are queued, running and dead in `db`.
///
/// # Errors
///
/// Fails on a database error.
pub async fn stats(db: &DatabaseConnection) -> Result<Stats, DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
        ))
        .await?;
    let mut stats = Stats::default();
    for row in &rows {
        let state: String = row.try_get("", "state")?;
        let n = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0);
        match state.as_str() {
            "queued" => stats.queued = n,
            "running" => stats.running = n,
            "dead" => stats.dead = n,
            _ => {}
        }
    }
    Ok(stats)
}

/// The delay before attempt `attempt + 1`: `first` doubled per attempt (at most 2^10 times),
/// ±25 %, the jitter derived from `seed` (a job id, a URL's hash) so that work failing together
/// spreads out, and is the same at every attempt of the same work. The crawler's HTTP retries
/// use it too.
pub(crate) fn backoff(first: Duration, attempt: u32, seed: u64) -> Duration {
    let base = first.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    let spread = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) % 51;
    // 75 % to 125 % of the base.
    base.saturating_mul(75 + u32::try_from(spread).unwrap_or(0)) / 100
}

fn job(row: &QueryResult) -> Result<Job, DbErr> {
    let payload: String = row.try_get("", "payload")?;
    Ok(Job {
        id: row.try_get("", "id")?,
        batch: row.try_get("", "batch")?,
        kind: row.try_get("", "kind")?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| DbErr::Custom(format!("job payload is not JSON: {e}")))?,
        attempt: u32::try_from(row.try_get::<i32>("", "attempts")?).unwrap_or(0),
        max_attempts: u32::try_from(row.try_get::<i32>("", "max_attempts")?).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let ten = Duration::from_secs(10);
        for id in [1, 2, 77, 1_000_003] {
            let first = backoff(ten, 1, id);
            let third = backoff(ten, 3, id);
            assert!(first >= Duration::from_millis(7500) && first <= Duration::from_millis(12500));
            assert!(third >= Duration::from_secs(30) && third <= Duration::from_secs(50));
            assert_eq!(
                third,
                first * 4,
                "the jitter of a job is the same at every attempt"
            );
        }
        assert_ne!(backoff(ten, 1, 1), backoff(ten, 1, 2), "jobs spread out");
        assert!(backoff(ten, 40, 1) <= Duration::from_secs(10 * 1024 * 5 / 4));
    }
}
