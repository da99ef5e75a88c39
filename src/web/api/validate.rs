//! `POST /api/v1/validate`: the validator, offline, as a service.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

use super::answers::RateLimited;
use super::types::{ErrorResponse, ValidationResponse};
use crate::app::AppState;
use crate::publiccode::{self, Context, Limits, Outcome};
use crate::web::error::{ApiError, AppError};
use crate::web::limits::CpuJobs;

/// Validate a publiccode.yml: the file as the body, its diagnostics out, in the shape of one
/// file of `riuso validate --format json`. Offline: no URL is fetched and no file is looked up.
#[utoipa::path(
    post,
    path = "/api/v1/validate",
    operation_id = "validate",
    tag = "validator",
    request_body(
        description = "The publiccode.yml file, sent as `application/yaml` or `text/plain`: any YAML document (its shape is what is checked)",
        content((serde_json::Value = "application/yaml"), (PubliccodeFile = "text/plain")),
    ),
    responses(
        (status = 200, description = "The verdict (a file that fails validation is still a 200)", body = ValidationResponse),
        (status = 400, description = "An empty body", body = ErrorResponse),
        (status = 413, description = "A body larger than the server's limit", body = ErrorResponse),
        (status = 503, description = "Too many validations are running: try again in a moment", body = ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        RateLimited,
    )
)]
pub async fn validate(
    state: AppState,
    jobs: CpuJobs,
    PubliccodeFile(body): PubliccodeFile,
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
    Ok(Json(jobs.run(move || verdict(&body, &limits)).await?))
}

/// A publiccode.yml file as a request's body: its bytes, whatever media type the request names.
/// As `application/yaml` it is any YAML document; as `text/plain` (which generated clients
/// send) its text, at least one character.
#[derive(Debug, utoipa::ToSchema)]
#[schema(value_type = String, min_length = 1)]
pub struct PubliccodeFile(Bytes);

impl<S: Send + Sync> FromRequest<S> for PubliccodeFile {
    type Rejection = <Bytes as FromRequest<S>>::Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(request, state).await.map(Self)
    }
}

/// The API's verdict on `body`.
fn verdict(body: &[u8], limits: &Limits) -> ValidationResponse {
    let inspection = publiccode::inspect(body, limits, &Context::default());
    let outcome = &inspection.outcome;
    let claims = match outcome {
        Outcome::Valid(v) => v.claims().iter().map(Into::into).collect(),
        Outcome::Invalid(_) => Vec::new(),
    };
    let diagnostics = outcome.diagnostics().iter().map(Into::into).collect();
    ValidationResponse {
        valid: outcome.is_valid(),
        publiccode_yml_version: inspection.declared_version.clone(),
        claims,
        diagnostics,
    }
}
