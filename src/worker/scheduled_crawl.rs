//! Job: queue a crawl of the sources file when none started within the configured interval.
//! The periodic schedule runs it every ten minutes. Servers sharing a database may
//! both queue one: their repository jobs are deduplicated, so no repository is crawled twice.

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError, enqueue_crawl};
use crate::catalog::crawl_log;
use crate::crawl::{run::Target, sources};

/// Queue a crawl if one is due.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct ScheduledCrawl {}

impl Job for ScheduledCrawl {
    const NAME: &'static str = "scheduled-crawl";

    fn dedup_key(&self) -> Option<String> {
        Some(Self::NAME.to_owned())
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let Some(every) = env.crawl_every else {
            return Ok(());
        };
        let due = match crawl_log::last_started(&env.db).await {
            Ok(Some(started)) => {
                let age = chrono::Utc::now().signed_duration_since(started);
                age.to_std().is_ok_and(|age| age >= every)
            }
            Ok(None) => true,
            Err(e) => {
                tracing::warn!(error = %e, "the crawl scheduler cannot read the crawl runs");
                false
            }
        };
        if !due || !env.sources.exists() {
            return Ok(());
        }
        match sources::load(&env.sources) {
            Ok(sources) => {
                let (targets, git) = Target::from_sources(&sources, &env.tokens);
                match enqueue_crawl(&env.db, &targets, &git, "schedule").await {
                    Ok(id) => tracing::info!(run = id, "scheduled crawl queued"),
                    Err(e) => tracing::warn!(error = %e, "cannot queue the scheduled crawl"),
                }
            }
            Err(e) => tracing::warn!(
                file = %env.sources.display(),
                error = %e,
                "the crawl sources are invalid; no crawl scheduled"
            ),
        }
        Ok(())
    }
}
