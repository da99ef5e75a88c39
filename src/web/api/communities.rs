//! Communities, threads, posts, releases and the adoption matrix, read through the API:
//! `GET /api/v1/communities`, `/api/v1/communities/{slug}`, `/api/v1/communities/{slug}/threads`,
//! `/api/v1/threads/{id}`, `/api/v1/threads/{id}/posts`, `/api/v1/releases?software=` and
//! `/api/v1/releases/{id}`; and the search of the posts, `/api/v1/threads/search?q=`.
//!
//! They run behind the session layer: a members-only community's threads, posts and members
//! are for its members signed in on the site (401 without a session, 403 for others); its name,
//! description and counts are public, as on the pages.

use axum::Json;

use super::answers::{Malformed, Reads};
use super::types::{
    AdoptionResponse, CommunityDetailResponse, CommunityList, CommunityMemberResponse,
    CommunityResponse, CommunitySoftwareResponse, ErrorResponse, Links, MatrixResponse,
    MatrixRowResponse, PostHitList, PostHitResponse, PostList, PostResponse, ReleaseResponse,
    ThreadList, ThreadResponse,
};
use crate::app::AppState;
use crate::catalog::read;
use crate::community::authz::{self, Action};
use crate::community::entities::{communities as community_rows, releases as release_rows};
use crate::community::forum::communities::{self, Summary};
use crate::community::forum::members::{self, Who};
use crate::community::forum::releases;
use crate::community::forum::search;
use crate::community::forum::standing;
use crate::community::forum::threads;
use crate::community::people::Person;
use crate::web::error::{ApiError, AppError};
use crate::web::extract::{Key, Path};
use crate::web::params::{AFTER, Paging, Params, QuerySpec, SIZE};
use crate::web::session::Viewer;

fn person(p: &Person) -> String {
    match p {
        Person::Member { name } => name.clone(),
        Person::FormerMember => "former member".to_owned(),
    }
}

async fn community_response(
    state: &AppState,
    summary: Summary,
) -> Result<CommunityResponse, AppError> {
    let software = communities::software_of(&state.db, summary.row.id)
        .await?
        .into_iter()
        .map(|(id, slug, name)| CommunitySoftwareResponse { id, slug, name })
        .collect();
    let row = summary.row;
    Ok(CommunityResponse {
        id: row.id,
        slug: row.slug,
        name: row.name,
        kind: row.kind,
        visibility: row.visibility,
        join_policy: row.join_policy,
        description: row.description,
        members: summary.members,
        threads: summary.threads,
        software,
        created_at: row.created_at,
    })
}

/// Every community, by id: name, kind, who reads it and how people join, its description,
/// counts and catalog entries.
#[utoipa::path(
    get,
    path = "/api/v1/communities",
    operation_id = "list_communities",
    tag = "communities",
    params(
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Communities per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of communities", body = CommunityList),
        (status = 404, description = "A cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn list(
    state: AppState,
    params: Params<Paging>,
) -> Result<Json<CommunityList>, ApiError> {
    let size = params.page_size()?;
    let page = communities::page(&state.db, params.after_id()?, size).await?;
    let next = (page.len() as u64 == size)
        .then(|| page.last().map(|s| s.row.id))
        .flatten();
    let mut data = Vec::with_capacity(page.len());
    for summary in page {
        data.push(community_response(&state, summary).await?);
    }
    Ok(Json(CommunityList {
        data,
        links: Links {
            next: next.map(|id| params.next_link("/api/v1/communities", &id.to_string())),
        },
    }))
}

/// The community `slug` with the reader's place in it.
async fn readable(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<(community_rows::Model, bool), AppError> {
    let community = communities::by_slug(&state.db, slug).await?;
    let actor = viewer.actor(state).await?;
    let standing = standing(&state.db, &community, actor.as_ref()).await?;
    let may = authz::check(actor.as_ref(), Action::ReadCommunity(standing));
    Ok((community, may.is_ok()))
}

/// One community by slug, with its active members (people by `@handle`, administrations by IPA
/// code) for those who may read it.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}",
    operation_id = "show_community",
    tag = "communities",
    params(("slug" = String, Path, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Community slug")),
    responses(
        (status = 200, description = "The community", body = CommunityDetailResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such community", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show(
    state: AppState,
    viewer: Viewer,
    Path(slug): Path<Key>,
) -> Result<Json<CommunityDetailResponse>, ApiError> {
    let (community, may_read) = readable(&state, &viewer, slug.as_str()).await?;
    let summary = communities::summary(&state.db, community).await?;
    let id = summary.row.id;
    let members = if may_read {
        Some(
            members::list(&state.db, id)
                .await?
                .into_iter()
                .filter(|m| !m.pending)
                .map(|m| {
                    let (kind, name, handle, ipa_code) = match m.who {
                        Who::Person {
                            person: p, handle, ..
                        } => ("person", person(&p), Some(handle), None),
                        Who::Organisation { code, name, .. } => ("organisation", name, None, code),
                    };
                    CommunityMemberResponse {
                        kind: kind.to_owned(),
                        name,
                        handle,
                        ipa_code,
                        role: m.role.as_str().to_owned(),
                    }
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Json(CommunityDetailResponse {
        community: community_response(&state, summary).await?,
        members,
    }))
}

fn thread_response(slug: &str, s: &threads::Summary) -> ThreadResponse {
    ThreadResponse {
        id: s.row.id,
        community: slug.to_owned(),
        kind: s.kind.as_str().to_owned(),
        title: s.row.title.clone(),
        author: s.author.as_ref().map(person),
        pinned: s.row.pinned,
        locked: s.row.locked,
        accepted_post_id: s.row.accepted_post_id,
        post_count: i64::from(s.row.post_count),
        release_id: s.row.release_id,
        created_at: s.row.created_at,
        last_post_at: s.row.last_post_at,
    }
}

/// The threads of a community, the newest first.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/threads",
    operation_id = "list_threads",
    tag = "communities",
    params(
        ("slug" = String, Path, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Community slug"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Threads per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of threads", body = ThreadList),
        (status = 401, description = "A members-only community, and no session", body = ErrorResponse),
        (status = 403, description = "A members-only community, and not a member", body = ErrorResponse),
        (status = 404, description = "No such community, or a cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn threads_of(
    state: AppState,
    viewer: Viewer,
    Path(slug): Path<Key>,
    params: Params<Paging>,
) -> Result<Json<ThreadList>, ApiError> {
    let size = params.page_size()?;
    let after = params.after_id()?;
    let community = communities::by_slug(&state.db, slug.as_str()).await?;
    let actor = viewer.actor(&state).await?;
    let standing = standing(&state.db, &community, actor.as_ref()).await?;
    authz::check(actor.as_ref(), Action::ReadCommunity(standing)).map_err(AppError::from)?;
    let page = threads::page_by_id(&state.db, community.id, after, size).await?;
    let next = (page.len() as u64 == size)
        .then(|| page.last().map(|t| t.row.id))
        .flatten();
    let path = format!("/api/v1/communities/{}/threads", community.slug);
    Ok(Json(ThreadList {
        data: page
            .iter()
            .map(|t| thread_response(&community.slug, t))
            .collect(),
        links: Links {
            next: next.map(|id| params.next_link(&path, &id.to_string())),
        },
    }))
}

/// One thread.
#[utoipa::path(
    get,
    path = "/api/v1/threads/{id}",
    operation_id = "show_thread",
    tag = "communities",
    params(("id" = i64, Path, minimum = 1, description = "Thread id")),
    responses(
        (status = 200, description = "The thread", body = ThreadResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 401, description = "A members-only community, and no session", body = ErrorResponse),
        (status = 403, description = "A members-only community, and not a member", body = ErrorResponse),
        (status = 404, description = "No such thread", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show_thread(
    state: AppState,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<ThreadResponse>, ApiError> {
    let actor = viewer.actor(&state).await?;
    let thread = threads::get(&state.db, id, actor.as_ref()).await?;
    let summary = threads::Summary {
        kind: thread.kind,
        author: match thread.row.author_id {
            Some(_) => Some(threads::author_of(&state.db, &thread.row).await?),
            None => None,
        },
        row: thread.row,
    };
    Ok(Json(thread_response(&thread.community.slug, &summary)))
}

/// The posts of a thread, the oldest first: the text as written (Markdown) and as sanitised
/// HTML; a deleted or hidden post has neither.
#[utoipa::path(
    get,
    path = "/api/v1/threads/{id}/posts",
    operation_id = "list_posts",
    tag = "communities",
    params(
        ("id" = i64, Path, minimum = 1, description = "Thread id"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Posts per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of posts", body = PostList),
        (status = 401, description = "A members-only community, and no session", body = ErrorResponse),
        (status = 403, description = "A members-only community, and not a member", body = ErrorResponse),
        (status = 404, description = "No such thread, or a cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn posts(
    state: AppState,
    viewer: Viewer,
    Path(id): Path<i64>,
    params: Params<Paging>,
) -> Result<Json<PostList>, ApiError> {
    let size = params.page_size()?;
    let after = params.after_id()?;
    let actor = viewer.actor(&state).await?;
    let thread = threads::get(&state.db, id, actor.as_ref()).await?;
    let rows = threads::posts_after(&state.db, id, after, size).await?;
    let bodies: Vec<&str> = rows.iter().map(|p| p.row.body.as_str()).collect();
    let html = threads::render(&state.db, &thread.community, &bodies).await?;
    let next = (rows.len() as u64 == size)
        .then(|| rows.last().map(|p| p.row.id))
        .flatten();
    let data = rows
        .iter()
        .zip(html)
        .map(|(p, html)| {
            let shown = p.row.deleted_at.is_none() && p.row.hidden_at.is_none();
            PostResponse {
                id: p.row.id,
                thread_id: id,
                author: person(&p.author),
                created_at: p.row.created_at,
                edited_at: p.row.edited_at,
                deleted: p.row.deleted_at.is_some(),
                hidden: p.row.hidden_at.is_some(),
                hidden_reason: p.row.hidden_reason.clone(),
                body: shown.then(|| p.row.body.clone()),
                html: shown.then_some(html),
            }
        })
        .collect();
    let path = format!("/api/v1/threads/{id}/posts");
    Ok(Json(PostList {
        data,
        links: Links {
            next: next.map(|n| params.next_link(&path, &n.to_string())),
        },
    }))
}

async fn release_response(
    state: &AppState,
    r: &release_rows::Model,
) -> Result<ReleaseResponse, AppError> {
    Ok(ReleaseResponse {
        id: r.id,
        software_id: r.software_id,
        version: r.version.clone(),
        status: r.status.clone(),
        release_date: r.release_date,
        target_date: r.target_date,
        notes: r.notes.clone(),
        source: r.source.clone(),
        thread_id: releases::thread_of(&state.db, r.id).await?.map(|t| t.id),
    })
}

/// The matrix's parameter: the entry.
#[derive(Debug)]
pub struct MatrixParams;

impl QuerySpec for MatrixParams {
    fn names() -> &'static [&'static str] {
        &["software"]
    }
}

/// Who runs what: an entry's latest releases and, for each administration that declared
/// reusing it, whether it upgraded, tests, or stays on a version (with why).
#[utoipa::path(
    get,
    path = "/api/v1/releases",
    operation_id = "release_matrix",
    tag = "communities",
    params(("software" = String, Query, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Entry id or slug")),
    responses(
        (status = 200, description = "The adoption matrix", body = MatrixResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such entry", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn matrix(
    state: AppState,
    params: Params<MatrixParams>,
) -> Result<Json<MatrixResponse>, ApiError> {
    let software = params
        .one("software")?
        .ok_or_else(|| AppError::invalid("community.error.software_parameter", &[]))?;
    let detail = read::software(&state.db, software)
        .await?
        .filter(|d| d.software.active)
        .ok_or(AppError::NotFound)?;
    let matrix = releases::matrix(&state.db, detail.software.id).await?;
    let mut out = Vec::with_capacity(matrix.releases.len());
    for r in &matrix.releases {
        out.push(release_response(&state, r).await?);
    }
    Ok(Json(MatrixResponse {
        software: CommunitySoftwareResponse {
            id: detail.software.id,
            slug: detail.software.slug,
            name: detail.software.name,
        },
        releases: out,
        rows: matrix
            .rows
            .into_iter()
            .map(|row| MatrixRowResponse {
                ipa_code: row.code,
                name: row.name,
                declared_version: row.declared_version,
                adoptions: row
                    .cells
                    .into_iter()
                    .map(|c| {
                        c.map(|c| AdoptionResponse {
                            status: c.adoption.as_str().to_owned(),
                            staying_on: c.staying_on,
                            reason: c.reason,
                            updated_at: c.updated_at,
                        })
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// One release.
#[utoipa::path(
    get,
    path = "/api/v1/releases/{id}",
    operation_id = "show_release",
    tag = "communities",
    params(("id" = i64, Path, minimum = 1, description = "Release id")),
    responses(
        (status = 200, description = "The release", body = ReleaseResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such release", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show_release(
    state: AppState,
    Path(id): Path<i64>,
) -> Result<Json<ReleaseResponse>, ApiError> {
    let release = releases::get(&state.db, id).await?;
    Ok(Json(release_response(&state, &release).await?))
}

/// The parameters of a search of the posts.
#[derive(Debug)]
pub struct PostSearch;

impl QuerySpec for PostSearch {
    fn names() -> &'static [&'static str] {
        &["q", "community", SIZE, AFTER]
    }
}

/// The posts of the communities matching `q`, the best match first: every word must match, in
/// any inflection, accents or none (`perche` finds `perché`). Across every community the reader
/// may read, or within `community`; deleted and hidden posts are never answered.
#[utoipa::path(
    get,
    path = "/api/v1/threads/search",
    operation_id = "search_posts",
    tag = "communities",
    params(
        ("q" = String, Query, min_length = 1, max_length = 200, description = "The words to find"),
        ("community" = Option<String>, Query, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Only this community (by slug)"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Posts per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of matching posts", body = PostHitList),
        (status = 401, description = "A members-only community, and no session", body = ErrorResponse),
        (status = 403, description = "A members-only community, and not a member", body = ErrorResponse),
        (status = 404, description = "No such community, or a cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn search_posts(
    state: AppState,
    viewer: Viewer,
    params: Params<PostSearch>,
) -> Result<Json<PostHitList>, ApiError> {
    let size = params.page_size()?;
    let offset = params
        .after_id()?
        .map_or(0, |n| u64::try_from(n).unwrap_or(0));
    let q = params
        .one("q")?
        .filter(|q| !q.is_empty())
        .ok_or_else(|| AppError::invalid("community.search.q_required", &[]))?;
    if q.chars().count() > search::MAX_QUERY {
        return Err(
            AppError::invalid("invalid.text_too_long", &[("max", &search::MAX_QUERY)]).into(),
        );
    }
    let community = match params.one("community")? {
        Some(slug) => {
            let key = Key::try_from(slug.to_owned()).map_err(|_| AppError::NotFound)?;
            Some(communities::by_slug(&state.db, key.as_str()).await?)
        }
        None => None,
    };
    let actor = viewer.actor(&state).await?;
    let scope = match &community {
        Some(c) => search::Scope::Community(c),
        None => search::Scope::All,
    };
    let results = search::search(&state.db, actor.as_ref(), scope, q, offset, size).await?;
    let end = offset + results.hits.len() as u64;
    let next = (end < results.total && !results.hits.is_empty()).then_some(end);
    Ok(Json(PostHitList {
        data: results
            .hits
            .into_iter()
            .map(|h| PostHitResponse {
                id: h.post_id,
                thread_id: h.thread_id,
                thread_title: h.thread_title,
                community: h.community_slug,
                community_name: h.community_name,
                excerpt: h.excerpt,
                created_at: h.created_at,
            })
            .collect(),
        total: results.total,
        links: Links {
            next: next.map(|n| params.next_link("/api/v1/threads/search", &n.to_string())),
        },
    }))
}
