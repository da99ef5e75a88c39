//! The time budget of a page, shorter than the server's own (`RIUSO_PAGE_TIMEOUT_SECS`).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::web::error::AppError;

/// The time budget of a page: past it the page answers 503 (the work is dropped).
pub async fn layer(State(budget): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(budget, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::TooSlow.into_response(),
    }
}
