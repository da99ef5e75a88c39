//! Release coordination on the pages: the matrix of who runs what (on a community's page and
//! its solutions' software pages), the coordinators' plan of a release and its moves (planned
//! → candidate → released), and what an administration says it does with a release.

use axum::response::{IntoResponse as _, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::threads::status_key;
use crate::app::AppState;
use crate::community::forum::communities;
use crate::community::forum::releases::{self, Adoption, Plan, ReleaseStatus, Said};
use crate::web::error::AppError;
use crate::web::extract::{Form, Key, Path};
use crate::web::session::SignedIn;

/// A release as a column of the matrix.
pub struct ReleaseColumn {
    /// Its thread, if open.
    pub thread: Option<i64>,
    /// The version.
    pub version: String,
    /// The message key of its status.
    pub status: &'static str,
}

/// A cell of the matrix.
pub struct CellView {
    /// The message key of what the administration said.
    pub key: &'static str,
    /// The class of the badge.
    pub class: &'static str,
    /// The version it stays on.
    pub staying_on: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// An administration's row of the matrix.
pub struct RowView {
    /// Its IPA code.
    pub code: Option<String>,
    /// Its name.
    pub name: String,
    /// The version its declaration names.
    pub declared: Option<String>,
    /// One cell per release.
    pub cells: Vec<Option<CellView>>,
}

/// Who runs what of one solution.
pub struct MatrixView {
    /// The solution's slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The releases, the newest first.
    pub releases: Vec<ReleaseColumn>,
    /// The administrations.
    pub rows: Vec<RowView>,
}

/// The matrix of software `software_id`.
///
/// # Errors
///
/// On a database error.
pub async fn matrix_view(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    software_id: i64,
    slug: &str,
    name: &str,
) -> Result<MatrixView, AppError> {
    let matrix = releases::matrix(db, software_id).await?;
    let mut columns = Vec::with_capacity(matrix.releases.len());
    for r in &matrix.releases {
        columns.push(ReleaseColumn {
            thread: releases::thread_of(db, r.id).await?.map(|t| t.id),
            version: r.version.clone(),
            status: status_key(&r.status),
        });
    }
    Ok(MatrixView {
        slug: slug.to_owned(),
        name: name.to_owned(),
        releases: columns,
        rows: matrix
            .rows
            .into_iter()
            .map(|row| RowView {
                name: super::publisher_name(state, &row.name, row.code.as_deref()),
                code: row.code,
                declared: row.declared_version,
                cells: row
                    .cells
                    .into_iter()
                    .map(|c| {
                        c.map(|c| {
                            let (key, class) = match c.adoption {
                                Adoption::Upgraded => ("community.adoption.upgraded", "bg-success"),
                                Adoption::Testing => ("community.adoption.testing", "bg-primary"),
                                Adoption::Staying => ("community.adoption.staying", "bg-secondary"),
                            };
                            CellView {
                                key,
                                class,
                                staying_on: c.staying_on,
                                reason: c.reason,
                            }
                        })
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Of the administrations `orgs`, those with a reuse declaration of `software_id` that
/// stands: (id, name).
///
/// # Errors
///
/// On a database error.
pub async fn reusers(
    state: &AppState,
    software_id: i64,
    orgs: &[i64],
) -> Result<Vec<(i64, String)>, AppError> {
    let declaring = releases::reusers(&state.db, software_id, orgs).await?;
    Ok(crate::catalog::organisations::by_ids(&state.db, declaring)
        .await?
        .into_values()
        .map(|o| {
            let name = super::publisher_name(state, &o.name, o.ipa_code.as_deref());
            (o.id, name)
        })
        .collect())
}

fn date(text: &str) -> Result<Option<NaiveDate>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::Refused {
            key: "community.release_error.date",
            conflict: false,
        })
}

/// The plan form.
#[derive(Debug, Deserialize)]
pub struct PlanForm {
    software: i64,
    #[serde(default)]
    version: String,
    #[serde(default)]
    target_date: String,
    #[serde(default)]
    notes: String,
}

/// `POST /communities/{slug}/releases`: a coordinator plans a release.
pub async fn plan(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<PlanForm>,
) -> Result<Response, AppError> {
    let community = communities::by_slug(&state.db, slug.as_str()).await?;
    let release = releases::plan(
        &state.db,
        &community,
        &me.actor,
        form.software,
        &Plan {
            version: form.version,
            target_date: date(&form.target_date)?,
            notes: form.notes,
        },
    )
    .await?;
    match releases::thread_of(&state.db, release.id).await? {
        Some(t) => Ok(Redirect::to(&format!("/threads/{}", t.id)).into_response()),
        None => Ok(Redirect::to(&format!("/communities/{}", community.slug)).into_response()),
    }
}

/// The move form.
#[derive(Debug, Deserialize)]
pub struct AdvanceForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    target_date: String,
}

/// The community of release `id` and its thread.
async fn of_release(state: &AppState, id: i64) -> Result<(i64, i64), AppError> {
    let thread = releases::thread_of(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((thread.community_id, thread.id))
}

/// `POST /releases/{id}/advance`: a coordinator moves a release forward.
pub async fn advance(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AdvanceForm>,
) -> Result<Response, AppError> {
    let (community_id, thread) = of_release(&state, id).await?;
    let community = communities::by_id(&state.db, community_id).await?;
    let status = ReleaseStatus::parse(&form.status).ok_or(AppError::Refused {
        key: "error.form",
        conflict: false,
    })?;
    releases::advance(
        &state.db,
        &community,
        &me.actor,
        id,
        status,
        &form.notes,
        date(&form.target_date)?,
    )
    .await?;
    Ok(Redirect::to(&format!("/threads/{thread}")).into_response())
}

/// The adoption form.
#[derive(Debug, Deserialize)]
pub struct AdoptForm {
    organisation: i64,
    #[serde(default)]
    adoption: String,
    #[serde(default)]
    staying_on: String,
    #[serde(default)]
    reason: String,
}

/// `POST /releases/{id}/adoption`: an administration says what it does with a release.
pub async fn adopt(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AdoptForm>,
) -> Result<Response, AppError> {
    let (_, thread) = of_release(&state, id).await?;
    // Reading the thread is the condition of speaking in it (a members-only community).
    crate::community::forum::threads::get(&state.db, thread, Some(&me.actor)).await?;
    let adoption = Adoption::parse(&form.adoption).ok_or(AppError::Refused {
        key: "error.form",
        conflict: false,
    })?;
    releases::adopt(
        &state.db,
        &me.actor,
        id,
        form.organisation,
        &Said {
            adoption,
            staying_on: Some(form.staying_on).filter(|s| !s.trim().is_empty()),
            reason: Some(form.reason).filter(|s| !s.trim().is_empty()),
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/threads/{thread}")).into_response())
}

/// The community part of a software page: its community with the latest threads and the
/// matrix, or, for the owner's people, the button that opens one.
#[derive(Default)]
pub struct SoftwareSection {
    /// The community's slug and name.
    pub community: Option<(String, String)>,
    /// Whether the reader may read its threads and matrix.
    pub readable: bool,
    /// Its latest threads.
    pub threads: Vec<super::communities::ThreadItem>,
    /// Who runs what.
    pub matrix: Option<MatrixView>,
    /// Whether the reader may open the community.
    pub may_open: bool,
    /// The form's CSRF token (signed-in readers only).
    pub csrf: String,
    /// How a signed-in reader follows the solution (`Some(None)`: they do not); `None` for
    /// anyone else.
    pub following: Option<Option<crate::community::forum::notify::Mode>>,
}

/// Threads a software page shows.
const LATEST_THREADS: u64 = 5;

/// The community section of software `software_id` (`slug`, `name`) for `viewer` (acting as
/// `actor`), read through `db`.
///
/// # Errors
///
/// On a database error.
pub async fn software_section(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    actor: Option<&crate::community::authz::Actor>,
    lang: crate::i18n::Lang,
    viewer: &crate::web::session::Viewer,
    software: (i64, &str, &str),
    owner: Option<i64>,
) -> Result<SoftwareSection, AppError> {
    let (software_id, slug, name) = software;
    let csrf = viewer
        .0
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    let following = match actor {
        Some(actor) => Some(
            crate::community::forum::notify::follows(
                db,
                actor.user_id,
                crate::community::forum::notify::Target::Software(software_id),
            )
            .await?,
        ),
        None => None,
    };
    let Some(community) = communities::of_software(db, software_id).await? else {
        let may_open = crate::community::authz::check(
            actor,
            crate::community::authz::Action::OpenSolutionCommunity(owner),
        )
        .is_ok();
        return Ok(SoftwareSection {
            community: None,
            readable: false,
            threads: Vec::new(),
            matrix: None,
            may_open,
            csrf,
            following,
        });
    };
    let standing = crate::community::forum::standing(db, &community, actor).await?;
    let readable = crate::community::authz::check(
        actor,
        crate::community::authz::Action::ReadCommunity(standing),
    )
    .is_ok();
    let (threads, matrix) = if readable {
        let (list, _) =
            crate::community::forum::threads::list(db, community.id, 0, LATEST_THREADS).await?;
        (
            list.iter()
                .map(|s| super::communities::ThreadItem::of(lang, s))
                .collect(),
            Some(matrix_view(state, db, software_id, slug, name).await?),
        )
    } else {
        (Vec::new(), None)
    };
    Ok(SoftwareSection {
        community: Some((community.slug, community.name)),
        readable,
        threads,
        matrix,
        may_open: false,
        csrf,
        following,
    })
}

/// `POST /software/{slug}/follow`: follow the solution apart from its community (its release
/// threads and its community's announcements), or stop.
pub async fn follow(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<super::communities::FollowForm>,
) -> Result<Response, AppError> {
    let detail = crate::catalog::read::software(&state.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    crate::community::forum::notify::follow_software(
        &state.db,
        &me.actor,
        detail.software.id,
        form.mode(),
    )
    .await?;
    Ok(Redirect::to(&format!("/software/{}#community", slug.as_str())).into_response())
}
