//! Crawls as jobs of the queue: [`enqueue`] opens a crawl run and queues one job per account,
//! per single repository and per plain git URL; an account job lists the account and fans out one job per
//! repository; a repository job queues the repository's vitality job ([`vitality_job`]) in the
//! same batch, below the catalog's jobs; a [`Worker`] claims jobs and runs them. Several workers
//! (processes, machines) share the queue on PostgreSQL; a worker killed mid-job leaves its job
//! to be claimed again when the lease runs out; the last catalog job of a run closes it with its
//! counts, whatever vitality jobs are left (they still belong to the batch, so
//! [`Worker::drain`] waits for them).
//!
//! Jobs hold the name of a token's environment variable, never the token.

use std::collections::BTreeMap;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use url::Url;

use super::Options;
use super::forge::{Forge, Kind, RepoInfo};
use super::http::Polite;
use super::run::{self, Repository, RunContext, Target};
use super::vitality_job::{self, VITALITY};
use crate::catalog::crawl_log::{self, CrawlOutcome};
use crate::jobs::{self, Job, NewJob, Queue};
use crate::mail::{self, Mailer};

/// Job kind: list an account and queue its repositories.
pub const CRAWL_ACCOUNT: &str = "crawl-account";
/// Job kind: crawl one repository.
pub const CRAWL_REPOSITORY: &str = "crawl-repository";
/// Job kind: crawl one plain git URL.
pub const CRAWL_GIT: &str = "crawl-git";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct GitJob {
    run: i64,
    url: Url,
}

/// Attempts of a crawl job (each already retries its requests).
const ATTEMPTS: u32 = 3;

/// A forge as a job names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ForgeRef {
    kind: Kind,
    api: Url,
    token_env: Option<String>,
}

impl ForgeRef {
    fn of(target: &Target) -> Self {
        Self {
            kind: target.forge.kind,
            api: target.forge.api.clone(),
            token_env: target.token_env.clone(),
        }
    }

    fn forge(&self, tokens: &BTreeMap<String, String>) -> Forge {
        Forge {
            kind: self.kind,
            api: self.api.clone(),
            token: self.token_env.as_ref().and_then(|n| tokens.get(n)).cloned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccountJob {
    run: i64,
    forge: ForgeRef,
    path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RepositoryJob {
    run: i64,
    forge: ForgeRef,
    /// `owner/name` of a single repository target, described when the job runs.
    path: Option<String>,
    /// A repository found by listing its account.
    repo: Option<RepoInfo>,
}

fn json(value: &impl Serialize) -> Result<serde_json::Value, DbErr> {
    serde_json::to_value(value).map_err(|e| DbErr::Custom(format!("cannot encode a job: {e}")))
}

/// Opens a crawl run and queues its jobs; returns the run's id. A repository or account already
/// queued (by an earlier run still going) is not queued twice.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue(
    db: &DatabaseConnection,
    targets: &[Target],
    git: &[Url],
    trigger: &str,
) -> Result<i64, DbErr> {
    let run = crawl_log::open_run(db, trigger).await?;
    for target in targets {
        let forge = ForgeRef::of(target);
        let key = format!("{}|{}|{}", forge.kind.as_str(), forge.api, target.path);
        let job = if target.repository {
            NewJob::new(
                CRAWL_REPOSITORY,
                json(&RepositoryJob {
                    run,
                    forge,
                    path: Some(target.path.clone()),
                    repo: None,
                })?,
            )
            .dedup(format!("repository|{key}"))
        } else {
            NewJob::new(
                CRAWL_ACCOUNT,
                json(&AccountJob {
                    run,
                    forge,
                    path: target.path.clone(),
                })?,
            )
            .dedup(format!("account|{key}"))
        };
        jobs::enqueue(
            db,
            &NewJob {
                batch: Some(run),
                // Accounts first: their listings fan out the most work.
                priority: i32::from(!target.repository),
                max_attempts: ATTEMPTS,
                ..job
            },
        )
        .await?;
    }
    for url in git {
        let job = NewJob::new(
            CRAWL_GIT,
            json(&GitJob {
                run,
                url: url.clone(),
            })?,
        )
        .dedup(format!("git|{url}"));
        jobs::enqueue(
            db,
            &NewJob {
                batch: Some(run),
                max_attempts: ATTEMPTS,
                ..job
            },
        )
        .await?;
    }
    close_if_done(db, run).await?;
    Ok(run)
}

/// Closes run `id` when none of its catalog jobs is left: its vitality jobs change no entry's
/// file and may wait on slow clones, so the run does not wait for them.
async fn close_if_done(db: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
    if jobs::pending_except(db, id, VITALITY).await? > 0 {
        return Ok(());
    }
    crawl_log::close_run(db, id).await
}

/// Jobs a worker runs at once unless told otherwise.
pub const LANES: usize = 8;

/// A worker: claims crawl jobs and runs them.
#[derive(Debug, Clone)]
pub struct Worker {
    db: DatabaseConnection,
    http: Polite,
    queue: Queue,
    tokens: BTreeMap<String, String>,
    options: Options,
    /// How long to wait before looking again when the queue is empty.
    pub idle: Duration,
    /// Jobs run at once by this worker.
    pub concurrency: usize,
    /// Delivers the `mail` jobs; without it they leave their messages in the outbox.
    mailer: Option<Mailer>,
}

impl Worker {
    /// A worker named `name` (unique per process) leasing jobs for `lease`.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        http: Polite,
        name: impl Into<String>,
        lease: Duration,
        tokens: BTreeMap<String, String>,
        options: Options,
    ) -> Self {
        let queue = Queue::new(db.clone(), name, lease).with_backoff(Duration::from_secs(5));
        Self {
            db,
            http,
            queue,
            tokens,
            options,
            // Eight idle lanes look for work four times a second in all.
            idle: Duration::from_secs(2),
            concurrency: LANES,
            mailer: None,
        }
    }

    /// This worker, delivering mail through `mailer`.
    #[must_use]
    pub fn with_mailer(mut self, mailer: Option<Mailer>) -> Self {
        self.mailer = mailer;
        self
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
        let Some(job) = self.queue.claim().await? else {
            return Ok(false);
        };
        match self.execute(&job).await {
            Ok(()) => {
                self.queue.complete(&job).await?;
            }
            Err(Failure::Retry(message)) => {
                tracing::warn!(job = job.id, kind = %job.kind, error = %message, "job failed");
                self.queue.fail(&job, &message).await?;
            }
            Err(Failure::Db(e)) => return Err(e),
        }
        if let Some(batch) = job.batch {
            close_if_done(&self.db, batch).await?;
        }
        Ok(true)
    }

    /// Runs jobs, [`Worker::concurrency`] at once, until `stop` turns true.
    ///
    /// # Errors
    ///
    /// Fails when the database keeps failing.
    pub async fn run(&self, stop: watch::Receiver<bool>) -> Result<(), DbErr> {
        if self.mailer.is_some() {
            let queued = mail::requeue_unsent(&self.db).await?;
            if queued > 0 {
                tracing::info!(
                    mail.queued = queued,
                    "queued the messages waiting in the outbox"
                );
            }
        }
        let lanes = (0..self.concurrency.max(1)).map(|_| self.lane(stop.clone()));
        futures_util::future::try_join_all(lanes).await.map(|_| ())
    }

    async fn lane(&self, mut stop: watch::Receiver<bool>) -> Result<(), DbErr> {
        let mut errors = 0u32;
        while !*stop.borrow() {
            match self.step().await {
                Ok(true) => errors = 0,
                Ok(false) => {
                    tokio::select! {
                        () = tokio::time::sleep(self.idle) => {}
                        _ = stop.changed() => {}
                    }
                }
                Err(e) => {
                    // The database is away: wait, then try again, a few times.
                    errors += 1;
                    tracing::error!(error = %e, "the worker cannot reach the database");
                    if errors > 10 {
                        return Err(e);
                    }
                    tokio::time::sleep(self.idle.saturating_mul(errors)).await;
                }
            }
        }
        Ok(())
    }

    /// Runs jobs, [`Worker::concurrency`] at once, until none of run `batch` that this worker
    /// takes is left (other workers may take some of them); `progress` is called after each job.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn drain(&self, batch: i64, progress: impl Fn() + Sync) -> Result<(), DbErr> {
        let skipped: Vec<&str> = self.queue.skipped().iter().map(String::as_str).collect();
        let lane = || async {
            while jobs::pending_except_all(&self.db, batch, &skipped).await? > 0 {
                if self.step().await? {
                    progress();
                } else {
                    tokio::time::sleep(self.idle.min(Duration::from_millis(100))).await;
                }
            }
            Ok::<_, DbErr>(())
        };
        futures_util::future::try_join_all((0..self.concurrency.max(1)).map(|_| lane())).await?;
        close_if_done(&self.db, batch).await
    }

    /// The context of a step of run `run`.
    fn context(&self, run: i64) -> RunContext<'_> {
        RunContext {
            db: &self.db,
            http: &self.http,
            options: &self.options,
            run,
        }
    }

    async fn execute(&self, job: &Job) -> Result<(), Failure> {
        let decode = |e: serde_json::Error| Failure::Retry(format!("unreadable job payload: {e}"));
        match job.kind.as_str() {
            CRAWL_ACCOUNT => {
                let payload: AccountJob =
                    serde_json::from_value(job.payload.clone()).map_err(decode)?;
                let forge = payload.forge.forge(&self.tokens);
                let target = Target {
                    forge,
                    path: payload.path.clone(),
                    repository: false,
                    token_env: payload.forge.token_env.clone(),
                };
                let listing = match run::list_account(&self.context(payload.run), &target).await? {
                    Ok(listing) => listing,
                    Err(message) => return Err(Failure::Retry(message)),
                };
                for repo in listing.repos() {
                    let next = NewJob::new(
                        CRAWL_REPOSITORY,
                        json(&RepositoryJob {
                            run: payload.run,
                            forge: payload.forge.clone(),
                            path: None,
                            repo: Some(repo.clone()),
                        })?,
                    )
                    .dedup(format!("repository|{}", repo.web_url));
                    jobs::enqueue(
                        &self.db,
                        &NewJob {
                            batch: job.batch,
                            max_attempts: ATTEMPTS,
                            ..next
                        },
                    )
                    .await?;
                }
                Ok(())
            }
            CRAWL_REPOSITORY => {
                let payload: RepositoryJob =
                    serde_json::from_value(job.payload.clone()).map_err(decode)?;
                let forge = payload.forge.forge(&self.tokens);
                let (info, single) = match (payload.repo, payload.path) {
                    (Some(repo), _) => (repo, false),
                    (None, Some(path)) => {
                        let target = Target {
                            forge: forge.clone(),
                            path: path.clone(),
                            repository: true,
                            token_env: payload.forge.token_env.clone(),
                        };
                        match run::describe(&self.db, &self.http, &target).await {
                            Ok(Some(info)) => (info, true),
                            Ok(None) => {
                                let message = format!("{path}: no such repository");
                                crawl_log::event(
                                    &self.db,
                                    payload.run,
                                    None,
                                    CrawlOutcome::Failed,
                                    &message,
                                )
                                .await?;
                                return Ok(());
                            }
                            Err(e) => {
                                let message = format!("{path}: {e}");
                                crawl_log::event(
                                    &self.db,
                                    payload.run,
                                    None,
                                    CrawlOutcome::Failed,
                                    &message,
                                )
                                .await?;
                                return Err(Failure::Retry(message));
                            }
                        }
                    }
                    (None, None) => {
                        return Err(Failure::Retry("a repository job names nothing".to_owned()));
                    }
                };
                let repository = if single {
                    Repository::Single {
                        forge: &forge,
                        info: &info,
                    }
                } else {
                    Repository::Listed {
                        forge: &forge,
                        info: &info,
                    }
                };
                let crawled = run::crawl_repository(&self.context(payload.run), repository).await?;
                if crawled.vitality
                    && let Some(vitality) = vitality_job::job(payload.run, &info)
                {
                    jobs::enqueue(&self.db, &vitality).await?;
                }
                Ok(())
            }
            CRAWL_GIT => {
                let payload: GitJob =
                    serde_json::from_value(job.payload.clone()).map_err(decode)?;
                let url = payload.url;
                run::crawl_repository(&self.context(payload.run), Repository::Git(&url)).await?;
                Ok(())
            }
            VITALITY => {
                let payload: vitality_job::VitalityJob =
                    serde_json::from_value(job.payload.clone()).map_err(decode)?;
                vitality_job::run(
                    &self.db,
                    &self.http,
                    &payload,
                    &self.options,
                    job.attempt >= job.max_attempts,
                )
                .await?
                .map_err(Failure::Retry)
            }
            mail::JOB_KIND => {
                let id = mail::job_outbox_id(&job.payload).map_err(Failure::Retry)?;
                // Without an SMTP server the message waits in the outbox; a worker that has one
                // queues it again when it starts (`mail::requeue_unsent`).
                let Some(mailer) = &self.mailer else {
                    return Ok(());
                };
                match mailer.deliver(&self.db, id).await {
                    Ok(_) => Ok(()),
                    Err(mail::MailError::Db(e)) => Err(Failure::Db(e)),
                    Err(e) => Err(Failure::Retry(e.to_string())),
                }
            }
            other => Err(Failure::Retry(format!("unknown job kind {other:?}"))),
        }
    }
}

enum Failure {
    Retry(String),
    Db(DbErr),
}

impl From<DbErr> for Failure {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}
