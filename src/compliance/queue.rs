//! What reviewers work from: the queue of entries with their review's state, filtered and
//! paged ([`queue`]), one entry's review with its latest results and events ([`overview`]),
//! the state of many entries at once for the owners' pages ([`summaries`]), and bulk
//! assignment ([`assign`]).
//!
//! The current state is never stored: an entry's state is the `to` of its latest event (the
//! events form a chain, so the last one says where the fold ends), `Discovered` without any.
//! The assignee of an entry under review is the reviewer its latest event gave it to: the
//! claimant of a claim, the `reviewer` of an assignment's evidence.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, FixedOffset, Utc};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait as _,
    QueryFilter as _, Value,
};

use super::ComplianceError;
use super::entities::rule_results;
use super::review::{Actor, Event, Guard, Review, State, Transition};
use super::rules::{Outcome, RuleId, Severity};
use super::store;
use crate::community::accounts::SiteRole;
use crate::community::entities::users;

/// Largest page of the queue.
pub const MAX_PAGE: u64 = 100;

/// What the queue is filtered by; `None` lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The review's state.
    pub state: Option<State>,
    /// A rule that failed in the entry's latest check.
    pub rule: Option<RuleId>,
    /// The publisher's IPA code (lower case).
    pub publisher: Option<String>,
    /// The reviewer it is assigned to.
    pub assignee: Option<i64>,
    /// At least this many days in its current state.
    pub min_age_days: Option<u32>,
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The entry.
    pub software_id: i64,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Whether it is in the public catalog.
    pub active: bool,
    /// The publisher's name, if known.
    pub publisher: Option<String>,
    /// The publisher's IPA code, if any.
    pub publisher_code: Option<String>,
    /// The review's state.
    pub state: State,
    /// Since when (its latest event; the entry's creation before any).
    pub since: DateTime<FixedOffset>,
    /// The reviewer who has it, while under review: (id, name).
    pub assignee: Option<(i64, String)>,
    /// The rules that failed in its latest check (errors and warnings), in rule order.
    pub failed: Vec<RuleId>,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The lines, by entry id.
    pub lines: Vec<Line>,
    /// The cursor of the next page (the last entry's id), when there is one.
    pub next: Option<i64>,
}

/// The assignee of an event row: the claimant of a claim, the `reviewer` of an assignment.
fn assignee_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "CASE WHEN e.to_state = 'under-review' THEN \
             COALESCE(CAST(CAST(e.evidence AS jsonb) ->> 'reviewer' AS BIGINT), e.user_id) END"
        }
        _ => {
            "CASE WHEN e.to_state = 'under-review' THEN \
             COALESCE(json_extract(e.evidence, '$.reviewer'), e.user_id) END"
        }
    }
}

/// A page of at most `limit` entries (with a snapshot) of the queue after entry `after`, by
/// id, as `filter` asks, as of `now`.
///
/// # Errors
///
/// Fails on a database error.
pub async fn queue(
    db: &DatabaseConnection,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Page, DbErr> {
    let backend = db.get_database_backend();
    let assignee = assignee_sql(backend);
    let mut sql = format!(
        "SELECT s.id AS id, s.slug AS slug, s.name AS name, s.active AS active, \
         o.name AS publisher, o.ipa_code AS publisher_code, \
         COALESCE(e.to_state, 'discovered') AS state, COALESCE(e.at, s.created_at) AS since, \
         {assignee} AS assignee \
         FROM software s \
         LEFT JOIN organisations o ON o.id = s.organisation_id \
         LEFT JOIN review_events e ON e.id = \
           (SELECT MAX(x.id) FROM review_events x WHERE x.software_id = s.id) \
         WHERE s.current_snapshot_id IS NOT NULL AND s.id > ?"
    );
    let mut values: Vec<Value> = vec![after.unwrap_or(0).into()];
    if let Some(state) = filter.state {
        sql.push_str(" AND COALESCE(e.to_state, 'discovered') = ?");
        values.push(state.as_str().into());
    }
    if let Some(code) = &filter.publisher {
        sql.push_str(" AND o.ipa_code = ?");
        values.push(code.to_lowercase().into());
    }
    if let Some(user) = filter.assignee {
        sql.push_str(&format!(" AND {assignee} = ?"));
        values.push(user.into());
    }
    if let Some(days) = filter.min_age_days {
        let before = now
            .checked_sub_days(Days::new(u64::from(days)))
            .unwrap_or(now);
        sql.push_str(" AND COALESCE(e.at, s.created_at) <= ?");
        values.push(before.fixed_offset().into());
    }
    if let Some(rule) = filter.rule {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM rule_results r WHERE r.software_id = s.id \
             AND r.rule_id = ? AND r.outcome = ? \
             AND r.checked_at = (SELECT MAX(q.checked_at) FROM rule_results q \
                                 WHERE q.software_id = s.id))",
        );
        values.push(rule.as_str().into());
        values.push(Outcome::Fail.as_str().into());
    }
    sql.push_str(" ORDER BY s.id LIMIT ?");
    let limit = limit.clamp(1, MAX_PAGE);
    values.push(i64::try_from(limit + 1).unwrap_or(i64::MAX).into());
    let rows = db
        .query_all_raw(crate::db::statement(backend, &sql, values))
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut assignees = Vec::new();
    for row in &rows {
        let state: String = row.try_get("", "state")?;
        let assignee: Option<i64> = row.try_get("", "assignee")?;
        assignees.extend(assignee);
        lines.push((
            Line {
                software_id: row.try_get("", "id")?,
                slug: row.try_get("", "slug")?,
                name: row.try_get("", "name")?,
                active: row.try_get("", "active")?,
                publisher: row.try_get("", "publisher")?,
                publisher_code: row.try_get("", "publisher_code")?,
                state: State::parse(&state).unwrap_or(State::Discovered),
                since: row.try_get("", "since")?,
                assignee: None,
                failed: Vec::new(),
            },
            assignee,
        ));
    }
    let more = lines.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    lines.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let ids: Vec<i64> = lines.iter().map(|(l, _)| l.software_id).collect();
    let mut failed = failures(db, &ids).await?;
    let names = user_names(db, &assignees).await?;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|(mut line, assignee)| {
            line.failed = failed
                .remove(&line.software_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, severity)| *severity != Severity::Info)
                .map(|(rule, _)| rule)
                .collect();
            line.assignee = assignee.map(|id| {
                let name = names.get(&id).cloned().unwrap_or_default();
                (id, name)
            });
            line
        })
        .collect();
    let next = more.then(|| lines.last().map(|l| l.software_id)).flatten();
    Ok(Page { lines, next })
}

/// The failures (rule, severity) of the latest check of each of `ids`, by entry, in rule
/// order.
async fn failures(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(RuleId, Severity)>>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT r.software_id AS software_id, r.rule_id AS rule_id, r.severity AS severity \
         FROM rule_results r \
         WHERE r.software_id IN ({}) AND r.outcome = ? \
         AND r.checked_at = (SELECT MAX(q.checked_at) FROM rule_results q \
                             WHERE q.software_id = r.software_id) \
         ORDER BY r.software_id, r.id",
        crate::db::in_list(ids.len())
    );
    let mut values: Vec<Value> = ids.iter().map(|&id| id.into()).collect();
    values.push(Outcome::Fail.as_str().into());
    let rows = db
        .query_all_raw(crate::db::statement(backend, &sql, values))
        .await?;
    let mut out: HashMap<i64, Vec<(RuleId, Severity)>> = HashMap::new();
    for row in rows {
        let id: i64 = row.try_get("", "software_id")?;
        let rule: String = row.try_get("", "rule_id")?;
        let severity: String = row.try_get("", "severity")?;
        if let (Ok(rule), Some(severity)) = (rule.parse(), Severity::parse(&severity)) {
            out.entry(id).or_default().push((rule, severity));
        }
    }
    for rules in out.values_mut() {
        rules.sort();
        rules.dedup();
    }
    Ok(out)
}

/// The display names of users `ids` (a deleted account has none).
async fn user_names(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// The people who may be given an entry to review: every live account with the site role
/// reviewer or administrator, (id, name), by id.
///
/// # Errors
///
/// Fails on a database error.
pub async fn reviewers(db: &DatabaseConnection) -> Result<Vec<(i64, String)>, DbErr> {
    use sea_orm::QueryOrder as _;
    Ok(users::Entity::find()
        .filter(
            users::Column::SiteRole.is_in([SiteRole::Reviewer.as_str(), SiteRole::Admin.as_str()]),
        )
        .filter(users::Column::DeletedAt.is_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// One entry's review as a reviewer (and, for its public part, anyone) sees it.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The entry, its repository and current snapshot.
    pub loaded: store::Loaded,
    /// The review, folded from `events`.
    pub review: Review,
    /// Every move of the review, oldest first.
    pub events: Vec<Event>,
    /// The latest check's results, in rule order.
    pub results: Vec<rule_results::Model>,
    /// The reviewer who has it (or recorded its outcome): (id, name).
    pub reviewer: Option<(i64, String)>,
}

impl Overview {
    /// The latest recorded outcome's event, if any outcome was recorded since the last check
    /// moved the review.
    #[must_use]
    pub fn outcome(&self) -> Option<&Event> {
        self.events
            .iter()
            .rev()
            .take_while(|e| !matches!(e.evidence, Transition::Changed { .. }))
            .find(|e| matches!(e.evidence, Transition::Record { .. }))
    }
}

/// The review of the entry `detail` (read by [`crate::catalog::read::software`]) with its latest
/// results and events; `None` when it has no snapshot yet. The entry, its repository and its
/// current file are taken from `detail`, not read again.
///
/// # Errors
///
/// Fails on a database error or events that do not fold.
pub async fn overview(
    db: &impl ConnectionTrait,
    detail: &crate::catalog::read::SoftwareDetail,
) -> Result<Option<Overview>, ComplianceError> {
    let Some(current) = &detail.current else {
        return Ok(None);
    };
    let loaded = store::Loaded {
        software: detail.software.clone(),
        repository: detail.repository.clone(),
        snapshot: current.snapshot.clone(),
    };
    let software_id = detail.software.id;
    let events = store::events(db, software_id).await?;
    let review = Review::replay(&events)?;
    let results = store::latest(db, software_id).await?;
    let reviewer = match review.reviewer {
        Some(id) => user_names(db, &[id])
            .await?
            .remove(&id)
            .map(|name| (id, name)),
        None => None,
    };
    Ok(Some(Overview {
        loaded,
        review,
        events,
        results,
        reviewer,
    }))
}

/// Where an entry stands, in brief: for lists of many entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The review's state.
    pub state: State,
    /// Rules of error severity that failed in the latest check.
    pub errors: u32,
    /// Rules of warning severity that failed in it.
    pub warnings: u32,
}

/// The [`Summary`] of each of `ids` (those without a check or event are `Discovered` with no
/// failure).
///
/// # Errors
///
/// Fails on a database error.
pub async fn summaries(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<BTreeMap<i64, Summary>, DbErr> {
    let mut out: BTreeMap<i64, Summary> = ids
        .iter()
        .map(|&id| {
            (
                id,
                Summary {
                    state: State::Discovered,
                    errors: 0,
                    warnings: 0,
                },
            )
        })
        .collect();
    if ids.is_empty() {
        return Ok(out);
    }
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT e.software_id AS software_id, e.to_state AS state FROM review_events e \
         WHERE e.id IN (SELECT MAX(x.id) FROM review_events x WHERE x.software_id IN ({}) \
                        GROUP BY x.software_id)",
        crate::db::in_list(ids.len())
    );
    let rows = db
        .query_all_raw(crate::db::statement(
            backend,
            &sql,
            ids.iter().map(|&id| Value::from(id)),
        ))
        .await?;
    for row in rows {
        let id: i64 = row.try_get("", "software_id")?;
        let state: String = row.try_get("", "state")?;
        if let (Some(s), Some(state)) = (out.get_mut(&id), State::parse(&state)) {
            s.state = state;
        }
    }
    for (id, failed) in failures(db, ids).await? {
        if let Some(s) = out.get_mut(&id) {
            for (_, severity) in failed {
                match severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Info => {}
                }
            }
        }
    }
    Ok(out)
}

/// What [`assign`] did with each entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// The entries now assigned.
    pub done: Vec<i64>,
    /// The entries a guard kept as they were, with the guard.
    pub refused: Vec<(i64, Guard)>,
}

/// Assigns entries `ids` to reviewer `reviewer`, by `actor`, each in its own transaction: an
/// entry a guard refuses is reported and the others are assigned.
///
/// # Errors
///
/// [`ComplianceError::Guard`] with [`Guard::NotAReviewer`] when `reviewer` may not review;
/// [`ComplianceError::NotFound`] for an unknown entry; the database's errors.
pub async fn assign(
    db: &DatabaseConnection,
    ids: &[i64],
    reviewer: i64,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Assigned, ComplianceError> {
    let may_review = users::Entity::find_by_id(reviewer)
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .and_then(|u| u.site_role.as_deref().and_then(SiteRole::parse))
        .is_some();
    if !may_review {
        return Err(Guard::NotAReviewer.into());
    }
    let mut out = Assigned {
        done: Vec::new(),
        refused: Vec::new(),
    };
    for &id in ids {
        // An assignment mails nobody: no address to link to.
        let assign = Transition::Assign { reviewer };
        match store::transition(db, id, actor, assign, now, "").await {
            Ok(_) => out.done.push(id),
            Err(ComplianceError::Guard(guard)) => out.refused.push((id, guard)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
