//! `GET /api/v1/export.{csv,jsonl,ttl,jsonld}`: the open-data exports, streamed.
//!
//! The body is produced page by page while it is sent, so memory stays constant whatever the
//! catalog size; a database failure mid-way cuts the response short (the status is already
//! sent), which clients see as a truncated transfer.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures_util::{StreamExt as _, stream};

use super::types::ErrorResponse;
use crate::app::AppState;
use crate::export::{Exporter, Format};

macro_rules! export_route {
    ($name:ident, $operation:literal, $format:expr, $path:literal, $media:literal, $body:ty, $what:literal) => {
        #[doc = concat!("The whole catalog as ", $what, ", streamed.")]
        #[utoipa::path(
            get,
            path = $path,
            operation_id = $operation,
            tag = "open data",
            responses(
                (status = 200, description = $what, content_type = $media, body = $body),
                (status = 429, description = "Too many requests", body = ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
            )
        )]
        pub async fn $name(state: AppState) -> Response {
            stream_export(&state, $format)
        }
    };
}

export_route!(
    csv,
    "export_csv",
    Format::Csv,
    "/api/v1/export.csv",
    "text/csv",
    String,
    "CSV (one entry per row, with a header)"
);
export_route!(
    jsonl,
    "export_jsonl",
    Format::Jsonl,
    "/api/v1/export.jsonl",
    "application/jsonl",
    String,
    "JSON Lines (one entry per line, the normalized publiccode.yml included)"
);
export_route!(
    turtle,
    "export_turtle",
    Format::Turtle,
    "/api/v1/export.ttl",
    "text/turtle",
    String,
    "DCAT-AP_IT in Turtle"
);
export_route!(
    jsonld,
    "export_jsonld",
    Format::JsonLd,
    "/api/v1/export.jsonld",
    "application/ld+json",
    serde_json::Value,
    "DCAT-AP_IT in JSON-LD"
);

fn stream_export(state: &AppState, format: Format) -> Response {
    let exporter = Exporter::new(state.db.clone(), format, &state.config.public_url);
    let chunks = stream::unfold(Some(exporter), |exporter| async move {
        let mut exporter = exporter?;
        match exporter.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Some(exporter))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export stopped");
                Some((Err(e), None))
            }
        }
    });
    // Fused: a reader of the body (the compression layer's) may poll again after the end.
    let mut response = Response::new(Body::from_stream(chunks.fuse()));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "inline; filename=\"riuso-catalog.{}\"",
        format.extension()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
