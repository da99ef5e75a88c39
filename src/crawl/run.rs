//! One crawl: list every account, fetch the `publiccode.yml` of every repository whose activity
//! moved since last time (conditionally), validate and ingest it, and record every outcome as a
//! `crawl_events` row. A failure is recorded and the crawl goes on: nothing already in the
//! catalog is ever lost to a failed fetch.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use futures_util::StreamExt as _;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _,
};
use serde::Serialize;

use super::forge::{self, Forge, Listing, RepoInfo};
use super::http::{Answer, Polite, Validators};
use super::vitality_job;
use crate::catalog::entities::{crawl_events, crawl_runs, repositories, software, sources};
use crate::catalog::{self, Facts, Fetched, IngestOutcome, Origin};
use crate::jobs::{self, NewJob};
use crate::publiccode::{self, Context, Limits};

/// The repositories a target leads to, or why it could not be listed.
type Discovered = Result<Result<Vec<(Forge, RepoInfo, bool, Option<String>)>, String>, DbErr>;

/// Lists an account, or describes a single repository.
async fn discover(db: &DatabaseConnection, http: &Polite, target: &Target, run: i64) -> Discovered {
    if target.repository {
        let message = match repository_info(db, http, target).await {
            Ok(Some(info)) => {
                return Ok(Ok(vec![(
                    target.forge.clone(),
                    info,
                    true,
                    target.ipa.clone(),
                )]));
            }
            Ok(None) => format!("{}: no such repository", target.path),
            Err(e) => e.to_string(),
        };
        event(db, run, None, "failed", &message).await?;
        return Ok(Err(message));
    }
    Ok(list_account(db, http, target, run).await?.map(|listing| {
        listing
            .repos()
            .map(|r| (target.forge.clone(), r.clone(), false, target.ipa.clone()))
            .collect()
    }))
}

/// What to crawl: an account (organisation, group or user) or one repository on a forge.
#[derive(Debug, Clone)]
pub struct Target {
    /// The forge and its API.
    pub forge: Forge,
    /// An account's path, or a repository's `owner/name` (a GitLab full path).
    pub path: String,
    /// Whether `path` names one repository rather than an account.
    pub repository: bool,
    /// The environment variable the token came from (jobs store the name, never the token).
    pub token_env: Option<String>,
    /// The web URL of the account or repository, as the sources give it: what the forge's
    /// answers are checked against ([`super::identity`]).
    pub web: url::Url,
    /// The IPA code of the publisher the sources list it under: its entries' trusted publisher.
    pub ipa: Option<String>,
}

impl Target {
    /// The crawl targets of every publisher in `sources`, with tokens looked up by their
    /// variable's name in `tokens`; plain git URLs are returned apart (see [`crawl_git`]).
    #[must_use]
    pub fn from_sources(
        sources: &super::sources::Sources,
        tokens: &std::collections::BTreeMap<String, String>,
    ) -> (Vec<Self>, Vec<url::Url>) {
        use super::sources::{ForgeKind, Scope};
        let mut targets = Vec::new();
        let mut git = Vec::new();
        for (target, ipa) in sources
            .publishers
            .iter()
            .flat_map(|p| p.targets.iter().map(|t| (t, &p.ipa)))
        {
            let kind = match target.forge {
                ForgeKind::GitHub => forge::Kind::GitHub,
                ForgeKind::GitLab => forge::Kind::GitLab,
                ForgeKind::Gitea => forge::Kind::Gitea,
                ForgeKind::Git => {
                    git.push(target.web.clone());
                    continue;
                }
            };
            let (Some(api), Some((path, repository))) = (
                target.api.clone(),
                match &target.scope {
                    Scope::Account { path } => Some((path.clone(), false)),
                    Scope::Repository { path } => Some((path.clone(), true)),
                    Scope::GitUrl => None,
                },
            ) else {
                git.push(target.web.clone());
                continue;
            };
            let token = target
                .token_env
                .as_ref()
                .and_then(|name| tokens.get(name))
                .cloned();
            targets.push(Self {
                forge: Forge { kind, api, token },
                path,
                repository,
                token_env: target.token_env.clone(),
                web: target.web.clone(),
                ipa: ipa.clone(),
            });
        }
        (targets, git)
    }
}

/// How a crawl behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Repositories in flight at once. Each host has its own, lower limit of requests in the
    /// client (8 by default), which is what keeps a crawl polite; more repositories than
    /// requests in flight let one be validated and stored while others wait for their forge.
    pub concurrency: usize,
    /// What started the crawl (`cli`, `schedule`, ...), recorded on the run.
    pub trigger: String,
    /// Largest `publiccode.yml` accepted.
    pub max_file_bytes: usize,
    /// Where bare clones of plain git repositories are kept between crawls.
    pub git_cache: std::path::PathBuf,
    /// Timeout of one git fetch.
    pub git_timeout: std::time::Duration,
    /// Whether `file://` git URLs of the sources are read (`RIUSO_FETCH_FILES`): repositories on
    /// this machine, which only the operator's own sources may name. No URL a forge answers
    /// with is ever read from the disk.
    pub fetch_files: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            concurrency: 32,
            trigger: "cli".to_owned(),
            max_file_bytes: Limits::default().max_bytes,
            git_cache: std::env::temp_dir().join("riuso-git"),
            git_timeout: std::time::Duration::from_secs(120),
            fetch_files: false,
        }
    }
}

/// How a crawl went, counted by outcome (`new`, `updated`, `unchanged`, `invalid`,
/// `no-publiccode`, `gone`, `failed`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The `crawl_runs` row.
    pub run_id: i64,
    /// Repositories looked at.
    pub repositories: u64,
    /// Outcomes and how many repositories had each.
    pub outcomes: BTreeMap<String, u64>,
    /// Accounts or repositories that could not be listed or described, with the reason.
    pub failures: Vec<String>,
}

/// Crawls `targets` into the catalog in `db`; `progress` is called after each repository.
///
/// The vitality index of the repositories read through the forges' APIs is not computed here:
/// their jobs are queued in the run's batch at the end, for any worker to take (see
/// [`vitality_job`]).
/// Plain git URLs are crawled by [`crawl_git`], which computes it from the clone it makes.
///
/// # Errors
///
/// Fails only when the database fails; forge failures are outcomes of the report.
pub async fn crawl(
    db: &DatabaseConnection,
    http: &Polite,
    targets: &[Target],
    options: &Options,
    progress: impl Fn(&str) + Send + Sync,
) -> Result<Report, DbErr> {
    let run = open_run(db, &options.trigger).await?;
    let mut report = Report {
        run_id: run.id,
        ..Report::default()
    };
    // Every account is listed and every single repository described at once (the client's
    // per-host limit still applies), then their repositories are crawled.
    let run_id = run.id;
    let discoveries: Vec<_> = targets
        .iter()
        .map(|target| discover(db, http, target, run_id))
        .collect();
    let found: Vec<Discovered> = futures_util::stream::iter(discoveries)
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let mut work: Vec<(Forge, RepoInfo, bool, Option<String>)> = Vec::new();
    for result in found {
        match result? {
            Ok(repos) => work.extend(repos),
            Err(message) => report.failures.push(message),
        }
    }
    // What the catalog knows of every listed repository, read at once rather than one look-up
    // per repository.
    let mut known =
        repositories_by_url(db, work.iter().map(|(_, info, _, _)| info.web_url.as_str())).await?;
    let work: Vec<_> = work
        .into_iter()
        .map(|(forge, info, single, ipa)| {
            let row = known.remove(info.web_url.as_str());
            (forge, info, single, ipa, row)
        })
        .collect();
    let shared = Arc::new((db.clone(), http.clone(), options.clone()));
    let mut outcomes = futures_util::stream::iter(work)
        .map(move |(forge, info, single, ipa, row)| {
            let shared = Arc::clone(&shared);
            async move {
                let (db, http, options) = &*shared;
                let known = Known::Read(row.map(Box::new));
                let outcome = crawl_repository(
                    db,
                    http,
                    &forge,
                    &info,
                    single,
                    ipa.as_deref(),
                    known,
                    run_id,
                    options,
                )
                .await;
                // Recorded here, not by the loop below: the other repositories in flight may
                // hold the connections the event needs until they are polled again.
                let outcome = match outcome {
                    Err(e) => {
                        super::failed::database(db, run_id, &info.web_url, forge.kind.as_str(), &e)
                            .await
                            .map(Crawled::from)
                    }
                    ok => ok,
                };
                (info.web_url, outcome)
            }
        })
        .buffer_unordered(options.concurrency.max(1));
    // Queued together at the end: one statement rather than a round trip per repository.
    let mut vitality = Vec::new();
    while let Some((url, crawled)) = outcomes.next().await {
        let crawled = crawled?;
        report.repositories += 1;
        *report
            .outcomes
            .entry(crawled.outcome.to_owned())
            .or_default() += 1;
        vitality.extend(crawled.vitality);
        progress(&url);
    }
    jobs::enqueue_all(db, &vitality).await?;
    let mut finished: crawl_runs::ActiveModel = run.into();
    finished.status = Set("finished".to_owned());
    finished.stats = Set(serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned()));
    finished.finished_at = Set(Some(Utc::now().fixed_offset()));
    finished.update(db).await?;
    Ok(report)
}

/// Opens a crawl run started by `trigger`.
pub(super) async fn open_run(
    db: &DatabaseConnection,
    trigger: &str,
) -> Result<crawl_runs::Model, DbErr> {
    crawl_runs::ActiveModel {
        trigger: Set(trigger.to_owned()),
        status: Set("running".to_owned()),
        stats: Set("{}".to_owned()),
        started_at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The repository the catalog knows at `url`.
pub(super) async fn repository_by_url(
    db: &DatabaseConnection,
    url: &str,
) -> Result<Option<repositories::Model>, DbErr> {
    repositories::Entity::find()
        .filter(repositories::Column::Url.eq(url))
        .one(db)
        .await
}

/// The repositories with these URLs, by URL, read 500 at a time.
async fn repositories_by_url<'a>(
    db: &DatabaseConnection,
    urls: impl Iterator<Item = &'a str>,
) -> Result<std::collections::HashMap<String, repositories::Model>, DbErr> {
    let urls: Vec<&str> = urls.collect();
    let mut out = std::collections::HashMap::with_capacity(urls.len());
    for chunk in urls.chunks(500) {
        for row in repositories::Entity::find()
            .filter(repositories::Column::Url.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.insert(row.url.clone(), row);
        }
    }
    Ok(out)
}

/// The catalog entry of repository `id`, if it has one.
pub(super) async fn entry_of(
    db: &DatabaseConnection,
    id: i64,
) -> Result<Option<software::Model>, DbErr> {
    software::Entity::find()
        .filter(software::Column::RepositoryId.eq(id))
        .one(db)
        .await
}

pub(super) async fn event(
    db: &DatabaseConnection,
    run: i64,
    repository: Option<&repositories::Model>,
    outcome: &str,
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

/// [`event`] for a caller that already holds the repository's entry id.
async fn event_of(
    db: &DatabaseConnection,
    run: i64,
    repository_id: Option<i64>,
    software_id: Option<i64>,
    outcome: &str,
    message: &str,
) -> Result<(), DbErr> {
    crawl_events::ActiveModel {
        crawl_run_id: Set(Some(run)),
        repository_id: Set(repository_id),
        software_id: Set(software_id),
        outcome: Set(outcome.to_owned()),
        message: Set(message.to_owned()),
        at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// A single repository target: described from what the last crawl stored (no request), or by
/// the forge the first time.
pub(super) async fn repository_info(
    db: &DatabaseConnection,
    http: &Polite,
    target: &Target,
) -> Result<Option<RepoInfo>, forge::ForgeError> {
    let source = source_row(db, &target.forge, &target.path)
        .await
        .ok()
        .flatten();
    let identity = super::identity::Source::of(target);
    if let Some(mut known) = source
        .and_then(|s| s.cursor)
        .and_then(|c| serde_json::from_str::<RepoInfo>(&c).ok())
    {
        identity.check(&mut known)?;
        return Ok(Some(known));
    }
    let mut info = target.forge.repository(http, &target.path).await?;
    if let Some(info) = &mut info {
        identity.check(info)?;
    }
    if let Some(info) = &info
        && let Ok(row) = upsert_source(db, target).await
    {
        let mut active: sources::ActiveModel = row.into();
        active.cursor = Set(serde_json::to_string(info).ok());
        let _ = active.update(db).await;
    }
    Ok(info)
}

/// Drops what a single repository target remembers of its repository.
async fn forget_description(
    db: &DatabaseConnection,
    forge: &Forge,
    path: &str,
) -> Result<(), DbErr> {
    if let Some(row) = source_row(db, forge, path).await? {
        let mut active: sources::ActiveModel = row.into();
        active.cursor = Set(None);
        active.update(db).await?;
    }
    Ok(())
}

/// The source row of `path` on `forge`.
async fn source_row(
    db: &DatabaseConnection,
    forge: &Forge,
    path: &str,
) -> Result<Option<sources::Model>, DbErr> {
    sources::Entity::find()
        .filter(sources::Column::Kind.eq(forge.kind.as_str()))
        .filter(sources::Column::BaseUrl.eq(forge.api.as_str()))
        .filter(sources::Column::Target.eq(path))
        .one(db)
        .await
}

async fn upsert_source(db: &DatabaseConnection, target: &Target) -> Result<sources::Model, DbErr> {
    if let Some(row) = source_row(db, &target.forge, &target.path).await? {
        return Ok(row);
    }
    let now = Utc::now().fixed_offset();
    let fresh = sources::ActiveModel {
        kind: Set(target.forge.kind.as_str().to_owned()),
        base_url: Set(target.forge.api.to_string()),
        target: Set(target.path.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // Two publishers may list the same account: their targets run at once.
    if let Some(row) = catalog::unique::insert_new(db, fresh).await? {
        return Ok(row);
    }
    source_row(db, &target.forge, &target.path)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("source {}", target.path)))
}

/// Lists an account with the pages stored last time; repositories that left the listing are
/// marked gone. `Ok(Err(message))` when the account could not be listed.
pub(super) async fn list_account(
    db: &DatabaseConnection,
    http: &Polite,
    target: &Target,
    run: i64,
) -> Result<Result<Listing, String>, DbErr> {
    let source = upsert_source(db, target).await?;
    let previous: Listing = source
        .cursor
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let listing = match target.forge.list(http, &target.path, &previous).await {
        Ok(mut listing) => {
            // Repositories the forge has no say over are refused, and their refusal recorded.
            for refused in super::identity::Source::of(target).screen(&mut listing) {
                event(db, run, None, "failed", &refused.to_string()).await?;
            }
            listing
        }
        Err(e) => {
            let message = format!("{}: {e}", target.path);
            event(db, run, None, "failed", &message).await?;
            return Ok(Err(message));
        }
    };
    for gone in previous
        .repos()
        .filter(|old| !listing.repos().any(|new| new.web_url == old.web_url))
    {
        mark_gone(
            db,
            run,
            &gone.web_url,
            "the repository left the account's listing",
        )
        .await?;
    }
    let mut active: sources::ActiveModel = source.into();
    active.cursor = Set(serde_json::to_string(&listing).ok());
    active.updated_at = Set(Utc::now().fixed_offset());
    active.update(db).await?;
    Ok(Ok(listing))
}

/// Marks the repository at `url` gone (never deleted) and its entry inactive.
async fn mark_gone(db: &DatabaseConnection, run: i64, url: &str, why: &str) -> Result<(), DbErr> {
    let Some(repo) = repository_by_url(db, url).await? else {
        return Ok(());
    };
    if repo.gone_at.is_none() {
        let mut active: repositories::ActiveModel = repo.clone().into();
        active.gone_at = Set(Some(Utc::now().fixed_offset()));
        active.update(db).await?;
        deactivate(db, repo.id).await?;
        event(db, run, Some(&repo), "gone", why).await?;
    }
    Ok(())
}

/// Sets the entry of repository `id` inactive (a crawl outcome, not a manual deactivation);
/// `false` when the repository has no entry.
async fn deactivate(db: &DatabaseConnection, repository_id: i64) -> Result<bool, DbErr> {
    let Some(entry) = entry_of(db, repository_id).await? else {
        return Ok(false);
    };
    if entry.active {
        software::ActiveModel {
            id: Set(entry.id),
            active: Set(false),
            changed_at_us: Set(catalog::change_stamp()),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(true)
}

/// What crawling one repository did.
#[derive(Debug)]
pub(super) struct Crawled {
    /// The outcome's name.
    pub(super) outcome: &'static str,
    /// The repository's vitality job, for the caller to queue: a repository whose file was read
    /// (or whose index is not from today) needs one.
    pub(super) vitality: Option<NewJob>,
}

impl From<&'static str> for Crawled {
    fn from(outcome: &'static str) -> Self {
        Self {
            outcome,
            vitality: None,
        }
    }
}

/// What the catalog knows of a repository about to be crawled.
#[derive(Debug)]
pub(super) enum Known {
    /// Read already (with every repository of the run): its row, if there is one.
    Read(Option<Box<repositories::Model>>),
    /// Not read yet: look it up.
    LookUp,
}

/// Crawls one repository.
#[expect(
    clippy::too_many_arguments,
    reason = "the repository, what is known of it, and the run it belongs to, all named"
)]
pub(super) async fn crawl_repository(
    db: &DatabaseConnection,
    http: &Polite,
    forge: &Forge,
    info: &RepoInfo,
    single: bool,
    source_ipa: Option<&str>,
    known: Known,
    run: i64,
    options: &Options,
) -> Result<Crawled, DbErr> {
    let known = match known {
        Known::Read(row) => row.map(|r| *r),
        Known::LookUp => repository_by_url(db, info.web_url.as_str()).await?,
    };
    // Listed with the same activity as last time, and a file already read: nothing to ask.
    if !single
        && let Some(known) = &known
        && known.gone_at.is_none()
        && known.last_modified.is_some()
        && known.last_modified == info.activity
        && known.default_branch == info.default_branch
    {
        let entry = entry_of(db, known.id).await?;
        if let Some(entry) = &entry {
            catalog::reverify_publisher(db, entry, source_ipa).await?;
        }
        event_of(
            db,
            run,
            Some(known.id),
            entry.as_ref().map(|e| e.id),
            "unchanged",
            "activity unchanged since the last crawl",
        )
        .await?;
        // No push since: the history is the same, but the window moves a day at a time.
        let stale = entry
            .as_ref()
            .is_some_and(|entry| !vitality_job::fresh(entry, Utc::now().date_naive()));
        return Ok(Crawled {
            outcome: "unchanged",
            vitality: stale.then(|| vitality_job::job(run, info)).flatten(),
        });
    }
    let validators = known.as_ref().map(|k| Validators {
        etag: k.etag.clone(),
        last_modified: None,
    });
    // A repository that was gone, or whose branch moved, is read in full.
    let validators = validators.filter(|_| {
        known
            .as_ref()
            .is_some_and(|k| k.default_branch == info.default_branch && k.gone_at.is_none())
    });
    let answer = match forge.file(http, info, validators.as_ref()).await {
        Ok(answer) => answer,
        Err(e) => {
            event(db, run, known.as_ref(), "failed", &e.to_string()).await?;
            return Ok("failed".into());
        }
    };
    let (bytes, etag) = match answer {
        Answer::NotModified => {
            let mut vitality = None;
            if let Some(known) = known {
                remember(db, known.id, info, None).await?;
                let entry = entry_of(db, known.id).await?;
                if let Some(entry) = &entry {
                    catalog::reverify_publisher(db, entry, source_ipa).await?;
                }
                event_of(
                    db,
                    run,
                    Some(known.id),
                    entry.as_ref().map(|e| e.id),
                    "unchanged",
                    "publiccode.yml not modified (304)",
                )
                .await?;
                // The file is the same, the history may not be: the listing said the
                // repository moved. A single repository is described from memory, so nothing
                // says so; its index is looked at again once a day.
                let today = Utc::now().date_naive();
                if let Some(entry) = &entry
                    && (!single || !vitality_job::fresh(entry, today))
                {
                    vitality = vitality_job::job(run, info);
                }
            }
            return Ok(Crawled {
                outcome: "unchanged",
                vitality,
            });
        }
        Answer::NotFound => {
            if single {
                // Described from memory: the branch may have moved. Describe it afresh next time.
                forget_description(db, forge, &info.path).await?;
            }
            match &known {
                Some(known) => {
                    if deactivate(db, known.id).await? {
                        event(
                            db,
                            run,
                            Some(known),
                            "no-publiccode",
                            "the repository has no publiccode.yml at its default branch any more",
                        )
                        .await?;
                    }
                    remember(db, known.id, info, Some(None)).await?;
                }
                // Remembered without an entry, so that next time its unchanged activity costs
                // no request.
                None => {
                    let origin = Origin {
                        repository_url: &info.web_url,
                        forge: forge.kind.as_str(),
                        facts: Some(facts(info, None, true)),
                        source_ipa,
                    };
                    let row = catalog::record_repository(db, origin).await?;
                    event(
                        db,
                        run,
                        Some(&row),
                        "no-publiccode",
                        "no publiccode.yml at the default branch",
                    )
                    .await?;
                }
            }
            return Ok("no-publiccode".into());
        }
        Answer::Body {
            bytes, validators, ..
        } => (bytes, validators.etag),
    };
    // The repository's facts and the file's ETag are written by ingest, in its transaction.
    let origin = Origin {
        repository_url: &info.web_url,
        forge: forge.kind.as_str(),
        facts: Some(facts(info, Some(etag.as_deref()), known.is_none())),
        source_ipa,
    };
    let ingested = ingest(db, run, known.as_ref(), origin, &bytes, None, options).await?;
    let Some(outcome) = ingested else {
        return Ok("failed".into());
    };
    Ok(Crawled {
        outcome,
        vitality: vitality_job::job(run, info),
    })
}

/// Validates and ingests `bytes` fetched from the repository of `origin`; records the outcome as
/// an event. `None` when ingest refused the file (an event says why).
async fn ingest(
    db: &DatabaseConnection,
    run: i64,
    known: Option<&repositories::Model>,
    origin: Origin<'_>,
    bytes: &[u8],
    commit: Option<&str>,
    options: &Options,
) -> Result<Option<&'static str>, DbErr> {
    let limits = Limits {
        max_bytes: options.max_file_bytes,
        ..Limits::default()
    };
    let url = origin.repository_url;
    let fetched = Fetched {
        bytes,
        commit,
        fetched_at: Utc::now(),
    };
    // Checked before any await: the validation context is not `Send`.
    let inspected = publiccode::inspect(bytes, &limits, &Context::default());
    let ingested = crate::pipeline::ingest(db, origin, fetched, &inspected).await;
    let ingested = match ingested {
        Ok(i) => i,
        Err(catalog::IngestError::Db(e)) => return Err(e),
        Err(e) => {
            event(db, run, known, "failed", &e.to_string()).await?;
            return Ok(None);
        }
    };
    let outcome = match ingested.outcome {
        IngestOutcome::New => "new",
        IngestOutcome::Updated => "updated",
        IngestOutcome::Unchanged => "unchanged",
        IngestOutcome::Invalid => "invalid",
    };
    // Ingest said which repository and entry: no look-up of either.
    event_of(
        db,
        run,
        Some(ingested.repository_id),
        Some(ingested.software_id),
        outcome,
        &format!("{url} ({})", ingested.slug),
    )
    .await?;
    Ok(Some(outcome))
}

/// Crawls the plain git repository at `url`: one ref advertisement when `HEAD` did not move,
/// else a fetch into the local clone; then the vitality index from the clone's history, unless
/// the entry holds today's index of the same commit.
///
/// # Errors
///
/// Fails only when the database fails; git failures are `failed` events.
pub async fn crawl_git(
    db: &DatabaseConnection,
    http: &Polite,
    url: &url::Url,
    run: i64,
    options: &Options,
) -> Result<&'static str, DbErr> {
    let known = repository_by_url(db, url.as_str()).await?;
    let refused = if url.scheme() == "file" {
        (!options.fetch_files).then(|| {
            "file:// git URLs are read only when the operator sets RIUSO_FETCH_FILES=true"
                .to_owned()
        })
    } else {
        http.check(url).await.err().map(|e| e.to_string())
    };
    if let Some(why) = refused {
        event(db, run, known.as_ref(), "failed", &format!("{url}: {why}")).await?;
        return Ok("failed");
    }
    let fetched = match super::git::fetch(
        url,
        &options.git_cache,
        known.as_ref().and_then(|k| k.last_commit.as_deref()),
        options.git_timeout,
        http.guard(),
    )
    .await
    {
        Ok(f) => f,
        Err(e) => {
            event(db, run, known.as_ref(), "failed", &format!("{url}: {e}")).await?;
            return Ok("failed");
        }
    };
    let outcome = match (&fetched.file, fetched.unchanged, &known) {
        (_, true, Some(known)) => {
            event(db, run, Some(known), "unchanged", "HEAD did not move").await?;
            "unchanged"
        }
        (None, _, _) => {
            if let Some(known) = &known {
                deactivate(db, known.id).await?;
                event(
                    db,
                    run,
                    Some(known),
                    "no-publiccode",
                    "no publiccode.yml at HEAD",
                )
                .await?;
            }
            "no-publiccode"
        }
        (Some(bytes), _, _) => {
            let origin = Origin {
                repository_url: url.as_str(),
                forge: "git",
                facts: None,
                source_ipa: None,
            };
            match ingest(
                db,
                run,
                known.as_ref(),
                origin,
                bytes,
                Some(&fetched.commit),
                options,
            )
            .await?
            {
                Some(outcome) => outcome,
                None => return Ok("failed"),
            }
        }
    };
    if let Some(repo) = repository_by_url(db, url.as_str()).await? {
        let mut active: repositories::ActiveModel = repo.clone().into();
        active.last_commit = Set(Some(fetched.commit.clone()));
        active.default_branch = Set(fetched.branch.clone());
        active.gone_at = Set(None);
        active.update(db).await?;
        // The clone is fresh already: the index is computed here rather than in a job. A
        // history that cannot be read leaves the last index, and says so.
        if let Some(entry) = entry_of(db, repo.id).await?
            && let Err(message) = vitality_job::record(
                db,
                &entry,
                fetched.clone_path.clone(),
                &fetched.commit,
                Utc::now(),
            )
            .await?
        {
            event(
                db,
                run,
                Some(&repo),
                vitality_job::FAILED,
                &format!("{url}: {message}"),
            )
            .await?;
        }
    }
    Ok(outcome)
}

/// Stores what the forge said of the repository, and the file's `ETag` when one was read.
async fn remember(
    db: &DatabaseConnection,
    repository_id: i64,
    info: &RepoInfo,
    etag: Option<Option<&str>>,
) -> Result<(), DbErr> {
    catalog::remember(db, repository_id, &facts(info, etag, false)).await
}

/// The facts of `info` as the catalog stores them.
fn facts<'a>(info: &'a RepoInfo, etag: Option<Option<&'a str>>, unseen: bool) -> Facts<'a> {
    Facts {
        default_branch: info.default_branch.as_deref(),
        archived: info.archived,
        private: info.private,
        stars: info.stars,
        forks: info.forks,
        activity: info.activity.as_deref(),
        etag,
        unseen,
    }
}
