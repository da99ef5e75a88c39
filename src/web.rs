//! The HTTP server: [`router`] builds every route and layer; [`serve`] runs it.
//!
//! Only this module knows HTTP. It serves the web pages (`pages`, in Italian and English), the
//! JSON API v1 with its OpenAPI document, documentation page and open-data exports (`api`), the
//! built static assets, the JSON Schemas for editors and a health check.

mod api;
mod assets;
mod error;
mod extract;
mod lang;
mod pages;
mod schemas;
mod session;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
pub use error::{ApiError, AppError};

/// Every route and layer of the server; `serve` and the tests both use it.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_file_bytes.saturating_add(1024);
    Router::new()
        .route("/healthz", get(api::health))
        .route("/schemas/{file}", get(schemas::show))
        .merge(api::routes(&state.config))
        .merge(pages::routes(&state))
        .nest_service("/static", assets::service(&state.config))
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `state` on `addr` until Ctrl-C or SIGTERM, finishing requests in flight.
///
/// # Errors
///
/// Fails when the address cannot be bound.
pub async fn serve(state: AppState, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
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
