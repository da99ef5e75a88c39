//! Bounds on the work one request may cause, whatever it repeats.
//!
//! - [`guard`] runs in front of every route: a query string over one of the caps below is
//!   refused with 400 before any handler runs (the documented JSON error `bad_request` under
//!   `/api`, the error page in the reader's language elsewhere), and a body over the server's
//!   limit or a request over its time is answered the same way (413 `too_large`, 408).
//! - [`page_budget`] gives every page a time budget shorter than the server's, and
//!   [`render_capped`] a size budget: a page never grows past [`MAX_PAGE_BYTES`].
//! - [`CpuJobs`] runs CPU-heavy work (validation, diffs) on the blocking pool, a bounded number
//!   at once, so that the async runtime keeps answering.
//!
//! The query caps are far above what the forms of the pages make (a search with every facet
//! ticked by hand stays under a tenth of them) and bound what a crafted address can ask for.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use tokio::sync::Semaphore;
use url::form_urlencoded;

use super::error::{ApiError, AppError, ErrorInfo};
use crate::i18n::Lang;

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

/// Whether `path` is under the JSON API (its errors are JSON).
fn is_api(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/") || path == "/healthz"
}

/// `error` as the answer `uri` calls for: JSON under the API, else the error page in `lang`
/// (for the path alone: the query that was refused is not repeated in the page's links).
fn answer(lang: Lang, uri: &Uri, error: AppError) -> Response {
    if is_api(uri.path()) {
        return ApiError(error).into_response();
    }
    let info = ErrorInfo::of(&error);
    let retry = ApiError(error).into_response();
    let path_only = uri
        .path()
        .parse::<Uri>()
        .unwrap_or_else(|_| Uri::from_static("/"));
    let mut response = super::pages::error_page(lang, &path_only, &info);
    if let Some(value) = retry.headers().get(axum::http::header::RETRY_AFTER) {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, value.clone());
    }
    super::pages::security_headers(response.headers_mut());
    response
}

/// The first layer of every request: the query caps before anything runs, and the server's own
/// 413 and 408 answers (the body limit, the request timeout) in the shape of our errors.
pub async fn guard(State(body_limit): State<usize>, request: Request, next: Next) -> Response {
    let uri = request.uri().clone();
    let lang = Lang::of(&uri, request.headers());
    if let Some(raw) = uri.query()
        && let Err(error) = check_query(raw)
    {
        return answer(lang, &uri, error);
    }
    let response = next.run(request).await;
    if response.extensions().get::<ErrorInfo>().is_some() {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            answer(lang, &uri, AppError::TooLarge { limit: body_limit })
        }
        StatusCode::REQUEST_TIMEOUT => {
            let mut page = answer(lang, &uri, AppError::TooSlow);
            *page.status_mut() = StatusCode::REQUEST_TIMEOUT;
            page
        }
        _ => response,
    }
}

/// The time budget of a page: past it the page answers 503 (the work is dropped).
pub async fn page_budget(State(budget): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(budget, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::TooSlow.into_response(),
    }
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
pub fn render_capped<T: askama::Template>(page: &T, cap: usize) -> Result<String, AppError> {
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
