//! Who is asking, and the CSRF guard of every form.
//!
//! [`layer`] runs in front of every page: it finds the session of the `riuso_session` cookie
//! (`HttpOnly`, `SameSite=Lax`, `Secure` when the public address is https), and it refuses any `POST`
//! whose `csrf` field is not the token of the session (or, before sign-in, of the `riuso_csrf`
//! cookie: a double-submit token) or whose `Origin` is another site. Handlers read the result
//! with the [`Viewer`], [`SignedIn`] and [`Csrf`] extractors; a page that shows a form takes
//! [`Csrf`], which is also what makes an anonymous visitor's token cookie be set.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use url::form_urlencoded;

use super::error::{ApiError, AppError};
use crate::app::AppState;
use crate::community::authz::{self, Action, Actor, Denied};
use crate::community::sessions::{self, IDLE_DAYS, Session};
use crate::community::tokens::{new_token, same_secret};

/// The session cookie.
pub const SESSION_COOKIE: &str = "riuso_session";
/// The anonymous visitor's CSRF cookie.
pub const CSRF_COOKIE: &str = "riuso_csrf";
/// Largest form body the guard reads (the validator's uploads are exempt, see [`exempt`]).
pub(super) const MAX_FORM_BYTES: usize = 64 * 1024;
/// Largest multipart form body the guard reads: a form with one evidence document of a reuse
/// case at its largest (`cases::store::MAX_DOCUMENT_BYTES`), one mebibyte more for the other
/// fields and the parts' headers, so that a document just over its limit is still read and
/// refused next to its field.
pub(super) const MAX_UPLOAD_FORM_BYTES: usize =
    crate::cases::store::MAX_DOCUMENT_BYTES + 1024 * 1024;

/// The session of the request, if someone is signed in.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<Arc<Session>>);

/// A request extension: how many notifications of the person signed in are unread, for the
/// header of the page (set for signed-in page requests only).
#[derive(Debug, Clone, Copy)]
pub struct Unread(pub u64);

/// A response extension: this answer embeds a secret, the CSRF token of a form, so it is never
/// compressed (`web::middleware::compression`).
#[derive(Debug, Clone, Copy)]
pub struct CarriesSecret;

/// The CSRF token a form of this page must carry.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

#[derive(Debug, Clone)]
struct CsrfSlot {
    token: String,
    used: Arc<AtomicBool>,
}

/// The value of cookie `name`.
#[must_use]
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// A `Set-Cookie` value for this server: `HttpOnly`, `SameSite`, `Secure` behind https.
#[must_use]
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    same_site: &str,
) -> Option<HeaderValue> {
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}{age}{secure}"
    ))
    .ok()
}

/// The cookie that carries a new session.
#[must_use]
pub fn session_cookie(state: &AppState, token: &str) -> Option<HeaderValue> {
    set_cookie(
        state,
        SESSION_COOKIE,
        token,
        Some(IDLE_DAYS * 24 * 3600),
        "Lax",
    )
}

/// The cookie that ends one.
#[must_use]
pub fn clear_session_cookie(state: &AppState) -> Option<HeaderValue> {
    set_cookie(state, SESSION_COOKIE, "", Some(0), "Lax")
}

/// Requests the guard lets through without a token: the validator page's upload, which changes
/// nothing and reads nothing private (it is the same check as the public `POST /api/v1/validate`),
/// and the one-click unsubscribe of mail clients (RFC 8058), whose secret is the token in its
/// address: another site cannot make it.
fn exempt(request: &Request) -> bool {
    if request.uri().path().starts_with("/unsubscribe/") {
        return true;
    }
    request.uri().path() == "/validator"
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Whether `request` sends a multipart form.
fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// The `csrf` field of the multipart form `bytes` sent with `headers`, when it lies within the
/// first [`MAX_FORM_BYTES`] (the token is the first field of every form here: the parts after
/// it, a document among them, are not read).
async fn multipart_csrf(headers: &HeaderMap, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest as _;
    let head = bytes.slice(..bytes.len().min(MAX_FORM_BYTES));
    let mut request = Request::new(Body::from(head));
    if let Some(v) = headers.get(header::CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, v.clone());
    }
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// Whether an `Origin` header names this very server (or is absent): the scheme of the public
/// address, and as host the address the request was sent to (`Host`, or the request line's
/// authority in HTTP/2) or the public address's (which a reverse proxy may have replaced in
/// `Host`). A page served over plain http to a site that is public over https is another
/// origin: a network attacker can write it.
fn same_origin(request: &Request, public_url: &str) -> bool {
    let headers = request.headers();
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    // `Origin: null` (a sandboxed or privacy-stripped context) cannot be trusted.
    let Ok(origin) = url::Url::parse(origin).map(|u| u.origin()) else {
        return false;
    };
    let Ok(public) = url::Url::parse(public_url) else {
        return false;
    };
    if !origin.is_tuple() {
        return false;
    }
    if origin == public.origin() {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    host.and_then(|h| url::Url::parse(&format!("{}://{h}", public.scheme())).ok())
        .is_some_and(|u| u.origin() == origin)
}

/// The session lookup and the CSRF guard (see the module documentation).
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let session = match cookie(request.headers(), SESSION_COOKIE) {
        Some(token) => match sessions::find(&state.db, &token).await {
            Ok(found) => found.map(Arc::new),
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let anonymous = cookie(request.headers(), CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let (token, fresh) = match (&session, anonymous) {
        (Some(s), _) => (s.csrf.clone(), false),
        (None, Some(t)) => (t, false),
        (None, None) => match new_token() {
            Ok((t, _)) => (t, true),
            Err(e) => return AppError::from(e).into_response(),
        },
    };
    let mut request = request;
    if request.method() == Method::POST && !exempt(&request) {
        if !same_origin(&request, &state.config.public_url) {
            return AppError::Forbidden.into_response();
        }
        let multipart = is_multipart(&request);
        let limit = if multipart {
            MAX_UPLOAD_FORM_BYTES
        } else {
            MAX_FORM_BYTES
        };
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
            return AppError::TooLarge { limit }.into_response();
        };
        let sent = if multipart {
            multipart_csrf(&parts.headers, bytes.clone()).await
        } else {
            form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        };
        if fresh || !sent.is_some_and(|s| same_secret(&s, &token)) {
            return AppError::CsrfRejected.into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    let used = Arc::new(AtomicBool::new(false));
    let signed_in = session.is_some();
    let renewed = session.as_ref().is_some_and(|s| s.renewed);
    let session_token = renewed
        .then(|| cookie(request.headers(), SESSION_COOKIE))
        .flatten();
    // The unread count of the page header: one count on an index, for signed-in pages only.
    if let Some(session) = &session
        && request.method() == Method::GET
        && !request.uri().path().starts_with("/api/")
    {
        match crate::community::forum::notify::unread(&state.db, session.user.id).await {
            Ok(n) => {
                request.extensions_mut().insert(Unread(n));
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    request.extensions_mut().insert(Viewer(session));
    request.extensions_mut().insert(CsrfSlot {
        token: token.clone(),
        used: used.clone(),
    });
    let mut response = next.run(request).await;
    if used.load(Ordering::Relaxed) {
        response.extensions_mut().insert(CarriesSecret);
    }
    if fresh
        && used.load(Ordering::Relaxed)
        && let Some(value) = set_cookie(&state, CSRF_COOKIE, &token, None, "Strict")
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    // The server moved the session's end: so does the browser, unless the answer set the
    // cookie itself (a sign-out).
    if let Some(token) = session_token
        && !response.headers().contains_key(header::SET_COOKIE)
        && let Some(value) = session_cookie(&state, &token)
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    if signed_in {
        // A page for one person is never stored by a shared cache.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

impl Viewer {
    /// The permissions of the person signed in, if anyone is.
    ///
    /// # Errors
    ///
    /// On a database error.
    pub async fn actor(&self, state: &AppState) -> Result<Option<Actor>, AppError> {
        match &self.0 {
            Some(session) => Ok(Some(Actor::of(&state.db, &session.user).await?)),
            None => Ok(None),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Self>().cloned().unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let slot = parts.extensions.get::<CsrfSlot>().ok_or_else(|| {
            ApiError(AppError::Internal(anyhow::anyhow!(
                "a form page is outside the session layer"
            )))
        })?;
        slot.used.store(true, Ordering::Relaxed);
        Ok(Self(slot.token.clone()))
    }
}

/// A signed-in person and what they may do; anyone else is asked to sign in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session.
    pub session: Arc<Session>,
    /// Its permissions.
    pub actor: Actor,
}

impl SignedIn {
    /// Refuses unless this person may do `action`.
    ///
    /// # Errors
    ///
    /// [`AppError::Forbidden`] when they may not.
    pub fn may(&self, action: Action) -> Result<(), AppError> {
        authz::check(Some(&self.actor), action).map_err(AppError::from)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(session) = parts.extensions.get::<Viewer>().and_then(|v| v.0.clone()) else {
            return Err(ApiError(AppError::SignIn));
        };
        let actor = Actor::of(&state.db, &session.user)
            .await
            .map_err(AppError::from)?;
        Ok(Self { session, actor })
    }
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::SignIn => Self::SignIn,
            Denied::Forbidden => Self::Forbidden,
        }
    }
}
