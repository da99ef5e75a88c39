//! The layers of `/api`: strong `ETag`s with 304 answers, and a per-client rate limit.
//!
//! The rate limit is a token bucket per client IP address (the TCP peer: behind a reverse proxy
//! every client shares the proxy's address, so give the proxy its own limit). A client may burst
//! up to a minute's allowance, then gets 429 with `Retry-After` until tokens come back.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::body::{Body, HttpBody as _};
use axum::extract::{ConnectInfo, Request, State};
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
pub async fn etag(request: Request, next: Next) -> Response {
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
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
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
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Token buckets per client address (or per any other key: the account pages also count
/// attempts per account).
#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before full ones are forgotten.
const MAX_BUCKETS: usize = 100_000;

impl<K: Hash + Eq> RateLimiter<K> {
    /// A limiter allowing `per_minute` requests a minute per client (0: no limit).
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client` at `now`, or says in how many seconds one will be there.
    ///
    /// # Errors
    ///
    /// The whole seconds to wait (at least 1) when the client has no token left.
    pub fn take(&self, client: K, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refilled = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_second)
            .min(capacity);
        bucket.at = now;
        if refilled >= 1.0 {
            bucket.tokens = refilled - 1.0;
            Ok(())
        } else {
            bucket.tokens = refilled;
            let wait = ((1.0 - refilled) / per_second).ceil().max(1.0);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a positive number of seconds, at most a minute"
            )]
            Err(wait as u64)
        }
    }
}

/// Answers 429 with `Retry-After` to a client over its allowance.
pub async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    match limiter.take(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => AppError::RateLimited { retry_after }.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn buckets_refill_per_client() {
        let limiter = RateLimiter::new(60);
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let t0 = Instant::now();
        for _ in 0..60 {
            limiter.take(a, t0).unwrap();
        }
        assert_eq!(limiter.take(a, t0), Err(1));
        assert!(limiter.take(b, t0).is_ok());
        assert!(limiter.take(a, t0 + Duration::from_secs(1)).is_ok());
        assert!(RateLimiter::new(0).take(a, t0).is_ok());
    }
}
