//! Job: list an account (with the pages stored last time), settle in bulk the repositories listed
//! with the same activity as at the last crawl, and queue a [`CrawlRepository`] job for each of
//! the others, in the same crawl run.

use serde::{Deserialize, Serialize};
use url::Url;

use super::crawl_repository::{CrawlRepository, follow_up_jobs};
use super::crawl_run::{ATTEMPTS, ForgeRef, context};
use super::{Environment, Job, JobError};
use crate::crawl::run::{self, RunContext};
use crate::jobs;

/// List the account at `path` on `forge`, for crawl run `run`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrawlAccount {
    /// The crawl run.
    pub run: i64,
    /// The forge.
    pub forge: ForgeRef,
    /// The account's path.
    pub path: String,
    /// The account's web URL from the sources, which its repositories must lie under.
    pub web: Url,
    /// The publisher's IPA code from the sources.
    #[serde(default)]
    pub ipa: Option<String>,
}

impl Job for CrawlAccount {
    const NAME: &'static str = "crawl-account";
    // Before repositories: listings fan out the most work.
    const PRIORITY: i32 = 1;
    const ATTEMPTS: u32 = ATTEMPTS;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("account|{}", self.forge.key(&self.path)))
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let target = self
            .forge
            .target(env, &self.path, false, self.web.clone(), self.ipa.clone());
        let listing = match run::list_account(&context(env, self.run), &target).await? {
            Ok(listing) => listing,
            Err(message) => return Err(JobError::Retry(message)),
        };
        // Repositories listed as they were at the last crawl are settled here in bulk; the
        // others get a job each.
        let cx = RunContext {
            source_ipa: self.ipa.as_deref(),
            ..context(env, self.run)
        };
        let (pending, settled) = run::settle_quiet_repositories(&cx, listing.repos()).await?;
        // What the settled repositories ask for and the jobs of the others: one insert a hundred.
        let mut queued = Vec::with_capacity(pending.len() + settled.len());
        for (repo, crawled) in settled {
            queued.extend(follow_up_jobs(self.run, repo, &crawled)?);
        }
        for repo in pending {
            let next = CrawlRepository {
                run: self.run,
                forge: self.forge.clone(),
                path: None,
                repo: Some(repo.clone()),
                web: None,
                ipa: self.ipa.clone(),
            };
            queued.push(next.to_new_job(Some(self.run))?);
        }
        jobs::enqueue_all(&env.db, &queued).await?;
        Ok(())
    }
}
