//! Release coordination: the versions of a community's solutions, each with its one thread, and
//! what each administration that reuses a solution does with each version.
//!
//! A release is one row per entry and version (a unique index): a crawl that stores a file with
//! a new `softwareVersion` (or, without one, a new `releaseDate`) records it as released
//! ([`seen`], in the ingest's transaction), a coordinator plans one ahead ([`plan`]: planned →
//! candidate → released, [`advance`]). Whoever records a release first opens its thread, also
//! under a unique index, so two crawls or two workers racing on the same version open one
//! thread between them. Administrations that declared reuse say, per release, "upgraded",
//! "testing" or "staying on version X" with a reason ([`adopt`]); [`matrix`] is who runs what.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use super::communities::of_software;
use super::{allow, standing, stored};
use crate::catalog::entities::snapshots;
use crate::catalog::{organisations, unique};
use crate::community::authz::{Action, Actor};
use crate::community::declarations::Status as DeclarationStatus;
use crate::community::entities::{
    communities, community_software, release_adoptions, releases, reuse_declarations, threads,
};
use crate::community::{CommunityError, now, plain_line};

/// Where a release stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReleaseStatus {
    /// Coordinators plan it.
    Planned,
    /// A candidate is out for testing.
    Candidate,
    /// Released (a crawl saw it in the `publiccode.yml`, or a coordinator said so).
    Released,
}

stored!(ReleaseStatus { Planned => "planned", Candidate => "candidate", Released => "released" });

/// What an administration does with a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// Runs it.
    Upgraded,
    /// Tries it.
    Testing,
    /// Stays on an earlier version, for a reason.
    Staying,
}

stored!(Adoption { Upgraded => "upgraded", Testing => "testing", Staying => "staying" });

/// Who recorded a release.
pub mod source {
    /// A crawl of the entry's `publiccode.yml`.
    pub const CRAWL: &str = "crawl";
    /// A coordinator's plan.
    pub const PLAN: &str = "plan";
}

/// The version a release is known by: `softwareVersion`, else the release date.
fn version_key(version: Option<&str>, date: Option<NaiveDate>) -> Option<String> {
    let version = version
        .map(|v| crate::untrusted::name(v).trim().to_owned())
        .filter(|v| !v.is_empty());
    version
        .or_else(|| date.map(|d| d.to_string()))
        .map(|v| v.chars().take(100).collect())
}

/// The `softwareVersion` (else the `releaseDate`) and release date of snapshot `snapshot_id`.
///
/// # Errors
///
/// On a database error.
pub async fn version_of(
    db: &impl ConnectionTrait,
    snapshot_id: i64,
) -> Result<Option<(String, Option<NaiveDate>)>, DbErr> {
    let Some(snapshot) = snapshots::Entity::find_by_id(snapshot_id).one(db).await? else {
        return Ok(None);
    };
    let Some(json) = snapshot
        .normalized
        .as_deref()
        .and_then(|n| serde_json::from_str::<serde_json::Value>(n).ok())
    else {
        return Ok(None);
    };
    let date = json
        .get("releaseDate")
        .and_then(|d| d.as_str())
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let version = json.get("softwareVersion").and_then(|v| v.as_str());
    Ok(version_key(version, date).map(|v| (v, date)))
}

/// Opens the thread of `release` in `community_id` unless it has one; answers the thread opened.
async fn open_thread(
    db: &impl ConnectionTrait,
    community_id: i64,
    release: &releases::Model,
    author: Option<i64>,
) -> Result<Option<i64>, DbErr> {
    let at = now();
    let thread = unique::insert_new(
        db,
        threads::ActiveModel {
            community_id: Set(community_id),
            kind: Set(super::threads::ThreadKind::Release.as_str().to_owned()),
            title: Set(release.version.clone()),
            author_id: Set(author),
            release_id: Set(Some(release.id)),
            pinned: Set(false),
            locked: Set(false),
            accepted_post_id: Set(None),
            post_count: Set(1),
            created_at: Set(at),
            last_post_at: Set(at),
            deleted_at: Set(None),
            ..Default::default()
        },
    )
    .await?;
    let Some(thread) = thread else {
        return Ok(None);
    };
    // The thread opens with a post, its notes (or its version): the post the thread's and the
    // solution's followers are told of.
    let body = if release.notes.trim().is_empty() {
        release.version.clone()
    } else {
        release.notes.clone()
    };
    let post = super::threads::new_post(thread.id, author, body, at)
        .insert(db)
        .await?;
    super::search::sync(db, post.id).await?;
    super::notify::queue(db, post.id).await?;
    Ok(Some(thread.id))
}

/// A crawl stored a file of software `software_id` declaring `version` (its `softwareVersion`)
/// and `date` (its `releaseDate`): when the entry has a community, the release is recorded as
/// released and its thread opened, unless there are already. Answers the thread it opened, if
/// any. Runs in the caller's transaction; safe against any number of concurrent callers.
///
/// # Errors
///
/// On a database error.
pub async fn seen(
    db: &impl ConnectionTrait,
    software_id: i64,
    version: Option<&str>,
    date: Option<NaiveDate>,
) -> Result<Option<i64>, DbErr> {
    let Some(key) = version_key(version, date) else {
        return Ok(None);
    };
    let community = match of_software(db, software_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Ok(None),
        Err(CommunityError::Db(e)) => return Err(e),
        Err(_) => return Ok(None),
    };
    let existing = releases::Entity::find()
        .filter(releases::Column::SoftwareId.eq(software_id))
        .filter(releases::Column::Version.eq(key.as_str()))
        .one(db)
        .await?;
    let at = now();
    let release = match existing {
        Some(r) if r.status == ReleaseStatus::Released.as_str() => r,
        Some(r) => {
            let mut change: releases::ActiveModel = r.into();
            change.status = Set(ReleaseStatus::Released.as_str().to_owned());
            change.release_date = Set(date);
            change.updated_at = Set(at);
            change.update(db).await?
        }
        None => {
            let inserted = unique::insert_new(
                db,
                releases::ActiveModel {
                    software_id: Set(software_id),
                    version: Set(key.clone()),
                    release_date: Set(date),
                    status: Set(ReleaseStatus::Released.as_str().to_owned()),
                    notes: Set(String::new()),
                    target_date: Set(None),
                    source: Set(source::CRAWL.to_owned()),
                    created_by: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                    ..Default::default()
                },
            )
            .await?;
            // Another crawl or worker recorded it first: its thread is its business.
            let Some(r) = inserted else {
                return Ok(None);
            };
            r
        }
    };
    let opened = open_thread(db, community.id, &release, None).await?;
    if let Some(thread) = opened {
        tracing::info!(
            software.id = software_id,
            release.id = release.id,
            thread.id = thread,
            "release thread opened"
        );
    }
    Ok(opened)
}

/// A coordinator's plan of a release.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The version it will be.
    pub version: String,
    /// When it is due.
    pub target_date: Option<NaiveDate>,
    /// Notes, Markdown.
    pub notes: String,
}

/// Longest release notes, in characters.
pub const MAX_NOTES: usize = 20_000;

async fn coordinated(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
) -> Result<(), CommunityError> {
    let standing = standing(db, community, Some(actor)).await?;
    allow(Some(actor), Action::Coordinate(standing))
}

/// A coordinator of `community` plans a release of its software `software_id`; its thread
/// opens with it. Answers the release.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` coordinates it; [`CommunityError::Invalid`] for a
/// version or notes that cannot be used, or software that is not the community's;
/// [`CommunityError::Conflict`] when the version is known already.
pub async fn plan(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    software_id: i64,
    plan: &Plan,
) -> Result<releases::Model, CommunityError> {
    coordinated(db, community, actor).await?;
    if !plain_line(&plan.version, 100) {
        return Err(CommunityError::Invalid("community.release_error.version"));
    }
    if plan.notes.chars().count() > MAX_NOTES {
        return Err(CommunityError::Invalid("community.release_error.notes"));
    }
    let txn = crate::db::begin_write(db).await?;
    let linked = community_software::Entity::find()
        .filter(community_software::Column::CommunityId.eq(community.id))
        .filter(community_software::Column::SoftwareId.eq(software_id))
        .one(&txn)
        .await?;
    if linked.is_none() {
        return Err(CommunityError::Invalid("community.release_error.software"));
    }
    let at = now();
    let inserted = unique::insert_new(
        &txn,
        releases::ActiveModel {
            software_id: Set(software_id),
            version: Set(crate::untrusted::name(plan.version.trim()).into_owned()),
            release_date: Set(None),
            status: Set(ReleaseStatus::Planned.as_str().to_owned()),
            notes: Set(crate::untrusted::storable(plan.notes.trim()).into_owned()),
            target_date: Set(plan.target_date),
            source: Set(source::PLAN.to_owned()),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        },
    )
    .await?
    .ok_or(CommunityError::Conflict("community.release_error.exists"))?;
    open_thread(&txn, community.id, &inserted, Some(actor.user_id)).await?;
    txn.commit().await?;
    Ok(inserted)
}

/// A coordinator moves release `release_id` forward (planned → candidate → released), with new
/// notes and target date.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` coordinates `community`; [`CommunityError::Conflict`]
/// for a move backwards.
pub async fn advance(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    release_id: i64,
    status: ReleaseStatus,
    notes: &str,
    target_date: Option<NaiveDate>,
) -> Result<(), CommunityError> {
    coordinated(db, community, actor).await?;
    if notes.chars().count() > MAX_NOTES {
        return Err(CommunityError::Invalid("community.release_error.notes"));
    }
    let release = get_in(db, community.id, release_id).await?;
    let current =
        ReleaseStatus::parse(&release.status).ok_or(CommunityError::Invalid("error.form"))?;
    if status < current {
        return Err(CommunityError::Conflict(
            "community.release_error.transition",
        ));
    }
    let mut change: releases::ActiveModel = release.into();
    change.status = Set(status.as_str().to_owned());
    change.notes = Set(crate::untrusted::storable(notes.trim()).into_owned());
    change.target_date = Set(target_date);
    if status == ReleaseStatus::Released && current != ReleaseStatus::Released {
        change.release_date = Set(Some(chrono::Utc::now().date_naive()));
    }
    change.updated_at = Set(now());
    change.update(db).await?;
    Ok(())
}

/// Release `release_id`.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when there is none.
pub async fn get(
    db: &impl ConnectionTrait,
    release_id: i64,
) -> Result<releases::Model, CommunityError> {
    releases::Entity::find_by_id(release_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)
}

/// Release `release_id` of one of the entries of community `community_id`.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when there is none there.
pub async fn get_in(
    db: &impl ConnectionTrait,
    community_id: i64,
    release_id: i64,
) -> Result<releases::Model, CommunityError> {
    let release = releases::Entity::find_by_id(release_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let linked = community_software::Entity::find()
        .filter(community_software::Column::CommunityId.eq(community_id))
        .filter(community_software::Column::SoftwareId.eq(release.software_id))
        .one(db)
        .await?;
    linked.map(|_| release).ok_or(CommunityError::NotFound)
}

/// What an administration says about a release.
#[derive(Debug, Clone)]
pub struct Said {
    /// Upgraded, testing, or staying.
    pub adoption: Adoption,
    /// The version it stays on (required when staying).
    pub staying_on: Option<String>,
    /// Why (optional; at most 500 characters).
    pub reason: Option<String>,
}

/// A member of administration `org` says what it does with release `release_id` (replacing
/// what it said before). Only an administration that declared reusing the solution (a
/// declaration that stands) may.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` acts for `org`; [`CommunityError::Invalid`] for an
/// administration that does not reuse the solution, or a missing version to stay on.
pub async fn adopt(
    db: &DatabaseConnection,
    actor: &Actor,
    release_id: i64,
    org: i64,
    said: &Said,
) -> Result<(), CommunityError> {
    allow(Some(actor), Action::Adopt(org))?;
    let release = releases::Entity::find_by_id(release_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let reuses = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(release.software_id))
        .filter(reuse_declarations::Column::OrganisationId.eq(org))
        .filter(reuse_declarations::Column::Status.ne(DeclarationStatus::Withdrawn.as_str()))
        .one(db)
        .await?;
    if reuses.is_none() {
        return Err(CommunityError::Invalid(
            "community.release_error.not_reuser",
        ));
    }
    let staying_on = match said.adoption {
        Adoption::Staying => {
            let v = said.staying_on.as_deref().unwrap_or_default();
            if !plain_line(v, 100) {
                return Err(CommunityError::Invalid(
                    "community.release_error.staying_on",
                ));
            }
            Some(v.trim().to_owned())
        }
        _ => None,
    };
    let reason = said
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| crate::untrusted::storable(r).into_owned());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(CommunityError::Invalid("community.release_error.reason"));
    }
    let txn = crate::db::begin_write(db).await?;
    let row = release_adoptions::ActiveModel {
        release_id: Set(release_id),
        organisation_id: Set(org),
        status: Set(said.adoption.as_str().to_owned()),
        staying_on: Set(staying_on.clone()),
        reason: Set(reason.clone()),
        user_id: Set(Some(actor.user_id)),
        updated_at: Set(now()),
        ..Default::default()
    };
    if unique::insert_new(&txn, row).await?.is_none() {
        let existing = release_adoptions::Entity::find()
            .filter(release_adoptions::Column::ReleaseId.eq(release_id))
            .filter(release_adoptions::Column::OrganisationId.eq(org))
            .one(&txn)
            .await?
            .ok_or(CommunityError::NotFound)?;
        let mut change: release_adoptions::ActiveModel = existing.into();
        change.status = Set(said.adoption.as_str().to_owned());
        change.staying_on = Set(staying_on);
        change.reason = Set(reason);
        change.user_id = Set(Some(actor.user_id));
        change.updated_at = Set(now());
        change.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Of the administrations `orgs`, those with a reuse declaration of software `software_id`
/// that stands: those that may say what they do with its releases.
///
/// # Errors
///
/// On a database error.
pub async fn reusers(
    db: &impl ConnectionTrait,
    software_id: i64,
    orgs: &[i64],
) -> Result<Vec<i64>, CommunityError> {
    Ok(reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(reuse_declarations::Column::OrganisationId.is_in(orgs.iter().copied()))
        .filter(reuse_declarations::Column::Status.ne(DeclarationStatus::Withdrawn.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.organisation_id)
        .collect())
}

/// The releases of software `software_id`, the newest first.
///
/// # Errors
///
/// On a database error.
pub async fn of_software_releases(
    db: &impl ConnectionTrait,
    software_id: i64,
) -> Result<Vec<releases::Model>, CommunityError> {
    Ok(releases::Entity::find()
        .filter(releases::Column::SoftwareId.eq(software_id))
        .order_by_desc(releases::Column::Id)
        .all(db)
        .await?)
}

/// One administration's line of the matrix.
#[derive(Debug, Clone)]
pub struct Row {
    /// The administration's id.
    pub organisation_id: i64,
    /// Its IPA code.
    pub code: Option<String>,
    /// Its name.
    pub name: String,
    /// The version its reuse declaration names.
    pub declared_version: Option<String>,
    /// What it said of each release of the matrix, in the matrix's order.
    pub cells: Vec<Option<Cell>>,
}

/// What an administration said of one release.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Upgraded, testing, staying.
    pub adoption: Adoption,
    /// The version it stays on.
    pub staying_on: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// When it said so.
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

/// Who runs what: the latest releases of an entry, and for each administration that reuses it
/// (a declaration that stands) or said something of a release, what it said.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The releases, the newest first (at most [`MATRIX_RELEASES`]).
    pub releases: Vec<releases::Model>,
    /// The administrations, by name.
    pub rows: Vec<Row>,
}

/// How many releases a matrix shows.
pub const MATRIX_RELEASES: usize = 6;

/// The matrix of software `software_id`.
///
/// # Errors
///
/// On a database error.
pub async fn matrix(db: &impl ConnectionTrait, software_id: i64) -> Result<Matrix, CommunityError> {
    let mut releases = of_software_releases(db, software_id).await?;
    releases.truncate(MATRIX_RELEASES);
    let declarations = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(reuse_declarations::Column::Status.ne(DeclarationStatus::Withdrawn.as_str()))
        .all(db)
        .await?;
    let adoptions = release_adoptions::Entity::find()
        .filter(release_adoptions::Column::ReleaseId.is_in(releases.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let mut declared: HashMap<i64, Option<String>> = declarations
        .into_iter()
        .map(|d| (d.organisation_id, Some(d.version)))
        .collect();
    for a in &adoptions {
        declared.entry(a.organisation_id).or_insert(None);
    }
    let orgs = organisations::by_ids(db, declared.keys().copied()).await?;
    let mut rows: Vec<Row> = declared
        .into_iter()
        .filter_map(|(org, version)| {
            let o = orgs.get(&org)?;
            let cells = releases
                .iter()
                .map(|r| {
                    adoptions
                        .iter()
                        .find(|a| a.release_id == r.id && a.organisation_id == org)
                        .and_then(|a| {
                            Some(Cell {
                                adoption: Adoption::parse(&a.status)?,
                                staying_on: a.staying_on.clone(),
                                reason: a.reason.clone(),
                                updated_at: a.updated_at,
                            })
                        })
                })
                .collect();
            Some(Row {
                organisation_id: org,
                code: o.ipa_code.clone(),
                name: o.name.clone(),
                declared_version: version,
                cells,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then(a.organisation_id.cmp(&b.organisation_id))
    });
    Ok(Matrix { releases, rows })
}

/// The thread of release `release_id`, if it has one.
///
/// # Errors
///
/// On a database error.
pub async fn thread_of(
    db: &impl ConnectionTrait,
    release_id: i64,
) -> Result<Option<threads::Model>, CommunityError> {
    Ok(threads::Entity::find()
        .filter(threads::Column::ReleaseId.eq(release_id))
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_is_known_by_its_version_else_its_date() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 1);
        assert_eq!(version_key(Some(" 2.1.0 "), date).as_deref(), Some("2.1.0"));
        assert_eq!(version_key(Some(""), date).as_deref(), Some("2026-03-01"));
        assert_eq!(version_key(None, None), None);
        assert_eq!(
            version_key(Some("1.0\u{202e}"), None).as_deref(),
            Some("1.0")
        );
        assert!(ReleaseStatus::Planned < ReleaseStatus::Released);
    }
}
