//! Job: the daily digest of the posts people follow with one mail a day. The periodic schedule
//! runs it every hour; each person's digest goes once the first post waiting in it is a day old
//! (`community::forum::notify::digest`).

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError};
use crate::community::CommunityError;
use crate::community::forum::notify;

/// Send the digests that are due.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct CommunityDigest {}

impl Job for CommunityDigest {
    const NAME: &'static str = "community-digest";
    const CLOSES_BATCH: bool = false;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::NAME.to_owned())
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let now = chrono::Utc::now().fixed_offset();
        match notify::digest(&env.db, &env.crawl.upkeep.public_url, now).await {
            Ok(_) => Ok(()),
            Err(CommunityError::Db(e)) => Err(JobError::Db(e)),
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}
