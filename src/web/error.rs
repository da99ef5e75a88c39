//! The one error type of the HTTP boundary, with the status of each case assigned here.
//!
//! Server errors are logged once, here, with their cause chain; clients get a generic message.
//! Client errors are not logged as errors.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
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
    /// A page cursor this server did not make (or no longer understands): the page it names
    /// does not exist.
    #[error("invalid page cursor: start again from the first page, without page[after]")]
    InvalidCursor,
    /// The client sent too many requests; it may try again after `retry_after` seconds.
    #[error("too many requests: try again in {retry_after} s")]
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after: u64,
    },
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
            Self::NotFound | Self::InvalidCursor => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
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
            Self::InvalidCursor => "invalid_cursor",
            Self::RateLimited { .. } => "rate_limited",
            Self::TooLarge { .. } => "too_large",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

/// What a page needs to know of an error that became a response: the JSON body is for `/api`,
/// and the page frame (`web::pages`) replaces it with an error page in the reader's language.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// The status of the answer.
    pub status: StatusCode,
    /// What the client did wrong, for client errors; nothing for server errors.
    pub detail: Option<String>,
}

impl ErrorInfo {
    /// The page-facing facts of `error`.
    #[must_use]
    pub fn of(error: &AppError) -> Self {
        let status = error.status();
        Self {
            status,
            detail: (status.is_client_error() && !matches!(error, AppError::NotFound))
                .then(|| error.to_string()),
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
        let info = ErrorInfo::of(&error);
        let body = json!({ "error": { "code": error.code(), "message": error.to_string() } });
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(info);
        if let AppError::RateLimited { retry_after } = error {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        ApiError(self).into_response()
    }
}
