//! Job: compute the vitality index of one repository on a forge's API from its clone (see
//! `crawl::vitality_job`). Queued by the crawl of the repository, in its run's batch, below
//! every catalog job; the run does not wait for it. Once the clone is up to date, the entry's
//! compliance check is queued, since the repository's files may have changed.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{Environment, Job, JobError, check_compliance};
use crate::crawl::forge::RepoInfo;
use crate::crawl::vitality_job::{self, Request};

/// Compute the vitality index of the repository at `url`, cloned from `clone_url`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vitality {
    /// The crawl run that queued it, for its events.
    pub run: i64,
    /// The repository's URL in the catalog (its web page).
    pub url: String,
    /// Where to clone it from.
    pub clone_url: Url,
}

impl Vitality {
    /// The vitality job of the repository `info` that run `run` read. `None` for a private
    /// repository (clones are made without credentials), or one without a URL to clone.
    #[must_use]
    pub fn of(run: i64, info: &RepoInfo) -> Option<Self> {
        if info.private {
            return None;
        }
        Some(Self {
            run,
            url: info.web_url.clone(),
            clone_url: vitality_job::clone_url(info)?,
        })
    }
}

impl Job for Vitality {
    const NAME: &'static str = "vitality";
    // Below every catalog job (accounts 1, repositories and git URLs 0).
    const PRIORITY: i32 = -1;
    // The queue's backoff spaces them out.
    const ATTEMPTS: u32 = 3;
    // It changes no entry's file and may wait on a slow clone: the run does not wait for it.
    const CLOSES_BATCH: bool = false;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("vitality|{}", self.url))
    }

    async fn run(self, env: &Environment, last_attempt: bool) -> Result<(), JobError> {
        let request = Request {
            run: self.run,
            url: &self.url,
            clone_url: &self.clone_url,
        };
        let refreshed = {
            let _turn = env.git_turn().await;
            vitality_job::refresh(&env.db, &env.http, request, &env.crawl, last_attempt).await?
        };
        refreshed.map_err(JobError::Retry)?;
        // The clone may have moved: the licence, README and documentation are read again (a
        // check that finds the same stores nothing).
        check_compliance::enqueue_for_repository(
            &env.db,
            &self.url,
            Some(self.clone_url.clone()),
            Some(self.run),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(clone_url: Option<&str>, web_url: &str, private: bool) -> RepoInfo {
        RepoInfo {
            web_url: web_url.to_owned(),
            path: "comune/app".to_owned(),
            id: None,
            default_branch: Some("main".to_owned()),
            archived: false,
            private,
            stars: None,
            forks: None,
            activity: None,
            clone_url: clone_url.map(str::to_owned),
        }
    }

    #[test]
    fn no_job_without_an_http_clone_or_for_a_private_repository() {
        let web = "https://git.example/comune/app";
        let job = Vitality::of(1, &info(Some("file:///etc/riuso/secret"), web, false)).unwrap();
        assert_eq!(job.clone_url.as_str(), "https://git.example/comune/app.git");
        assert_eq!(
            job.dedup_key().as_deref(),
            Some("vitality|https://git.example/comune/app")
        );
        assert!(Vitality::of(1, &info(Some("file:///srv/x"), "file:///srv/x", false)).is_none());
        assert!(Vitality::of(1, &info(None, web, true)).is_none());
    }
}
