//! Bounds on the work one request may cause, whatever it repeats.
//!
//! - The caps of a query string ([`check_query`]), which the first layer of every route
//!   (the `guard` layer of `web::middleware`) enforces before any handler runs.
//! - [`MAX_PAGE_BYTES`], the size budget of a page (`web::page` renders no further);
//!   the time budget is the `page_budget` layer's.
//! - [`CpuJobs`] runs CPU-heavy work (validation, diffs) on the blocking pool, a bounded number
//!   at once, so that the async runtime keeps answering.
//!
//! The query caps are far above what the forms of the pages make (a search with every facet
//! ticked by hand stays under a tenth of them) and bound what a crafted address can ask for.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use url::form_urlencoded;

use super::error::{ApiError, AppError};

/// Largest query string, in bytes as sent (percent-encoded).
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// Most `name=value` pairs in one query string.
pub const MAX_PAIRS: usize = 100;

/// Most distinct parameter names in one query string (the search takes 15).
pub const MAX_NAMES: usize = 20;

/// Most values of one parameter (a filter repeated for alternatives; the API documents it as
/// the `maxItems` of each list parameter).
pub const MAX_VALUES: usize = 20;

/// Longest parameter name or value, in bytes once decoded (a cursor of a long name fits).
pub const MAX_VALUE_BYTES: usize = 2 * 1024;

/// Largest HTML page, in bytes.
pub const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// How long a CPU-heavy task waits for its turn before the request gets 503.
const CPU_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Checks `raw`, a query string as sent, against the caps.
///
/// # Errors
///
/// [`AppError::OverCap`] naming the cap that is exceeded.
pub fn check_query(raw: &str) -> Result<(), AppError> {
    let over = |key: &'static str, message: String| AppError::OverCap { key, message };
    if raw.len() > MAX_QUERY_BYTES {
        return Err(over(
            "error.query_too_long",
            format!(
                "the query string is {} bytes long; at most {MAX_QUERY_BYTES} are allowed",
                raw.len()
            ),
        ));
    }
    let mut values: HashMap<String, usize> = HashMap::new();
    for (i, (name, value)) in form_urlencoded::parse(raw.as_bytes()).enumerate() {
        if i >= MAX_PAIRS {
            return Err(over(
                "error.too_many_params",
                format!(
                    "the query string has more than {MAX_PAIRS} parameters; at most {MAX_PAIRS} are allowed"
                ),
            ));
        }
        if name.len() > MAX_VALUE_BYTES || value.len() > MAX_VALUE_BYTES {
            return Err(over(
                "error.value_too_long",
                format!(
                    "a value of {:?} is longer than {MAX_VALUE_BYTES} bytes; at most {MAX_VALUE_BYTES} are allowed",
                    truncate(&name, 40)
                ),
            ));
        }
        if !values.contains_key(name.as_ref()) && values.len() >= MAX_NAMES {
            return Err(over(
                "error.too_many_params",
                format!(
                    "the query string has more than {MAX_NAMES} different parameters; at most {MAX_NAMES} are allowed"
                ),
            ));
        }
        let count = values.entry(name.clone().into_owned()).or_default();
        *count += 1;
        if *count > MAX_VALUES {
            return Err(over(
                "error.too_many_values",
                format!(
                    "{:?} is given more than {MAX_VALUES} times; at most {MAX_VALUES} values are allowed",
                    truncate(&name, 40)
                ),
            ));
        }
    }
    Ok(())
}

/// The first `n` characters of `s`.
fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The decoded pairs of `raw` in order, each `(name, value)` once (a repeated value is the same
/// filter given twice).
#[must_use]
pub fn unique_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|pair| seen.insert(pair.clone()))
        .collect()
}

/// The pool of CPU-heavy tasks: at most `permits` run at once on the blocking threads; the
/// others wait their turn a few seconds, then get 503.
#[derive(Debug, Clone)]
pub struct CpuJobs {
    permits: Arc<Semaphore>,
}

impl CpuJobs {
    /// A pool running `n` tasks at once.
    #[must_use]
    pub fn new(n: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(n.max(1))),
        }
    }

    /// Runs `work` on the blocking pool when a slot is free.
    ///
    /// # Errors
    ///
    /// [`AppError::Busy`] when no slot frees up in time; [`AppError::Internal`] when `work`
    /// panics.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(CPU_QUEUE_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy { retry_after: 1 })?
            .map_err(|_| AppError::Busy { retry_after: 1 })?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("a CPU task failed")))
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CpuJobs {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Self>().cloned().ok_or_else(|| {
            ApiError(AppError::Internal(anyhow::anyhow!(
                "a route is outside the layer that gives the CPU pool"
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn caps() {
        assert!(check_query("q=scuola&category=a&category=b&lang=en").is_ok());
        let twenty: String = (0..20).map(|i| format!("category=c{i}&")).collect();
        assert!(check_query(&twenty).is_ok());
        assert!(check_query(&format!("{twenty}category=x")).is_err());
        assert!(check_query(&format!("{twenty}category=c1")).is_err());
        let names: String = (0..=MAX_NAMES).map(|i| format!("p{i}=1&")).collect();
        assert!(matches!(
            check_query(&names),
            Err(AppError::OverCap {
                key: "error.too_many_params",
                ..
            })
        ));
        assert!(check_query(&"a=1&".repeat(MAX_PAIRS + 1)).is_err());
        assert!(check_query(&format!("q={}", "x".repeat(MAX_VALUE_BYTES + 1))).is_err());
        assert!(check_query(&"x".repeat(MAX_QUERY_BYTES + 1)).is_err());
    }

    #[test]
    fn locales_say_the_caps() {
        for lang in Lang::ALL {
            assert!(
                lang.t("error.too_many_values")
                    .contains(&MAX_VALUES.to_string())
            );
            assert!(lang.t("error.query_too_long").contains("8 KiB"));
            assert!(
                lang.t("error.too_many_params")
                    .contains(&MAX_PAIRS.to_string())
            );
            assert!(
                lang.t("error.too_many_params")
                    .contains(&MAX_NAMES.to_string())
            );
            assert!(lang.t("error.value_too_long").contains("2 KiB"));
        }
    }

    #[test]
    fn pairs_are_unique_and_in_order() {
        assert_eq!(
            unique_pairs(Some("a=1&b=2&a=1&a=3")),
            [("a", "1"), ("b", "2"), ("a", "3")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }
}
