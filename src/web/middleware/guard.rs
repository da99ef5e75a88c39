//! The first layer of every request: the query caps of [`crate::web::limits`] before anything
//! runs, and the server's own 413 and 408 answers (the body limit, the request timeout) in the
//! shape of our errors: the JSON error under the API, the error page in the reader's language
//! elsewhere.

use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::i18n::Lang;
use crate::web::error::{ApiError, AppError, ErrorInfo};
use crate::web::limits::check_query;
use crate::web::page;

/// Whether `path` is under the JSON API (its errors are JSON).
fn is_api(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/") || path == "/healthz"
}

/// `error` as the answer `uri` calls for: JSON under the API, else the error page in `lang`
/// (for the path alone: the query that was refused is not repeated in the page's links).
fn answer(lang: Lang, uri: &Uri, error: AppError) -> Response {
    if is_api(uri.path()) {
        return ApiError(error).into_response();
    }
    let info = ErrorInfo::of(&error);
    let retry = ApiError(error).into_response();
    let path_only = uri
        .path()
        .parse::<Uri>()
        .unwrap_or_else(|_| Uri::from_static("/"));
    let mut response = page::error_page(lang, &path_only, &info);
    if let Some(value) = retry.headers().get(axum::http::header::RETRY_AFTER) {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, value.clone());
    }
    response
}

/// The layer: answers over a query cap at once; turns the server's bare 413 and 408 into ours.
pub async fn layer(State(body_limit): State<usize>, request: Request, next: Next) -> Response {
    let uri = request.uri().clone();
    let lang = Lang::of(&uri, request.headers());
    if let Some(raw) = uri.query()
        && let Err(error) = check_query(raw)
    {
        return answer(lang, &uri, error);
    }
    let response = next.run(request).await;
    if response.extensions().get::<ErrorInfo>().is_some() {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            answer(lang, &uri, AppError::TooLarge { limit: body_limit })
        }
        StatusCode::REQUEST_TIMEOUT => {
            let mut page = answer(lang, &uri, AppError::TooSlow);
            *page.status_mut() = StatusCode::REQUEST_TIMEOUT;
            page
        }
        _ => response,
    }
}
