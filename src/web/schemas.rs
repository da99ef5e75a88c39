//! `/schemas/publiccode-<version>.json`: the JSON Schemas for editors, embedded in the binary.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, AppError};
use super::extract::Path;

/// The embedded schema files, by name.
const SCHEMAS: &[(&str, &str)] = &[
    (
        "publiccode-0.2.json",
        include_str!("../../publiccode-schemas/publiccode-0.2.json"),
    ),
    (
        "publiccode-0.3.json",
        include_str!("../../publiccode-schemas/publiccode-0.3.json"),
    ),
    (
        "publiccode-0.4.json",
        include_str!("../../publiccode-schemas/publiccode-0.4.json"),
    ),
    (
        "publiccode-0.5.json",
        include_str!("../../publiccode-schemas/publiccode-0.5.json"),
    ),
    (
        "publiccode-0.7.json",
        include_str!("../../publiccode-schemas/publiccode-0.7.json"),
    ),
];

/// One schema, cacheable for a day.
pub async fn show(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, body) = SCHEMAS
        .iter()
        .find(|(name, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/schema+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        *body,
    )
        .into_response())
}
