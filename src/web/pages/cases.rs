//! The administrations' reuse cases (art. 68 comparative evaluations) on the pages: the list at
//! `/cases` (the cases of the administrations the reader is a verified member of, and the
//! published cases of everyone), and a case's motivation document at `/cases/{id}`, printable
//! (the site's print stylesheet prints it alone), with its PDF (`/cases/{id}/document.pdf`) and
//! JSON (`/cases/{id}/document.json`) and a notice for each candidate whose catalog entry has
//! changed since it was evaluated, linking the diff of the two snapshots, and its evidence
//! documents (`/cases/{id}/documents/{doc}`, always as attachments).
//!
//! A case that is not published is read by the members of its administration only
//! (`community::authz::Action::Case`): anyone else signed in is refused, anyone not signed in
//! asked to sign in.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use chrono::Utc;

use crate::app::AppState;
use crate::cases::document::{Administration, Block, Document, state_label};
use crate::cases::entities::reuse_cases;
use crate::cases::store::{self, Changed, Stored};
use crate::cases::{CaseError, State, pdf};
use crate::catalog::organisations;
use crate::community::authz::{self, Action};
use crate::web::error::AppError;
use crate::web::extract::Path;
use crate::web::page::{PageCtx, render};
use crate::web::session::Viewer;

/// Most published cases the list shows.
const PUBLISHED_SHOWN: u64 = 50;

/// A failed case operation as a page error.
pub fn failed(e: CaseError) -> AppError {
    match e {
        CaseError::Db(db) => AppError::from(db),
        CaseError::NotFound => AppError::NotFound,
        other => AppError::Internal(anyhow::Error::new(other)),
    }
}

/// A case as the list shows it.
pub struct CaseLine {
    id: i64,
    title: String,
    administration: String,
    state: String,
    updated: String,
    published: bool,
}

#[derive(Template)]
#[template(path = "cases/index.html")]
struct IndexPage {
    ctx: PageCtx,
    signed_in: bool,
    mine: Vec<CaseLine>,
    published: Vec<CaseLine>,
}

/// The lines of `rows`, with their administrations' names.
async fn lines(
    state: &AppState,
    ctx: &PageCtx,
    rows: Vec<reuse_cases::Model>,
) -> Result<Vec<CaseLine>, AppError> {
    let orgs = organisations::by_ids(&state.db, rows.iter().map(|r| r.organisation_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| CaseLine {
            id: r.id,
            administration: orgs
                .get(&r.organisation_id)
                .map(|o| super::publisher_name(state, &o.name, o.ipa_code.as_deref()))
                .unwrap_or_default(),
            title: r.title,
            state: State::parse(&r.state)
                .map(|s| state_label(ctx.lang, s))
                .unwrap_or(r.state),
            updated: r.updated_at.format("%Y-%m-%d").to_string(),
            published: r.published,
        })
        .collect())
}

/// `GET /cases`: the reader's administrations' cases and the published ones.
pub async fn index(state: AppState, ctx: PageCtx, viewer: Viewer) -> Result<Response, AppError> {
    let actor = match &viewer.0 {
        Some(s) => Some(authz::Actor::of(&state.db, &s.user).await?),
        None => None,
    };
    let orgs: Vec<i64> = actor
        .as_ref()
        .map(|a| a.organisations.iter().map(|(o, _)| *o).collect())
        .unwrap_or_default();
    let mine_rows = store::of_organisations(&state.db, &orgs).await?;
    let published_rows = store::published(&state.db, None, PUBLISHED_SHOWN)
        .await?
        .into_iter()
        .filter(|r| !orgs.contains(&r.organisation_id))
        .collect();
    let mine = lines(&state, &ctx, mine_rows).await?;
    let published = lines(&state, &ctx, published_rows).await?;
    render(&IndexPage {
        signed_in: viewer.0.is_some(),
        ctx,
        mine,
        published,
    })
}

/// Case `id` with its document, if `viewer` may read it.
async fn readable(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Stored, Document), AppError> {
    let stored = store::load(&state.db, id)
        .await
        .map_err(failed)?
        .ok_or(AppError::NotFound)?;
    if !stored.row.published {
        let actor = match &viewer.0 {
            Some(s) => Some(authz::Actor::of(&state.db, &s.user).await?),
            None => None,
        };
        authz::check(actor.as_ref(), Action::Case(stored.row.organisation_id))?;
    }
    let org = organisations::by_ids(&state.db, [stored.row.organisation_id])
        .await?
        .remove(&stored.row.organisation_id)
        .ok_or(AppError::NotFound)?;
    let ipa = org.ipa_code.clone().unwrap_or_default();
    let administration = Administration {
        name: super::publisher_name(state, &org.name, org.ipa_code.as_deref()),
        ipa,
    };
    let document = Document::of(id, administration, &stored.case, &stored.events);
    Ok((stored, document))
}

/// A candidate whose entry changed since its evaluation, as the notice says it.
pub struct ChangedView {
    message: String,
    slug: String,
    evaluated: i64,
    current: i64,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct ShowPage {
    ctx: PageCtx,
    id: i64,
    title: String,
    blocks: Vec<Block>,
    changed: Vec<ChangedView>,
    /// Whether the reader is a member of the case's administration (and may continue it).
    member: bool,
    /// The evidence documents: (id, name, size in bytes, SHA-256).
    documents: Vec<(i64, String, u64, String)>,
}

/// `GET /cases/{id}`: the motivation document, printable, with its downloads.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (stored, document) = readable(&state, &viewer, id).await?;
    let member = match &viewer.0 {
        Some(s) => authz::Actor::of(&state.db, &s.user)
            .await?
            .organisations
            .iter()
            .any(|(o, _)| *o == stored.row.organisation_id),
        None => false,
    };
    let changed = store::changed_since(&state.db, &stored.case)
        .await?
        .into_iter()
        .map(|c: Changed| ChangedView {
            message: ctx.lang.tf("case.changed", &[("name", &c.name)]),
            slug: c.slug,
            evaluated: c.evaluated,
            current: c.current,
        })
        .collect();
    let documents = store::documents(&state.db, id)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name, d.size, d.sha256))
        .collect();
    render(&ShowPage {
        member,
        documents,
        blocks: document.blocks(ctx.lang),
        title: document.title,
        id,
        changed,
        ctx,
    })
}

/// `GET /cases/{id}/document.pdf`: the motivation document as a tagged PDF in the reader's
/// language.
pub async fn pdf(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (_, document) = readable(&state, &viewer, id).await?;
    let lang = ctx.lang;
    let bytes = tokio::task::spawn_blocking(move || pdf::render(&document, lang, Utc::now()))
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("valutazione-{id}.pdf"),
    ))
}

/// `GET /cases/{id}/document.json`: the motivation document as JSON.
pub async fn json(
    state: AppState,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (_, document) = readable(&state, &viewer, id).await?;
    let bytes = serde_json::to_vec_pretty(&document)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    Ok(download(
        bytes,
        "application/json",
        &format!("valutazione-{id}.json"),
    ))
}

/// The media types an evidence document is sent back with; anything else goes as
/// `application/octet-stream`, and every document as an attachment, so nothing uploaded runs in
/// the site's pages.
const DOCUMENT_TYPES: [&str; 6] = [
    "application/pdf",
    "text/plain",
    "image/png",
    "image/jpeg",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
];

/// `GET /cases/{id}/documents/{doc}`: an evidence document of the case, as uploaded.
pub async fn document(
    state: AppState,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    readable(&state, &viewer, id).await?;
    let row = store::document(&state.db, id, doc)
        .await?
        .ok_or(AppError::NotFound)?;
    let media_type = DOCUMENT_TYPES
        .into_iter()
        .find(|t| *t == row.media_type)
        .unwrap_or("application/octet-stream");
    let name: String = row
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(download(row.content, media_type, &name))
}

/// `bytes` as a download named `name`.
fn download(bytes: Vec<u8>, media_type: &'static str, name: &str) -> Response {
    // The name is written inside quotes: it carries no quote or control character.
    let name: String = name
        .chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .collect();
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
