//! One step of a crawl at a time: list an account ([`list_account`]), describe a single
//! repository ([`describe`]), and crawl one repository ([`crawl_repository`]): fetch its
//! `publiccode.yml` when its activity moved since last time (conditionally), validate and ingest
//! it, and record the outcome in the crawl log. A failure is recorded and the crawl goes on:
//! nothing already in the catalog is ever lost to a failed fetch.
//!
//! The steps know nothing of the queue: the jobs that run them (see `worker`) decide what comes
//! next, and queue it.

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr};
use url::Url;

use super::Options;
use super::forge::{self, Forge, Listing, RepoInfo};
use super::http::{Answer, Polite, Validators};
use super::identity;
use super::vitality_job;
use crate::catalog::crawl_log::{self, CrawlOutcome, SourceKey};
use crate::catalog::entities::{repositories, software};
use crate::catalog::{self, Facts, Fetched, IngestOutcome, Origin};
use crate::publiccode::{self, Context, Limits};

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
    /// variable's name in `tokens`; plain git URLs are returned apart (see [`Repository::Git`]).
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

/// What every step of one crawl run shares.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// The catalog.
    pub db: &'a DatabaseConnection,
    /// The polite client.
    pub http: &'a Polite,
    /// How the crawl behaves.
    pub options: &'a Options,
    /// The `crawl_runs` row the outcomes belong to.
    pub run: i64,
    /// The IPA code `publishers.yml` gives the publisher of what this step reads: the only
    /// publisher its entry can be verified for (none for plain git URLs and listings).
    pub source_ipa: Option<&'a str>,
}

/// The repository a crawl step reads.
#[derive(Debug, Clone, Copy)]
pub enum Repository<'a> {
    /// Found by listing its account: unchanged activity since last time costs no request.
    Listed {
        /// Its forge.
        forge: &'a Forge,
        /// What the listing said of it.
        info: &'a RepoInfo,
    },
    /// A single repository target, described from what the last crawl stored.
    Single {
        /// Its forge.
        forge: &'a Forge,
        /// Its description.
        info: &'a RepoInfo,
    },
    /// A plain git URL, read through a local bare clone.
    Git(&'a Url),
}

/// What crawling one repository came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crawled {
    /// Its outcome, recorded in the crawl log.
    pub outcome: CrawlOutcome,
    /// Whether its vitality index needs computing from the forge's history, by a job for the
    /// caller to queue: a repository whose file was read, or whose index is not from today. A
    /// plain git repository never does: its crawl computes the index from its own clone.
    pub vitality: bool,
    /// The entry the step stored a file for, when it stored one: follow-up jobs need no look-up.
    pub software: Option<i64>,
}

impl From<CrawlOutcome> for Crawled {
    fn from(outcome: CrawlOutcome) -> Self {
        Self {
            outcome,
            vitality: false,
            software: None,
        }
    }
}

impl Target {
    /// What this target trusts its forge with.
    fn identity(&self) -> identity::Source<'_> {
        identity::Source {
            kind: self.forge.kind,
            web: &self.web,
            path: &self.path,
            repository: self.repository,
        }
    }

    /// The source row that remembers this target.
    fn key(&self) -> SourceKey<'_> {
        SourceKey {
            kind: self.forge.kind.as_str(),
            base_url: self.forge.api.as_str(),
            target: &self.path,
        }
    }
}

/// Why a single repository target could not be described.
#[derive(Debug, thiserror::Error)]
pub enum DescribeError {
    /// The forge could not describe it.
    #[error(transparent)]
    Forge(#[from] forge::ForgeError),
    /// The forge described another repository than the source's.
    #[error(transparent)]
    Identity(#[from] identity::Mismatch),
}

/// A single repository target: described from what the last crawl stored (no request), or by
/// the forge the first time; either way checked against the source.
///
/// # Errors
///
/// The forge's, when it cannot describe the repository, or the mismatch when it describes
/// another.
pub async fn describe(
    db: &DatabaseConnection,
    http: &Polite,
    target: &Target,
) -> Result<Option<RepoInfo>, DescribeError> {
    let source = crawl_log::source(db, target.key()).await.ok().flatten();
    let identity = target.identity();
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
    if let Some(info) = &info {
        // Remembered when it can be: otherwise the next crawl asks again.
        let _ =
            crawl_log::store_description(db, target.key(), serde_json::to_string(info).ok()).await;
    }
    Ok(info)
}

/// Lists an account with the pages stored last time; repositories that left the listing are
/// marked gone. `Ok(Err(message))` when the account could not be listed (a `failed` event
/// says so).
///
/// # Errors
///
/// Fails on a database error.
pub async fn list_account(
    cx: &RunContext<'_>,
    target: &Target,
) -> Result<Result<Listing, String>, DbErr> {
    let db = cx.db;
    let source = crawl_log::upsert_source(db, target.key()).await?;
    let previous: Listing = source
        .cursor
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let listing = match target.forge.list(cx.http, &target.path, &previous).await {
        Ok(mut listing) => {
            // Repositories the forge has no say over are refused, and their refusal recorded.
            for refused in target.identity().screen(&mut listing) {
                crawl_log::event(db, cx.run, None, CrawlOutcome::Failed, &refused.to_string())
                    .await?;
            }
            listing
        }
        Err(e) => {
            let message = format!("{}: {e}", target.path);
            crawl_log::event(db, cx.run, None, CrawlOutcome::Failed, &message).await?;
            return Ok(Err(message));
        }
    };
    for gone in previous
        .repos()
        .filter(|old| !listing.repos().any(|new| new.web_url == old.web_url))
    {
        crawl_log::mark_gone(
            db,
            cx.run,
            &gone.web_url,
            "the repository left the account's listing",
        )
        .await?;
    }
    crawl_log::store_listing(db, source, serde_json::to_string(&listing).ok()).await?;
    Ok(Ok(listing))
}

/// Crawls one repository and records its outcome.
///
/// # Errors
///
/// Fails only when the database fails; forge and git failures are `failed` outcomes.
pub async fn crawl_repository(
    cx: &RunContext<'_>,
    repository: Repository<'_>,
) -> Result<Crawled, DbErr> {
    match repository {
        Repository::Listed { forge, info } => crawl_api(cx, forge, info, false).await,
        Repository::Single { forge, info } => crawl_api(cx, forge, info, true).await,
        Repository::Git(url) => crawl_git(cx, url).await,
    }
}

/// The repositories of a listing that still need a crawl of their own, after those listed with
/// the same activity as at the last crawl are settled here as `unchanged`, with one look-up of
/// what the catalog knows of them all: answers the others, and each settled one with what it
/// asks of the caller (a vitality job).
///
/// # Errors
///
/// Fails on a database error.
pub async fn settle_quiet_repositories<'r>(
    cx: &RunContext<'_>,
    repos: impl IntoIterator<Item = &'r RepoInfo>,
) -> Result<(Vec<&'r RepoInfo>, Vec<(&'r RepoInfo, Crawled)>), DbErr> {
    let repos: Vec<&RepoInfo> = repos.into_iter().collect();
    let urls: Vec<&str> = repos.iter().map(|r| r.web_url.as_str()).collect();
    let known = crawl_log::repositories_by_url(cx.db, &urls).await?;
    let mut pending = Vec::new();
    let mut settled = Vec::new();
    for info in repos {
        match known.get(info.web_url.as_str()) {
            Some(known) if quiet_since_last_crawl(known, info) => {
                settled.push((info, settle_quiet(cx, known).await?));
            }
            _ => pending.push(info),
        }
    }
    Ok((pending, settled))
}

/// Whether `info`, as listed, says nothing has happened in the repository since the crawl that
/// read its file: the same activity and branch, and not gone.
fn quiet_since_last_crawl(known: &repositories::Model, info: &RepoInfo) -> bool {
    known.gone_at.is_none()
        && known.last_modified.is_some()
        && known.last_modified == info.activity
        && known.default_branch == info.default_branch
}

/// Records a quiet repository as unchanged: nothing to ask the forge.
async fn settle_quiet(cx: &RunContext<'_>, known: &repositories::Model) -> Result<Crawled, DbErr> {
    let entry = unchanged(cx, known.id, "activity unchanged since the last crawl").await?;
    // No push since: the history is the same, but the window moves a day at a time.
    let stale = entry
        .as_ref()
        .is_some_and(|entry| !entry.vitality_fresh(Utc::now().date_naive()));
    Ok(Crawled {
        vitality: stale,
        ..CrawlOutcome::Unchanged.into()
    })
}

/// Crawls one repository through its forge's API.
async fn crawl_api(
    cx: &RunContext<'_>,
    forge: &Forge,
    info: &RepoInfo,
    single: bool,
) -> Result<Crawled, DbErr> {
    let (db, run) = (cx.db, cx.run);
    let known = crawl_log::repository_by_url(db, info.web_url.as_str()).await?;
    if !single
        && let Some(known) = &known
        && quiet_since_last_crawl(known, info)
    {
        return settle_quiet(cx, known).await;
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
    let answer = match forge.file(cx.http, info, validators.as_ref()).await {
        Ok(answer) => answer,
        Err(e) => {
            crawl_log::event(
                db,
                run,
                known.as_ref(),
                CrawlOutcome::Failed,
                &e.to_string(),
            )
            .await?;
            return Ok(CrawlOutcome::Failed.into());
        }
    };
    let (bytes, etag) = match answer {
        Answer::NotModified => {
            let mut vitality = false;
            if let Some(known) = known {
                remember(db, known.id, info, None).await?;
                let entry = unchanged(cx, known.id, "publiccode.yml not modified (304)").await?;
                // The file is the same, the history may not be: the listing said the
                // repository moved. A single repository is described from memory, so nothing
                // says so; its index is looked at again once a day.
                let today = Utc::now().date_naive();
                vitality = entry
                    .as_ref()
                    .is_some_and(|entry| !single || !entry.vitality_fresh(today));
            }
            return Ok(Crawled {
                vitality,
                ..CrawlOutcome::Unchanged.into()
            });
        }
        Answer::NotFound => {
            if single {
                // Described from memory: the branch may have moved. Describe it afresh next time.
                let key = SourceKey {
                    kind: forge.kind.as_str(),
                    base_url: forge.api.as_str(),
                    target: &info.path,
                };
                crawl_log::store_description(db, key, None).await?;
            }
            match &known {
                Some(known) => {
                    if crawl_log::deactivate(db, known.id).await? {
                        crawl_log::event(
                            db,
                            run,
                            Some(known),
                            CrawlOutcome::NoPubliccode,
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
                        source_ipa: cx.source_ipa,
                    };
                    let row = catalog::record_repository(db, origin).await?;
                    crawl_log::event(
                        db,
                        run,
                        Some(&row),
                        CrawlOutcome::NoPubliccode,
                        "no publiccode.yml at the default branch",
                    )
                    .await?;
                }
            }
            return Ok(CrawlOutcome::NoPubliccode.into());
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
        source_ipa: cx.source_ipa,
    };
    let Some((outcome, software)) = ingest(cx, known.as_ref(), origin, &bytes, None).await? else {
        return Ok(CrawlOutcome::Failed.into());
    };
    Ok(Crawled {
        outcome,
        vitality: true,
        software: Some(software),
    })
}

/// Records that the file of repository `repository_id` is unchanged, saying `why`, after checking
/// its entry's publisher against the source's again; answers the entry, if it has one.
async fn unchanged(
    cx: &RunContext<'_>,
    repository_id: i64,
    why: &str,
) -> Result<Option<software::Model>, DbErr> {
    let entry = crawl_log::entry_of(cx.db, repository_id).await?;
    if let Some(entry) = &entry {
        catalog::reverify_publisher(cx.db, entry, cx.source_ipa).await?;
        // A file that stays invalid is not read again: its grace is looked at all the same.
        if entry.active && entry.invalid_since.is_some() {
            crate::pipeline::expire_invalid(cx.db, &cx.options.upkeep, Utc::now(), Some(entry.id))
                .await?;
        }
    }
    crawl_log::event_of(
        cx.db,
        cx.run,
        Some(repository_id),
        entry.as_ref().map(|e| e.id),
        CrawlOutcome::Unchanged,
        why,
    )
    .await?;
    Ok(entry)
}

/// Validates and ingests `bytes` fetched from the repository of `origin`; records the outcome as
/// an event. The outcome and the entry written, or `None` when ingest refused the file (an event
/// says why).
async fn ingest(
    cx: &RunContext<'_>,
    known: Option<&repositories::Model>,
    origin: Origin<'_>,
    bytes: &[u8],
    commit: Option<&str>,
) -> Result<Option<(CrawlOutcome, i64)>, DbErr> {
    let (db, run) = (cx.db, cx.run);
    let limits = Limits {
        max_bytes: cx.options.max_file_bytes,
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
    let ingested =
        crate::pipeline::ingest(db, origin, fetched, &inspected, &cx.options.upkeep).await;
    let ingested = match ingested {
        Ok(i) => i,
        Err(catalog::IngestError::Db(e)) => return Err(e),
        Err(e) => {
            crawl_log::event(db, run, known, CrawlOutcome::Failed, &e.to_string()).await?;
            return Ok(None);
        }
    };
    let outcome = match ingested.outcome {
        IngestOutcome::New => CrawlOutcome::New,
        IngestOutcome::Updated => CrawlOutcome::Updated,
        IngestOutcome::Unchanged => CrawlOutcome::Unchanged,
        IngestOutcome::Invalid => CrawlOutcome::Invalid,
    };
    // Ingest said which repository and entry: no look-up of either.
    crawl_log::event_of(
        db,
        run,
        Some(ingested.repository_id),
        Some(ingested.software_id),
        outcome,
        &format!("{url} ({})", ingested.slug),
    )
    .await?;
    Ok(Some((outcome, ingested.software_id)))
}

/// Crawls the plain git repository at `url`: one ref advertisement when `HEAD` did not move,
/// else a fetch into the local clone; then the vitality index from the clone's history, unless
/// the entry holds today's index of the same commit.
async fn crawl_git(cx: &RunContext<'_>, url: &Url) -> Result<Crawled, DbErr> {
    let (db, http, options, run) = (cx.db, cx.http, cx.options, cx.run);
    let known = crawl_log::repository_by_url(db, url.as_str()).await?;
    let refused = if url.scheme() == "file" {
        (!options.fetch_files).then(|| {
            "file:// git URLs are read only when the operator sets RIUSO_FETCH_FILES=true"
                .to_owned()
        })
    } else {
        http.check(url).await.err().map(|e| e.to_string())
    };
    let failed = CrawlOutcome::Failed;
    if let Some(why) = refused {
        crawl_log::event(db, run, known.as_ref(), failed, &format!("{url}: {why}")).await?;
        return Ok(failed.into());
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
            crawl_log::event(db, run, known.as_ref(), failed, &format!("{url}: {e}")).await?;
            return Ok(failed.into());
        }
    };
    let (outcome, software) = match (&fetched.file, fetched.unchanged, &known) {
        (_, true, Some(known)) => {
            crawl_log::event(
                db,
                run,
                Some(known),
                CrawlOutcome::Unchanged,
                "HEAD did not move",
            )
            .await?;
            (CrawlOutcome::Unchanged, None)
        }
        (None, _, _) => {
            if let Some(known) = &known {
                crawl_log::deactivate(db, known.id).await?;
                crawl_log::event(
                    db,
                    run,
                    Some(known),
                    CrawlOutcome::NoPubliccode,
                    "no publiccode.yml at HEAD",
                )
                .await?;
            }
            (CrawlOutcome::NoPubliccode, None)
        }
        (Some(bytes), _, _) => {
            let origin = Origin {
                repository_url: url.as_str(),
                forge: "git",
                facts: None,
                source_ipa: None,
            };
            match ingest(cx, known.as_ref(), origin, bytes, Some(&fetched.commit)).await? {
                Some((outcome, software)) => (outcome, Some(software)),
                None => return Ok(failed.into()),
            }
        }
    };
    if let Some(repo) = crawl_log::repository_by_url(db, url.as_str()).await? {
        crawl_log::record_git_head(db, repo.clone(), &fetched.commit, fetched.branch.clone())
            .await?;
        // The clone is fresh already: the index is computed here rather than in a job. A
        // history that cannot be read leaves the last index, and says so.
        if let Some(entry) = crawl_log::entry_of(db, repo.id).await?
            && let Err(message) = vitality_job::record(
                db,
                &entry,
                fetched.clone_path.clone(),
                &fetched.commit,
                Utc::now(),
            )
            .await?
        {
            crawl_log::event(
                db,
                run,
                Some(&repo),
                CrawlOutcome::VitalityFailed,
                &format!("{url}: {message}"),
            )
            .await?;
        }
    }
    Ok(Crawled {
        software,
        ..outcome.into()
    })
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
