//! The compliance tables: `rule_results` (what each rule said of a snapshot, under which rule
//! set) and `review_events` (every move of a review, append-only).
//!
//! - [`load`] and [`facts`] gather what the rules look at from the catalog.
//! - [`record_check`] stores one evaluation and the review's move it causes, in one
//!   transaction: the first check (→ `AutoChecked`), a new file or licence text under a
//!   compliant outcome (→ back to `AutoChecked`), a manual deactivation mirrored (→
//!   `Deactivated`, which nothing leaves).
//! - [`transition`] applies a reviewer's move after the guards (an outcome is mailed to the
//!   owners with it); [`review`] folds the events.
//! - [`stale`] lists the active entries the current rule set has not judged.
//!
//! Appends to one entry's events are serialized: SQLite's write transaction holds the database,
//! PostgreSQL locks the entry's row, so two writers cannot both move the review from the same
//! state.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _, Statement,
};

use super::entities::{review_events, rule_results};
use super::facts::{
    Facts, FileFacts, PublisherFacts, RepoFiles, RepositoryFacts, UsedBy, Vitality,
};
use super::review::{Actor, Change, Event, Review, Role, State, Transition};
use super::rules::{Outcome, RuleId, RuleResult, Severity};
use super::{ComplianceError, RULESET_VERSION};
use crate::catalog::entities::{repositories, snapshots, software, used_by};
use crate::publiccode::Limits;

/// An entry with its repository and current snapshot: what one check judges.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The entry.
    pub software: software::Model,
    /// Its repository.
    pub repository: repositories::Model,
    /// Its current snapshot.
    pub snapshot: snapshots::Model,
}

/// Entry `software_id` with its repository and current snapshot; `None` when there is no such
/// entry or it has no snapshot yet.
///
/// # Errors
///
/// Fails on a database error.
pub async fn load(db: &impl ConnectionTrait, software_id: i64) -> Result<Option<Loaded>, DbErr> {
    let Some(software) = software::Entity::find_by_id(software_id).one(db).await? else {
        return Ok(None);
    };
    let Some(snapshot_id) = software.current_snapshot_id else {
        return Ok(None);
    };
    let Some(snapshot) = snapshots::Entity::find_by_id(snapshot_id).one(db).await? else {
        return Ok(None);
    };
    let Some(repository) = repositories::Entity::find_by_id(software.repository_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Loaded {
        software,
        repository,
        snapshot,
    }))
}

/// The facts of `loaded` as of `today`, with the repository's `files` when a clone was at hand;
/// an invalid file is read again within `limits` for the keys it still declares.
///
/// # Errors
///
/// Fails on a database error.
pub async fn facts(
    db: &impl ConnectionTrait,
    loaded: &Loaded,
    files: Option<RepoFiles>,
    today: NaiveDate,
    limits: &Limits,
) -> Result<Facts, DbErr> {
    let used_by = used_by::Entity::find()
        .filter(used_by::Column::SnapshotId.eq(loaded.snapshot.id))
        .order_by_asc(used_by::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| UsedBy {
            name: u.name,
            ipa_code: u.ipa_code,
        })
        .collect();
    let snapshot = &loaded.snapshot;
    let entry = &loaded.software;
    Ok(Facts {
        today,
        repository: RepositoryFacts {
            url: loaded.repository.url.clone(),
            archived: loaded.repository.archived,
            private: loaded.repository.private,
        },
        file: FileFacts::from_stored(
            snapshot.valid,
            &snapshot.diagnostics,
            snapshot.normalized.as_deref(),
            &snapshot.raw,
            limits,
        ),
        files,
        publisher: PublisherFacts {
            verified: entry.publisher_verified,
        },
        vitality: entry.vitality.map(|index| Vitality {
            index,
            facts: entry.vitality_facts(),
        }),
        used_by,
    })
}

/// What [`record_check`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The results differed from the last stored ones, and were stored.
    pub stored: bool,
    /// The state the review moved to, if it moved.
    pub moved_to: Option<State>,
}

/// Stores `results` of `loaded`'s current snapshot under the current rule set, unless they are
/// what the last check found, and moves the review as they call for; in one transaction.
///
/// # Errors
///
/// Fails on a database error, or when the stored events do not fold.
pub async fn record_check(
    db: &DatabaseConnection,
    loaded: &Loaded,
    results: &[RuleResult],
    now: DateTime<Utc>,
) -> Result<Checked, ComplianceError> {
    let txn = crate::db::begin_write(db).await?;
    let id = loaded.software.id;
    lock(&txn, id).await?;
    let review = review(&txn, id).await?;
    let previous = latest(&txn, id).await?;
    let snapshot = loaded.snapshot.id;
    let same = same_results(&previous, snapshot, results);
    if !same {
        let at = now.fixed_offset();
        let rows = results.iter().map(|r| rule_results::ActiveModel {
            software_id: Set(id),
            snapshot_id: Set(snapshot),
            ruleset_version: Set(ruleset()),
            rule_id: Set(r.rule.as_str().to_owned()),
            outcome: Set(r.outcome.as_str().to_owned()),
            severity: Set(r.severity.as_str().to_owned()),
            key_path: Set(r.key_path.clone()),
            detail: Set(r.detail.clone()),
            checked_at: Set(at),
            ..Default::default()
        });
        rule_results::Entity::insert_many(rows).exec(&txn).await?;
    }
    let failed: Vec<RuleId> = results
        .iter()
        .filter(|r| r.is_finding())
        .map(|r| r.rule)
        .collect();
    let transition = if review.state == State::Deactivated {
        None
    } else if loaded.software.deactivated_manually {
        let reason = loaded
            .software
            .deactivation_reason
            .clone()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| "deactivated manually".to_owned());
        Some(Transition::Deactivate { reason })
    } else {
        match review.state {
            State::Discovered => Some(Transition::AutoCheck {
                snapshot,
                ruleset: RULESET_VERSION,
                failed,
            }),
            State::AutoChecked if !same => Some(Transition::AutoCheck {
                snapshot,
                ruleset: RULESET_VERSION,
                failed,
            }),
            state if state.is_compliant() => {
                let change = if review.snapshot != Some(snapshot) {
                    Some(Change::File)
                } else if licence_changed(&previous, results) {
                    Some(Change::Licence)
                } else {
                    None
                };
                change.map(|change| Transition::Changed {
                    snapshot,
                    ruleset: RULESET_VERSION,
                    change,
                    failed,
                })
            }
            _ => None,
        }
    };
    let moved_to = match transition {
        Some(t) => {
            let event = review.apply(Actor::SYSTEM, t, now)?;
            append(&txn, id, &event).await?;
            Some(event.to)
        }
        None => None,
    };
    txn.commit().await?;
    Ok(Checked {
        stored: !same,
        moved_to,
    })
}

/// Applies `transition` by `actor` to the review of entry `software_id`, after the guards; the
/// event appended. An outcome is mailed to the entry's owners in the same transaction
/// ([`super::notify::outcome`]), its link under `public_url`.
///
/// # Errors
///
/// [`ComplianceError::Guard`] when a guard refuses it, [`ComplianceError::NotFound`] for an
/// unknown entry, and the database's errors.
pub async fn transition(
    db: &DatabaseConnection,
    software_id: i64,
    actor: Actor,
    transition: Transition,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<Event, ComplianceError> {
    let txn = crate::db::begin_write(db).await?;
    if software::Entity::find_by_id(software_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(ComplianceError::NotFound);
    }
    lock(&txn, software_id).await?;
    let event = review(&txn, software_id)
        .await?
        .apply(actor, transition, now)?;
    append(&txn, software_id, &event).await?;
    super::notify::outcome(&txn, software_id, &event, public_url).await?;
    txn.commit().await?;
    Ok(event)
}

/// The review of entry `software_id`, folded from its events.
///
/// # Errors
///
/// Fails on a database error, an unreadable event or a broken chain.
pub async fn review(
    db: &impl ConnectionTrait,
    software_id: i64,
) -> Result<Review, ComplianceError> {
    let events = events(db, software_id).await?;
    Ok(Review::replay(&events)?)
}

/// The review events of entry `software_id`, oldest first.
///
/// # Errors
///
/// Fails on a database error or an unreadable event.
pub async fn events(
    db: &impl ConnectionTrait,
    software_id: i64,
) -> Result<Vec<Event>, ComplianceError> {
    review_events::Entity::find()
        .filter(review_events::Column::SoftwareId.eq(software_id))
        .order_by_asc(review_events::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let unreadable = |message: String| ComplianceError::Unreadable {
                id: row.id,
                message,
            };
            let state = |s: &str| State::parse(s).ok_or_else(|| unreadable(format!("state {s:?}")));
            Ok(Event {
                actor: Actor {
                    user: row.user_id,
                    role: Role::parse(&row.role)
                        .ok_or_else(|| unreadable(format!("role {:?}", row.role)))?,
                },
                at: row.at.with_timezone(&Utc),
                from: state(&row.from_state)?,
                to: state(&row.to_state)?,
                evidence: serde_json::from_str(&row.evidence)
                    .map_err(|e| unreadable(e.to_string()))?,
            })
        })
        .collect()
}

/// The results of the last check of entry `software_id`, in rule order.
///
/// # Errors
///
/// Fails on a database error.
pub async fn latest(
    db: &impl ConnectionTrait,
    software_id: i64,
) -> Result<Vec<rule_results::Model>, DbErr> {
    let Some(last) = rule_results::Entity::find()
        .filter(rule_results::Column::SoftwareId.eq(software_id))
        .order_by_desc(rule_results::Column::CheckedAt)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    rule_results::Entity::find()
        .filter(rule_results::Column::SoftwareId.eq(software_id))
        .filter(rule_results::Column::CheckedAt.eq(last.checked_at))
        .order_by_asc(rule_results::Column::Id)
        .all(db)
        .await
}

/// A stored result as the rules give it; `None` for a row of a rule or value this version does
/// not know.
#[must_use]
pub fn result_of(row: &rule_results::Model) -> Option<RuleResult> {
    Some(RuleResult {
        rule: row.rule_id.parse().ok()?,
        outcome: Outcome::parse(&row.outcome)?,
        severity: Severity::parse(&row.severity)?,
        key_path: row.key_path.clone(),
        detail: row.detail.clone(),
    })
}

/// The active entries with a snapshot that no check under the current rule set has judged,
/// by id.
///
/// # Errors
///
/// Fails on a database error.
pub async fn stale(db: &DatabaseConnection) -> Result<Vec<i64>, DbErr> {
    let backend = db.get_database_backend();
    let sql = crate::db::numbered(
        backend,
        "SELECT s.id AS id FROM software s \
         WHERE s.active = ? AND s.current_snapshot_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM rule_results r \
                         WHERE r.software_id = s.id AND r.ruleset_version = ?) \
         ORDER BY s.id",
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [true.into(), ruleset().into()],
        ))
        .await?;
    rows.iter().map(|r| r.try_get::<i64>("", "id")).collect()
}

/// Appends `event` to the review of entry `software_id`.
async fn append(db: &impl ConnectionTrait, software_id: i64, event: &Event) -> Result<(), DbErr> {
    let evidence = serde_json::to_string(&event.evidence)
        .map_err(|e| DbErr::Custom(format!("cannot encode a review event: {e}")))?;
    review_events::ActiveModel {
        software_id: Set(software_id),
        user_id: Set(event.actor.user),
        role: Set(event.actor.role.as_str().to_owned()),
        at: Set(event.at.fixed_offset()),
        from_state: Set(event.from.as_str().to_owned()),
        to_state: Set(event.to.as_str().to_owned()),
        evidence: Set(evidence),
        snapshot_id: Set(event.evidence.snapshot()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Holds entry `software_id` against other writers of its review until the transaction ends
/// (PostgreSQL; SQLite's write transaction holds the whole database already).
async fn lock(db: &impl ConnectionTrait, software_id: i64) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM software WHERE id = $1 FOR UPDATE",
            [software_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The rule set's version as stored.
fn ruleset() -> i32 {
    i32::try_from(RULESET_VERSION).unwrap_or(i32::MAX)
}

/// Whether `results` of `snapshot` are what `previous` (the last check) found.
fn same_results(previous: &[rule_results::Model], snapshot: i64, results: &[RuleResult]) -> bool {
    previous.len() == results.len()
        && previous.iter().zip(results).all(|(row, r)| {
            row.snapshot_id == snapshot
                && row.ruleset_version == ruleset()
                && row.rule_id == r.rule.as_str()
                && row.outcome == r.outcome.as_str()
                && row.key_path == r.key_path
                && row.detail == r.detail
        })
}

/// Whether the licence file's text differs from the one the last check read: its digest in
/// the `licence.file` result changed, or the file came or went (a check without the
/// repository's files at hand tells nothing).
fn licence_changed(previous: &[rule_results::Model], results: &[RuleResult]) -> bool {
    let digest = |outcome: &str, detail: &str| {
        (outcome != Outcome::Unknown.as_str()).then(|| {
            detail
                .split_once("sha256 ")
                .map(|(_, rest)| rest.chars().take(12).collect::<String>())
                .unwrap_or_default()
        })
    };
    let before = previous
        .iter()
        .find(|r| r.rule_id == RuleId::LicenceFile.as_str())
        .and_then(|r| digest(&r.outcome, &r.detail));
    let after = results
        .iter()
        .find(|r| r.rule == RuleId::LicenceFile)
        .and_then(|r| digest(r.outcome.as_str(), &r.detail));
    matches!((before, after), (Some(b), Some(a)) if a != b)
}
