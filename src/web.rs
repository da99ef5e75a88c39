//! The HTTP server: [`router`] builds every route and layer; [`serve_on`] runs it.
//!
//! Only this module knows HTTP. It serves the web pages (`pages`, in Italian and English), the
//! JSON API v1 with its OpenAPI document, documentation page and open-data exports (`api`), the
//! built static assets, the JSON Schemas for editors and a health check.
//!
//! Pages and API never import each other; what both use lives beside them: the route table
//! (`routes`), the extractors (`extract`: path keys, forms, tokens; `params`: the query-string
//! spec of each route; `page`: the page context), the layers (`middleware`, `session`), the
//! bounds on a request's work (`limits`), rendering and the error page (`page`) and the error
//! type (`error`).

mod api;
mod assets;
mod badges;
mod error;
mod extract;
mod lang;
pub mod limits;
mod middleware;
mod page;
mod pages;
mod params;
mod routes;
mod schemas;
pub mod server;
mod session;

use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
pub use error::{ApiError, AppError};

/// The time a request may take, whatever it is (pages have a shorter budget,
/// `RIUSO_PAGE_TIMEOUT_SECS`; the exports stream within it).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether `path` is a move of the guided reuse case, whose forms may carry an evidence
/// document.
fn takes_document(path: &str) -> bool {
    path.strip_prefix("/cases/")
        .and_then(|rest| rest.split_once("/wizard/"))
        .is_some_and(|(id, step)| id.bytes().all(|b| b.is_ascii_digit()) && !step.contains('/'))
}

/// The request body limit: `limit`, and for the moves of a reuse case
/// [`session::MAX_UPLOAD_FORM_BYTES`], so that a document just over its own limit is still read
/// and refused next to its field. A body declared larger is answered 413 at once; one that
/// grows larger fails where it is read (413 too).
async fn limit_body(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let limit = if takes_document(request.uri().path()) {
        limit.max(session::MAX_UPLOAD_FORM_BYTES)
    } else {
        limit
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Every route and layer of the server; `serve` and the tests both use it.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_file_bytes.saturating_add(1024);
    let cpu_jobs = limits::CpuJobs::new(state.config.max_cpu_jobs);
    routes::routes(&state)
        .layer(axum::middleware::from_fn_with_state(body_limit, limit_body))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::Extension(cpu_jobs))
        .layer(axum::middleware::from_fn_with_state(
            body_limit,
            middleware::guard::layer,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(middleware::compression::layer())
        .layer(axum::middleware::from_fn(
            middleware::compression::weak_etag,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                // The path only, with the tokens of e-mailed links blanked: they are secrets.
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %redact_tokens(request.uri().path()),
                )
            }),
        )
        .with_state(state)
}

/// `path` with every segment that is a link token (64 hex digits) replaced by `…`.
fn redact_tokens(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if crate::community::tokens::is_token(segment) {
                "…"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Serves `state` on `listener`, within the connection limits of its configuration, until
/// `shutdown` resolves.
///
/// # Errors
///
/// When the server stops with an error.
pub async fn serve_on(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let limits = server::ConnLimits::of(&state.config);
    server::serve(listener, router(state), limits, shutdown)
        .await
        .context("the server stopped with an error")
}

/// Resolves on Ctrl-C or SIGTERM: the end of `riuso serve` and `riuso worker`.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_tokens_never_reach_the_request_log() {
        let token = "ab".repeat(32);
        assert_eq!(
            super::redact_tokens(&format!("/account/reset/{token}")),
            "/account/reset/…"
        );
        assert_eq!(super::redact_tokens("/software/govpay"), "/software/govpay");
    }
}
