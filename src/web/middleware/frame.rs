//! The frame of every page: an error becomes the error page in the request's language, a
//! `?lang=` choice is remembered in a cookie, an answer that sets a cookie is kept from shared
//! caches, and the security headers of pages are set.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::i18n::{self, Lang};
use crate::web::error::ErrorInfo;
use crate::web::page::{error_page, security_headers};

/// How long a browser keeps the language cookie.
const LANG_COOKIE_SECONDS: u32 = 365 * 24 * 3600;

/// Every page passes through here: an error becomes an error page in the request's language, a
/// `?lang=` choice is remembered in a cookie, and the security headers of pages are set.
pub async fn layer(request: Request, next: Next) -> Response {
    let lang = Lang::of(request.uri(), request.headers());
    let chosen = Lang::from_query(request.uri().query());
    let uri = request.uri().clone();
    let mut response = next.run(request).await;
    if let Some(info) = response.extensions().get::<ErrorInfo>().cloned() {
        let retry = response.headers().get(header::RETRY_AFTER).cloned();
        response = error_page(lang, &uri, &info);
        if let Some(retry) = retry {
            response.headers_mut().insert(header::RETRY_AFTER, retry);
        }
    }
    let headers = response.headers_mut();
    if let Some(chosen) = chosen
        && let Ok(cookie) = HeaderValue::from_str(&format!(
            "{}={}; Path=/; Max-Age={LANG_COOKIE_SECONDS}; SameSite=Lax",
            i18n::COOKIE_NAME,
            chosen.code()
        ))
    {
        headers.append(header::SET_COOKIE, cookie);
    }
    // An answer that sets a cookie is for this browser only: no cache may keep it and give
    // its cookie to another.
    if headers.contains_key(header::SET_COOKIE) {
        let private = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"));
        if !private {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    security_headers(headers);
    response
}
