//! The language of a request: `?lang=` (which the page then remembers in a cookie), else the
//! cookie, else `Accept-Language`, else Italian.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};

use crate::i18n::{COOKIE_NAME, Lang};

impl Lang {
    /// The language of a request: `?lang=`, the cookie, `Accept-Language`, Italian.
    #[must_use]
    pub fn of(uri: &Uri, headers: &HeaderMap) -> Self {
        Self::from_query(uri.query())
            .or_else(|| {
                headers
                    .get_all(COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(';'))
                    .find_map(|c| {
                        let (name, value) = c.trim().split_once('=')?;
                        (name == COOKIE_NAME)
                            .then(|| Self::from_tag(value))
                            .flatten()
                    })
            })
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Self::negotiate)
            })
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(&parts.uri, &parts.headers))
    }
}
