//! `GET /api/v1/cases` (the reuse cases a reader may read: the published ones, and those of
//! the administrations they are a verified member of) and `GET /api/v1/cases/{id}` (one case:
//! its candidates against the guards, its decision and every move).
//!
//! Both run behind the session layer, so a member signed in on the site reads their
//! administration's unpublished cases; anyone else gets 401 (not signed in) or 403 for them.

use axum::Json;

use super::answers::{Malformed, Reads};
use super::types::{
    CaseAdministrationResponse, CaseCandidateResponse, CaseDecisionResponse, CaseDocumentResponse,
    CaseEventResponse, CaseList, CaseResponse, CaseSummaryResponse, ErrorResponse, Links,
};
use crate::app::AppState;
use crate::cases::evidence::{Choice, obligations};
use crate::cases::{CaseError, store};
use crate::catalog::organisations;
use crate::community::authz::{self, Action};
use crate::web::error::{ApiError, AppError};
use crate::web::extract::Path;
use crate::web::params::{self, Params, QuerySpec};
use crate::web::session::Viewer;

/// The list's parameters: the API's paging.
#[derive(Debug)]
pub struct ListParams;

impl QuerySpec for ListParams {
    fn names() -> &'static [&'static str] {
        &[params::SIZE, params::AFTER]
    }
}

/// A failed case operation, as the API answers it.
fn refused(e: CaseError) -> AppError {
    match e {
        CaseError::Db(db) => AppError::from(db),
        CaseError::NotFound => AppError::NotFound,
        other => AppError::Internal(anyhow::Error::new(other)),
    }
}

/// The administrations' names, by id.
async fn administrations(
    state: &AppState,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, CaseAdministrationResponse>, AppError> {
    Ok(organisations::by_ids(&state.db, ids)
        .await?
        .into_iter()
        .map(|(id, o)| {
            (
                id,
                CaseAdministrationResponse {
                    // The registry's official name when it knows the code, as the pages say.
                    name: o
                        .ipa_code
                        .as_deref()
                        .and_then(|code| state.ipa.get(code))
                        .map_or_else(|| o.name.clone(), |entry| entry.name.clone()),
                    ipa_code: o.ipa_code,
                },
            )
        })
        .collect())
}

/// The reuse cases (art. 68 comparative evaluations) the reader may read, newest first: the
/// published ones, and those of the administrations a signed-in member belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    operation_id = "list_cases",
    tag = "cases",
    params(
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Cases per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 404, description = "A cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn list(
    state: AppState,
    viewer: Viewer,
    params: Params<ListParams>,
) -> Result<Json<CaseList>, ApiError> {
    let actor = viewer.actor(&state).await?;
    let orgs: Vec<i64> = actor
        .as_ref()
        .map(|a| a.organisations.iter().map(|(o, _)| *o).collect())
        .unwrap_or_default();
    let size = params.page_size()?;
    let mut rows = store::visible(&state.db, &orgs, params.after_id()?, size + 1).await?;
    let more = rows.len() > usize::try_from(size).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    let mut names = administrations(&state, rows.iter().map(|r| r.organisation_id)).await?;
    let next = more
        .then(|| {
            rows.last()
                .map(|r| params.next_link("/api/v1/cases", &r.id.to_string()))
        })
        .flatten();
    Ok(Json(CaseList {
        data: rows
            .into_iter()
            .map(|r| CaseSummaryResponse {
                id: r.id,
                title: r.title,
                administration: names.remove(&r.organisation_id).unwrap_or(
                    CaseAdministrationResponse {
                        ipa_code: None,
                        name: String::new(),
                    },
                ),
                state: r.state,
                published: r.published,
                updated_at: r.updated_at,
            })
            .collect(),
        links: Links { next },
    }))
}

/// One reuse case: its state, the needs' budget, time and requirements, each evaluated
/// candidate with the guards' values (`S_TCO < T_bilancio`, `S_tempi < T_tempi`), the decision
/// with its Annex E obligations, and every move with the documents attached. An unpublished
/// case is for the members of its administration signed in on the site.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    operation_id = "show_case",
    tag = "cases",
    params(("id" = i64, Path, minimum = 1, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = CaseResponse),
        (status = 401, description = "An unpublished case, and nobody signed in", body = ErrorResponse),
        (status = 403, description = "An unpublished case of another administration", body = ErrorResponse),
        (status = 404, description = "No such case", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show(
    state: AppState,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<CaseResponse>, ApiError> {
    let stored = store::load(&state.db, id)
        .await
        .map_err(refused)?
        .ok_or(AppError::NotFound)?;
    if !stored.row.published {
        let actor = viewer.actor(&state).await?;
        authz::check(actor.as_ref(), Action::Case(stored.row.organisation_id))
            .map_err(AppError::from)?;
    }
    let case = &stored.case;
    let administration = administrations(&state, [stored.row.organisation_id])
        .await?
        .remove(&stored.row.organisation_id)
        .unwrap_or(CaseAdministrationResponse {
            ipa_code: None,
            name: String::new(),
        });
    let candidates = case
        .needs
        .as_ref()
        .map(|needs| {
            case.evaluations
                .iter()
                .map(|e| {
                    let a = e.evaluation.assess(needs);
                    CaseCandidateResponse {
                        phase: e.phase.as_str().to_owned(),
                        software_id: e.evaluation.software,
                        name: e.evaluation.name.clone(),
                        snapshot_id: e.evaluation.snapshot,
                        evaluated_at: e.at.fixed_offset(),
                        s_tco: a.s_tco,
                        t_bilancio: a.t_bilancio,
                        within_budget: a.within_budget,
                        s_tempi: a.s_tempi,
                        t_tempi: a.t_tempi,
                        within_time: a.within_time,
                        eligible: a.eligible,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let decision = case.decision.as_ref().map(|d| {
        let (software_id, version, product) = match &d.choice {
            Choice::PaReuse { software, version } | Choice::OpenSource { software, version } => {
                (Some(*software), Some(version.clone()), None)
            }
            Choice::Proprietary { product } => (None, None, Some(product.clone())),
            Choice::ExNovo => (None, None, None),
        };
        CaseDecisionResponse {
            kind: d.choice.kind().as_str().to_owned(),
            software_id,
            version,
            product,
            motivation: d.motivation.clone(),
            delivery: d.delivery.as_str().to_owned(),
            concluded_at: case.concluded_at.map(|at| at.fixed_offset()),
            obligations: obligations(d.choice.kind(), d.planned_changes)
                .into_iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
        }
    });
    Ok(Json(CaseResponse {
        id,
        title: stored.row.title.clone(),
        administration,
        state: case.current().as_str().to_owned(),
        published: stored.row.published,
        budget: case.needs.as_ref().map(|n| n.budget),
        days: case.needs.as_ref().map(|n| n.days),
        requirements: case
            .needs
            .as_ref()
            .map(|n| n.requirements.iter().map(|r| r.text.clone()).collect())
            .unwrap_or_default(),
        candidates,
        decision,
        declaration_id: case.declaration,
        events: stored
            .events
            .iter()
            .map(|(_, e)| CaseEventResponse {
                at: e.at.fixed_offset(),
                transition: e.evidence.name().to_owned(),
                from: e.from.as_str().to_owned(),
                to: e.to.as_str().to_owned(),
                ipa_code: e.actor.ipa.clone(),
                documents: e
                    .documents
                    .iter()
                    .map(|d| CaseDocumentResponse {
                        name: d.name.clone(),
                        sha256: d.sha256.clone(),
                        size: d.size,
                    })
                    .collect(),
            })
            .collect(),
    }))
}
