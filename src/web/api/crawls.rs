//! `GET /api/v1/crawls`, one crawl run, and its events: what each crawl found and why.

use axum::Json;

use super::answers::{Malformed, Reads};
use super::types::{CrawlEventList, CrawlRunList, CrawlRunResponse, ErrorResponse, Links};
use crate::app::AppState;
use crate::catalog::read;
use crate::web::error::{ApiError, AppError};
use crate::web::extract::Path;
use crate::web::params::{Paging, Params};

/// Crawl runs, most recent first.
#[utoipa::path(
    get,
    path = "/api/v1/crawls",
    operation_id = "list_crawls",
    tag = "crawls",
    params(
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Runs per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of runs", body = CrawlRunList, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "A cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn list(state: AppState, params: Params<Paging>) -> Result<Json<CrawlRunList>, ApiError> {
    let page = read::crawl_runs(&state.db, params.after_id()?, params.page_size()?).await?;
    Ok(Json(CrawlRunList {
        data: page.items.into_iter().map(Into::into).collect(),
        links: Links {
            next: page
                .next
                .map(|id| params.next_link("/api/v1/crawls", &id.to_string())),
        },
    }))
}

/// One crawl run.
#[utoipa::path(
    get,
    path = "/api/v1/crawls/{id}",
    operation_id = "show_crawl",
    tag = "crawls",
    params(("id" = i64, Path, minimum = 1, description = "Run id")),
    responses(
        (status = 200, description = "The run", body = CrawlRunResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such run", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show(
    state: AppState,
    Path(id): Path<i64>,
) -> Result<Json<CrawlRunResponse>, ApiError> {
    let run = read::crawl_run(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(run.into()))
}

/// The events of a crawl run, in the order they happened.
#[utoipa::path(
    get,
    path = "/api/v1/crawls/{id}/events",
    operation_id = "list_crawl_events",
    tag = "crawls",
    params(
        ("id" = i64, Path, minimum = 1, description = "Run id"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Events per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of events", body = CrawlEventList, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such run, or a cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn events(
    state: AppState,
    Path(id): Path<i64>,
    params: Params<Paging>,
) -> Result<Json<CrawlEventList>, ApiError> {
    read::crawl_run(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = read::crawl_events(&state.db, id, params.after_id()?, params.page_size()?).await?;
    let path = format!("/api/v1/crawls/{id}/events");
    Ok(Json(CrawlEventList {
        data: page.items.into_iter().map(Into::into).collect(),
        links: Links {
            next: page.next.map(|e| params.next_link(&path, &e.to_string())),
        },
    }))
}
