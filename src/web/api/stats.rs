//! `GET /api/v1/stats`: counts over the whole catalog.

use axum::Json;

use super::types::{ErrorResponse, StatsResponse};
use crate::app::AppState;
use crate::catalog::read;
use crate::web::error::ApiError;

/// Catalog statistics: entries, organisations, snapshots, crawl runs, and active entries per
/// status, type, maintenance, claim, licence and scope.
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    tag = "catalog",
    responses(
        (status = 200, description = "The statistics", body = StatsResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 304, description = "Unchanged since the ETag sent in If-None-Match"),
        (status = 429, description = "Too many requests", body = ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database is unavailable", body = ErrorResponse),
    )
)]
pub async fn show(state: AppState) -> Result<Json<StatsResponse>, ApiError> {
    Ok(Json(read::stats(&state.db, &state.search).await?.into()))
}
