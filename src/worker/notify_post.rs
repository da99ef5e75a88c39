//! Job: tell the people concerned of a post (mentions, followers of its thread and community),
//! in the site and by e-mail. A post queues it in its own transaction, so the request that wrote
//! it does not wait for the fan-out.

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError};
use crate::community::CommunityError;
use crate::community::forum::notify;

/// Tell of post `post`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotifyPost {
    /// The post.
    pub post: i64,
}

impl Job for NotifyPost {
    const NAME: &'static str = notify::JOB_KIND;
    const CLOSES_BATCH: bool = false;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::NAME, self.post))
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        match notify::fan_out(&env.db, self.post, &env.crawl.upkeep.public_url).await {
            Ok(_) => Ok(()),
            Err(CommunityError::Db(e)) => Err(JobError::Db(e)),
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}
