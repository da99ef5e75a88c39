//! The one error type of the HTTP boundary, with the status of each case assigned here.
//!
//! Server errors are logged once, here, with their cause chain; clients get a generic message.
//! Client errors are not logged as errors.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or resource.
    #[error("not found")]
    NotFound,
    /// The request is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The request body is larger than allowed.
    #[error("the request body is too large (the limit is {limit} bytes)")]
    TooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The database is unreachable or saturated.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[source] sea_orm::DbErr),
    /// Anything else: a bug or an outage.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code.
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::TooLarge { .. } => "too_large",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Unavailable(e)
    }
}

/// [`AppError`] rendered as JSON, for `/api` routes.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let status = error.status();
        if status.is_server_error() {
            let chain: Vec<String> =
                std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
                    .map(ToString::to_string)
                    .collect();
            tracing::error!(error.chain = %chain.join(": "), "request failed");
        }
        let body = json!({ "error": { "code": error.code(), "message": error.to_string() } });
        (status, Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        ApiError(self).into_response()
    }
}

/// The answer for any unknown route.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}
