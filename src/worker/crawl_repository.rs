//! Job: crawl one repository, found by listing its account or named alone in the sources, and
//! queue its [`Vitality`] job when its index needs computing, and its compliance check when a
//! new file was stored.

use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use url::Url;

use super::check_compliance::{self, CheckCompliance};
use super::crawl_run::{ATTEMPTS, ForgeRef, context};
use super::vitality::Vitality;
use super::{Environment, Job, JobError};
use crate::catalog::crawl_log::{self, CrawlOutcome};
use crate::crawl::failed;
use crate::crawl::forge::RepoInfo;
use crate::crawl::run::{self, Crawled, Repository, RunContext};
use crate::jobs::{self, NewJob};

/// Crawl one repository for crawl run `run`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrawlRepository {
    /// The crawl run.
    pub run: i64,
    /// The forge.
    pub forge: ForgeRef,
    /// `owner/name` of a single repository target, described when the job runs.
    pub path: Option<String>,
    /// A repository found by listing its account.
    pub repo: Option<RepoInfo>,
    /// The web URL of a single repository target, from the sources.
    #[serde(default)]
    pub web: Option<Url>,
    /// The publisher's IPA code from the sources.
    #[serde(default)]
    pub ipa: Option<String>,
}

impl Job for CrawlRepository {
    const NAME: &'static str = "crawl-repository";
    const ATTEMPTS: u32 = ATTEMPTS;

    fn dedup_key(&self) -> Option<String> {
        match (&self.repo, &self.path) {
            (Some(repo), _) => Some(format!("repository|{}", repo.web_url)),
            (None, Some(path)) => Some(format!("repository|{}", self.forge.key(path))),
            (None, None) => None,
        }
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let cx = RunContext {
            source_ipa: self.ipa.as_deref(),
            ..context(env, self.run)
        };
        let forge = self.forge.forge(&env.tokens);
        let (info, single) = match (self.repo, self.path) {
            (Some(repo), _) => (repo, false),
            (None, Some(path)) => {
                // Without the sources' URL nothing could check the forge's answer.
                let Some(web) = self.web.clone() else {
                    return Err(JobError::Retry(format!(
                        "{path}: a repository job without its source's web URL"
                    )));
                };
                let target = self.forge.target(env, &path, true, web, self.ipa.clone());
                match run::describe(&env.db, &env.http, &target).await {
                    Ok(Some(info)) => (info, true),
                    Ok(None) => {
                        let message = format!("{path}: no such repository");
                        crawl_log::event(&env.db, self.run, None, CrawlOutcome::Failed, &message)
                            .await?;
                        return Ok(());
                    }
                    Err(e) => {
                        let message = format!("{path}: {e}");
                        crawl_log::event(&env.db, self.run, None, CrawlOutcome::Failed, &message)
                            .await?;
                        // A forge that answers with another repository answers the same when
                        // asked again: refused once, until the next run.
                        if matches!(e, run::DescribeError::Identity(_)) {
                            return Ok(());
                        }
                        return Err(JobError::Retry(message));
                    }
                }
            }
            (None, None) => {
                return Err(JobError::Retry("a repository job names nothing".to_owned()));
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
        let crawled = match run::crawl_repository(&cx, repository).await {
            Ok(crawled) => crawled,
            Err(e) => {
                let url = info.web_url.as_str();
                failed::database(&env.db, self.run, url, forge.kind.as_str(), &e).await?;
                return Ok(());
            }
        };
        follow_up(env, self.run, &info, &crawled).await
    }
}

/// Queues what the crawl of `info` in run `run` asks for ([`follow_up_jobs`]), in one statement.
///
/// # Errors
///
/// Fails on a database error.
pub async fn follow_up(
    env: &Environment,
    run: i64,
    info: &RepoInfo,
    crawled: &Crawled,
) -> Result<(), JobError> {
    jobs::enqueue_all(&env.db, &follow_up_jobs(run, info, crawled)?).await?;
    Ok(())
}

/// The jobs the crawl of `info` in run `run` asks for: its vitality index, and the compliance
/// check of the entry it stored a file for.
///
/// # Errors
///
/// Fails when a job cannot be encoded.
pub fn follow_up_jobs(run: i64, info: &RepoInfo, crawled: &Crawled) -> Result<Vec<NewJob>, DbErr> {
    let mut follow = Vec::with_capacity(2);
    if crawled.vitality
        && let Some(vitality) = Vitality::of(run, info)
    {
        follow.push(vitality.to_new_job(Some(run))?);
    }
    if check_compliance::follows(crawled.outcome)
        && let Some(software) = crawled.software
    {
        let check = CheckCompliance {
            software,
            clone_url: crate::crawl::vitality_job::clone_url(info),
        };
        follow.push(check.to_new_job(Some(run))?);
    }
    Ok(follow)
}
