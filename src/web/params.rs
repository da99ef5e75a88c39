//! Query strings, for the API and the pages alike: each route names the parameters it takes in
//! a [`QuerySpec`], and its handler takes [`Params`] of that spec, an extractor that parses the
//! query string once (within the caps of [`crate::web::limits`]). Filters repeat their key
//! (`category=a&category=b`); the API pages with `page[size]` and `page[after]` as the
//! Developers Italia API does, and `links.next` is built from the request's own parameters.
//!
//! The API refuses unknown parameters with 400, so a misspelt filter never silently matches all.
//! Pages ignore them ([`QuerySpec::IGNORES_UNKNOWN`]): links shared on the web come back with
//! `utm_source`, `fbclid`, `gclid` and the like, and a reader should land on the page anyway.
//!
//! Every refusal is an [`AppError::Invalid`] with a message key, so a page says it in the
//! reader's language and the API in English.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use url::form_urlencoded;

use crate::catalog::search::{Facet, Query, SearchError, Sort};
use crate::compliance::queue::Filter;
use crate::compliance::review::State;
use crate::compliance::rules::RuleId;
use crate::web::error::{ApiError, AppError};

/// Longest free-text query accepted.
pub const MAX_TEXT: usize = 200;

/// The answer for a search that could not run.
#[must_use]
pub fn search_error(e: SearchError) -> AppError {
    match e {
        SearchError::BadCursor => AppError::InvalidCursor,
        SearchError::Db(db) => AppError::from(db),
        SearchError::UnknownFacet { name } => AppError::invalid(
            "invalid.unknown_filter",
            &[
                ("name", &name),
                ("known", &Facet::ALL.map(Facet::as_str).join(", ")),
            ],
        ),
        SearchError::UnknownSort(sort) => AppError::invalid("invalid.sort", &[("value", &sort)]),
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

/// The parameters a route takes.
pub trait QuerySpec {
    /// Whether parameters the route does not name are dropped rather than refused: true for
    /// pages (links come back with tracking parameters), false for the API (a misspelt filter
    /// must not silently match everything).
    const IGNORES_UNKNOWN: bool = false;

    /// Every parameter name the route takes.
    fn names() -> &'static [&'static str];
}

/// The pagination of the API's listings: `page[size]` and `page[after]`.
#[derive(Debug)]
pub struct Paging;

impl QuerySpec for Paging {
    fn names() -> &'static [&'static str] {
        &[SIZE, AFTER]
    }
}

/// The filters of the reviewers' queue, the API's and the page's.
pub const REVIEW_FILTERS: &[&str] = &["state", "rule", "publisher", "assignee", "age"];

/// Longest wait, in days, the queue's `age` filter takes.
pub const MAX_AGE_DAYS: u32 = 3650;

/// The parameters a search takes: `fixed` ones and one per facet filter.
#[must_use]
pub fn search_keys<'a>(fixed: &[&'a str]) -> Vec<&'a str> {
    fixed
        .iter()
        .copied()
        .chain(Facet::ALL.map(Facet::as_str))
        .collect()
}

/// The query string of a request, parsed once against the spec `S`.
#[derive(Debug)]
pub struct Params<S> {
    pairs: Vec<(String, String)>,
    spec: PhantomData<fn() -> S>,
}

impl<S: QuerySpec> Params<S> {
    /// Parses `raw`, refusing (or, when [`QuerySpec::IGNORES_UNKNOWN`], dropping) parameters
    /// `S` does not name, and refusing a query over the caps of [`crate::web::limits`]; a pair
    /// given twice counts once.
    ///
    /// # Errors
    ///
    /// [`AppError::OverCap`] over a cap, [`AppError::Invalid`] naming the first unknown
    /// parameter.
    pub fn parse(raw: Option<&str>) -> Result<Self, AppError> {
        if let Some(raw) = raw {
            crate::web::limits::check_query(raw)?;
        }
        let mut pairs = crate::web::limits::unique_pairs(raw);
        let allowed = S::names();
        if S::IGNORES_UNKNOWN {
            pairs.retain(|(k, _)| allowed.contains(&k.as_str()));
        } else if let Some((key, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(AppError::invalid(
                "invalid.unknown_parameter",
                &[("name", key), ("known", &allowed.join(", "))],
            ));
        }
        Ok(Self {
            pairs,
            spec: PhantomData,
        })
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
    /// [`AppError::Invalid`] when it is given more than once.
    pub fn one(&self, name: &str) -> Result<Option<&str>, AppError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(AppError::invalid("invalid.repeated", &[("name", &name)]));
        }
        Ok(first)
    }

    /// `page[size]`: [`DEFAULT_PAGE_SIZE`] unless given, between 1 and [`MAX_PAGE_SIZE`].
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] for anything else.
    pub fn page_size(&self) -> Result<u64, AppError> {
        match self.one(SIZE)? {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    AppError::invalid(
                        "invalid.page_size",
                        &[("name", &SIZE), ("max", &MAX_PAGE_SIZE), ("value", &v)],
                    )
                }),
        }
    }

    /// `page[after]` as given.
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] when it is given more than once.
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
    /// [`AppError::Invalid`] naming the first malformed parameter.
    pub fn search_query(&self, cursor_key: &str, limit: u64) -> Result<Query, AppError> {
        let text = self.one("q")?;
        if text.is_some_and(|t| t.chars().count() > MAX_TEXT) {
            return Err(AppError::invalid(
                "invalid.text_too_long",
                &[("max", &MAX_TEXT)],
            ));
        }
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let sort = match self.one("sort")? {
            None => Sort::default(),
            Some(s) => s.parse().map_err(search_error)?,
        };
        let mut filters: BTreeMap<Facet, Vec<String>> = BTreeMap::new();
        for facet in Facet::ALL {
            let values: Vec<String> = self.all(facet.as_str()).map(str::to_owned).collect();
            if facet == Facet::Active
                && let Some(bad) = values.iter().find(|v| *v != "true" && *v != "false")
            {
                return Err(AppError::invalid("invalid.active", &[("value", bad)]));
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

    /// The filters of the reviewers' queue as the API takes them: as [`Self::review_filter`], but
    /// a filter given empty or with spaces around its value is refused (a form's empty choice is
    /// the page's way of saying "any"; a program leaves the filter out).
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] naming the filter, or what [`Self::review_filter`] refuses.
    pub fn review_filter_exact(&self) -> Result<Filter, AppError> {
        for name in REVIEW_FILTERS {
            if let Some(value) = self.one(name)?
                && (value.is_empty() || value.trim() != value)
            {
                return Err(AppError::invalid(
                    "invalid.filter_exact",
                    &[("name", name), ("value", &value)],
                ));
            }
        }
        self.review_filter()
    }

    /// The filters of the reviewers' queue ([`REVIEW_FILTERS`]); an empty value (a form's
    /// "any") filters nothing.
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] naming the first malformed filter.
    pub fn review_filter(&self) -> Result<Filter, AppError> {
        let value = |name: &str| -> Result<Option<&str>, AppError> {
            Ok(self.one(name)?.map(str::trim).filter(|v| !v.is_empty()))
        };
        let state = value("state")?
            .map(|v| {
                State::parse(v).ok_or_else(|| {
                    let known: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                    AppError::invalid(
                        "invalid.review_state",
                        &[("known", &known.join(", ")), ("value", &v)],
                    )
                })
            })
            .transpose()?;
        let rule = value("rule")?
            .map(|v| {
                v.parse::<RuleId>().map_err(|_| {
                    let known: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
                    AppError::invalid(
                        "invalid.review_rule",
                        &[("known", &known.join(", ")), ("value", &v)],
                    )
                })
            })
            .transpose()?;
        let publisher = value("publisher")?
            .map(|v| {
                let code = v.trim_start_matches("urn:x-italian-pa:").to_lowercase();
                let ok = !code.is_empty()
                    && code.len() <= 64
                    && code
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if ok {
                    Ok(code)
                } else {
                    Err(AppError::invalid(
                        "invalid.review_publisher",
                        &[("value", &v)],
                    ))
                }
            })
            .transpose()?;
        let assignee = value("assignee")?
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AppError::invalid("invalid.review_assignee", &[("value", &v)]))
            })
            .transpose()?;
        let min_age_days = value("age")?
            .map(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n <= MAX_AGE_DAYS)
                    .ok_or_else(|| AppError::invalid("invalid.review_age", &[("value", &v)]))
            })
            .transpose()?;
        Ok(Filter {
            state,
            rule,
            publisher,
            assignee,
            min_age_days,
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

impl<S: QuerySpec, St: Send + Sync> FromRequestParts<St> for Params<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A route that takes a text, a filter, a sort and the API's paging.
    #[derive(Debug)]
    struct Spec;

    impl QuerySpec for Spec {
        fn names() -> &'static [&'static str] {
            &["q", "category", "sort", SIZE, AFTER]
        }
    }

    #[test]
    fn pages_and_links() {
        let p = Params::<Spec>::parse(Some(
            "q=scuola&category=a&category=b&page%5Bsize%5D=10&page[after]=5",
        ))
        .unwrap();
        assert_eq!(p.all("category").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(p.page_size().unwrap(), 10);
        assert_eq!(p.after_id().unwrap(), Some(5));
        assert_eq!(
            p.next_link("/api/v1/software", "9"),
            "/api/v1/software?q=scuola&category=a&category=b&page%5Bsize%5D=10&page%5Bafter%5D=9"
        );
    }

    /// A page's parameters: the same names, others ignored.
    #[derive(Debug)]
    struct PageSpec;

    impl QuerySpec for PageSpec {
        const IGNORES_UNKNOWN: bool = true;

        fn names() -> &'static [&'static str] {
            Spec::names()
        }
    }

    #[test]
    fn pages_drop_what_they_do_not_know_and_the_api_refuses_it() {
        let raw = "q=scuola&utm_source=newsletter&fbclid=abc&gclid=x&category=a";
        let p = Params::<PageSpec>::parse(Some(raw)).unwrap();
        assert_eq!(
            p.pairs(),
            [("q", "scuola"), ("category", "a")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        let refused = Params::<Spec>::parse(Some(raw)).unwrap_err();
        assert!(
            matches!(
                refused,
                AppError::Invalid {
                    key: "invalid.unknown_parameter",
                    ..
                }
            ),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("\"utm_source\""), "{refused}");
    }

    #[test]
    fn refusals() {
        assert!(Params::<Spec>::parse(Some("nope=1")).is_err());
        assert!(Params::<Paging>::parse(Some("q=1")).is_err());
        let p = Params::<Spec>::parse(Some("page[size]=101&q=a&q=b")).unwrap();
        assert!(p.page_size().is_err());
        assert!(p.one("q").is_err());
        let p = Params::<Spec>::parse(Some("page[after]=x")).unwrap();
        assert!(matches!(p.after_id(), Err(AppError::InvalidCursor)));
        let p = Params::<Spec>::parse(Some("sort=")).unwrap();
        assert!(
            p.search_query(AFTER, 10).is_err(),
            "an empty sort is not one of the sorts"
        );
    }
}
