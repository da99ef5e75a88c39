//! `GET /api/v1/reviews/{id}` (an entry's automatic checks and review, public while the entry
//! is) and `GET /api/v1/reviews` (the reviewers' queue, for reviewers only).
//!
//! Both run behind the session layer: the queue needs a signed-in reviewer or administrator
//! (401 without a session, 403 without the role), and an inactive entry's review is shown to
//! them only.

use std::sync::LazyLock;

use axum::Json;
use chrono::Utc;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use super::answers::{Malformed, Reads};
use super::types::{
    ErrorResponse, FindingResponse, Links, OutcomeResponse, QueueEntryResponse, QueueList,
    ReviewEventResponse, ReviewResponse, RuleResultResponse,
};
use crate::app::AppState;
use crate::catalog::read;
use crate::community::authz::{self, Action};
use crate::compliance::queue::{self, Overview};
use crate::compliance::review::{State, Subject, Transition};
use crate::compliance::rules::RuleId;
use crate::compliance::{ComplianceError, store};
use crate::web::error::{ApiError, AppError};
use crate::web::extract::{Key, Path};
use crate::web::params::{self, Params, QuerySpec};
use crate::web::session::Viewer;

/// The queue's parameters: its filters and the API's paging.
#[derive(Debug)]
pub struct QueueParams;

impl QuerySpec for QueueParams {
    fn names() -> &'static [&'static str] {
        static NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| {
            params::REVIEW_FILTERS
                .iter()
                .copied()
                .chain([params::SIZE, params::AFTER])
                .collect()
        });
        &NAMES
    }
}

/// The values of the queue's `state` filter, for the documentation: the review states.
pub struct StateFilter;

impl utoipa::PartialSchema for StateFilter {
    fn schema() -> RefOr<Schema> {
        filter_schema("A review state.", State::ALL.iter().map(|s| s.as_str()))
    }
}

impl utoipa::ToSchema for StateFilter {}

/// The values of the queue's `rule` filter, for the documentation: the rule ids of the current
/// rule set.
pub struct RuleFilter;

impl utoipa::PartialSchema for RuleFilter {
    fn schema() -> RefOr<Schema> {
        filter_schema(
            "A rule id of the current rule set (see `/api/v1/rules`).",
            RuleId::ALL.iter().map(|r| r.as_str()),
        )
    }
}

impl utoipa::ToSchema for RuleFilter {}

/// A string schema of `values`.
fn filter_schema<'a>(description: &str, values: impl Iterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// A failed compliance operation, as the API answers it.
fn refused(e: ComplianceError) -> AppError {
    match e {
        ComplianceError::Db(db) => AppError::from(db),
        ComplianceError::NotFound => AppError::NotFound,
        other => AppError::Internal(anyhow::Error::new(other)),
    }
}

/// The reviewers' queue: entries with their review's state, since when, the reviewer who has
/// them and the rules that failed in their latest check, by id. Reviewers and administrators
/// only (a signed-in session of the site).
#[utoipa::path(
    get,
    path = "/api/v1/reviews",
    operation_id = "list_reviews",
    tag = "compliance",
    params(
        ("state" = Option<StateFilter>, Query, description = "Review state: `discovered`, `auto-checked`, `under-review`, `compliant`, `compliant-with-remarks`, `non-compliant`, `deactivated`"),
        ("rule" = Option<RuleFilter>, Query, description = "A rule that failed in the latest check, e.g. `licence.osi` (see `/api/v1/rules`)"),
        ("publisher" = Option<String>, Query, pattern = r"^(urn:x-italian-pa:)?[A-Za-z0-9_-]{1,64}$", description = "Publisher IPA code (any case, with or without `urn:x-italian-pa:`)"),
        ("assignee" = Option<i64>, Query, minimum = 1, description = "The reviewer (user id) who has the entry"),
        ("age" = Option<u32>, Query, minimum = 0, maximum = 3650, description = "At least this many days in the current state"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Entries per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of the queue", body = QueueList),
        (status = 401, description = "Not signed in", body = ErrorResponse),
        (status = 403, description = "Signed in without the reviewer role", body = ErrorResponse),
        (status = 404, description = "A cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn list(
    state: AppState,
    viewer: Viewer,
    params: Params<QueueParams>,
) -> Result<Json<QueueList>, ApiError> {
    let actor = viewer.actor(&state).await?;
    authz::check(actor.as_ref(), Action::Review).map_err(AppError::from)?;
    let filter = params.review_filter_exact()?;
    let page = queue::queue(
        &state.db,
        &filter,
        params.after_id()?,
        params.page_size()?,
        Utc::now(),
    )
    .await?;
    Ok(Json(QueueList {
        data: page
            .lines
            .into_iter()
            .map(|line| QueueEntryResponse {
                id: line.software_id,
                slug: line.slug,
                name: line.name,
                active: line.active,
                publisher: line.publisher,
                publisher_ipa_code: line.publisher_code,
                state: line.state.as_str().to_owned(),
                since: line.since,
                assignee: line.assignee.as_ref().map(|(id, _)| *id),
                assignee_name: line.assignee.map(|(_, name)| name),
                failed_rules: line.failed.iter().map(|r| r.as_str().to_owned()).collect(),
            })
            .collect(),
        links: Links {
            next: page
                .next
                .map(|id| params.next_link("/api/v1/reviews", &id.to_string())),
        },
    }))
}

/// One entry's compliance, by id or slug: the results of its latest automatic checks (rule,
/// outcome, severity, section, key path and evidence, under which rule set, of which
/// snapshot), the review's state, its latest outcome with the findings and the fixes
/// requested, and the public part of every move. Inactive entries are shown to reviewers only.
#[utoipa::path(
    get,
    path = "/api/v1/reviews/{id}",
    operation_id = "show_review",
    tag = "compliance",
    params(("id" = String, Path, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Entry id or slug")),
    responses(
        (status = 200, description = "The entry's compliance", body = ReviewResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such public entry, or no file yet", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show(
    state: AppState,
    viewer: Viewer,
    Path(id): Path<Key>,
) -> Result<Json<ReviewResponse>, ApiError> {
    let detail = read::software(&state.db, id.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    if !detail.software.active {
        let actor = viewer.actor(&state).await?;
        if authz::check(actor.as_ref(), Action::Review).is_err() {
            return Err(AppError::NotFound.into());
        }
    }
    let overview = queue::overview(&state.db, &detail)
        .await
        .map_err(refused)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(response(&overview)))
}

/// The answer of [`show`] for `overview`.
fn response(overview: &Overview) -> ReviewResponse {
    let first = overview.results.first();
    let outcome = overview.outcome().and_then(|event| match &event.evidence {
        Transition::Record {
            outcome,
            snapshot,
            findings,
            deadline,
            ..
        } => Some(OutcomeResponse {
            outcome: outcome.state().as_str().to_owned(),
            snapshot_id: Some(*snapshot),
            recorded_at: event.at.fixed_offset(),
            findings: findings
                .iter()
                .map(|f| FindingResponse {
                    subject: match f.subject {
                        Subject::Rule(rule) => rule.as_str().to_owned(),
                        Subject::Checklist(item) => serde_json::to_value(item)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                    },
                    section: f.section.clone(),
                    key_path: f.key_path.clone(),
                    message: f.message.clone(),
                    fix: f.fix.clone(),
                })
                .collect(),
            deadline: *deadline,
        }),
        _ => None,
    });
    ReviewResponse {
        id: overview.loaded.software.id,
        slug: overview.loaded.software.slug.clone(),
        name: overview.loaded.software.name.clone(),
        state: overview.review.state.as_str().to_owned(),
        snapshot_id: overview.loaded.snapshot.id,
        checked_snapshot_id: first.map(|r| r.snapshot_id),
        ruleset_version: first.map(|r| r.ruleset_version),
        checked_at: first.map(|r| r.checked_at),
        results: overview
            .results
            .iter()
            .filter_map(|row| {
                let r = store::result_of(row)?;
                Some(RuleResultResponse {
                    rule: r.rule.as_str().to_owned(),
                    outcome: r.outcome.as_str().to_owned(),
                    severity: r.severity.as_str().to_owned(),
                    section: r.rule.section().to_owned(),
                    key_path: r.key_path,
                    evidence: r.detail,
                })
            })
            .collect(),
        outcome,
        events: overview
            .events
            .iter()
            .map(|e| ReviewEventResponse {
                at: e.at.fixed_offset(),
                transition: e.evidence.name().to_owned(),
                role: e.actor.role.as_str().to_owned(),
                from: e.from.as_str().to_owned(),
                to: e.to.as_str().to_owned(),
                snapshot_id: e.evidence.snapshot(),
            })
            .collect(),
    }
}
