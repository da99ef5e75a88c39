//! Job: crawl one plain git URL (its vitality index is computed from the clone the crawl makes),
//! and queue its compliance check when a new file was stored.

use serde::{Deserialize, Serialize};
use url::Url;

use super::check_compliance::{self, CheckCompliance};
use super::crawl_run::{ATTEMPTS, context};
use super::{Environment, Job, JobError, enqueue};
use crate::crawl::failed;
use crate::crawl::run::{self, Repository};

/// Crawl the git repository at `url` for crawl run `run`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrawlGit {
    /// The crawl run.
    pub run: i64,
    /// The repository's URL.
    pub url: Url,
}

impl Job for CrawlGit {
    const NAME: &'static str = "crawl-git";
    const ATTEMPTS: u32 = ATTEMPTS;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("git|{}", self.url))
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let cx = context(env, self.run);
        let crawled = {
            let _turn = env.git_turn().await;
            run::crawl_repository(&cx, Repository::Git(&self.url)).await
        };
        match crawled {
            // The step said which entry it stored the file for: no look-up.
            Ok(crawled) if check_compliance::follows(crawled.outcome) => {
                if let Some(software) = crawled.software {
                    let check = CheckCompliance {
                        software,
                        clone_url: Some(self.url.clone()),
                    };
                    enqueue(&env.db, &check, Some(self.run)).await?;
                }
            }
            Ok(_) => {}
            Err(e) => {
                failed::database(&env.db, self.run, self.url.as_str(), "git", &e).await?;
            }
        }
        Ok(())
    }
}
