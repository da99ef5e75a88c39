//! The HTML pages: one module per page (or group of pages) with its handlers and the askama
//! structs they fill side by side, and the few helpers pages share. What pages share with the
//! API (extractors, the query-parameter spec, the page frame, rendering, the error page) lives
//! beside them in `web`; the routes are in `web::routes`.
//!
//! Every page works without JavaScript: forms are plain GET or POST forms, and `riuso.js` only
//! saves a click here and there. Pages hold no logic of their own: they call `catalog` (or the
//! validator) and map the result into the view structs their templates read.

pub mod account;
pub mod admin;
pub mod case_wizard;
pub mod cases;
pub mod communities;
pub mod community_search;
pub mod compare;
pub mod compliance;
pub mod declarations;
pub mod feeds;
pub mod home;
pub mod memberships;
pub mod notices;
pub mod publishers;
pub mod release;
pub mod releases;
pub mod review;
pub mod search;
pub mod software;
pub mod source;
pub mod threads;
pub mod validator;

use super::error::AppError;
use crate::app::AppState;
use crate::catalog::search::{Query, Results};

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
        .map_err(super::params::search_error)
}

/// How a publisher reads on a page: its official name in the IPA registry when it has a code
/// the registry knows, else the name the catalog holds (see [`organisation_name`]).
#[must_use]
pub fn publisher_name(state: &AppState, name: &str, ipa_code: Option<&str>) -> String {
    ipa_code.and_then(|code| state.ipa.get(code)).map_or_else(
        || organisation_name(state, name),
        |entry| entry.name.clone(),
    )
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
