//! The reuse cases' tables (this module owns them): `reuse_cases`, `case_events` (append-only),
//! `case_documents` and `case_evaluations`.
//!
//! - [`open`] creates a case with its opening event; [`transition`] applies a move after the
//!   guards and appends its event, in one transaction that also writes the state and the
//!   publication the events lead to, and the snapshot an evaluation was based on.
//! - [`load`] folds a case's events; [`events`] reads them.
//! - [`upload`] stores an evidence document with its SHA-256, within [`MAX_DOCUMENT_BYTES`];
//!   [`document`] reads one back.
//! - [`of_organisations`] and [`published`] list cases; [`changed_since`] tells which
//!   candidates' entries changed since they were evaluated.
//!
//! Who may act is decided by the caller (`community::authz`); what is stored here is what the
//! guards let through. Appends to one case are serialized: SQLite's write transaction holds the
//! database, PostgreSQL locks the case's row.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    Statement,
};
use sha2::{Digest as _, Sha256};

use super::entities::{case_documents, case_evaluations, case_events, reuse_cases};
use super::machine::{Actor, BrokenChain, Case, DocumentRef, Event, Role, State, Transition};
use super::{CaseError, Guard};
use crate::catalog::entities::software;

/// The largest evidence document accepted, in bytes (10 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// A case as stored, with its events folded.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its row.
    pub row: reuse_cases::Model,
    /// The events, oldest first, each with its id.
    pub events: Vec<(i64, Event)>,
    /// The case they lead to.
    pub case: Case,
}

/// Opens a case for organisation `organisation_id` (IPA code `actor.ipa`), by `actor`, with
/// its opening evidence; answers its id.
///
/// # Errors
///
/// [`CaseError::Guard`] when the opening is incomplete; the database's errors.
pub async fn open(
    db: &DatabaseConnection,
    organisation_id: i64,
    actor: Actor,
    opening: Transition,
    now: DateTime<Utc>,
) -> Result<i64, CaseError> {
    let Transition::Open { title, .. } = &opening else {
        return Err(CaseError::Guard(Guard::NotOpened));
    };
    let title = title.trim().chars().take(200).collect::<String>();
    let event = Case::default().apply(actor, opening, Vec::new(), now)?;
    let txn = crate::db::begin_write(db).await?;
    let at = now.fixed_offset();
    let row = reuse_cases::ActiveModel {
        organisation_id: Set(organisation_id),
        title: Set(title),
        created_by: Set(event.actor.user),
        created_at: Set(at),
        updated_at: Set(at),
        state: Set(event.to.as_str().to_owned()),
        published: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    append(&txn, row.id, &event).await?;
    txn.commit().await?;
    tracing::info!(case.id = row.id, "reuse case opened");
    Ok(row.id)
}

/// Applies `transition` by `actor` to case `case_id`, with the case's documents `documents`
/// as its evidence, after the guards; the event appended.
///
/// # Errors
///
/// [`CaseError::Guard`] when a guard refuses it, [`CaseError::NotFound`] for an unknown case
/// or a document of another case, and the database's errors.
pub async fn transition(
    db: &DatabaseConnection,
    case_id: i64,
    actor: Actor,
    transition: Transition,
    documents: &[i64],
    now: DateTime<Utc>,
) -> Result<Event, CaseError> {
    let txn = crate::db::begin_write(db).await?;
    let event = transition_in(&txn, case_id, actor, transition, documents, now).await?;
    txn.commit().await?;
    Ok(event)
}

/// [`transition`] inside the caller's transaction `txn` (which must be a write transaction), for
/// a step that changes other tables with it.
///
/// # Errors
///
/// As [`transition`].
pub async fn transition_in(
    txn: &impl ConnectionTrait,
    case_id: i64,
    actor: Actor,
    transition: Transition,
    documents: &[i64],
    now: DateTime<Utc>,
) -> Result<Event, CaseError> {
    lock(txn, case_id).await?;
    let stored = load(txn, case_id).await?.ok_or(CaseError::NotFound)?;
    let refs = document_refs(txn, case_id, documents).await?;
    let event = stored.case.apply(actor, transition, refs, now)?;
    let event_id = append(txn, case_id, &event).await?;
    if let Transition::Evaluate { evaluation } = &event.evidence
        && let Some(phase) = event.from.phase()
    {
        case_evaluations::ActiveModel {
            case_id: Set(case_id),
            event_id: Set(event_id),
            phase: Set(phase.as_str().to_owned()),
            software_id: Set(evaluation.software),
            snapshot_id: Set(evaluation.snapshot),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    let published = match &event.evidence {
        Transition::Publish { published } => *published,
        _ => stored.case.published,
    };
    reuse_cases::ActiveModel {
        id: Set(case_id),
        state: Set(event.to.as_str().to_owned()),
        published: Set(published),
        updated_at: Set(now.fixed_offset()),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(event)
}

/// Case `case_id` with its events folded; `None` when there is no such case.
///
/// # Errors
///
/// Fails on a database error, an unreadable event or a broken chain.
pub async fn load(db: &impl ConnectionTrait, case_id: i64) -> Result<Option<Stored>, CaseError> {
    let Some(row) = reuse_cases::Entity::find_by_id(case_id).one(db).await? else {
        return Ok(None);
    };
    let events = events(db, case_id).await?;
    let case = Case::replay(events.iter().map(|(_, e)| e))?;
    Ok(Some(Stored { row, events, case }))
}

/// The events of case `case_id`, oldest first, each with its id.
///
/// # Errors
///
/// Fails on a database error or an unreadable event.
pub async fn events(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<Vec<(i64, Event)>, CaseError> {
    case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case_id))
        .order_by_asc(case_events::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let unreadable = |message: String| CaseError::Unreadable {
                id: row.id,
                message,
            };
            let state = |s: &str| State::parse(s).ok_or_else(|| unreadable(format!("state {s:?}")));
            let event = Event {
                actor: Actor {
                    user: row.user_id,
                    role: Role::parse(&row.role)
                        .ok_or_else(|| unreadable(format!("role {:?}", row.role)))?,
                    ipa: row.acting_ipa.clone(),
                },
                at: row.at.with_timezone(&Utc),
                from: state(&row.from_state)?,
                to: state(&row.to_state)?,
                evidence: serde_json::from_str(&row.evidence)
                    .map_err(|e| unreadable(e.to_string()))?,
                documents: serde_json::from_str(&row.documents)
                    .map_err(|e| unreadable(e.to_string()))?,
            };
            Ok((row.id, event))
        })
        .collect()
}

/// The cases of the organisations `organisation_ids`, newest first.
///
/// # Errors
///
/// Fails on a database error.
pub async fn of_organisations(
    db: &impl ConnectionTrait,
    organisation_ids: &[i64],
) -> Result<Vec<reuse_cases::Model>, DbErr> {
    if organisation_ids.is_empty() {
        return Ok(Vec::new());
    }
    reuse_cases::Entity::find()
        .filter(reuse_cases::Column::OrganisationId.is_in(organisation_ids.iter().copied()))
        .order_by_desc(reuse_cases::Column::Id)
        .all(db)
        .await
}

/// The published cases, newest first, at most `limit` after id `before` (exclusive) when
/// given.
///
/// # Errors
///
/// Fails on a database error.
pub async fn published(
    db: &impl ConnectionTrait,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<reuse_cases::Model>, DbErr> {
    let mut query = reuse_cases::Entity::find()
        .filter(reuse_cases::Column::Published.eq(true))
        .order_by_desc(reuse_cases::Column::Id)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(reuse_cases::Column::Id.lt(before));
    }
    query.all(db).await
}

/// The cases anyone may read and those of the organisations `organisation_ids` (a reader's),
/// newest first, at most `limit` after id `before` (exclusive) when given.
///
/// # Errors
///
/// Fails on a database error.
pub async fn visible(
    db: &impl ConnectionTrait,
    organisation_ids: &[i64],
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<reuse_cases::Model>, DbErr> {
    let mut readable = sea_orm::Condition::any().add(reuse_cases::Column::Published.eq(true));
    if !organisation_ids.is_empty() {
        readable = readable
            .add(reuse_cases::Column::OrganisationId.is_in(organisation_ids.iter().copied()));
    }
    let mut query = reuse_cases::Entity::find()
        .filter(readable)
        .order_by_desc(reuse_cases::Column::Id)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(reuse_cases::Column::Id.lt(before));
    }
    query.all(db).await
}

/// Stores `content` as an evidence document of case `case_id`, named `name` with media type
/// `media_type`, uploaded by `user`; the same bytes uploaded again give the stored document.
///
/// # Errors
///
/// [`CaseError::TooLarge`] above [`MAX_DOCUMENT_BYTES`], [`CaseError::Invalid`] for an empty
/// file or an unusable name, [`CaseError::NotFound`] for an unknown case; the database's errors.
pub async fn upload(
    db: &DatabaseConnection,
    case_id: i64,
    user: Option<i64>,
    name: &str,
    media_type: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> Result<DocumentRef, CaseError> {
    if content.len() > MAX_DOCUMENT_BYTES {
        return Err(CaseError::TooLarge);
    }
    if content.is_empty() {
        return Err(CaseError::Invalid("case.error.document_empty"));
    }
    let name = document_name(name).ok_or(CaseError::Invalid("case.error.document_name"))?;
    let media_type = if media_type.is_ascii()
        && media_type.len() <= 100
        && media_type.contains('/')
        && !media_type.chars().any(|c| c.is_ascii_control())
    {
        media_type.to_owned()
    } else {
        "application/octet-stream".to_owned()
    };
    let sha256 = hex(&Sha256::digest(content));
    let txn = crate::db::begin_write(db).await?;
    if reuse_cases::Entity::find_by_id(case_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(CaseError::NotFound);
    }
    let existing = case_documents::Entity::find()
        .filter(case_documents::Column::CaseId.eq(case_id))
        .filter(case_documents::Column::Sha256.eq(sha256.as_str()))
        .one(&txn)
        .await?;
    let row = match existing {
        Some(row) => row,
        None => {
            case_documents::ActiveModel {
                case_id: Set(case_id),
                name: Set(name),
                media_type: Set(media_type),
                size: Set(i64::try_from(content.len()).unwrap_or(i64::MAX)),
                sha256: Set(sha256),
                content: Set(content.to_vec()),
                uploaded_by: Set(user),
                uploaded_at: Set(now.fixed_offset()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    txn.commit().await?;
    Ok(reference(&row))
}

/// Document `id` of case `case_id`, with its content.
///
/// # Errors
///
/// Fails on a database error.
pub async fn document(
    db: &impl ConnectionTrait,
    case_id: i64,
    id: i64,
) -> Result<Option<case_documents::Model>, DbErr> {
    case_documents::Entity::find_by_id(id)
        .filter(case_documents::Column::CaseId.eq(case_id))
        .one(db)
        .await
}

/// The documents of case `case_id`, without their content, oldest first.
///
/// # Errors
///
/// Fails on a database error.
pub async fn documents(db: &impl ConnectionTrait, case_id: i64) -> Result<Vec<DocumentRef>, DbErr> {
    let rows = case_documents::Entity::find()
        .select_only()
        .columns([
            case_documents::Column::Id,
            case_documents::Column::Name,
            case_documents::Column::Sha256,
            case_documents::Column::Size,
        ])
        .filter(case_documents::Column::CaseId.eq(case_id))
        .order_by_asc(case_documents::Column::Id)
        .into_tuple::<(i64, String, String, i64)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, sha256, size)| DocumentRef {
            id,
            name,
            sha256,
            size: u64::try_from(size).unwrap_or(0),
        })
        .collect())
}

/// The snapshot each candidate's latest evaluation of case `case_id` was based on:
/// `(phase, software, snapshot)`, in the order evaluated.
///
/// # Errors
///
/// Fails on a database error.
pub async fn evaluated_snapshots(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<Vec<(String, i64, i64)>, DbErr> {
    let rows = case_evaluations::Entity::find()
        .filter(case_evaluations::Column::CaseId.eq(case_id))
        .order_by_asc(case_evaluations::Column::Id)
        .all(db)
        .await?;
    let mut out: Vec<(String, i64, i64)> = Vec::new();
    for row in rows {
        match out
            .iter_mut()
            .find(|(p, s, _)| *p == row.phase && *s == row.software_id)
        {
            Some(slot) => slot.2 = row.snapshot_id,
            None => out.push((row.phase, row.software_id, row.snapshot_id)),
        }
    }
    Ok(out)
}

/// Follows the reuse declarations `declarations` into the cases they were made from: a case
/// waiting in `ReuseDeclared` for one that is now acknowledged records the acknowledgement and
/// closes, as the system, in the caller's write transaction `txn`. Answers the cases closed.
///
/// # Errors
///
/// Fails on a database error or an unreadable case.
pub async fn follow_declarations(
    txn: &impl ConnectionTrait,
    declarations: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, CaseError> {
    use crate::community::entities::reuse_declarations;
    if declarations.is_empty() {
        return Ok(Vec::new());
    }
    let waiting = reuse_cases::Entity::find()
        .filter(reuse_cases::Column::State.eq(State::ReuseDeclared.as_str()))
        .order_by_asc(reuse_cases::Column::Id)
        .all(txn)
        .await?;
    let mut closed = Vec::new();
    for row in waiting {
        let Some(stored) = load(txn, row.id).await? else {
            continue;
        };
        let Some(declaration) = stored.case.declaration.filter(|d| declarations.contains(d)) else {
            continue;
        };
        let Some(decl) = reuse_declarations::Entity::find_by_id(declaration)
            .one(txn)
            .await?
        else {
            continue;
        };
        if decl.status != "acknowledged" {
            continue;
        }
        let ipa = stored
            .case
            .opening
            .as_ref()
            .map(|o| o.ipa.clone())
            .unwrap_or_default();
        let via = decl.acknowledged_via.unwrap_or_else(|| "owner".to_owned());
        transition_in(
            txn,
            row.id,
            Actor::system(&ipa),
            Transition::Acknowledge { declaration, via },
            &[],
            now,
        )
        .await?;
        transition_in(
            txn,
            row.id,
            Actor::system(&ipa),
            Transition::Close {
                note: String::new(),
            },
            &[],
            now,
        )
        .await?;
        closed.push(row.id);
    }
    Ok(closed)
}

/// A candidate whose catalog entry changed since its evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The entry.
    pub software: i64,
    /// Its address now.
    pub slug: String,
    /// Its name when evaluated.
    pub name: String,
    /// The snapshot the evaluation was based on.
    pub evaluated: i64,
    /// The entry's current snapshot.
    pub current: i64,
}

/// The candidates of `case` whose entry has another current snapshot than the one their
/// latest evaluation was based on, in the order evaluated.
///
/// # Errors
///
/// Fails on a database error.
pub async fn changed_since(db: &impl ConnectionTrait, case: &Case) -> Result<Vec<Changed>, DbErr> {
    let ids: Vec<i64> = case
        .evaluations
        .iter()
        .map(|e| e.evaluation.software)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let entries = software::Entity::find()
        .filter(software::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(case
        .evaluations
        .iter()
        .filter_map(|e| {
            let entry = entries.iter().find(|s| s.id == e.evaluation.software)?;
            let current = entry.current_snapshot_id?;
            (current != e.evaluation.snapshot).then(|| Changed {
                software: entry.id,
                slug: entry.slug.clone(),
                name: e.evaluation.name.clone(),
                evaluated: e.evaluation.snapshot,
                current,
            })
        })
        .collect())
}

/// The references of documents `ids` of case `case_id`, in the order given.
async fn document_refs(
    db: &impl ConnectionTrait,
    case_id: i64,
    ids: &[i64],
) -> Result<Vec<DocumentRef>, CaseError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row = case_documents::Entity::find_by_id(*id)
            .filter(case_documents::Column::CaseId.eq(case_id))
            .one(db)
            .await?
            .ok_or(CaseError::NotFound)?;
        out.push(reference(&row));
    }
    Ok(out)
}

fn reference(row: &case_documents::Model) -> DocumentRef {
    DocumentRef {
        id: row.id,
        name: row.name.clone(),
        sha256: row.sha256.clone(),
        size: u64::try_from(row.size).unwrap_or(0),
    }
}

/// A file name kept as a plain line: its last path component, without control characters, at
/// most 200 characters; `None` when nothing is left.
fn document_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().to_owned();
    (!clean.is_empty() && clean != "." && clean != "..").then_some(clean)
}

/// Appends `event` to case `case_id`; answers the event's id.
async fn append(db: &impl ConnectionTrait, case_id: i64, event: &Event) -> Result<i64, DbErr> {
    let encode = |e: serde_json::Error| DbErr::Custom(format!("cannot encode a case event: {e}"));
    let evidence = serde_json::to_string(&event.evidence).map_err(encode)?;
    let documents = serde_json::to_string(&event.documents).map_err(encode)?;
    let row = case_events::ActiveModel {
        case_id: Set(case_id),
        user_id: Set(event.actor.user),
        role: Set(event.actor.role.as_str().to_owned()),
        acting_ipa: Set(event.actor.ipa.clone()),
        at: Set(event.at.fixed_offset()),
        from_state: Set(event.from.as_str().to_owned()),
        to_state: Set(event.to.as_str().to_owned()),
        transition: Set(event.evidence.name().to_owned()),
        evidence: Set(evidence),
        documents: Set(documents),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Holds case `case_id` against other writers until the transaction ends (PostgreSQL;
/// SQLite's write transaction holds the whole database already).
async fn lock(db: &impl ConnectionTrait, case_id: i64) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM reuse_cases WHERE id = $1 FOR UPDATE",
            [case_id.into()],
        ))
        .await?;
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl From<BrokenChain> for CaseError {
    fn from(e: BrokenChain) -> Self {
        Self::Broken(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_are_plain() {
        assert_eq!(
            document_name("C:\\docs\\fabbisogni.pdf").as_deref(),
            Some("fabbisogni.pdf")
        );
        assert_eq!(document_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(document_name("a\u{0}b\nc").as_deref(), Some("abc"));
        assert_eq!(document_name(".."), None);
        assert_eq!(document_name("  "), None);
    }
}
