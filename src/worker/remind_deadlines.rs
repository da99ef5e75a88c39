//! Job: remind the owners of each non-compliant entry that the fixes a review requested are due
//! within a week (`compliance::notify::remind`, once per outcome). The periodic schedule runs it
//! at start and every hour.

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError};
use crate::compliance::{ComplianceError, notify};

/// Remind the owners of the deadlines that near, with links under `public_url`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RemindDeadlines {
    /// The address people use to reach the site (`RIUSO_PUBLIC_URL`).
    pub public_url: String,
}

impl Job for RemindDeadlines {
    const NAME: &'static str = "remind-deadlines";

    fn dedup_key(&self) -> Option<String> {
        Some(Self::NAME.to_owned())
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let now = chrono::Utc::now();
        match notify::remind(&env.db, now.date_naive(), now, &self.public_url).await {
            Ok(0) => Ok(()),
            Ok(reminded) => {
                tracing::info!(reminded, "owners reminded of review deadlines");
                Ok(())
            }
            Err(ComplianceError::Db(e)) => Err(JobError::Db(e)),
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}
