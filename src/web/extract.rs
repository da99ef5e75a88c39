//! Our request extractors: axum's, with rejections rendered as [`AppError`], and identifiers
//! validated before any handler runs.

#![expect(
    clippy::disallowed_types,
    reason = "this module wraps axum's extractors"
)]

use axum::extract::FromRequestParts;
use axum::extract::rejection::PathRejection;
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, AppError};

/// Path parameters; a malformed path answers 404.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(ApiError(AppError::NotFound))
            }
            Err(other) => Err(ApiError(AppError::BadRequest(other.body_text()))),
        }
    }
}

/// A URL-encoded form body; a body that does not fit the form answers 400, saying so in the
/// reader's language (the forms are ours: a field that does not parse is a tampered or stale
/// page, and serde's English detail would not help).
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(_) => Err(ApiError(AppError::Refused {
                key: "error.form",
                conflict: false,
            })),
        }
    }
}

/// Query-string parameters; ones that do not fit answer 400 with what is wrong.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(e) => Err(ApiError(AppError::BadRequest(e.body_text()))),
        }
    }
}

/// A token of an e-mailed link (64 hex digits) in a path: anything else answers 404 before any
/// query.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Token(pub String);

impl TryFrom<String> for Token {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if crate::community::tokens::is_token(&value) {
            Ok(Self(value))
        } else {
            Err("not a token")
        }
    }
}

/// A path identifier (id, slug or IPA code) that could exist: anything else is a 404 from the
/// extractor, before any query.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Key(String);

impl Key {
    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Key {
    type Error = &'static str;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let mut chars = s.chars();
        let ok = s.len() <= 200
            && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(s))
        } else {
            Err("not an identifier")
        }
    }
}
