//! Job: deactivate the entries whose `publiccode.yml` has stayed invalid longer than the grace
//! (`RIUSO_INVALID_GRACE_DAYS`), and tell their owners' members who asked for it. The periodic
//! schedule runs it every hour, so an entry is deactivated on time even when no crawl reads its
//! repository again.

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError};
use crate::pipeline;

/// Deactivate what stayed invalid past its grace by now.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct ExpireInvalid {}

impl Job for ExpireInvalid {
    const NAME: &'static str = "expire-invalid";

    fn dedup_key(&self) -> Option<String> {
        Some(Self::NAME.to_owned())
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let deactivated =
            pipeline::expire_invalid(&env.db, &env.crawl.upkeep, chrono::Utc::now(), None).await?;
        tracing::debug!(deactivated, "grace of invalid files looked at");
        Ok(())
    }
}
