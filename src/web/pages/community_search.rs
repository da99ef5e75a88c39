//! Searching the communities' posts on the pages: across every community the reader may read
//! (`/communities/search`) and within one (`/communities/{slug}/search`), with `q` and `page`.
//! What a reader may see is decided by `community::forum::search`, never here.

use askama::Template;
use axum::response::Response;

use super::communities::{page_of, place, when};
use crate::app::AppState;
use crate::community::forum::search::{self, PER_PAGE, Scope};
use crate::web::error::AppError;
use crate::web::extract::{Key, Path};
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};
use crate::web::session::Viewer;

/// The parameters of a search page.
#[derive(Debug)]
pub struct SearchParams;

impl QuerySpec for SearchParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["q", "page", "lang"]
    }
}

/// A post that matched, as the page lists it.
pub struct HitItem {
    thread_id: i64,
    post_id: i64,
    title: String,
    community_slug: String,
    community_name: String,
    excerpt: String,
    at: String,
}

#[derive(Template)]
#[template(path = "communities/search.html")]
struct SearchPage {
    ctx: PageCtx,
    /// The address of the form and of the pages: `/communities/search` or within a community.
    action: String,
    /// The community searched, `(slug, name)`; `None` across all.
    community: Option<(String, String)>,
    q: String,
    /// `q` encoded for the links to the other pages.
    q_param: String,
    /// Whether there was something to search for.
    searched: bool,
    hits: Vec<HitItem>,
    total: u64,
    page: u64,
    pages: u64,
}

/// The text searched for: `q`, trimmed (at most [`search::MAX_QUERY`] characters, else 400).
fn text(params: &Params<SearchParams>) -> Result<String, AppError> {
    let q = params.one("q")?.unwrap_or_default().trim().to_owned();
    if q.chars().count() > search::MAX_QUERY {
        return Err(AppError::Refused {
            key: "community.search.too_long",
            conflict: false,
        });
    }
    Ok(q)
}

async fn show(
    state: &AppState,
    ctx: PageCtx,
    viewer: &Viewer,
    slug: Option<&str>,
    params: &Params<SearchParams>,
) -> Result<Response, AppError> {
    let page = page_of(params)?;
    let q = text(params)?;
    let (scope_place, action) = match slug {
        Some(slug) => (
            Some(place(state, viewer, slug).await?),
            format!("/communities/{slug}/search"),
        ),
        None => (None, "/communities/search".to_owned()),
    };
    let actor = match &scope_place {
        Some(place) => place.actor.clone(),
        None => viewer.actor(state).await?,
    };
    let scope = match &scope_place {
        Some(place) => Scope::Community(&place.community),
        None => Scope::All,
    };
    let results = search::search(
        &state.db,
        actor.as_ref(),
        scope,
        &q,
        page.saturating_mul(PER_PAGE),
        PER_PAGE,
    )
    .await?;
    let hits = results
        .hits
        .into_iter()
        .map(|h| HitItem {
            thread_id: h.thread_id,
            post_id: h.post_id,
            title: h.thread_title,
            community_slug: h.community_slug,
            community_name: h.community_name,
            excerpt: h.excerpt,
            at: when(&h.created_at),
        })
        .collect();
    let searched = crate::catalog::text::words(&q).next().is_some();
    render(&SearchPage {
        ctx,
        action,
        community: scope_place.map(|p| (p.community.slug, p.community.name)),
        searched,
        q_param: url::form_urlencoded::byte_serialize(q.as_bytes()).collect(),
        q,
        hits,
        total: results.total,
        page: page + 1,
        pages: results.total.div_ceil(PER_PAGE).max(1),
    })
}

/// `GET /communities/search?q=`: the posts of every community the reader may read.
pub async fn all(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    params: Params<SearchParams>,
) -> Result<Response, AppError> {
    show(&state, ctx, &viewer, None, &params).await
}

/// `GET /communities/{slug}/search?q=`: the posts of one community.
pub async fn within(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Path(slug): Path<Key>,
    params: Params<SearchParams>,
) -> Result<Response, AppError> {
    show(&state, ctx, &viewer, Some(slug.as_str()), &params).await
}
