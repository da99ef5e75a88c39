//! The JSON API under `/api/v1`, its OpenAPI document, its documentation page under `/api`, and
//! the health check.
//!
//! [`routes`] builds the API's routes with their layers: CORS for reads, strong `ETag`s on JSON
//! reads, and a per-client rate limit on everything under `/api`.

mod crawls;
mod docs;
mod export;
pub(super) mod middleware;
mod openapi;
mod organisations;
pub(super) mod params;
mod software;
mod stats;
pub mod types;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::http::{Method, header};
use axum::routing::{get, post};
use sea_orm::ConnectionTrait as _;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::cors::{Any, CorsLayer};

use super::error::{ApiError, AppError};
use crate::app::AppState;
use crate::config::Config;
use crate::publiccode::{self, Context, Limits, Outcome};
use types::{ClaimResponse, DiagnosticResponse, ErrorResponse, Links, ValidationResponse};

/// The routes under `/api` and their layers.
pub fn routes(config: &Config) -> Router<AppState> {
    let reads = Router::new()
        .route("/api/v1/software", get(software::list))
        .route("/api/v1/software/{id}", get(software::show))
        .route(
            "/api/v1/software/{id}/declarations",
            get(software::declarations),
        )
        .route("/api/v1/organisations", get(organisations::list))
        .route("/api/v1/organisations/{code}", get(organisations::show))
        .route(
            "/api/v1/organisations/{code}/software",
            get(organisations::software),
        )
        .route("/api/v1/stats", get(stats::show))
        .route("/api/v1/crawls", get(crawls::list))
        .route("/api/v1/crawls/{id}", get(crawls::show))
        .route("/api/v1/crawls/{id}/events", get(crawls::events))
        .route("/api/v1/openapi.json", get(openapi::json))
        .layer(axum::middleware::from_fn(middleware::etag));
    let exports = Router::new()
        .route("/api/v1/export.csv", get(export::csv))
        .route("/api/v1/export.jsonl", get(export::jsonl))
        .route("/api/v1/export.ttl", get(export::turtle))
        .route("/api/v1/export.jsonld", get(export::jsonld));
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
        ]);
    let limiter = Arc::new(middleware::RateLimiter::new(config.api_rate_per_minute));
    Router::new()
        .merge(reads)
        .merge(exports)
        .layer(cors)
        .route("/api/v1/validate", post(validate))
        .route(
            "/api",
            get(docs::page).layer(axum::middleware::from_fn(super::pages::frame)),
        )
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            middleware::rate_limit,
        ))
}

/// A path identifier (id, slug or IPA code) that could exist: anything else is a 404 from the
/// extractor, before any query.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Key(String);

impl Key {
    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Key {
    type Error = &'static str;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let mut chars = s.chars();
        let ok = s.len() <= 200
            && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(s))
        } else {
            Err("not an identifier")
        }
    }
}

/// `GET /healthz`: the server answers and reaches its database.
pub async fn health(state: AppState) -> Result<Json<Value>, ApiError> {
    state.db.execute_unprepared("SELECT 1").await?;
    Ok(Json(json!({ "status": "ok" })))
}

/// Validate a publiccode.yml: the file as the body, its diagnostics out, in the shape of one
/// file of `riuso validate --format json`. Offline: no URL is fetched and no file is looked up.
#[utoipa::path(
    post,
    path = "/api/v1/validate",
    tag = "validator",
    request_body(content = serde_json::Value, content_type = "application/yaml", description = "The publiccode.yml file: any YAML document (its shape is what is checked)"),
    responses(
        (status = 200, description = "The verdict (a file that fails validation is still a 200)", body = ValidationResponse),
        (status = 400, description = "An empty body", body = ErrorResponse),
        (status = 413, description = "A body larger than the server's limit", body = ErrorResponse),
        (status = 429, description = "Too many requests", body = ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Too many validations are running: try again in a moment", body = ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn validate(
    state: AppState,
    jobs: super::limits::CpuJobs,
    body: Bytes,
) -> Result<Json<ValidationResponse>, ApiError> {
    let limits = Limits {
        max_bytes: state.config.max_file_bytes,
        ..Limits::default()
    };
    if body.is_empty() {
        return Err(
            AppError::BadRequest("send the publiccode.yml as the request body".to_owned()).into(),
        );
    }
    // Validation is CPU work that grows with the file: off the async runtime, a few at once.
    Ok(Json(jobs.run(move || verdict(&body, &limits)).await??))
}

/// The API's verdict on `body`.
fn verdict(body: &[u8], limits: &Limits) -> Result<ValidationResponse, AppError> {
    let inspection = publiccode::inspect(body, limits, &Context::default());
    let outcome = &inspection.outcome;
    let claims = match outcome {
        Outcome::Valid(v) => {
            serde_json::to_value(v.claims()).and_then(serde_json::from_value::<Vec<ClaimResponse>>)
        }
        Outcome::Invalid(_) => Ok(Vec::new()),
    }
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("cannot map the claims")))?;
    let diagnostics = serde_json::to_value(outcome.diagnostics())
        .and_then(serde_json::from_value::<Vec<DiagnosticResponse>>)
        .map_err(|e| {
            AppError::Internal(anyhow::Error::new(e).context("cannot map the diagnostics"))
        })?;
    Ok(ValidationResponse {
        valid: outcome.is_valid(),
        publiccode_yml_version: inspection.declared_version.clone(),
        claims,
        diagnostics,
    })
}
