//! Periodic work: the jobs `riuso serve` runs at their interval, itself, whether or not a
//! worker is running: [`PurgeSessions`], [`ExpireInvalid`], [`RemindDeadlines`] and
//! [`CommunityDigest`] at start and every hour, and [`ScheduledCrawl`] every ten minutes when
//! a crawl interval is configured. At
//! start it also queues a compliance check of every active entry the current rule set has not
//! judged, so a new rule set (a new version of riuso) checks the catalog again without anyone
//! asking.

use std::time::Duration;

use tokio::sync::watch;

use super::check_compliance;
use super::community_digest::CommunityDigest;
use super::expire_invalid::ExpireInvalid;
use super::purge_sessions::PurgeSessions;
use super::remind_deadlines::RemindDeadlines;
use super::scheduled_crawl::ScheduledCrawl;
use super::{Environment, Job, JobError};

/// How often the expired sessions are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// How often the entries whose file stayed invalid past the grace are deactivated.
const EXPIRE_EVERY: Duration = Duration::from_secs(3600);
/// How often the deadlines of non-compliant outcomes are looked at (a reminder is due on a day,
/// and sent once).
const REMIND_EVERY: Duration = Duration::from_secs(3600);

/// How often the communities' digests that are due are sent.
const DIGEST_EVERY: Duration = Duration::from_secs(3600);

/// How often the scheduler looks whether a crawl is due.
const LOOK_EVERY: Duration = Duration::from_secs(600);

/// Runs the schedule in `env` until `stop` turns true; messages link to `public_url`.
pub async fn run(env: &Environment, public_url: &str, stop: watch::Receiver<bool>) {
    match check_compliance::enqueue_stale(&env.db).await {
        Ok(0) => {}
        Ok(queued) => tracing::info!(
            compliance.queued = queued,
            ruleset = crate::compliance::RULESET_VERSION,
            "compliance checks queued for the current rule set"
        ),
        // The next start tries again; `riuso compliance recheck` does it by hand.
        Err(e) => tracing::warn!(error = %e, "cannot queue the checks of the current rule set"),
    }
    let remind = RemindDeadlines {
        public_url: public_url.to_owned(),
    };
    let crawl = async {
        if env.crawl_every.is_some() {
            every(env, ScheduledCrawl {}, LOOK_EVERY, stop.clone()).await;
        }
    };
    tokio::join!(
        every(env, PurgeSessions {}, PURGE_EVERY, stop.clone()),
        every(env, ExpireInvalid {}, EXPIRE_EVERY, stop.clone()),
        every(env, remind, REMIND_EVERY, stop.clone()),
        every(env, CommunityDigest {}, DIGEST_EVERY, stop.clone()),
        crawl
    );
}

/// Runs `job` now and after every `period`, until `stop` turns true.
async fn every<J: Job + Clone>(
    env: &Environment,
    job: J,
    period: Duration,
    mut stop: watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        match job.clone().run(env, true).await {
            Ok(()) => {}
            Err(JobError::Retry(message)) => {
                tracing::warn!(job = J::NAME, error = %message, "periodic job failed");
            }
            Err(JobError::Db(e)) => {
                tracing::warn!(job = J::NAME, error = %e, "periodic job failed");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            _ = stop.changed() => {}
        }
    }
}
