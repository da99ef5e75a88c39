//! What every page shares: its context ([`PageCtx`]: the language and the page's own address,
//! an extractor), rendering within the size budget ([`render`]), the error page and the
//! security headers of every HTML answer.

use std::convert::Infallible;
use std::fmt;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse as _, Response};
use url::form_urlencoded;

use super::error::{AppError, ErrorInfo};
use super::limits::{self, MAX_PAGE_BYTES};
use crate::i18n::Lang;

/// The Content-Security-Policy of every page: our own scripts, styles and fonts only, never
/// inline; images may come from the https addresses publiccode.yml files name (logos,
/// screenshots).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; \
                   img-src 'self' https: data:; connect-src 'self'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// What every page template knows: the language, and the addresses of this page in each
/// language.
#[derive(Debug, Clone)]
pub struct PageCtx {
    /// The language of the page.
    pub lang: Lang,
    /// Path and query of this page without `lang`, for the language switch.
    path: String,
    /// The unread notifications of the person signed in (`None` when nobody is).
    pub unread: Option<u64>,
}

impl PageCtx {
    /// The frame of a page at `uri` in `lang`.
    #[must_use]
    pub fn new(lang: Lang, uri: &Uri) -> Self {
        let query: Vec<(String, String)> = limits::unique_pairs(uri.query())
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .collect();
        // A path that starts with `//` (or `/\`, which browsers read the same) would make the
        // language link protocol-relative: another site. One slash is the same page here.
        let mut path = format!("/{}", uri.path().trim_start_matches(['/', '\\']));
        if !query.is_empty() {
            path.push('?');
            path.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query)
                    .finish(),
            );
        }
        Self {
            lang,
            path,
            unread: None,
        }
    }

    /// The count the header shows beside the notifications: the unread ones, when there are.
    #[must_use]
    pub fn unread_badge(&self) -> Option<u64> {
        self.unread.filter(|n| *n > 0)
    }

    /// The message `key` in the page's language.
    #[must_use]
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.lang.t(key)
    }

    /// `key.one` or `key.other` for `n`.
    #[must_use]
    pub fn count(&self, key: &str, n: impl std::borrow::Borrow<u64>) -> String {
        self.lang.count(key, *n.borrow())
    }

    /// This page in every other language: (language, address).
    #[must_use]
    pub fn switch(&self) -> Vec<(Lang, String)> {
        Lang::ALL
            .into_iter()
            .filter(|l| *l != self.lang)
            .map(|l| {
                let sep = if self.path.contains('?') { '&' } else { '?' };
                (l, format!("{}{sep}lang={}", self.path, l.code()))
            })
            .collect()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut ctx = Self::new(Lang::of(&parts.uri, &parts.headers), &parts.uri);
        ctx.unread = parts
            .extensions
            .get::<super::session::Unread>()
            .map(|u| u.0);
        Ok(ctx)
    }
}

/// Renders `page` as an HTML response.
///
/// # Errors
///
/// [`AppError::PageTooLarge`] past [`MAX_PAGE_BYTES`]; [`AppError::Internal`]
/// when the template fails (a bug).
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    let html = render_capped(page, MAX_PAGE_BYTES)?;
    Ok(Html(html).into_response())
}

/// Renders `page` as an HTML response with `status`.
///
/// # Errors
///
/// As [`render`].
pub fn render_with(status: StatusCode, page: &impl Template) -> Result<Response, AppError> {
    let mut response = render(page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// A `fmt::Write` that refuses to grow past its cap.
struct Capped {
    out: String,
    cap: usize,
    over: bool,
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.out.len() + s.len() > self.cap {
            self.over = true;
            return Err(fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

/// Renders `page` into at most `cap` bytes.
///
/// # Errors
///
/// [`AppError::PageTooLarge`] past the cap; [`AppError::Internal`] when the template fails.
pub fn render_capped<T: Template>(page: &T, cap: usize) -> Result<String, AppError> {
    let mut out = Capped {
        out: String::with_capacity(T::SIZE_HINT.min(cap)),
        cap,
        over: false,
    };
    match page.render_into(&mut out) {
        Ok(()) => Ok(out.out),
        Err(_) if out.over => Err(AppError::PageTooLarge),
        Err(e) => Err(AppError::Internal(
            anyhow::Error::new(e).context("cannot render the page"),
        )),
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    title: String,
    detail: Option<String>,
    /// The page to come back to after signing in, when the page was for someone signed in.
    sign_in: Option<String>,
}

/// The error page for `info` in `lang`, with the status of the error.
pub fn error_page(lang: Lang, uri: &Uri, info: &ErrorInfo) -> Response {
    let key = match info.status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::BAD_REQUEST => "error.bad_request",
        StatusCode::UNAUTHORIZED => "error.unauthorized",
        StatusCode::FORBIDDEN => "error.forbidden_title",
        StatusCode::CONFLICT => "error.conflict",
        StatusCode::TOO_MANY_REQUESTS => "error.too_many",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::SERVICE_UNAVAILABLE => "error.unavailable",
        s if s.is_client_error() => "error.bad_request",
        _ => "error.internal",
    };
    let page = ErrorPage {
        ctx: PageCtx::new(lang, uri),
        status: info.status.as_u16(),
        title: lang.t(key).to_owned(),
        detail: info.key.map(|k| {
            let args: Vec<(&str, &dyn fmt::Display)> = info
                .args
                .iter()
                .map(|(name, value)| (*name, value as &dyn fmt::Display))
                .collect();
            lang.tf(k, &args)
        }),
        sign_in: (info.status == StatusCode::UNAUTHORIZED)
            .then(|| form_urlencoded::byte_serialize(uri.path().as_bytes()).collect()),
    };
    let mut response = match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            lang.t(key).to_owned().into_response()
        }
    };
    *response.status_mut() = info.status;
    security_headers(response.headers_mut());
    // Outer layers see that this answer is already an error page.
    response.extensions_mut().insert(info.clone());
    response
}

/// The headers every HTML answer carries, pages and the not-found fallback alike.
pub fn security_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    headers
        .entry(header::VARY)
        .or_insert(HeaderValue::from_static("Accept-Language, Cookie"));
}
