//! `ingest`: record one fetched publiccode.yml in the catalog, in one transaction.
//!
//! - Idempotent: the same bytes for the same repository change nothing the second time.
//! - History is kept: every distinct file becomes a snapshot, never overwritten.
//! - An invalid file is stored with its diagnostics and recorded on the entry as its invalid
//!   file, since when it is invalid. An entry that had a valid file keeps it as current and stays
//!   active (its grace: [`super::validity`] deactivates it later); one that never had a valid
//!   file is inactive, titled by the file's `name` when the YAML reads, else by its repository,
//!   and found by that title, its slug and its repository's address.
//! - A valid file clears the invalid one and makes the entry active again.
//! - A manual deactivation is sticky: no ingest ever reactivates the entry.
//!
//! The caller opens the transaction ([`crate::db::begin_write`]) and commits it, so that a step
//! above the catalog can write what follows from the file (reuse declarations acknowledged by
//! its `usedBy`) atomically with it; this module calls nothing outside the catalog.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait as _, QueryFilter as _, QuerySelect as _,
    Statement, TryInsertResult,
};
use sha2::{Digest as _, Sha256};

use super::entities::{
    claims, organisations, repositories, snapshots, software, software_facets, used_by,
};
use super::validity::ValidityChange;
use super::{facets, slug, text};
use crate::publiccode::{self, ClaimKind, ClaimValue, Diagnostic, Rejected, Validated};
use crate::untrusted;

/// Where a file came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// Canonical URL of the repository (for local files, a `file://` URL of their directory).
    pub repository_url: &'a str,
    /// `github`, `gitlab`, `gitea`, `git` or `local`.
    pub forge: &'a str,
    /// What the forge said of the repository, stored on its row in the same transaction.
    pub facts: Option<Facts<'a>>,
    /// The IPA code of the administration the file's source belongs to, as the operator's
    /// `publishers.yml` gives it (`publishers[].ipa`); `None` for a source without one, a plain
    /// git URL or an import. The publisher a file claims is verified only when it is this one.
    pub source_ipa: Option<&'a str>,
}

/// What a forge's API said of a repository, with the validator of the file fetched from it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// The default branch.
    pub default_branch: Option<&'a str>,
    /// Archived on the forge.
    pub archived: bool,
    /// Not public.
    pub private: bool,
    /// Stars.
    pub stars: Option<i64>,
    /// Forks.
    pub forks: Option<i64>,
    /// The forge's last-activity time, as it wrote it.
    pub activity: Option<&'a str>,
    /// The `ETag` of the file, when one was read (`None`: the stored one stays).
    pub etag: Option<Option<&'a str>>,
    /// The caller looked a moment ago and no repository had this URL: the row is inserted
    /// without a look-up first (should one have appeared since, it is looked up after all).
    pub unseen: bool,
}

impl Facts<'_> {
    /// Writes the facts on `row`; a repository the forge describes is not gone.
    fn apply(&self, row: &mut repositories::ActiveModel) {
        let count = |n: Option<i64>| n.and_then(|n| i32::try_from(n).ok());
        // What a forge answers may hold NUL, which PostgreSQL refuses in text.
        let text = |s: Option<&str>| s.map(|s| untrusted::storable(s).into_owned());
        row.default_branch = Set(text(self.default_branch));
        row.archived = Set(self.archived);
        row.private = Set(self.private);
        row.stars = Set(count(self.stars));
        row.forks = Set(count(self.forks));
        row.last_modified = Set(text(self.activity));
        if let Some(etag) = self.etag {
            row.etag = Set(text(etag));
        }
        row.gone_at = Set(None);
        row.updated_at = Set(Utc::now().fixed_offset());
    }
}

/// Writes `facts` on the repository `repository_id`, when no file is ingested with them (a 304,
/// no file at all).
///
/// # Errors
///
/// The database's.
pub async fn remember(
    db: &DatabaseConnection,
    repository_id: i64,
    facts: &Facts<'_>,
) -> Result<(), DbErr> {
    // Only the columns the facts set are written.
    let mut row = repositories::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(repository_id),
        ..Default::default()
    };
    facts.apply(&mut row);
    row.update(db).await.map(|_| ())
}

/// What was fetched.
#[derive(Debug, Clone, Copy)]
pub struct Fetched<'a> {
    /// The file's bytes, exactly as fetched.
    pub bytes: &'a [u8],
    /// The commit the file was read at, when known.
    pub commit: Option<&'a str>,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// What an ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IngestOutcome {
    /// A new entry.
    New,
    /// A known entry with a different file (a new snapshot, or a return to an older one).
    Updated,
    /// Nothing changed.
    Unchanged,
    /// The file is invalid: stored with its diagnostics; an entry that had a valid file keeps it
    /// (and stays active through its grace), one that never had one is inactive.
    Invalid,
}

/// The result of an ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    /// The repository row (created on first sight).
    pub repository_id: i64,
    /// The catalog entry.
    pub software_id: i64,
    /// Its slug.
    pub slug: String,
    /// The file's snapshot: the entry's current one, unless an invalid file followed a valid
    /// one (which stays current).
    pub snapshot_id: i64,
    /// What happened.
    pub outcome: IngestOutcome,
    /// How the state of the entry's file changed with this one, when it did: what the owner's
    /// members are told.
    pub change: Option<ValidityChange>,
}

/// Why an ingest failed (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database refused or failed.
    #[error("database error while ingesting: {0}")]
    Db(#[from] DbErr),
    /// A value could not be serialized for storage.
    #[error("cannot encode the snapshot: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Records a valid file in `txn` (from [`crate::db::begin_write`]), which the caller commits.
///
/// # Errors
///
/// Fails on a database error; the caller's transaction is then to be dropped, rolled back.
pub async fn ingest_valid(
    txn: &DatabaseTransaction,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    validated: &Validated,
) -> Result<Ingested, IngestError> {
    ingest(txn, origin, fetched, Checked::Valid(validated)).await
}

/// What an invalid file declares, when its YAML could be read (the one parse the caller made:
/// the file is not read again here).
#[derive(Debug, Clone, Copy, Default)]
pub struct Declared<'a> {
    /// `publiccodeYmlVersion`.
    pub version: Option<&'a str>,
    /// `name`: the title of an entry that never had a valid file.
    pub name: Option<&'a str>,
}

/// Records an invalid file with its diagnostics and what it `declared`, in `txn` (from
/// [`crate::db::begin_write`]), which the caller commits.
///
/// # Errors
///
/// Fails on a database error; the caller's transaction is then to be dropped, rolled back.
pub async fn ingest_invalid(
    txn: &DatabaseTransaction,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    rejected: &Rejected,
    declared: Declared<'_>,
) -> Result<Ingested, IngestError> {
    ingest(txn, origin, fetched, Checked::Invalid(rejected, declared)).await
}

#[derive(Clone, Copy)]
enum Checked<'a> {
    Valid(&'a Validated),
    Invalid(&'a Rejected, Declared<'a>),
}

impl Checked<'_> {
    fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Valid(v) => v.warnings(),
            Self::Invalid(r, _) => &r.diagnostics,
        }
    }
}

/// Ingests in `txn`. A transaction that loses a race with another writer fails with the
/// database's error; the caller runs it again (`pipeline` does, through
/// [`unique::retry_races`](super::unique::retry_races)), and what the other wrote is then read,
/// not written twice.
async fn ingest(
    txn: &DatabaseTransaction,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    checked: Checked<'_>,
) -> Result<Ingested, IngestError> {
    let (repository, new_repository) = upsert_repository(txn, origin, fetched.commit).await?;
    // A repository seen for the first time has no entry, snapshots, facets or text yet: the
    // look-ups and deletions that would find nothing are skipped (a first crawl of a thousand
    // repositories is a thousand of these transactions).
    let existing = if new_repository {
        None
    } else {
        software::Entity::find()
            .filter(software::Column::RepositoryId.eq(repository.id))
            .one(txn)
            .await?
    };
    let (entry, is_new) = match existing {
        Some(entry) => (entry, false),
        None => create_software(txn, &repository, &checked).await?,
    };

    let sha256 = hex(&Sha256::digest(fetched.bytes));
    let known = if is_new {
        None
    } else {
        snapshots::Entity::find()
            .filter(snapshots::Column::SoftwareId.eq(entry.id))
            .filter(snapshots::Column::Sha256.eq(sha256.as_str()))
            .one(txn)
            .await?
    };
    let invalid = matches!(checked, Checked::Invalid(..));
    // An entry whose current file is valid keeps it through an invalid one: that file is only
    // recorded beside it. Asked only when it matters (an invalid file, or a valid one after an
    // invalid one), it costs one look-up then.
    let had_valid = !is_new
        && (invalid || entry.invalid_since.is_some())
        && current_is_valid(txn, &entry).await?;
    if invalid && had_valid {
        let snapshot_id = match known {
            Some(snapshot) => snapshot.id,
            None => insert_snapshot(txn, entry.id, fetched, &sha256, &checked).await?,
        };
        let change = entry
            .invalid_since
            .is_none()
            .then_some(ValidityChange::TurnedInvalid);
        if change.is_some() || entry.invalid_snapshot_id != Some(snapshot_id) {
            software::ActiveModel {
                id: Set(entry.id),
                invalid_since: Set(Some(
                    entry
                        .invalid_since
                        .unwrap_or_else(|| fetched.fetched_at.fixed_offset()),
                )),
                invalid_snapshot_id: Set(Some(snapshot_id)),
                changed_at_us: Set(super::change_stamp()),
                ..Default::default()
            }
            .update(txn)
            .await?;
        }
        return Ok(Ingested {
            repository_id: repository.id,
            software_id: entry.id,
            slug: entry.slug,
            snapshot_id,
            outcome: IngestOutcome::Invalid,
            change,
        });
    }
    // A valid file after invalid ones that followed a valid one: the owner hears it is back.
    let valid_again = (!invalid && had_valid).then_some(ValidityChange::ValidAgain);
    let outcome_if_changed = if invalid {
        IngestOutcome::Invalid
    } else if is_new {
        IngestOutcome::New
    } else {
        IngestOutcome::Updated
    };

    let snapshot_id = match known {
        Some(snapshot) if entry.current_snapshot_id == Some(snapshot.id) => {
            // The same valid file on an entry a crawl turned inactive (its repository was gone,
            // or lost the file for a while, or it stayed invalid past its grace): it is back. A
            // manual deactivation stays.
            let reactivate = !invalid && !entry.active && !entry.deactivated_manually;
            // The same file from another source (or a source whose `ipa` changed) may confirm
            // or no longer confirm its publisher.
            let verified = match &checked {
                Checked::Valid(v) => publisher_verified(v, origin.source_ipa),
                Checked::Invalid(..) => entry.publisher_verified,
            };
            // The valid file came back after invalid ones: they are no longer the entry's.
            let cleared = !invalid && entry.invalid_since.is_some();
            if reactivate || cleared || verified != entry.publisher_verified {
                let mut update = software::ActiveModel {
                    id: Set(entry.id),
                    publisher_verified: Set(verified),
                    changed_at_us: Set(super::change_stamp()),
                    ..Default::default()
                };
                if reactivate {
                    update.active = Set(true);
                }
                if cleared {
                    update.invalid_since = Set(None);
                    update.invalid_snapshot_id = Set(None);
                }
                update.update(txn).await?;
            }
            return Ok(Ingested {
                repository_id: repository.id,
                software_id: entry.id,
                slug: entry.slug,
                snapshot_id: snapshot.id,
                outcome: if invalid {
                    IngestOutcome::Invalid
                } else if cleared {
                    IngestOutcome::Updated
                } else {
                    IngestOutcome::Unchanged
                },
                change: valid_again,
            });
        }
        // The file went back to content seen before: that snapshot becomes current again.
        Some(snapshot) => snapshot.id,
        None => insert_snapshot(txn, entry.id, fetched, &sha256, &checked).await?,
    };

    let mut update = software::ActiveModel {
        id: Set(entry.id),
        current_snapshot_id: Set(Some(snapshot_id)),
        updated_at: Set(fetched.fetched_at.fixed_offset()),
        changed_at_us: Set(super::change_stamp()),
        ..Default::default()
    };
    match &checked {
        Checked::Valid(v) => {
            let publisher = upsert_publisher(txn, v).await?;
            update.name = Set(v.code().name.clone());
            update.organisation_id = Set(publisher.as_ref().map(|p| p.id));
            update.publisher_verified = Set(publisher_verified(v, origin.source_ipa));
            // A manual deactivation is sticky; otherwise a valid file makes the entry active.
            update.active = Set(!entry.deactivated_manually);
            update.invalid_since = Set(None);
            update.invalid_snapshot_id = Set(None);
            let publisher_key = publisher
                .as_ref()
                .map(|p| p.ipa_code.clone().unwrap_or_else(|| p.name.clone()));
            let values = facets::of(v, publisher_key.as_deref());
            replace_facets(txn, entry.id, &values, is_new).await?;
            let publisher_name = publisher.map(|p| p.name).unwrap_or_default();
            index_text(txn, entry.id, v, &publisher_name, is_new).await?;
        }
        Checked::Invalid(_, declared) => {
            // Never valid: titled by what the file calls itself, else by its repository, and
            // found by that title, its slug and the repository's address.
            let title = title(declared.name, &repository.url);
            update.active = Set(false);
            update.name = Set(title.clone());
            update.invalid_since = Set(Some(
                entry
                    .invalid_since
                    .unwrap_or_else(|| fetched.fetched_at.fixed_offset()),
            ));
            update.invalid_snapshot_id = Set(Some(snapshot_id));
            let body = format!("{} {}", entry.slug, repository.url);
            write_text(txn, entry.id, &title, &body, "", is_new).await?;
        }
    }
    update.update(txn).await?;
    Ok(Ingested {
        repository_id: repository.id,
        software_id: entry.id,
        slug: entry.slug,
        snapshot_id,
        outcome: outcome_if_changed,
        change: valid_again,
    })
}

/// Longest title taken from an invalid file, in characters.
const MAX_TITLE: usize = 200;

/// The title of an entry that never had a valid file: the `name` its file declares, else the
/// repository's own name (the last segment of its address).
fn title(declared: Option<&str>, repository_url: &str) -> String {
    let from_file = declared
        .map(|n| {
            untrusted::storable(n.trim())
                .chars()
                .take(MAX_TITLE)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty());
    from_file.unwrap_or_else(|| {
        let path = repository_url.trim_end_matches('/');
        let last = path.rsplit('/').next().unwrap_or(path);
        last.strip_suffix(".git").unwrap_or(last).to_owned()
    })
}

/// Whether the entry's current snapshot passed validation.
async fn current_is_valid(
    txn: &DatabaseTransaction,
    entry: &software::Model,
) -> Result<bool, DbErr> {
    let Some(id) = entry.current_snapshot_id else {
        return Ok(false);
    };
    let valid: Option<bool> = snapshots::Entity::find_by_id(id)
        .select_only()
        .column(snapshots::Column::Valid)
        .into_tuple()
        .one(txn)
        .await?;
    Ok(valid.unwrap_or(false))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Records the repository of `origin` without a file (none at its default branch): created,
/// or found and given the facts of `origin`.
///
/// # Errors
///
/// The database's.
pub async fn record_repository(
    db: &DatabaseConnection,
    origin: Origin<'_>,
) -> Result<repositories::Model, DbErr> {
    upsert_repository(db, origin, None)
        .await
        .map(|(repo, _)| repo)
}

/// The repository row of `origin`, and whether it was created now; the facts and the commit
/// of `origin` written on it.
async fn upsert_repository(
    txn: &impl ConnectionTrait,
    origin: Origin<'_>,
    commit: Option<&str>,
) -> Result<(repositories::Model, bool), DbErr> {
    let now = Utc::now().fixed_offset();
    let mut fresh = repositories::ActiveModel {
        url: Set(origin.repository_url.to_owned()),
        forge: Set(origin.forge.to_owned()),
        last_commit: Set(commit.map(str::to_owned)),
        archived: Set(false),
        private: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(facts) = &origin.facts {
        facts.apply(&mut fresh);
    }
    if origin.facts.is_some_and(|f| f.unseen) {
        let inserted = repositories::Entity::insert(fresh.clone())
            .on_conflict_do_nothing_on([repositories::Column::Url])
            .exec_with_returning_many(txn)
            .await?;
        // A conflict returns no row (the backends differ in how they say so).
        if let TryInsertResult::Inserted(rows) = inserted
            && let Some(repo) = rows.into_iter().next()
        {
            return Ok((repo, true));
        }
    }
    let found = repositories::Entity::find()
        .filter(repositories::Column::Url.eq(origin.repository_url))
        .one(txn)
        .await?;
    let Some(repo) = found else {
        if let Some(repo) = super::unique::insert_new(txn, fresh).await? {
            return Ok((repo, true));
        }
        // Another writer inserted it since the look-up: found now, and given the facts below.
        let repo = repositories::Entity::find()
            .filter(repositories::Column::Url.eq(origin.repository_url))
            .one(txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(origin.repository_url.to_owned()))?;
        return update_repository(txn, repo, origin, commit).await;
    };
    update_repository(txn, repo, origin, commit).await
}

/// Writes the facts and the commit of `origin` on the known repository `repo`.
async fn update_repository(
    txn: &impl ConnectionTrait,
    repo: repositories::Model,
    origin: Origin<'_>,
    commit: Option<&str>,
) -> Result<(repositories::Model, bool), DbErr> {
    let moved = commit.is_some() && repo.last_commit.as_deref() != commit;
    if !moved && origin.facts.is_none() {
        return Ok((repo, false));
    }
    let mut row = repositories::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(repo.id),
        ..Default::default()
    };
    if moved {
        row.last_commit = Set(commit.map(str::to_owned));
        row.gone_at = Set(None);
    }
    if let Some(facts) = &origin.facts {
        facts.apply(&mut row);
    }
    Ok((row.update(txn).await?, false))
}

/// A new entry for `repository` under a free slug, and `true`; or, when another writer gave
/// the repository its entry meanwhile, that entry and `false`.
async fn create_software(
    txn: &DatabaseTransaction,
    repository: &repositories::Model,
    checked: &Checked<'_>,
) -> Result<(software::Model, bool), DbErr> {
    let base = slug::from_repository_url(&repository.url);
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        n += 1;
        let taken = software::Entity::find()
            .filter(software::Column::Slug.eq(candidate.as_str()))
            .one(txn)
            .await?
            .is_some();
        if taken {
            continue;
        }
        let name = match checked {
            Checked::Valid(v) => v.code().name.clone(),
            Checked::Invalid(_, declared) => title(declared.name, &repository.url),
        };
        let now = Utc::now().fixed_offset();
        let fresh = software::ActiveModel {
            slug: Set(candidate),
            repository_id: Set(repository.id),
            name: Set(name),
            active: Set(false),
            deactivated_manually: Set(false),
            publisher_verified: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            changed_at_us: Set(super::change_stamp()),
            ..Default::default()
        };
        if let Some(entry) = super::unique::insert_new(txn, fresh).await? {
            return Ok((entry, true));
        }
        // Either the slug was taken since the look-up (the next one is tried), or the
        // repository got its entry from another writer.
        if let Some(entry) = software::Entity::find()
            .filter(software::Column::RepositoryId.eq(repository.id))
            .one(txn)
            .await?
        {
            return Ok((entry, false));
        }
    }
}

async fn insert_snapshot(
    txn: &DatabaseTransaction,
    software_id: i64,
    fetched: Fetched<'_>,
    sha256: &str,
    checked: &Checked<'_>,
) -> Result<i64, IngestError> {
    let declared_version = match checked {
        Checked::Valid(v) => Some(v.code().publiccode_yml_version.clone()),
        Checked::Invalid(_, declared) => declared
            .version
            .map(|v| untrusted::storable(v).into_owned()),
    };
    let normalized = match checked {
        Checked::Valid(v) => Some(serde_json::to_string(v.code())?),
        Checked::Invalid(..) => None,
    };
    let fresh = snapshots::ActiveModel {
        software_id: Set(software_id),
        sha256: Set(sha256.to_owned()),
        raw: Set(fetched.bytes.to_vec()),
        commit_sha: Set(fetched.commit.map(str::to_owned)),
        fetched_at: Set(fetched.fetched_at.fixed_offset()),
        declared_version: Set(declared_version),
        valid: Set(matches!(checked, Checked::Valid(_))),
        diagnostics: Set(serde_json::to_string(checked.diagnostics())?),
        normalized: Set(normalized),
        created_at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    };
    let Some(snapshot) = super::unique::insert_new(txn, fresh).await? else {
        // Another writer stored the same file of the same entry, with its claims and users.
        let known = snapshots::Entity::find()
            .filter(snapshots::Column::SoftwareId.eq(software_id))
            .filter(snapshots::Column::Sha256.eq(sha256))
            .one(txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("snapshot {sha256}")))?;
        return Ok(known.id);
    };
    if let Checked::Valid(v) = checked {
        for claim in v.claims() {
            let value = match &claim.value {
                ClaimValue::Declared(b) => b.to_string(),
                ClaimValue::Ipa(code) => code.clone(),
            };
            claims::ActiveModel {
                snapshot_id: Set(snapshot.id),
                kind: Set(claim.kind.as_str().to_owned()),
                value: Set(value),
                source_key: Set(claim.source.clone()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        for name in &v.code().used_by {
            let ipa_code = match_ipa(txn, name).await?;
            used_by::ActiveModel {
                snapshot_id: Set(snapshot.id),
                name: Set(name.clone()),
                ipa_code: Set(ipa_code),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(snapshot.id)
}

/// The IPA code a `usedBy` name stands for: the name is a code (`c_h501`, with or without the
/// `urn:x-italian-pa:` prefix), or the name of an organisation the catalog knows with its code.
async fn match_ipa(txn: &DatabaseTransaction, name: &str) -> Result<Option<String>, DbErr> {
    let trimmed = name.trim();
    let code = publiccode::ipa_urn_code(trimmed).unwrap_or(trimmed);
    if publiccode::is_ipa_code(code) {
        return Ok(Some(code.to_ascii_lowercase()));
    }
    let known = organisations::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(organisations::Column::Name)))
                .eq(trimmed.to_lowercase()),
        )
        .filter(organisations::Column::IpaCode.is_not_null())
        .one(txn)
        .await?;
    Ok(known.and_then(|o| o.ipa_code))
}

/// The IPA code of the publisher the file claims (`organisation.uri` or `IT.riuso.codiceIPA`).
fn claimed_publisher(v: &Validated) -> Option<&str> {
    v.claims().iter().find_map(|c| match (&c.kind, &c.value) {
        (ClaimKind::PublisherIpa, ClaimValue::Ipa(code)) => Some(code.as_str()),
        _ => None,
    })
}

/// Whether the publisher the file claims is the administration of the source it came from:
/// only then is it the entry's owner. A file claiming no publisher has none to verify.
fn publisher_verified(v: &Validated, source_ipa: Option<&str>) -> bool {
    matches!(
        (claimed_publisher(v), source_ipa),
        (Some(claimed), Some(source)) if claimed.eq_ignore_ascii_case(source)
    )
}

/// Confirms, or withdraws, the publisher of entry `entry` as the source `source_ipa` says on a
/// visit that read no new file (the repository did not change): its claimed publisher is
/// verified when it is that administration.
///
/// # Errors
///
/// The database's.
pub async fn reverify_publisher(
    db: &impl ConnectionTrait,
    entry: &software::Model,
    source_ipa: Option<&str>,
) -> Result<(), DbErr> {
    let verified = match (entry.organisation_id, source_ipa) {
        (Some(org), Some(source)) => organisations::Entity::find_by_id(org)
            .one(db)
            .await?
            .and_then(|o| o.ipa_code)
            .is_some_and(|code| code.eq_ignore_ascii_case(source)),
        _ => false,
    };
    if verified == entry.publisher_verified {
        return Ok(());
    }
    software::ActiveModel {
        id: Set(entry.id),
        publisher_verified: Set(verified),
        changed_at_us: Set(super::change_stamp()),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

/// Whether `owner` (a `mainCopyrightOwner`) reads as an organisation rather than people: it
/// holds a word administrations and companies are named with.
#[must_use]
pub fn names_an_organisation(owner: &str) -> bool {
    const WORDS: &[&str] = &[
        "comune",
        "regione",
        "provincia",
        "citta",
        "città",
        "ministero",
        "agenzia",
        "azienda",
        "universita",
        "università",
        "istituto",
        "ente",
        "consorzio",
        "unione",
        "camera",
        "asl",
        "ausl",
        "asp",
        "ats",
        "autorità",
        "autorita",
        "dipartimento",
        "presidenza",
        "municipality",
        "region",
        "agency",
        "university",
        "institute",
        "department",
        "foundation",
        "fondazione",
        "s.p.a",
        "spa",
        "s.r.l",
        "srl",
        "scarl",
        "societa",
        "società",
        "cooperativa",
        "inc",
        "ltd",
        "gmbh",
        "team",
        "community",
        "associazione",
        "association",
    ];
    owner
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .map(|w| w.trim_matches('.').to_lowercase())
        .any(|w| WORDS.contains(&w.as_str()) || w.starts_with("s.p.a") || w.starts_with("s.r.l"))
}

/// The publishing organisation: by IPA code when the file declares one, created on first sight.
/// Whether it owns the entry is [`publisher_verified`]'s answer, recorded beside it.
async fn upsert_publisher(
    txn: &DatabaseTransaction,
    v: &Validated,
) -> Result<Option<organisations::Model>, DbErr> {
    let Some(ipa) = claimed_publisher(v).map(str::to_owned) else {
        return Ok(None);
    };
    if let Some(org) = super::organisations::by_ipa(txn, &ipa).await? {
        return Ok(Some(org));
    }
    // Pages show the IPA registry's name when it knows the code; this one stands in when it
    // does not. `mainCopyrightOwner` only when it names an organisation: it often names people.
    let code = v.code();
    let name = code
        .organisation
        .as_ref()
        .and_then(|o| o.name.clone())
        .or_else(|| code.legal.repo_owner.clone())
        .or_else(|| {
            code.legal
                .main_copyright_owner
                .clone()
                .filter(|owner| names_an_organisation(owner))
        })
        // The code itself otherwise: pages and the membership claim name it from the IPA
        // registry.
        .unwrap_or_else(|| ipa.clone());
    // Files of many repositories name the same administration: the first ingest creates it,
    // the others, at the same moment, find it.
    super::organisations::get_or_create(txn, &ipa, &name)
        .await
        .map(Some)
}

async fn replace_facets(
    txn: &DatabaseTransaction,
    software_id: i64,
    values: &[(&'static str, String)],
    is_new: bool,
) -> Result<(), DbErr> {
    if !is_new {
        software_facets::Entity::delete_many()
            .filter(software_facets::Column::SoftwareId.eq(software_id))
            .exec(txn)
            .await?;
    }
    if values.is_empty() {
        return Ok(());
    }
    software_facets::Entity::insert_many(values.iter().map(|(facet, value)| {
        software_facets::ActiveModel {
            software_id: Set(software_id),
            facet: Set((*facet).to_owned()),
            value: Set(value.clone()),
        }
    }))
    .exec(txn)
    .await?;
    Ok(())
}

/// The labels of the vocabulary values of `code` (categories, scopes, software type, platforms,
/// languages) in every language of the interface, space separated.
fn vocabulary_labels(code: &publiccode::PublicCode) -> String {
    let values = code
        .categories
        .iter()
        .map(|v| ("category", v.as_str()))
        .chain(
            code.intended_audience
                .scope
                .iter()
                .map(|v| ("scope", v.as_str())),
        )
        .chain(std::iter::once(("type", code.software_type.as_str())))
        .chain(code.platforms.iter().map(|v| ("platform", v.as_str())))
        .chain(
            code.localisation
                .available_languages
                .iter()
                .map(|v| ("language", v.as_str())),
        );
    let mut out = String::new();
    for (kind, value) in values {
        for lang in crate::i18n::Lang::ALL {
            out.push_str(&lang.label(kind, value));
            out.push(' ');
        }
    }
    out
}

/// Replaces the entry's full-text document: its name, every description in every language, its
/// features, the labels of its vocabulary values in every language of the interface (so
/// `scuola` and `school` both find the `education` scope), and its publisher.
async fn index_text(
    txn: &DatabaseTransaction,
    software_id: i64,
    v: &Validated,
    publisher: &str,
    is_new: bool,
) -> Result<(), DbErr> {
    let code = v.code();
    let mut body = String::new();
    for d in code.description.values() {
        for part in [&d.localised_name, &d.generic_name].into_iter().flatten() {
            body.push_str(part);
            body.push(' ');
        }
        body.push_str(&d.short_description);
        body.push(' ');
        body.push_str(&d.long_description);
        body.push(' ');
        for f in &d.features {
            body.push_str(f);
            body.push(' ');
        }
    }
    body.push_str(&vocabulary_labels(code));
    write_text(txn, software_id, &code.name, &body, publisher, is_new).await
}

/// Replaces the entry's full-text document with `name` (weighing most), `body` and `publisher`.
async fn write_text(
    txn: &DatabaseTransaction,
    software_id: i64,
    name: &str,
    body: &str,
    publisher: &str,
    is_new: bool,
) -> Result<(), DbErr> {
    let name = text::document(name);
    let body = text::document(body);
    let publisher = text::document(publisher);
    let backend = txn.get_database_backend();
    let statements = match backend {
        DbBackend::Sqlite => [
            (!is_new).then(|| {
                Statement::from_sql_and_values(
                    backend,
                    "DELETE FROM software_fts WHERE rowid = ?",
                    [software_id.into()],
                )
            }),
            Some(Statement::from_sql_and_values(
                backend,
                "INSERT INTO software_fts (rowid, name, body, publisher) VALUES (?, ?, ?, ?)",
                [
                    software_id.into(),
                    name.into(),
                    body.into(),
                    publisher.into(),
                ],
            )),
        ]
        .into_iter()
        .flatten()
        .collect(),
        _ => vec![Statement::from_sql_and_values(
            backend,
            "INSERT INTO software_fts (software_id, document) VALUES ($1, \
             setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') \
             || setweight(to_tsvector('simple', $4), 'C')) \
             ON CONFLICT (software_id) DO UPDATE SET document = EXCLUDED.document",
            [
                software_id.into(),
                name.into(),
                body.into(),
                publisher.into(),
            ],
        )],
    };
    for statement in statements {
        txn.execute_raw(statement).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copyright_owner_names_an_organisation_or_people() {
        assert!(names_an_organisation("Comune di Bologna"));
        assert!(names_an_organisation("Datamanagement Italia S.p.A."));
        assert!(!names_an_organisation("Mario Rossi, Giulia Bianchi"));
        assert!(!names_an_organisation("Mario Rossi"));
    }
}
