//! Strong `ETag`s on the API's JSON reads, with `304 Not Modified` when the client has the body
//! already.

use axum::body::{Body, HttpBody as _};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use sha2::{Digest as _, Sha256};

use crate::web::error::AppError;

/// Largest JSON body the `ETag` layer buffers; larger ones, and bodies of unknown length, go out
/// without an `ETag`.
const MAX_TAGGED_BODY: usize = 16 * 1024 * 1024;

/// Adds a strong `ETag` (a hash of the body) to successful `GET` answers, and answers
/// `304 Not Modified` when the client's `If-None-Match` already names it.
pub async fn layer(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let too_large = response
        .body()
        .size_hint()
        .upper()
        .is_none_or(|n| n > MAX_TAGGED_BODY as u64);
    if too_large {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return AppError::Internal(anyhow::anyhow!("cannot buffer a response to tag it: {e}"))
                .into_response();
        }
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let tag = format!("\"{hex}\"");
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, value.clone());
    // A handler that says how long its answer may be kept (the badges) keeps its say; the
    // rest is revalidated every time.
    let cache_control = parts
        .headers
        .get(header::CACHE_CONTROL)
        .cloned()
        .unwrap_or(HeaderValue::from_static("no-cache"));
    parts
        .headers
        .insert(header::CACHE_CONTROL, cache_control.clone());
    let matches = if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == tag || t == "*")
        });
    if matches {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        let headers = not_modified.headers_mut();
        headers.insert(header::ETAG, value);
        headers.insert(header::CACHE_CONTROL, cache_control);
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}
