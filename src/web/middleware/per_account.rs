//! The per-account limit of the account forms: attempts at one account (the address typed in
//! the form, the reset link, or the person signed in) share one allowance, from whatever client
//! address they come. The per-client limit ([`super::rate_limit`]) runs before it.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use url::form_urlencoded;

use super::rate_limit::RateLimiter;
use crate::web::error::AppError;
use crate::web::session::{self, Viewer};

/// Longest address kept as a rate-limit key (longer ones are not addresses anyway).
const MAX_KEY_CHARS: usize = 320;

/// The account an attempt is about: the address typed in the form, the reset link, or the
/// person signed in. Attempts at one account from many client addresses share one allowance.
fn account_key(parts: &Parts, body: &[u8]) -> Option<String> {
    let email = form_urlencoded::parse(body)
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.trim().to_lowercase())
        .filter(|v| !v.is_empty());
    if let Some(email) = email {
        return Some(format!(
            "address {}",
            email.chars().take(MAX_KEY_CHARS).collect::<String>()
        ));
    }
    if let Some(token) = parts.uri.path().strip_prefix("/account/reset/") {
        return Some(format!("link {token}"));
    }
    parts
        .extensions
        .get::<Viewer>()
        .and_then(|v| v.0.as_ref())
        .map(|s| format!("account {}", s.user.id))
}

/// The per-account limit of the account forms (the per-client one runs before it): 429 once an
/// account has had its minute's allowance of attempts, wherever they come from.
pub async fn layer(
    State(limiter): State<Arc<RateLimiter<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let limit = session::MAX_FORM_BYTES;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return AppError::TooLarge { limit }.into_response();
    };
    if let Some(key) = account_key(&parts, &bytes)
        && let Err(retry_after) = limiter.take(key, Instant::now())
    {
        return AppError::RateLimited { retry_after }.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
