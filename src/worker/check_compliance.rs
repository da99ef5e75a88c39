//! Job: run the compliance rules on one entry's current snapshot, store the results under the
//! current rule set and move its review (`compliance::store::record_check`).
//!
//! Queued by a crawl that stored a new file (new, updated or invalid), by a vitality job that
//! brought the repository's clone up to date (its files may have changed: the licence text, the
//! README), and by `riuso compliance recheck` for every active entry the current rule set has
//! not judged. The repository's files are read from the clone the vitality index keeps, at the
//! snapshot's commit (else at the clone's `HEAD`); without a clone the rules that need them say
//! `unknown` until the next check.

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Environment, Job, JobError, enqueue};
use crate::catalog::crawl_log::{self, CrawlOutcome};
use crate::catalog::entities::repositories;
use crate::compliance::facts::RepoFiles;
use crate::compliance::{ComplianceError, evaluate, store};
use crate::crawl::git::{self, TreeRequest};
use crate::publiccode::Limits;

/// Check entry `software`, whose repository is cloned from `clone_url` (when known).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckCompliance {
    /// The entry.
    pub software: i64,
    /// Where its repository's clone comes from; derived from the repository's URL when absent.
    #[serde(default)]
    pub clone_url: Option<Url>,
}

impl Job for CheckCompliance {
    const NAME: &'static str = "check-compliance";
    // Below the vitality jobs (-1), so the clone they bring up to date is read.
    const PRIORITY: i32 = -2;
    const ATTEMPTS: u32 = 3;
    // It changes no entry's file: the crawl run does not wait for it.
    const CLOSES_BATCH: bool = false;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("compliance|{}", self.software))
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let db = &env.db;
        let Some(loaded) = store::load(db, self.software).await? else {
            return Ok(());
        };
        let clone_url = self
            .clone_url
            .or_else(|| default_clone_url(&loaded.repository));
        let files = match clone_url {
            Some(url) => {
                let request = TreeRequest {
                    wants: RepoFiles::wants,
                    max_paths: RepoFiles::MAX_PATHS,
                    max_bytes: RepoFiles::MAX_TEXT,
                    timeout: env.crawl.git_timeout,
                };
                let clone = git::clone_dir(&env.crawl.git_cache, &url);
                let commit = loaded.snapshot.commit_sha.clone();
                let tree = {
                    let _turn = env.git_turn().await;
                    git::read_tree(clone, commit, request).await
                };
                match tree {
                    Ok(tree) => tree.map(|t| RepoFiles::new(t.commit, t.paths, t.texts)),
                    Err(e) => {
                        // The clone is only a cache: the rules that need it say `unknown`.
                        tracing::warn!(software = self.software, error = %e, "cannot read the clone");
                        None
                    }
                }
            }
            None => None,
        };
        let now = Utc::now();
        let limits = Limits {
            max_bytes: env.crawl.max_file_bytes,
            ..Limits::default()
        };
        let facts = store::facts(db, &loaded, files, now.date_naive(), &limits).await?;
        let results = evaluate(&facts);
        match store::record_check(db, &loaded, &results, now).await {
            Ok(_) => Ok(()),
            Err(ComplianceError::Db(e)) => Err(JobError::Db(e)),
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}

/// Where the clone of `repository` is, when the job was not told: a plain git URL is its own
/// clone URL; a forge's repository is cloned from its web URL with `.git`, as the vitality job
/// does when the forge names no other.
fn default_clone_url(repository: &repositories::Model) -> Option<Url> {
    let url = if repository.forge == "git" {
        repository.url.clone()
    } else {
        format!("{}.git", repository.url.trim_end_matches('/'))
    };
    Url::parse(&url).ok()
}

/// Whether a crawl step with `outcome` stored a file the rules have not seen: a new entry, a
/// changed file, or an invalid one.
#[must_use]
pub fn follows(outcome: CrawlOutcome) -> bool {
    matches!(
        outcome,
        CrawlOutcome::New | CrawlOutcome::Updated | CrawlOutcome::Invalid
    )
}

/// Queues the check of the entry of the repository at `repository_url`, in `batch`, with the
/// clone at `clone_url`; nothing when the repository has no entry.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue_for_repository(
    db: &DatabaseConnection,
    repository_url: &str,
    clone_url: Option<Url>,
    batch: Option<i64>,
) -> Result<(), DbErr> {
    let Some(repo) = crawl_log::repository_by_url(db, repository_url).await? else {
        return Ok(());
    };
    let Some(entry) = crawl_log::entry_of(db, repo.id).await? else {
        return Ok(());
    };
    let job = CheckCompliance {
        software: entry.id,
        clone_url,
    };
    enqueue(db, &job, batch).await?;
    Ok(())
}

/// Queues a check of every active entry the current rule set has not judged (after
/// [`crate::compliance::RULESET_VERSION`] changed, or on a catalog that never had one); how
/// many were queued.
///
/// # Errors
///
/// Fails on a database error.
pub async fn enqueue_stale(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let mut queued = 0;
    for software in store::stale(db).await? {
        let job = CheckCompliance {
            software,
            clone_url: None,
        };
        if enqueue(db, &job, None).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clone_of_a_repository_without_a_clone_url() {
        let repo = |forge: &str, url: &str| repositories::Model {
            id: 1,
            source_id: None,
            url: url.to_owned(),
            forge: forge.to_owned(),
            default_branch: None,
            archived: false,
            private: false,
            stars: None,
            forks: None,
            last_commit: None,
            etag: None,
            last_modified: None,
            gone_at: None,
            created_at: Utc::now().fixed_offset(),
            updated_at: Utc::now().fixed_offset(),
        };
        assert_eq!(
            default_clone_url(&repo("github", "https://github.com/a/b/")).map(String::from),
            Some("https://github.com/a/b.git".to_owned())
        );
        assert_eq!(
            default_clone_url(&repo("git", "https://example.org/x.git")).map(String::from),
            Some("https://example.org/x.git".to_owned())
        );
        let job = CheckCompliance {
            software: 4,
            clone_url: None,
        };
        assert_eq!(job.dedup_key().as_deref(), Some("compliance|4"));
    }
}
