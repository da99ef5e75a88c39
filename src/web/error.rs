//! The one error type of the HTTP boundary, with the status of each case assigned here.
//!
//! Server errors are logged once, here, with their cause chain; clients get a generic message.
//! Client errors are not logged as errors.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or resource.
    #[error("not found")]
    NotFound,
    /// The request is malformed in a way only a program makes (a rejection of the HTTP layer);
    /// the message says how, in English, and a page says it in the reader's language without
    /// the detail.
    #[error("{0}")]
    BadRequest(String),
    /// A parameter or a value is not one the route takes: the message `key` with its `args`,
    /// in English for the API and in the reader's language on a page.
    #[error("{}", crate::i18n::Lang::En.tf(.key, &args_of(.args)))]
    Invalid {
        /// The message key (`locales/*.toml`, section `invalid`).
        key: &'static str,
        /// The values of the message's `{name}` placeholders.
        args: Vec<(&'static str, String)>,
    },
    /// A page cursor this server did not make (or no longer understands): the page it names
    /// does not exist.
    #[error("invalid page cursor: start again from the first page, without page[after]")]
    InvalidCursor,
    /// The client sent too many requests; it may try again after `retry_after` seconds.
    #[error("too many requests: try again in {retry_after} s")]
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after: u64,
    },
    /// The request body is larger than allowed.
    #[error("the request body is too large (the limit is {limit} bytes)")]
    TooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The query string is over one of the caps of `web::limits`; the message says which, and
    /// the key names the message of the page.
    #[error("{message}")]
    OverCap {
        /// The message key (`locales/*.toml`).
        key: &'static str,
        /// What is over which cap, in English, for the API.
        message: String,
    },
    /// The page did not finish within its time budget.
    #[error("the page took too long to prepare: try again, or ask for less")]
    TooSlow,
    /// The page would be larger than the budget of a page.
    #[error("the page would be too large: ask for less")]
    PageTooLarge,
    /// Nobody is signed in, and the page is for someone who is.
    #[error("sign in to continue")]
    SignIn,
    /// The person signed in may not do this.
    #[error("you may not do this")]
    Forbidden,
    /// A form came without the token of the page that showed it (or from another site).
    #[error("the form has expired or came from another site: reload the page and send it again")]
    CsrfRejected,
    /// The request was understood but cannot be done; the key names the message saying why.
    #[error("{}", crate::i18n::Lang::En.t(.key))]
    Refused {
        /// The message key (`locales/*.toml`).
        key: &'static str,
        /// Whether it contradicts the current state (409) rather than being malformed (400).
        conflict: bool,
    },
    /// The server is doing as much of this kind of work as it may at once (password hashing,
    /// validations, diffs); the client may try again after `retry_after` seconds.
    #[error("the server is busy: try again in {retry_after} s")]
    Busy {
        /// Seconds after which trying again makes sense.
        retry_after: u64,
    },
    /// The database is unreachable or saturated.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[source] sea_orm::DbErr),
    /// Anything else: a bug or an outage.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// `args` as [`crate::i18n::Lang::tf`] takes them.
fn args_of<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a dyn std::fmt::Display)> {
    args.iter()
        .map(|(name, value)| (*name, value as &dyn std::fmt::Display))
        .collect()
}

impl AppError {
    /// [`AppError::Invalid`] with the message `key` and its `args`.
    #[must_use]
    pub fn invalid(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Self {
        Self::Invalid {
            key,
            args: args
                .iter()
                .map(|(name, value)| (*name, value.to_string()))
                .collect(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::InvalidCursor => StatusCode::NOT_FOUND,
            Self::BadRequest(_)
            | Self::Invalid { .. }
            | Self::OverCap { .. }
            | Self::PageTooLarge
            | Self::Refused {
                conflict: false, ..
            } => StatusCode::BAD_REQUEST,
            Self::Refused { conflict: true, .. } => StatusCode::CONFLICT,
            Self::SignIn => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) | Self::Busy { .. } | Self::TooSlow => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code.
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_)
            | Self::Invalid { .. }
            | Self::OverCap { .. }
            | Self::PageTooLarge => "bad_request",
            Self::SignIn => "sign_in",
            Self::Forbidden => "forbidden",
            Self::CsrfRejected => "csrf",
            Self::Refused {
                conflict: false, ..
            } => "refused",
            Self::Refused { conflict: true, .. } => "conflict",
            Self::InvalidCursor => "invalid_cursor",
            Self::RateLimited { .. } => "rate_limited",
            Self::TooLarge { .. } => "too_large",
            Self::Unavailable(_) | Self::Busy { .. } | Self::TooSlow => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

/// What a page needs to know of an error that became a response: the JSON body is for `/api`,
/// and the page frame (`web::pages`) replaces it with an error page in the reader's language.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// The status of the answer.
    pub status: StatusCode,
    /// The message key of what the client did wrong, for a page in the reader's language;
    /// nothing for server errors and for a page that was not found.
    pub key: Option<&'static str>,
    /// The values of the message's `{name}` placeholders.
    pub args: Vec<(&'static str, String)>,
}

impl ErrorInfo {
    /// The page-facing facts of `error`.
    #[must_use]
    pub fn of(error: &AppError) -> Self {
        let status = error.status();
        Self {
            status,
            args: match error {
                AppError::Invalid { args, .. } => args.clone(),
                _ => Vec::new(),
            },
            key: match error {
                AppError::Invalid { key, .. } => Some(key),
                AppError::BadRequest(_) => Some("error.malformed"),
                AppError::InvalidCursor => Some("error.invalid_cursor"),
                AppError::RateLimited { .. } => Some("error.rate_limited"),
                AppError::Refused { key, .. } => Some(key),
                AppError::SignIn => Some("error.sign_in"),
                AppError::Forbidden => Some("error.forbidden"),
                AppError::CsrfRejected => Some("error.csrf"),
                AppError::OverCap { key, .. } => Some(key),
                AppError::TooLarge { .. } => Some("error.too_large_detail"),
                AppError::Busy { .. } => Some("error.busy"),
                AppError::TooSlow => Some("error.too_slow"),
                AppError::PageTooLarge => Some("error.page_too_large"),
                _ => None,
            },
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Unavailable(e)
    }
}

impl From<crate::community::CommunityError> for AppError {
    fn from(e: crate::community::CommunityError) -> Self {
        use crate::community::CommunityError as E;
        match e {
            E::Db(db) | E::Mail(crate::mail::MailError::Db(db)) => Self::Unavailable(db),
            E::NotFound => Self::NotFound,
            E::Denied(denied) => denied.into(),
            E::TooFast(retry_after) => Self::RateLimited { retry_after },
            E::Busy => Self::Busy { retry_after: 1 },
            E::Conflict(key) => Self::Refused {
                key,
                conflict: true,
            },
            other => match other.message_key() {
                Some(key) => Self::Refused {
                    key,
                    conflict: false,
                },
                None => Self::Internal(anyhow::Error::new(other)),
            },
        }
    }
}

/// [`AppError`] rendered as JSON, for `/api` routes.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let status = error.status();
        if status.is_server_error() && !matches!(error, AppError::Busy { .. } | AppError::TooSlow) {
            let chain: Vec<String> =
                std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
                    .map(ToString::to_string)
                    .collect();
            tracing::error!(error.chain = %chain.join(": "), "request failed");
        }
        if matches!(error, AppError::Busy { .. } | AppError::TooSlow) {
            // Expected under load, and bounded: worth a look when frequent, not an alarm.
            tracing::warn!(error = %error, "request refused under load");
        }
        let info = ErrorInfo::of(&error);
        let body = json!({ "error": { "code": error.code(), "message": error.to_string() } });
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(info);
        match error {
            AppError::RateLimited { retry_after } | AppError::Busy { retry_after } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            AppError::TooSlow => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        ApiError(self).into_response()
    }
}
