//! `GET /api/v1/stats`: counts over the whole catalog.

use axum::Json;

use super::answers::Reads;
use super::types::StatsResponse;
use crate::app::AppState;
use crate::catalog::read;
use crate::web::error::ApiError;

/// Catalog statistics: entries, organisations, snapshots, crawl runs, and active entries per
/// status, type, maintenance, claim, licence and scope.
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    operation_id = "show_stats",
    tag = "catalog",
    responses(
        (status = 200, description = "The statistics", body = StatsResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        Reads,
    )
)]
pub async fn show(state: AppState) -> Result<Json<StatsResponse>, ApiError> {
    Ok(Json(read::stats(&state.db, &state.search).await?.into()))
}
