//! The JSON API: the validator today (`POST /api/v1/validate`), and a health check.

use axum::Json;
use axum::body::Bytes;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use super::error::{ApiError, AppError};
use crate::app::AppState;
use crate::publiccode::{self, Context, Limits, Outcome};

/// `GET /healthz`: the server answers and reaches its database.
pub async fn health(state: AppState) -> Result<Json<Value>, ApiError> {
    state.db.execute_unprepared("SELECT 1").await?;
    Ok(Json(json!({ "status": "ok" })))
}

/// `POST /api/v1/validate`: a publiccode.yml in the body, its diagnostics out, in the shape of one
/// file of `riuso validate --format json`. Offline: no URL is fetched and no file is looked up.
pub async fn validate(state: AppState, body: Bytes) -> Result<Json<Value>, ApiError> {
    let limits = Limits {
        max_bytes: state.config.max_file_bytes,
        ..Limits::default()
    };
    if body.is_empty() {
        return Err(
            AppError::BadRequest("send the publiccode.yml as the request body".to_owned()).into(),
        );
    }
    let inspection = publiccode::inspect(&body, &limits, &Context::default());
    let outcome = &inspection.outcome;
    let claims = match outcome {
        Outcome::Valid(v) => v.claims().to_vec(),
        Outcome::Invalid(_) => Vec::new(),
    };
    Ok(Json(json!({
        "valid": outcome.is_valid(),
        "publiccodeYmlVersion": inspection.declared_version,
        "claims": claims,
        "diagnostics": outcome.diagnostics(),
    })))
}
