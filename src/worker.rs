//! Background work: every kind of job the queue ([`crate::jobs`]) holds, the [`Environment`]
//! they run in, the [`Worker`] that claims and runs them, and the [`schedule`] of periodic work.
//!
//! - A job is a `Serialize + Deserialize` struct implementing [`Job`]: its name (the `kind`
//!   of its rows), priority, attempts, whether it closes its batch, and what it does. One file
//!   per kind: [`crawl_account`], [`crawl_repository`], [`crawl_git`], [`vitality`],
//!   [`check_compliance`], [`send_mail`], [`purge_sessions`], [`scheduled_crawl`],
//!   [`expire_invalid`], [`notify_post`], [`community_digest`].
//! - [`register_all`] is the dispatch table of every kind a worker runs.
//! - The [`Environment`] is built once from the configuration and shared by `riuso serve`,
//!   `riuso worker` and `riuso crawl`: the database, the polite client, the mailer, the forge
//!   tokens and the crawl's options.
//! - A batch is a crawl run: when the last job of a batch that closes it is done, the run is
//!   closed with its counts ([`crate::catalog::crawl_log::close_run`]).
//!
//! Dependencies point down: the jobs call `crawl`, `catalog`, `community` and `mail`, none of
//! which knows this module.

pub mod check_compliance;
pub mod community_digest;
pub mod crawl_account;
pub mod crawl_git;
pub mod crawl_repository;
pub mod crawl_run;
pub mod expire_invalid;
pub mod notify_post;
pub mod purge_sessions;
pub mod remind_deadlines;
pub mod schedule;
pub mod scheduled_crawl;
pub mod send_mail;
pub mod vitality;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, Semaphore, watch};
use url::Url;

use crate::catalog::crawl_log;
use crate::config::Config;
use crate::crawl::run::Target;
use crate::crawl::{self, http, ssrf};
use crate::jobs::{self, NewJob, Queue};
use crate::mail::Mailer;

/// What every job runs with, built once.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The database.
    pub db: DatabaseConnection,
    /// The crawler's polite client.
    pub http: http::Polite,
    /// Delivers mail; without it messages wait in the outbox.
    pub mailer: Option<Mailer>,
    /// Forge tokens by the name of their environment variable (jobs hold only the name).
    pub tokens: BTreeMap<String, String>,
    /// How crawls behave.
    pub crawl: crawl::Options,
    /// The crawl sources file the scheduled crawl reads.
    pub sources: PathBuf,
    /// How often the scheduled crawl runs; `None` for never.
    pub crawl_every: Option<Duration>,
    /// Git work at once (clones, fetches, reading a tree): a worker's lanes mostly wait on
    /// forges, these jobs on the CPU and the disk.
    pub git_work: Arc<Semaphore>,
}

impl Environment {
    /// An environment over `db` and `http`: no mailer, no tokens, the default crawl options, no
    /// scheduled crawl.
    #[must_use]
    pub fn new(db: DatabaseConnection, http: http::Polite) -> Self {
        Self {
            db,
            http,
            mailer: None,
            tokens: BTreeMap::new(),
            crawl: crawl::Options::default(),
            sources: PathBuf::from("publishers.yml"),
            crawl_every: None,
            git_work: Arc::new(Semaphore::new(GIT_WORK)),
        }
    }

    /// The environment the configuration describes, over `db`.
    ///
    /// # Errors
    ///
    /// Fails on an invalid `RIUSO_FETCH_ALLOW` entry, when the TLS stack cannot be set up, or
    /// when the mail settings are invalid.
    pub fn from_config(config: &Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let mailer = config
            .smtp
            .as_ref()
            .map(Mailer::new)
            .transpose()
            .context("cannot set up mail (RIUSO_SMTP_* and RIUSO_MAIL_FROM)")?;
        Ok(Self {
            db,
            http: crawler_client(config)?,
            mailer,
            tokens: config.tokens.0.clone(),
            crawl: crawl::Options {
                max_file_bytes: config.max_file_bytes,
                fetch_files: config.fetch_files,
                git_cache: config.data_dir.join("git"),
                git_timeout: config.http_timeout.saturating_mul(6),
                upkeep: crate::pipeline::Upkeep::of(config),
                ..crawl::Options::default()
            },
            sources: config.sources.clone(),
            crawl_every: (config.crawl_every_hours > 0)
                .then(|| Duration::from_secs(config.crawl_every_hours.saturating_mul(3600))),
            git_work: Arc::new(Semaphore::new(config.max_cpu_jobs.max(1))),
        })
    }

    /// The same environment with `tokens`.
    #[must_use]
    pub fn with_tokens(mut self, tokens: BTreeMap<String, String>) -> Self {
        self.tokens = tokens;
        self
    }

    /// The same environment with the crawl `options`.
    #[must_use]
    pub fn with_crawl(mut self, options: crawl::Options) -> Self {
        self.crawl = options;
        self
    }

    /// The same environment delivering mail through `mailer`.
    #[must_use]
    pub fn with_mailer(mut self, mailer: Option<Mailer>) -> Self {
        self.mailer = mailer;
        self
    }

    /// A turn at git work, held while the guard lives: the number of turns is
    /// [`Environment::git_work`]'s.
    pub async fn git_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // The semaphore is never closed; were it, the work would run without waiting.
        self.git_work.acquire().await.ok()
    }

    /// The same environment with a scheduled crawl of `sources` every `every`.
    #[must_use]
    pub fn with_schedule(mut self, sources: PathBuf, every: Option<Duration>) -> Self {
        self.sources = sources;
        self.crawl_every = every;
        self
    }
}

/// Git jobs at once in an environment not built from the configuration (which says
/// `RIUSO_MAX_CPU_JOBS`, by default the number of CPUs).
const GIT_WORK: usize = 2;

/// The crawler's HTTP client: the configured timeout, and the SSRF guard with the
/// `RIUSO_FETCH_ALLOW` allow-list. It fetches no `file://` URL: those are read only as the
/// operator's own git sources, by the crawl itself (`RIUSO_FETCH_FILES`).
fn crawler_client(config: &Config) -> anyhow::Result<http::Polite> {
    let guard = ssrf::Guard::new(config.fetch_allow.clone()).context(
        "RIUSO_FETCH_ALLOW holds an entry that is not a host, host:port, address or network",
    )?;
    http::Polite::guarded(
        http::Options {
            timeout: config.http_timeout,
            ..http::Options::default()
        },
        guard,
    )
    .context("cannot set up the HTTP client")
}

/// A worker name unique to this process: what it is, the process id and the start time.
#[must_use]
pub fn worker_name(role: &str) -> String {
    format!(
        "{role}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    )
}

/// Why a job did not finish.
#[derive(Debug)]
pub enum JobError {
    /// It failed: the queue tries again after a backoff, until its attempts run out.
    Retry(String),
    /// The database failed: the worker stops this job, whose lease then runs out.
    Db(DbErr),
}

impl From<DbErr> for JobError {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

/// A kind of background work: the job's arguments, stored as its row's payload.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The `kind` of its rows: unique among the registered jobs.
    const NAME: &'static str;
    /// Higher runs first among due jobs.
    const PRIORITY: i32 = 0;
    /// Attempts before the job is declared dead.
    const ATTEMPTS: u32 = 5;
    /// Whether its batch (a crawl run) waits for it before it is closed.
    const CLOSES_BATCH: bool = true;

    /// At most one job with this key is queued, running or dead at a time.
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// Does the work; `last_attempt` says no other attempt will follow a failure.
    fn run(
        self,
        env: &Environment,
        last_attempt: bool,
    ) -> impl Future<Output = Result<(), JobError>> + Send;

    /// The queue's row for this job, in `batch`.
    ///
    /// # Errors
    ///
    /// Fails when the job cannot be encoded.
    fn to_new_job(&self, batch: Option<i64>) -> Result<NewJob, DbErr> {
        let payload = serde_json::to_value(self)
            .map_err(|e| DbErr::Custom(format!("cannot encode a job: {e}")))?;
        Ok(NewJob {
            dedup_key: self.dedup_key(),
            priority: Self::PRIORITY,
            max_attempts: Self::ATTEMPTS,
            batch,
            ..NewJob::new(Self::NAME, payload)
        })
    }
}

/// Queues `job` in `batch`; its id, or `None` when a job with the same key exists already.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue<J: Job>(
    db: &impl ConnectionTrait,
    job: &J,
    batch: Option<i64>,
) -> Result<Option<i64>, DbErr> {
    jobs::enqueue(db, &job.to_new_job(batch)?).await
}

/// Opens a crawl run started by `trigger` and queues its jobs; returns the run's id. A
/// repository or account already queued (by an earlier run still going) is not queued twice.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue_crawl(
    db: &DatabaseConnection,
    targets: &[Target],
    git: &[Url],
    trigger: &str,
) -> Result<i64, DbErr> {
    let run = crawl_log::open_run(db, trigger).await?;
    for target in targets {
        let forge = crawl_run::ForgeRef::of(target);
        if target.repository {
            let job = crawl_repository::CrawlRepository {
                run,
                forge,
                path: Some(target.path.clone()),
                repo: None,
                web: Some(target.web.clone()),
                ipa: target.ipa.clone(),
            };
            enqueue(db, &job, Some(run)).await?;
        } else {
            let job = crawl_account::CrawlAccount {
                run,
                forge,
                path: target.path.clone(),
                web: target.web.clone(),
                ipa: target.ipa.clone(),
            };
            enqueue(db, &job, Some(run)).await?;
        }
    }
    for url in git {
        let job = crawl_git::CrawlGit {
            run,
            url: url.clone(),
        };
        enqueue(db, &job, Some(run)).await?;
    }
    // Nothing to crawl: the run is closed at once.
    if crate::jobs::pending(db, run).await? == 0 {
        crawl_log::close_run(db, run).await?;
    }
    Ok(run)
}

/// A job's runner, its type erased: the payload is decoded, then the job run.
type Runner = for<'a> fn(
    &'a Environment,
    serde_json::Value,
    bool,
) -> Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

fn runner<J: Job>(
    env: &Environment,
    payload: serde_json::Value,
    last_attempt: bool,
) -> Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + '_>> {
    Box::pin(async move {
        let job: J = serde_json::from_value(payload)
            .map_err(|e| JobError::Retry(format!("unreadable job payload: {e}")))?;
        job.run(env, last_attempt).await
    })
}

/// One registered kind of job.
#[derive(Debug, Clone, Copy)]
pub struct Registered {
    /// Its name.
    pub name: &'static str,
    /// Whether its batch waits for it.
    pub closes_batch: bool,
    run: Runner,
}

impl Registered {
    fn of<J: Job>() -> Self {
        Self {
            name: J::NAME,
            closes_batch: J::CLOSES_BATCH,
            run: runner::<J>,
        }
    }
}

/// The dispatch table: every kind of job a worker runs.
#[derive(Debug, Clone)]
pub struct Registry(Vec<Registered>);

impl Registry {
    /// The registered kinds.
    pub fn iter(&self) -> impl Iterator<Item = &Registered> {
        self.0.iter()
    }

    /// The kind named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Registered> {
        self.0.iter().find(|r| r.name == name)
    }

    /// The kinds whose batch waits for them before it is closed.
    #[must_use]
    pub fn closing(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|r| r.closes_batch)
            .map(|r| r.name)
            .collect()
    }
}

/// Every kind of job, in one place.
#[must_use]
pub fn register_all() -> Registry {
    Registry(vec![
        Registered::of::<crawl_account::CrawlAccount>(),
        Registered::of::<crawl_repository::CrawlRepository>(),
        Registered::of::<crawl_git::CrawlGit>(),
        Registered::of::<vitality::Vitality>(),
        Registered::of::<check_compliance::CheckCompliance>(),
        Registered::of::<send_mail::SendMail>(),
        Registered::of::<purge_sessions::PurgeSessions>(),
        Registered::of::<remind_deadlines::RemindDeadlines>(),
        Registered::of::<scheduled_crawl::ScheduledCrawl>(),
        Registered::of::<expire_invalid::ExpireInvalid>(),
        Registered::of::<notify_post::NotifyPost>(),
        Registered::of::<community_digest::CommunityDigest>(),
    ])
}

/// Jobs a worker runs at once unless told otherwise. Most jobs wait on a forge (the client keeps
/// each host to its own limit, 8 requests at once) and then on the database: with as many lanes
/// as requests, a lane storing a file would hold a place a request could use, so there are more.
/// The jobs that work git take turns by [`Environment::git_work`].
pub const LANES: usize = 32;

/// A worker: claims jobs of any registered kind and runs them.
#[derive(Debug, Clone)]
pub struct Worker {
    env: Arc<Environment>,
    queue: Queue,
    registry: Arc<Registry>,
    /// The kinds whose batch waits for them ([`Registry::closing`]).
    closing: Arc<[&'static str]>,
    /// How long to wait before looking again when the queue is empty.
    pub idle: Duration,
    /// Jobs run at once by this worker.
    pub concurrency: usize,
    /// Wakes an idle lane: a lane that found work wakes another, so a burst of jobs is taken
    /// up at once while only one idle lane looks, every [`Worker::idle`].
    wake: Arc<Notify>,
}

impl Worker {
    /// A worker named `name` (unique per process) in `env`, leasing jobs for `lease`.
    #[must_use]
    pub fn new(env: impl Into<Arc<Environment>>, name: impl Into<String>, lease: Duration) -> Self {
        let env = env.into();
        let queue = Queue::new(env.db.clone(), name, lease).with_backoff(Duration::from_secs(5));
        let registry = register_all();
        Self {
            env,
            queue,
            closing: registry.closing().into(),
            registry: Arc::new(registry),
            // One idle lane looks for work every two seconds; it wakes the others.
            idle: Duration::from_secs(2),
            concurrency: LANES,
            wake: Arc::new(Notify::new()),
        }
    }

    /// The environment its jobs run in.
    #[must_use]
    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// The same worker with another first retry delay for failed jobs (5 s by default, doubled
    /// at every attempt).
    #[must_use]
    pub fn with_backoff(mut self, first_retry: Duration) -> Self {
        self.queue = self.queue.with_backoff(first_retry);
        self
    }

    /// The same worker, never taking jobs of `kinds`: [`Worker::drain`] then waits only for
    /// the jobs it takes.
    #[must_use]
    pub fn skipping(mut self, kinds: &[&str]) -> Self {
        self.queue = self.queue.skipping(kinds.iter().copied());
        self
    }

    /// Claims and runs one job; `false` when none was due.
    ///
    /// # Errors
    ///
    /// Fails on a database error (the job's lease then runs out and another worker retries it).
    pub async fn step(&self) -> Result<bool, DbErr> {
        self.step_in(None).await
    }

    /// Claims and runs one job of `batch` (of any batch when `None`); `false` when none was due.
    ///
    /// # Errors
    ///
    /// Fails on a database error (the job's lease then runs out and another worker retries it).
    pub async fn step_in(&self, batch: Option<i64>) -> Result<bool, DbErr> {
        let Some(job) = self.queue.claim_in(batch).await? else {
            return Ok(false);
        };
        let outcome = match self.registry.get(&job.kind) {
            Some(kind) => {
                (kind.run)(
                    &self.env,
                    job.payload.clone(),
                    job.attempt >= job.max_attempts,
                )
                .await
            }
            None => Err(JobError::Retry(format!("unknown job kind {:?}", job.kind))),
        };
        match (outcome, job.batch) {
            (Ok(()), Some(batch)) => {
                if !self.queue.complete_in(&job, batch, &self.closing).await? {
                    crawl_log::close_run(&self.env.db, batch).await?;
                }
                return Ok(true);
            }
            (Ok(()), None) => {
                self.queue.complete(&job).await?;
            }
            (Err(JobError::Retry(message)), _) => {
                tracing::warn!(job = job.id, kind = %job.kind, error = %message, "job failed");
                self.queue.fail(&job, &message).await?;
            }
            (Err(JobError::Db(e)), _) => return Err(e),
        }
        if let Some(batch) = job.batch {
            self.close_if_done(batch).await?;
        }
        Ok(true)
    }

    /// Closes crawl run `batch` when none of the jobs it waits for is left: its vitality jobs
    /// change no entry's file and may wait on slow clones, so the run does not wait for them.
    async fn close_if_done(&self, batch: i64) -> Result<(), DbErr> {
        if jobs::any_pending_of(&self.env.db, batch, &self.closing).await? {
            return Ok(());
        }
        crawl_log::close_run(&self.env.db, batch).await
    }

    /// Runs jobs, [`Worker::concurrency`] at once, until `stop` turns true.
    ///
    /// # Errors
    ///
    /// Fails when the database keeps failing.
    pub async fn run(&self, stop: watch::Receiver<bool>) -> Result<(), DbErr> {
        send_mail::requeue_waiting(&self.env).await?;
        let lanes = (0..self.concurrency.max(1)).map(|i| self.lane(i == 0, stop.clone()));
        futures_util::future::try_join_all(lanes).await.map(|_| ())
    }

    /// One lane: runs jobs while there are; when none is due, the first lane looks again every
    /// [`Worker::idle`], the others wait to be woken by a lane that found work (or, in case, ten
    /// times as long).
    async fn lane(&self, first: bool, mut stop: watch::Receiver<bool>) -> Result<(), DbErr> {
        let nap = if first {
            self.idle
        } else {
            self.idle.saturating_mul(10)
        };
        let mut errors = 0u32;
        while !*stop.borrow() {
            match self.step().await {
                Ok(true) => {
                    errors = 0;
                    self.wake.notify_one();
                }
                Ok(false) => {
                    tokio::select! {
                        () = tokio::time::sleep(nap) => {}
                        () = self.wake.notified() => {}
                        _ = stop.changed() => {}
                    }
                }
                Err(e) => {
                    errors = patience(errors, e)?;
                    tokio::time::sleep(self.idle.saturating_mul(errors)).await;
                }
            }
        }
        Ok(())
    }

    /// Runs the jobs of batch `batch`, [`Worker::concurrency`] at once, until none that this
    /// worker takes is left (other workers may take some of them); `progress` is called after
    /// each job. Jobs of other batches are left to other workers.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn drain(&self, batch: i64, progress: impl Fn() + Sync) -> Result<(), DbErr> {
        // The kinds this worker takes.
        let takes: Vec<&str> = self
            .registry
            .iter()
            .map(|r| r.name)
            .filter(|name| !self.queue.skipped().iter().any(|s| s == name))
            .collect();
        // A lane that ran a job wakes another (the job may have queued more), so idle lanes
        // poll nothing; one lane, the first, also looks every `idle` (at most 100 ms) for work
        // that became due or was queued elsewhere. The lane that finds the batch done wakes all.
        let wake = Notify::new();
        let finished = AtomicBool::new(false);
        let progress = &progress;
        let lane = |first: bool| {
            let (wake, finished, takes) = (&wake, &finished, &takes);
            let nap = if first {
                self.idle.min(Duration::from_millis(100))
            } else {
                self.idle.max(Duration::from_secs(1))
            };
            async move {
                let mut errors = 0u32;
                while !finished.load(Ordering::Acquire) {
                    match self.step_in(Some(batch)).await {
                        Ok(true) => {
                            errors = 0;
                            wake.notify_one();
                            progress();
                            continue;
                        }
                        Ok(false) => {}
                        Err(e) => {
                            errors = patience(errors, e)?;
                            tokio::time::sleep(Duration::from_millis(100) * errors).await;
                            continue;
                        }
                    }
                    let woken = wake.notified();
                    tokio::pin!(woken);
                    woken.as_mut().enable();
                    if !jobs::any_pending_of(&self.env.db, batch, takes).await? {
                        finished.store(true, Ordering::Release);
                        wake.notify_waiters();
                        break;
                    }
                    tokio::select! {
                        () = tokio::time::sleep(nap) => {}
                        () = woken => {}
                    }
                }
                Ok::<_, DbErr>(())
            }
        };
        futures_util::future::try_join_all((0..self.concurrency.max(1)).map(|i| lane(i == 0)))
            .await?;
        self.close_if_done(batch).await
    }
}

/// Counts one more failure in a row of a lane's database (away, or no connection free in
/// time while the machine is overloaded): the new count, after which the lane waits longer each
/// time and tries again; the error itself after ten in a row.
fn patience(errors: u32, e: DbErr) -> Result<u32, DbErr> {
    tracing::error!(error = %e, "the worker cannot reach the database");
    if errors >= 10 {
        return Err(e);
    }
    Ok(errors + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_has_its_own_name() {
        let registry = register_all();
        let mut names: Vec<&str> = registry.iter().map(|r| r.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a name is registered twice: {names:?}");
        assert!(count >= 7);
        // The crawl run waits for its catalog jobs, not for the vitality and compliance jobs.
        let closing = registry.closing();
        assert!(closing.contains(&crawl_repository::CrawlRepository::NAME));
        assert!(closing.contains(&crawl_account::CrawlAccount::NAME));
        assert!(!closing.contains(&vitality::Vitality::NAME));
        assert!(!closing.contains(&check_compliance::CheckCompliance::NAME));
    }
}
