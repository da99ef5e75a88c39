//! The crawl log: the only code that writes `crawl_runs`, `crawl_events`, the `sources` cursors
//! and the flags a crawl sets on `repositories` and `software` (a repository gone from its
//! account, an entry deactivated because its file went away, the commit a plain git repository
//! was read at).
//!
//! Every outcome is a [`CrawlOutcome`], stored and served as its kebab-case name. A run is
//! opened by [`open_run`] and closed once, by [`close_run`], with the counts [`report`] reads
//! back from its events: one counting rule, whoever closes the run.
//!
//! It knows nothing of forges or jobs: the crawler names a source by its forge kind, API base
//! URL and path ([`SourceKey`]), and decides when a run is done.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait as _,
    DatabaseConnection, DbErr, EntityTrait as _, QueryFilter as _,
};
use serde::{Deserialize, Serialize};

use super::entities::{crawl_events, crawl_runs, repositories, software, sources};

/// What crawling one repository (or listing one account) came to, as a `crawl_events` row
/// names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrawlOutcome {
    /// A valid file made a new entry.
    New,
    /// A valid file changed an entry.
    Updated,
    /// Nothing changed since the last crawl.
    Unchanged,
    /// The file did not validate; its diagnostics are kept.
    Invalid,
    /// The repository has no `publiccode.yml`.
    NoPubliccode,
    /// The repository left its account's listing.
    Gone,
    /// The repository, or an account's listing, could not be read.
    Failed,
    /// The vitality index of a repository already counted could not be computed.
    VitalityFailed,
}

impl CrawlOutcome {
    /// Every outcome.
    pub const ALL: [Self; 8] = [
        Self::New,
        Self::Updated,
        Self::Unchanged,
        Self::Invalid,
        Self::NoPubliccode,
        Self::Gone,
        Self::Failed,
        Self::VitalityFailed,
    ];

    /// The name stored in `crawl_events.outcome` and served by the API.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
            Self::Invalid => "invalid",
            Self::NoPubliccode => "no-publiccode",
            Self::Gone => "gone",
            Self::Failed => "failed",
            Self::VitalityFailed => "vitality-failed",
        }
    }

    /// The outcome named `name`, as stored.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

impl fmt::Display for CrawlOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Ordered by name, so a report's outcomes are listed (and stored as JSON) alphabetically, as
// they always were; `Borrow<str>` then agrees with `Ord`, and a report can be asked by name.
impl Ord for CrawlOutcome {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for CrawlOutcome {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::borrow::Borrow<str> for CrawlOutcome {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// How a crawl went, counted by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The `crawl_runs` row.
    pub run_id: i64,
    /// Repositories looked at.
    pub repositories: u64,
    /// Outcomes and how many repositories had each.
    pub outcomes: BTreeMap<CrawlOutcome, u64>,
    /// Accounts or repositories that could not be listed or described, with the reason.
    pub failures: Vec<String>,
}

/// Opens a crawl run started by `trigger` (`cli`, `schedule`, ...); answers its id.
///
/// # Errors
///
/// Fails on a database error.
pub async fn open_run(db: &DatabaseConnection, trigger: &str) -> Result<i64, DbErr> {
    crawl_runs::ActiveModel {
        trigger: Set(trigger.to_owned()),
        status: Set("running".to_owned()),
        stats: Set("{}".to_owned()),
        started_at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|run| run.id)
}

/// When the last crawl run started, if there was one.
///
/// # Errors
///
/// Fails on a database error.
pub async fn last_started(
    db: &DatabaseConnection,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, DbErr> {
    use sea_orm::QueryOrder as _;
    Ok(crawl_runs::Entity::find()
        .order_by_desc(crawl_runs::Column::StartedAt)
        .one(db)
        .await?
        .map(|run| run.started_at))
}

/// Closes run `id` with the counts of its events, unless it is closed already (several workers
/// may finish its last jobs at once).
///
/// # Errors
///
/// Fails on a database error.
pub async fn close_run(db: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
    let Some(row) = crawl_runs::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if row.status != "running" {
        return Ok(());
    }
    let report = report(db, id).await?;
    let mut active: crawl_runs::ActiveModel = row.into();
    active.status = Set("finished".to_owned());
    active.stats = Set(serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned()));
    active.finished_at = Set(Some(Utc::now().fixed_offset()));
    active.update(db).await?;
    Ok(())
}

/// The counts stored in `run` when it closed, as the object they were written as (empty while
/// it runs, or for a row another release wrote in another shape).
#[must_use]
pub fn stored_counts(run: &crawl_runs::Model) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str(&run.stats) {
        Ok(serde_json::Value::Object(counts)) => counts,
        _ => serde_json::Map::new(),
    }
}

/// The report of run `id`, from its events: every event of a repository counts it once, but a
/// gone repository is not one crawled and a failed vitality index is about a repository counted
/// already; a failure without a repository (an account that could not be listed) is a failure
/// of the report, said once however many attempts met it.
///
/// # Errors
///
/// Fails on a database error.
pub async fn report(db: &DatabaseConnection, id: i64) -> Result<Report, DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(crate::db::statement(
            backend,
            "SELECT outcome, repository_id, message FROM crawl_events \
                 WHERE crawl_run_id = ? ORDER BY id",
            [id.into()],
        ))
        .await?;
    let mut report = Report {
        run_id: id,
        ..Report::default()
    };
    for row in &rows {
        let name: String = row.try_get("", "outcome")?;
        let Some(outcome) = CrawlOutcome::from_name(&name) else {
            continue;
        };
        let repository: Option<i64> = row.try_get("", "repository_id")?;
        match outcome {
            CrawlOutcome::Failed if repository.is_none() => {
                let message: String = row.try_get("", "message")?;
                if !report.failures.contains(&message) {
                    report.failures.push(message);
                }
            }
            CrawlOutcome::Gone | CrawlOutcome::VitalityFailed => {
                *report.outcomes.entry(outcome).or_default() += 1;
            }
            _ => {
                report.repositories += 1;
                *report.outcomes.entry(outcome).or_default() += 1;
            }
        }
    }
    Ok(report)
}

/// Records `outcome` of run `run` for `repository` (and its entry, looked up), or for no
/// repository (an account, a target that could not be described).
///
/// # Errors
///
/// Fails on a database error.
pub async fn event(
    db: &DatabaseConnection,
    run: i64,
    repository: Option<&repositories::Model>,
    outcome: CrawlOutcome,
    message: &str,
) -> Result<(), DbErr> {
    let software_id = match repository {
        Some(r) => entry_of(db, r.id).await?.map(|s| s.id),
        None => None,
    };
    event_of(
        db,
        run,
        repository.map(|r| r.id),
        software_id,
        outcome,
        message,
    )
    .await
}

/// [`event`] for a caller that already holds the ids of the repository and its entry.
///
/// # Errors
///
/// Fails on a database error.
pub async fn event_of(
    db: &DatabaseConnection,
    run: i64,
    repository_id: Option<i64>,
    software_id: Option<i64>,
    outcome: CrawlOutcome,
    message: &str,
) -> Result<(), DbErr> {
    crawl_events::ActiveModel {
        crawl_run_id: Set(Some(run)),
        repository_id: Set(repository_id),
        software_id: Set(software_id),
        outcome: Set(outcome.as_str().to_owned()),
        message: Set(message.to_owned()),
        at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// The repository the catalog knows at `url`.
///
/// # Errors
///
/// Fails on a database error.
pub async fn repository_by_url(
    db: &DatabaseConnection,
    url: &str,
) -> Result<Option<repositories::Model>, DbErr> {
    repositories::Entity::find()
        .filter(repositories::Column::Url.eq(url))
        .one(db)
        .await
}

/// The repositories the catalog knows at `urls`, by URL, read 500 URLs a statement.
///
/// # Errors
///
/// Fails on a database error.
pub async fn repositories_by_url(
    db: &DatabaseConnection,
    urls: &[&str],
) -> Result<HashMap<String, repositories::Model>, DbErr> {
    let mut known = HashMap::with_capacity(urls.len());
    for chunk in urls.chunks(500) {
        for repository in repositories::Entity::find()
            .filter(repositories::Column::Url.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            known.insert(repository.url.clone(), repository);
        }
    }
    Ok(known)
}

/// The catalog entry of repository `id`, if it has one.
///
/// # Errors
///
/// Fails on a database error.
pub async fn entry_of(db: &DatabaseConnection, id: i64) -> Result<Option<software::Model>, DbErr> {
    software::Entity::find()
        .filter(software::Column::RepositoryId.eq(id))
        .one(db)
        .await
}

/// Marks the repository at `url` gone (never deleted) and its entry inactive, with a
/// [`CrawlOutcome::Gone`] event saying `why`; a repository gone already is left as it is.
///
/// # Errors
///
/// Fails on a database error.
pub async fn mark_gone(
    db: &DatabaseConnection,
    run: i64,
    url: &str,
    why: &str,
) -> Result<(), DbErr> {
    let Some(repo) = repository_by_url(db, url).await? else {
        return Ok(());
    };
    if repo.gone_at.is_none() {
        let mut active: repositories::ActiveModel = repo.clone().into();
        active.gone_at = Set(Some(Utc::now().fixed_offset()));
        active.update(db).await?;
        deactivate(db, repo.id).await?;
        event(db, run, Some(&repo), CrawlOutcome::Gone, why).await?;
    }
    Ok(())
}

/// Sets the entry of repository `id` inactive (a crawl outcome, not a manual deactivation);
/// `false` when the repository has no entry.
///
/// # Errors
///
/// Fails on a database error.
pub async fn deactivate(db: &DatabaseConnection, repository_id: i64) -> Result<bool, DbErr> {
    let Some(entry) = entry_of(db, repository_id).await? else {
        return Ok(false);
    };
    if entry.active {
        software::ActiveModel {
            id: Set(entry.id),
            active: Set(false),
            changed_at_us: Set(super::change_stamp()),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(true)
}

/// Records that the plain git repository `repo` was read at `commit` of `branch`: it is there,
/// so not gone.
///
/// # Errors
///
/// Fails on a database error.
pub async fn record_git_head(
    db: &DatabaseConnection,
    repo: repositories::Model,
    commit: &str,
    branch: Option<String>,
) -> Result<(), DbErr> {
    let mut active: repositories::ActiveModel = repo.into();
    active.last_commit = Set(Some(commit.to_owned()));
    active.default_branch = Set(branch);
    active.gone_at = Set(None);
    active.update(db).await?;
    Ok(())
}

/// A crawl source as `sources` names it: the forge kind, its API base URL, and an account's or
/// a repository's path.
#[derive(Debug, Clone, Copy)]
pub struct SourceKey<'a> {
    /// `github`, `gitlab` or `gitea`.
    pub kind: &'a str,
    /// The forge's API base URL.
    pub base_url: &'a str,
    /// The account's or repository's path.
    pub target: &'a str,
}

/// The source row of `key`.
///
/// # Errors
///
/// Fails on a database error.
pub async fn source(
    db: &DatabaseConnection,
    key: SourceKey<'_>,
) -> Result<Option<sources::Model>, DbErr> {
    sources::Entity::find()
        .filter(sources::Column::Kind.eq(key.kind))
        .filter(sources::Column::BaseUrl.eq(key.base_url))
        .filter(sources::Column::Target.eq(key.target))
        .one(db)
        .await
}

/// The source row of `key`, made when there is none.
///
/// # Errors
///
/// Fails on a database error.
pub async fn upsert_source(
    db: &DatabaseConnection,
    key: SourceKey<'_>,
) -> Result<sources::Model, DbErr> {
    if let Some(row) = source(db, key).await? {
        return Ok(row);
    }
    let now = Utc::now().fixed_offset();
    let fresh = sources::ActiveModel {
        kind: Set(key.kind.to_owned()),
        base_url: Set(key.base_url.to_owned()),
        target: Set(key.target.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // Two publishers may list the same account: their targets run at once.
    if let Some(row) = super::unique::insert_new(db, fresh).await? {
        return Ok(row);
    }
    source(db, key)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("source {}", key.target)))
}

/// Stores an account's listing (`cursor`, the pages and their validators) on its source row,
/// as of now.
///
/// # Errors
///
/// Fails on a database error.
pub async fn store_listing(
    db: &DatabaseConnection,
    source: sources::Model,
    cursor: Option<String>,
) -> Result<(), DbErr> {
    let mut active: sources::ActiveModel = source.into();
    active.cursor = Set(cursor);
    active.updated_at = Set(Utc::now().fixed_offset());
    active.update(db).await?;
    Ok(())
}

/// Stores what a single repository target was described as (`Some`, making its source row when
/// needed), or forgets it (`None`, so the next crawl describes it afresh).
///
/// # Errors
///
/// Fails on a database error.
pub async fn store_description(
    db: &DatabaseConnection,
    key: SourceKey<'_>,
    description: Option<String>,
) -> Result<(), DbErr> {
    let row = match description {
        Some(_) => upsert_source(db, key).await?,
        None => match source(db, key).await? {
            Some(row) => row,
            None => return Ok(()),
        },
    };
    let mut active: sources::ActiveModel = row.into();
    active.cursor = Set(description);
    active.update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_keep_their_stored_names_and_order() {
        for outcome in CrawlOutcome::ALL {
            assert_eq!(CrawlOutcome::from_name(outcome.as_str()), Some(outcome));
            assert_eq!(
                serde_json::to_value(outcome).unwrap(),
                serde_json::Value::String(outcome.as_str().to_owned())
            );
        }
        let report = Report {
            run_id: 1,
            repositories: 3,
            outcomes: [
                (CrawlOutcome::NoPubliccode, 1),
                (CrawlOutcome::New, 1),
                (CrawlOutcome::Invalid, 1),
            ]
            .into(),
            failures: Vec::new(),
        };
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            r#"{"run_id":1,"repositories":3,"outcomes":{"invalid":1,"new":1,"no-publiccode":1},"failures":[]}"#
        );
        assert_eq!(report.outcomes.get("new"), Some(&1));
    }
}
