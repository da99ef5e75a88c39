//! `GET /healthz`: the server answers and reaches its database.

use axum::Json;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::web::error::ApiError;

/// `GET /healthz`: the server answers and reaches its database.
pub async fn show(state: AppState) -> Result<Json<Value>, ApiError> {
    state.db.execute_unprepared("SELECT 1").await?;
    Ok(Json(json!({ "status": "ok" })))
}
