//! Job: purge expired sessions and e-mailed links. The periodic schedule runs it every
//! hour.

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError};
use crate::community::sessions;

/// Purge what expired by now.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct PurgeSessions {}

impl Job for PurgeSessions {
    const NAME: &'static str = "purge-sessions";

    fn dedup_key(&self) -> Option<String> {
        Some(Self::NAME.to_owned())
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        // A failed purge is tried again at the next hour; nothing waits for it.
        match sessions::purge_expired(&env.db, chrono::Utc::now().fixed_offset()).await {
            Ok(purged) => tracing::debug!(?purged, "expired sessions and links purged"),
            Err(e) => tracing::warn!(error = %e, "cannot purge expired sessions and links"),
        }
        Ok(())
    }
}
