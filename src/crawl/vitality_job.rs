//! The vitality index of repositories on the forges' APIs, as its own kind of job.
//!
//! A crawl that reads a repository through GitHub, GitLab or Gitea queues one vitality job
//! for it (`worker::vitality`): deduplicated by repository, in the crawl's batch, below every
//! catalog job in priority (so workers take the catalog's work first, and a slow clone never
//! holds it up), retried with the queue's backoff. The job ([`refresh`]) brings the repository's bare clone in the cache up to its
//! `HEAD` through [`git::history`], computes the index off the async runtime and stores it with
//! its daily series through [`catalog::vitality`](crate::catalog::vitality).
//!
//! What it never costs twice: the stored facts name the commit the index was computed at. When
//! the remote's `HEAD` is still that commit, nothing is fetched (one ref advertisement), and
//! nothing is computed either unless the window moved to a new day and the clone is at hand.
//! A repository whose listing shows no activity is not even asked, once its index is from today.
//!
//! It never touches the entry's file data (snapshots, claims, the active flag): a computation
//! that fails for good is a `vitality-failed` crawl event, and the entry keeps its last index.
//! Plain git URLs do not come here: their crawl holds a fresh clone already and computes the
//! index at once, through `record`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use url::Url;

use super::Options;
use super::forge::RepoInfo;
use super::git::{self, GitError};
use super::http::Polite;
use super::vitality::{self, Vitality, Window};
use crate::catalog::crawl_log::{self, CrawlOutcome};
use crate::catalog::entities::{repositories, software};
use crate::catalog::vitality::{VitalityFacts, VitalityRecord};

/// Where to clone `info` from: the URL the forge gave, or its web URL with `.git` (which the
/// three forges all serve) when it gave none; over HTTP(S) only, whatever the forge says.
#[must_use]
pub fn clone_url(info: &RepoInfo) -> Option<Url> {
    let http = |u: &str| {
        Url::parse(u)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    info.clone_url
        .as_deref()
        .and_then(http)
        .or_else(|| http(&format!("{}.git", info.web_url.trim_end_matches('/'))))
}

/// What a vitality job asks for: the index of the repository at `url` in the catalog, cloned
/// from `clone_url`, for crawl run `run`.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The crawl run that asked, for its events.
    pub run: i64,
    /// The repository's URL in the catalog (its web page).
    pub url: &'a str,
    /// Where to clone it from.
    pub clone_url: &'a Url,
}

/// Brings the index of the repository `job` names up to date. `Ok(Err(message))` asks for
/// another attempt; on the `last_attempt` the failure is also recorded as a crawl event.
///
/// # Errors
///
/// Fails on a database error.
pub async fn refresh(
    db: &DatabaseConnection,
    http: &Polite,
    job: Request<'_>,
    options: &Options,
    last_attempt: bool,
) -> Result<Result<(), String>, DbErr> {
    let Some(repo) = crawl_log::repository_by_url(db, job.url).await? else {
        return Ok(Ok(()));
    };
    // Gone from its account since the job was queued: there is nothing left to clone.
    if repo.gone_at.is_some() {
        return Ok(Ok(()));
    }
    // The entry is where the index goes: a repository without one has nothing to show it on.
    let Some(entry) = crawl_log::entry_of(db, repo.id).await? else {
        return Ok(Ok(()));
    };
    if let Err(e) = http.check(job.clone_url).await {
        // Refused by the SSRF guard: no later attempt can do better.
        failed(db, job.run, &repo, &format!("{}: {e}", job.clone_url)).await?;
        return Ok(Ok(()));
    }
    let known = entry.vitality_facts().and_then(|facts| facts.commit);
    let history = match git::history(
        job.clone_url,
        &options.git_cache,
        known.as_deref(),
        options.git_timeout,
        http.guard(),
    )
    .await
    {
        Ok(history) => history,
        Err(e @ GitError::Scheme { .. }) => {
            failed(db, job.run, &repo, &e.to_string()).await?;
            return Ok(Ok(()));
        }
        Err(e) => {
            let message = format!("{}: {e}", job.clone_url);
            if last_attempt {
                failed(db, job.run, &repo, &message).await?;
            }
            return Ok(Err(message));
        }
    };
    // `HEAD` is the commit the stored index was computed at, and no clone of it is at hand:
    // the index stands, and a clone would cost the whole history for nothing.
    let Some(clone) = history.clone_path else {
        return Ok(Ok(()));
    };
    match record(db, &entry, clone, &history.commit, Utc::now()).await? {
        Ok(()) => Ok(Ok(())),
        Err(message) => {
            if last_attempt {
                failed(db, job.run, &repo, &message).await?;
            }
            Ok(Err(message))
        }
    }
}

/// Computes the vitality of the clone at `clone`, whose `HEAD` is `commit`, as of `now`, and
/// stores it on `entry`; does nothing when `entry` holds the index of that commit for the
/// same day already. `Ok(Err(message))` when the clone's history cannot be read.
///
/// # Errors
///
/// Fails on a database error.
pub async fn record(
    db: &DatabaseConnection,
    entry: &software::Model,
    clone: PathBuf,
    commit: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), String>, DbErr> {
    let today = now.date_naive();
    let computed_at = entry.vitality_facts().and_then(|facts| facts.commit);
    if entry.vitality_fresh(today) && computed_at.as_deref() == Some(commit) {
        return Ok(Ok(()));
    }
    let vitality = match vitality::compute_async(clone, now, Window::default()).await {
        Ok(vitality) => vitality,
        Err(e) => return Ok(Err(e.to_string())),
    };
    crate::catalog::vitality::record(db, entry, &stored(&vitality, commit, today)).await?;
    Ok(Ok(()))
}

/// The catalog's form of a computation.
fn stored(vitality: &Vitality, commit: &str, today: NaiveDate) -> VitalityRecord {
    VitalityRecord {
        index: vitality.index,
        series: vitality.days.iter().map(|day| day.score).collect(),
        window_end: vitality.days.last().map_or(today, |day| day.date),
        facts: VitalityFacts {
            commit: Some(commit.to_owned()),
            commits: vitality.commits,
            merges: vitality.merges,
            authors: vitality.authors,
            tags: vitality.tags,
            first_commit: vitality.first_commit.map(|at| at.date_naive()),
            age_days: vitality.age_days,
        },
    }
}

/// Records a vitality computation of `repo` that failed for good.
async fn failed(
    db: &DatabaseConnection,
    run: i64,
    repo: &repositories::Model,
    message: &str,
) -> Result<(), DbErr> {
    crawl_log::event(db, run, Some(repo), CrawlOutcome::VitalityFailed, message).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(clone_url: Option<&str>, web_url: &str) -> RepoInfo {
        RepoInfo {
            web_url: web_url.to_owned(),
            path: "comune/app".to_owned(),
            id: None,
            default_branch: Some("main".to_owned()),
            archived: false,
            private: false,
            stars: None,
            forks: None,
            activity: None,
            clone_url: clone_url.map(str::to_owned),
        }
    }

    #[test]
    fn clones_come_over_http_only_whatever_the_forge_answers() {
        let web = "https://git.example/comune/app";
        assert_eq!(
            clone_url(&info(None, web)).map(String::from).as_deref(),
            Some("https://git.example/comune/app.git")
        );
        // A forge that names a file on the server's disk gets no clone from it.
        assert_eq!(
            clone_url(&info(Some("file:///etc/riuso/secret"), web))
                .map(String::from)
                .as_deref(),
            Some("https://git.example/comune/app.git")
        );
        assert!(clone_url(&info(Some("file:///srv/x"), "file:///srv/x")).is_none());
        // Nothing over HTTP at all: nothing to clone.
        assert!(clone_url(&info(Some("ssh://git@git.example/x"), "file:///srv/x")).is_none());
    }
}
