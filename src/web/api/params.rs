//! Query strings of `/api/v1`: repeated keys for filters (`category=a&category=b`), the
//! `page[size]` and `page[after]` pagination of the Developers Italia API, and the `links.next`
//! URL built from the request's own parameters.
//!
//! Unknown parameters are refused with 400, so a misspelt filter never silently matches all.

use std::collections::BTreeMap;

use url::form_urlencoded;

use crate::catalog::search::{Facet, Query, SearchError, Sort};
use crate::web::error::AppError;

/// Longest free-text query accepted.
pub const MAX_TEXT: usize = 200;

/// The parameters a search takes: `fixed` ones and one per facet filter.
#[must_use]
pub fn search_keys<'a>(fixed: &[&'a str]) -> Vec<&'a str> {
    fixed
        .iter()
        .copied()
        .chain(Facet::ALL.map(Facet::as_str))
        .collect()
}

/// The answer for a search that could not run.
#[must_use]
pub fn search_error(e: SearchError) -> AppError {
    match e {
        SearchError::BadCursor => AppError::InvalidCursor,
        SearchError::Db(db) => AppError::from(db),
        other => AppError::BadRequest(other.to_string()),
    }
}

/// Page size when the client gives none, as in the Developers Italia API.
pub const DEFAULT_PAGE_SIZE: u64 = 25;

/// Largest page size.
pub const MAX_PAGE_SIZE: u64 = crate::catalog::search::MAX_LIMIT;

/// The cursor parameter.
pub const AFTER: &str = "page[after]";

/// The page size parameter.
pub const SIZE: &str = "page[size]";

/// A parsed query string.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses `raw`, refusing parameters not in `allowed` and a query over the caps of
    /// [`crate::web::limits`]; a pair given twice counts once.
    ///
    /// # Errors
    ///
    /// [`AppError::OverCap`] over a cap, [`AppError::BadRequest`] naming the first unknown
    /// parameter.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, AppError> {
        if let Some(raw) = raw {
            crate::web::limits::check_query(raw)?;
        }
        let pairs = crate::web::limits::unique_pairs(raw);
        if let Some((key, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(AppError::BadRequest(format!(
                "unknown parameter {key:?}; this endpoint takes {}",
                allowed.join(", ")
            )));
        }
        Ok(Self { pairs })
    }

    /// Every pair, in order, each once.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The one value of `name`, if given.
    ///
    /// # Errors
    ///
    /// [`AppError::BadRequest`] when it is given more than once.
    pub fn one(&self, name: &str) -> Result<Option<&str>, AppError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(AppError::BadRequest(format!(
                "{name} may be given only once"
            )));
        }
        Ok(first)
    }

    /// `page[size]`: [`DEFAULT_PAGE_SIZE`] unless given, between 1 and [`MAX_PAGE_SIZE`].
    ///
    /// # Errors
    ///
    /// [`AppError::BadRequest`] for anything else.
    pub fn page_size(&self) -> Result<u64, AppError> {
        match self.one(SIZE)? {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "{SIZE} must be a whole number from 1 to {MAX_PAGE_SIZE}, not {v:?}"
                    ))
                }),
        }
    }

    /// `page[after]` as given.
    ///
    /// # Errors
    ///
    /// [`AppError::BadRequest`] when it is given more than once.
    pub fn after(&self) -> Result<Option<&str>, AppError> {
        self.one(AFTER)
    }

    /// `page[after]` of a listing paged by id.
    ///
    /// # Errors
    ///
    /// [`AppError::InvalidCursor`] when it is not a cursor this server made.
    pub fn after_id(&self) -> Result<Option<i64>, AppError> {
        self.after()?
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(AppError::InvalidCursor)
            })
            .transpose()
    }

    /// The search these parameters ask for: `q`, `sort`, the facet filters (repeated for
    /// alternatives), and the cursor in `cursor_key`; the API and the search page share it.
    ///
    /// # Errors
    ///
    /// [`AppError::BadRequest`] naming the first malformed parameter.
    pub fn search_query(&self, cursor_key: &str, limit: u64) -> Result<Query, AppError> {
        let text = self.one("q")?;
        if text.is_some_and(|t| t.chars().count() > MAX_TEXT) {
            return Err(AppError::BadRequest(format!(
                "q is longer than {MAX_TEXT} characters"
            )));
        }
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let sort = match self.one("sort")? {
            None => Sort::default(),
            Some(s) => s
                .parse()
                .map_err(|e: SearchError| AppError::BadRequest(e.to_string()))?,
        };
        let mut filters: BTreeMap<Facet, Vec<String>> = BTreeMap::new();
        for facet in Facet::ALL {
            let values: Vec<String> = self.all(facet.as_str()).map(str::to_owned).collect();
            if facet == Facet::Active
                && let Some(bad) = values.iter().find(|v| *v != "true" && *v != "false")
            {
                return Err(AppError::BadRequest(format!(
                    "active must be true or false, not {bad:?}"
                )));
            }
            if !values.is_empty() {
                filters.insert(facet, values);
            }
        }
        Ok(Query {
            text: text.map(str::to_owned),
            filters,
            sort,
            limit,
            after: self.one(cursor_key)?.map(str::to_owned),
        })
    }

    /// The URL of the page after `cursor`: `path` with the same parameters and the new cursor.
    #[must_use]
    pub fn next_link(&self, path: &str, cursor: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs.iter().filter(|(k, _)| k != AFTER) {
            query.append_pair(k, v);
        }
        query.append_pair(AFTER, cursor);
        format!("{path}?{}", query.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_links() {
        let p = Params::parse(
            Some("q=scuola&category=a&category=b&page%5Bsize%5D=10&page[after]=5"),
            &["q", "category", SIZE, AFTER],
        )
        .unwrap();
        assert_eq!(p.all("category").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(p.page_size().unwrap(), 10);
        assert_eq!(p.after_id().unwrap(), Some(5));
        assert_eq!(
            p.next_link("/api/v1/software", "9"),
            "/api/v1/software?q=scuola&category=a&category=b&page%5Bsize%5D=10&page%5Bafter%5D=9"
        );
    }

    #[test]
    fn refusals() {
        assert!(Params::parse(Some("nope=1"), &["q"]).is_err());
        let p = Params::parse(Some("page[size]=101&q=a&q=b"), &["q", SIZE]).unwrap();
        assert!(p.page_size().is_err());
        assert!(p.one("q").is_err());
        let p = Params::parse(Some("page[after]=x"), &[AFTER]).unwrap();
        assert!(matches!(p.after_id(), Err(AppError::InvalidCursor)));
        let p = Params::parse(Some("sort="), &["sort"]).unwrap();
        assert!(
            p.search_query(AFTER, 10).is_err(),
            "an empty sort is not one of the sorts"
        );
    }
}
