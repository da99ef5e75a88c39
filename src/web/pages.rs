//! The HTML pages: their routes, the frame every page shares (language, security headers,
//! error pages), and one module per page with its handler and askama struct side by side.
//!
//! Every page works without JavaScript: forms are plain GET or POST forms, and `riuso.js` only
//! saves a click here and there. Pages hold no logic of their own: they call `catalog` (or the
//! validator) and map the result into the view structs their templates read.

mod account;
mod admin;
mod compare;
mod declarations;
mod feeds;
mod home;
mod memberships;
mod publishers;
mod search;
mod software;
mod validator;

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use std::sync::Arc;

use super::api::middleware::{RateLimiter, rate_limit};
use url::form_urlencoded;

use super::error::{AppError, ErrorInfo};
use crate::app::AppState;
use crate::catalog::search::{Query, Results};
use crate::i18n::{self, Lang};

/// The Content-Security-Policy of every page: our own scripts, styles and fonts only, never
/// inline; images may come from the https addresses publiccode.yml files name (logos,
/// screenshots).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; \
                   img-src 'self' https: data:; connect-src 'self'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// How long a browser keeps the language cookie.
const LANG_COOKIE_SECONDS: u32 = 365 * 24 * 3600;

/// The page routes, with the session layer (who is asking, the CSRF guard) and the frame layer
/// that renders their errors as pages. Every account form (all those that hash or check a
/// password among them) has its own rate limit per client address and per account.
pub fn routes(state: &AppState) -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(state.config.auth_rate_per_minute));
    let accounts = Arc::new(RateLimiter::new(state.config.auth_rate_per_minute));
    let limited = |handler: MethodRouter<AppState>| {
        handler
            .layer(axum::middleware::from_fn_with_state(
                accounts.clone(),
                account::per_account,
            ))
            .layer(axum::middleware::from_fn_with_state(
                limiter.clone(),
                rate_limit,
            ))
    };
    Router::new()
        .route(
            "/account/sign-up",
            limited(post(account::sign_up)).get(account::sign_up_form),
        )
        .route(
            "/account/sign-in",
            limited(post(account::sign_in)).get(account::sign_in_form),
        )
        .route(
            "/account/reset",
            limited(post(account::reset_request)).get(account::reset_request_form),
        )
        .route(
            "/account/reset/{token}",
            limited(post(account::reset)).get(account::reset_form),
        )
        .route("/account/verify/{token}", get(account::verify))
        .route("/account", get(account::show))
        .route(
            "/account/verification",
            limited(post(account::resend_verification)),
        )
        .route("/account/sign-out", post(account::sign_out))
        .route(
            "/account/sign-out-everywhere",
            post(account::sign_out_everywhere),
        )
        .route("/account/memberships", limited(post(account::claim)))
        .route("/account/delete", limited(post(account::delete)))
        .route(
            "/memberships/confirm/{token}",
            get(memberships::confirm_form).post(memberships::confirm),
        )
        .route("/publishers/{code}/members", get(memberships::members))
        .route(
            "/publishers/{code}/members/{id}/remove",
            post(memberships::remove),
        )
        .route(
            "/publishers/{code}/declarations",
            get(declarations::pending),
        )
        .route("/software/{slug}/declarations", post(declarations::declare))
        .route("/declarations/{id}", get(declarations::show))
        .route("/declarations/{id}/issue", post(declarations::record_issue))
        .route(
            "/declarations/{id}/acknowledge",
            post(declarations::acknowledge),
        )
        .route("/declarations/{id}/withdraw", post(declarations::withdraw))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/role", post(admin::set_role))
        .route("/", get(home::show))
        .route("/software", get(search::show))
        .route("/software/{slug}", get(software::show))
        .route("/software/{slug}/diff", get(software::diff))
        .route("/publishers", get(publishers::list))
        .route("/publishers/{code}", get(publishers::show))
        .route("/compare", get(compare::show))
        .route("/validator", get(validator::form).post(validator::check))
        .route("/feeds/new.atom", get(feeds::new))
        .route("/feeds/updated.atom", get(feeds::updated))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::session::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.page_timeout,
            super::limits::page_budget,
        ))
        .layer(axum::middleware::from_fn(frame))
}

/// What every page template knows: the language, and the addresses of this page in each
/// language.
#[derive(Debug, Clone)]
pub struct PageCtx {
    /// The language of the page.
    pub lang: Lang,
    /// Path and query of this page without `lang`, for the language switch.
    path: String,
}

impl PageCtx {
    /// The frame of a page at `uri` in `lang`.
    #[must_use]
    pub fn new(lang: Lang, uri: &Uri) -> Self {
        let query: Vec<(String, String)> = super::limits::unique_pairs(uri.query())
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
        Self { lang, path }
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

/// The facet counts and total of every active entry: an empty search, answered by the
/// in-memory index.
///
/// # Errors
///
/// As a search.
pub async fn whole_catalog(state: &AppState) -> Result<Results, AppError> {
    state
        .search
        .search(&Query {
            limit: 1,
            ..Query::default()
        })
        .await
        .map_err(super::api::params::search_error)
}

/// How an organisation reads on a page: its official name from the IPA registry when the
/// catalog only knows it by its code (a file that gives no organisation name).
#[must_use]
pub fn organisation_name(state: &AppState, name: &str) -> String {
    state
        .ipa
        .get(name)
        .map_or_else(|| name.to_owned(), |entry| entry.name.clone())
}

/// Renders `page` as an HTML response.
///
/// # Errors
///
/// [`AppError::PageTooLarge`] past [`super::limits::MAX_PAGE_BYTES`]; [`AppError::Internal`]
/// when the template fails (a bug).
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    let html = super::limits::render_capped(page, super::limits::MAX_PAGE_BYTES)?;
    Ok(Html(html).into_response())
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
        detail: info
            .key
            .map(|k| lang.t(k).to_owned())
            .or_else(|| info.detail.clone()),
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
    // Outer layers see that this answer is already an error page.
    response.extensions_mut().insert(info.clone());
    response
}

/// Every page passes through here: an error becomes an error page in the request's language, a
/// `?lang=` choice is remembered in a cookie, and the security headers of pages are set.
pub(super) async fn frame(request: Request, next: Next) -> Response {
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

/// The answer for any unknown route: JSON under `/api`, a page elsewhere.
pub async fn not_found(lang: Lang, uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return super::ApiError(AppError::NotFound).into_response();
    }
    let mut response = error_page(lang, &uri, &ErrorInfo::of(&AppError::NotFound));
    security_headers(response.headers_mut());
    response
}
