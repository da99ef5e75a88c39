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

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ConnectionTrait as _, DatabaseConnection, DbErr,
    EntityTrait as _, Statement,
};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use url::Url;

use super::failed;
use super::forge::{Forge, Kind, RepoInfo};
use super::http::Polite;
use super::run::{self, Options, Report, Target};
use super::vitality_job::{self, VITALITY};
use crate::catalog::entities::crawl_runs;
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
    /// The account's web URL from the sources, which its repositories must lie under.
    web: Url,
    /// The publisher's IPA code from the sources.
    #[serde(default)]
    ipa: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RepositoryJob {
    run: i64,
    forge: ForgeRef,
    /// `owner/name` of a single repository target, described when the job runs.
    path: Option<String>,
    /// A repository found by listing its account.
    repo: Option<RepoInfo>,
    /// The web URL of a single repository target, from the sources.
    #[serde(default)]
    web: Option<Url>,
    /// The publisher's IPA code from the sources.
    #[serde(default)]
    ipa: Option<String>,
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
    let run = run::open_run(db, trigger).await?;
    for target in targets {
        let forge = ForgeRef::of(target);
        let key = format!("{}|{}|{}", forge.kind.as_str(), forge.api, target.path);
        let job = if target.repository {
            NewJob::new(
                CRAWL_REPOSITORY,
                json(&RepositoryJob {
                    run: run.id,
                    forge,
                    path: Some(target.path.clone()),
                    repo: None,
                    web: Some(target.web.clone()),
                    ipa: target.ipa.clone(),
                })?,
            )
            .dedup(format!("repository|{key}"))
        } else {
            NewJob::new(
                CRAWL_ACCOUNT,
                json(&AccountJob {
                    run: run.id,
                    forge,
                    path: target.path.clone(),
                    web: target.web.clone(),
                    ipa: target.ipa.clone(),
                })?,
            )
            .dedup(format!("account|{key}"))
        };
        jobs::enqueue(
            db,
            &NewJob {
                batch: Some(run.id),
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
                run: run.id,
                url: url.clone(),
            })?,
        )
        .dedup(format!("git|{url}"));
        jobs::enqueue(
            db,
            &NewJob {
                batch: Some(run.id),
                max_attempts: ATTEMPTS,
                ..job
            },
        )
        .await?;
    }
    close_if_done(db, run.id).await?;
    Ok(run.id)
}

/// Closes run `id` with its counts when none of its catalog jobs is left: its vitality jobs
/// change no entry's file and may wait on slow clones, so the run does not wait for them.
async fn close_if_done(db: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
    if jobs::pending_except(db, id, VITALITY).await? > 0 {
        return Ok(());
    }
    let Some(row) = crawl_runs::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if row.status != "running" {
        return Ok(());
    }
    let report = report(db, id).await?;
    let mut active: crawl_runs::ActiveModel = row.into();
    active.status = Set("finished".to_owned());
    active.stats = Set(serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned()));
    active.finished_at = Set(Some(Utc::now().fixed_offset()));
    active.update(db).await?;
    Ok(())
}

/// The report of run `id`, from its events.
///
/// # Errors
///
/// Fails on a database error.
pub async fn report(db: &DatabaseConnection, id: i64) -> Result<Report, DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            crate::db::numbered(
                backend,
                "SELECT outcome, repository_id, message FROM crawl_events \
                 WHERE crawl_run_id = ? ORDER BY id",
            ),
            [id.into()],
        ))
        .await?;
    let mut report = Report {
        run_id: id,
        ..Report::default()
    };
    for row in &rows {
        let outcome: String = row.try_get("", "outcome")?;
        let repository: Option<i64> = row.try_get("", "repository_id")?;
        if outcome == "failed" && repository.is_none() {
            // A retried job fails the same way each time: say it once.
            let message: String = row.try_get("", "message")?;
            if !report.failures.contains(&message) {
                report.failures.push(message);
            }
            continue;
        }
        if outcome == "gone" || outcome == vitality_job::FAILED {
            // A gone repository is not one crawled; a failed vitality index is about a
            // repository already counted.
            *report.outcomes.entry(outcome).or_default() += 1;
            continue;
        }
        report.repositories += 1;
        *report.outcomes.entry(outcome).or_default() += 1;
    }
    Ok(report)
}

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
            concurrency: 8,
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

    /// Runs jobs, [`Worker::concurrency`] at once, until none of run `batch` is left (other
    /// workers may take some of them); `progress` is called after each job.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn drain(&self, batch: i64, progress: impl Fn() + Sync) -> Result<(), DbErr> {
        let lane = || async {
            while jobs::pending(&self.db, batch).await? > 0 {
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
                    web: payload.web.clone(),
                    ipa: payload.ipa.clone(),
                };
                let listing =
                    match run::list_account(&self.db, &self.http, &target, payload.run).await? {
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
                            web: None,
                            ipa: payload.ipa.clone(),
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
                        // Without the sources' URL nothing could check the forge's answer.
                        let Some(web) = payload.web.clone() else {
                            return Err(Failure::Retry(format!(
                                "{path}: a repository job without its source's web URL"
                            )));
                        };
                        let target = Target {
                            forge: forge.clone(),
                            path: path.clone(),
                            repository: true,
                            token_env: payload.forge.token_env.clone(),
                            web,
                            ipa: payload.ipa.clone(),
                        };
                        match run::repository_info(&self.db, &self.http, &target).await {
                            Ok(Some(info)) => (info, true),
                            Ok(None) => {
                                let message = format!("{path}: no such repository");
                                run::event(&self.db, payload.run, None, "failed", &message).await?;
                                return Ok(());
                            }
                            Err(e) => {
                                let message = format!("{path}: {e}");
                                run::event(&self.db, payload.run, None, "failed", &message).await?;
                                return Err(Failure::Retry(message));
                            }
                        }
                    }
                    (None, None) => {
                        return Err(Failure::Retry("a repository job names nothing".to_owned()));
                    }
                };
                let crawled = match run::crawl_repository(
                    &self.db,
                    &self.http,
                    &forge,
                    &info,
                    single,
                    payload.ipa.as_deref(),
                    run::Known::LookUp,
                    payload.run,
                    &self.options,
                )
                .await
                {
                    Ok(crawled) => crawled,
                    Err(e) => {
                        let url = info.web_url.as_str();
                        failed::database(&self.db, payload.run, url, forge.kind.as_str(), &e)
                            .await?;
                        return Ok(());
                    }
                };
                if let Some(vitality) = crawled.vitality {
                    jobs::enqueue(&self.db, &vitality).await?;
                }
                Ok(())
            }
            CRAWL_GIT => {
                let payload: GitJob =
                    serde_json::from_value(job.payload.clone()).map_err(decode)?;
                if let Err(e) = run::crawl_git(
                    &self.db,
                    &self.http,
                    &payload.url,
                    payload.run,
                    &self.options,
                )
                .await
                {
                    failed::database(&self.db, payload.run, payload.url.as_str(), "git", &e)
                        .await?;
                }
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
