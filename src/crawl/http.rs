//! The crawler's HTTP client, polite and cheap: conditional requests, per-host concurrency
//! limits, timeouts on every call, retries with exponential backoff and jitter, rate limits
//! honoured (`X-RateLimit-*`, `RateLimit-*` and `Retry-After` on 403 and 429), a size cap on
//! every body, and a user agent naming the product.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::Semaphore;
use url::Url;

/// The validators of a previous answer, sent back to ask "has it changed?".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Asks "has it changed?": `If-None-Match` and `If-Modified-Since` on `headers`.
    pub(super) fn ask(&self, headers: &mut HeaderMap) {
        for (name, value) in [
            (header::IF_NONE_MATCH, &self.etag),
            (header::IF_MODIFIED_SINCE, &self.last_modified),
        ] {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
    }

    /// The validators [`Validators::ask`] wrote on `headers`, taken off them; `None` when
    /// there are none.
    pub(super) fn take(headers: &mut HeaderMap) -> Option<Self> {
        let mut take = |name| {
            headers
                .remove(name)
                .and_then(|v: HeaderValue| v.to_str().ok().map(str::to_owned))
        };
        let validators = Self {
            etag: take(header::IF_NONE_MATCH),
            last_modified: take(header::IF_MODIFIED_SINCE),
        };
        (validators != Self::default()).then_some(validators)
    }

    pub(super) fn of(headers: &HeaderMap) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
        }
    }
}

/// What a GET answered.
#[derive(Debug)]
pub enum Answer {
    /// A body, with the headers and the validators to send next time.
    Body {
        /// The bytes.
        bytes: Vec<u8>,
        /// The response headers (pagination links live there).
        headers: HeaderMap,
        /// `ETag` and `Last-Modified`.
        validators: Validators,
    },
    /// 304: what was fetched last time is still current.
    NotModified,
    /// 404 or 410.
    NotFound,
}

/// Why a GET failed after its retries.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The rate limit is exhausted for longer than the crawler waits.
    #[error("{url}: rate limit exhausted, retry in {} s", wait.as_secs())]
    RateLimited {
        /// The URL.
        url: String,
        /// How long the server asked to wait.
        wait: Duration,
    },
    /// The connection failed, timed out, or the body was cut short.
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The SSRF guard refused the address.
    #[error(transparent)]
    Refused(#[from] super::ssrf::Refused),
    /// The body is larger than the cap.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: usize,
    },
}

impl FetchError {
    /// Whether another attempt may succeed.
    fn transient(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status >= 500,
            Self::Transport { .. } => true,
            Self::RateLimited { .. } | Self::TooLarge { .. } | Self::Refused(_) => false,
        }
    }
}

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Timeout of each request, body included.
    pub timeout: Duration,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// Attempts of a request that fails transiently (5xx, transport errors).
    pub attempts: u32,
    /// Delay before the second attempt, doubled after each.
    pub first_retry: Duration,
    /// The longest rate-limit wait the client sits out; longer ones fail the request.
    pub max_wait: Duration,
    /// Largest body accepted.
    pub max_body: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            per_host: 8,
            attempts: 3,
            first_retry: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            max_body: 16 * 1024 * 1024,
        }
    }
}

/// The user agent of every request.
pub const USER_AGENT: &str = concat!(
    "riuso/",
    env!("CARGO_PKG_VERSION"),
    " (software reuse catalog crawler)"
);

/// A client made on first use over a [`Polite`] client and shared by its clones: what it holds
/// is the business of the module that makes it (GitHub's `octocrab` client, in
/// `forge::github`), so this module names no forge.
#[derive(Clone, Default)]
pub(super) struct ClientSlot(pub(super) Arc<Mutex<Option<Arc<dyn std::any::Any + Send + Sync>>>>);

impl std::fmt::Debug for ClientSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSlot")
    }
}

/// The crawler's HTTP client. Cheap to clone; its clones share the per-host limits. Use it on
/// one Tokio runtime: its GitHub client (`octocrab`) runs a task on the runtime that first asks
/// GitHub, and answers nothing once that runtime has shut down.
#[derive(Debug, Clone)]
pub struct Polite {
    client: reqwest::Client,
    options: Options,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    guard: Option<Arc<super::ssrf::Guard>>,
    /// The `octocrab` client over this one, for GitHub, made by `forge::github` on first use.
    pub(super) github: ClientSlot,
}

impl Polite {
    /// A client with `options`.
    ///
    /// # Errors
    ///
    /// Fails when the TLS stack cannot be set up.
    pub fn new(options: Options) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .build()?;
        Ok(Self::with_client(client, options))
    }

    /// A client that fetches nothing the SSRF guard refuses: every URL is checked before it is
    /// asked, every name resolved through the guard, every redirect re-checked.
    ///
    /// # Errors
    ///
    /// Fails when the TLS stack cannot be set up.
    pub fn guarded(options: Options, guard: super::ssrf::Guard) -> Result<Self, reqwest::Error> {
        let guard = Arc::new(guard);
        let client = super::ssrf::client_builder(Arc::clone(&guard))
            .user_agent(USER_AGENT)
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .build()?;
        Ok(Self {
            guard: Some(guard),
            ..Self::with_client(client, options)
        })
    }

    /// A client over an existing `reqwest` client.
    #[must_use]
    pub fn with_client(client: reqwest::Client, options: Options) -> Self {
        Self {
            client,
            options,
            hosts: Arc::default(),
            guard: None,
            github: ClientSlot::default(),
        }
    }

    /// A clone that shares everything but the `octocrab` client: the one that client sends
    /// through (sharing it would make a cycle).
    pub(super) fn without_github(&self) -> Self {
        Self {
            github: ClientSlot::default(),
            ..self.clone()
        }
    }

    /// The SSRF guard, when the client has one: for fetches made by other means (git).
    #[must_use]
    pub fn guard(&self) -> Option<&Arc<super::ssrf::Guard>> {
        self.guard.as_ref()
    }

    /// Checks `url` with the SSRF guard, for fetches made by other means (git); always passes
    /// when the client has no guard.
    ///
    /// # Errors
    ///
    /// The guard's refusal.
    pub async fn check(&self, url: &Url) -> Result<(), super::ssrf::Refused> {
        match &self.guard {
            Some(guard) => guard.check(url).await,
            None => Ok(()),
        }
    }

    fn host_limit(&self, url: &Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.options.per_host.max(1)))),
        )
    }

    /// GETs `url` with `headers` (`Accept`, authentication), conditionally on `validators`,
    /// retrying transient failures and sitting out short rate-limit waits.
    ///
    /// # Errors
    ///
    /// Fails when the last attempt fails, or at once on a long rate-limit wait.
    pub async fn get(
        &self,
        url: &Url,
        headers: &HeaderMap,
        validators: Option<&Validators>,
    ) -> Result<Answer, FetchError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.once(url, headers, validators).await {
                Ok(answer) => return Ok(answer),
                Err(Wait::For(wait)) if wait <= self.options.max_wait => {
                    tracing::info!(%url, wait = ?wait, "rate limited, waiting");
                    tokio::time::sleep(wait).await;
                }
                Err(Wait::For(wait)) => {
                    return Err(FetchError::RateLimited {
                        url: url.to_string(),
                        wait,
                    });
                }
                Err(Wait::Failed(e)) if e.transient() && attempt < self.options.attempts => {
                    let delay = backoff(self.options.first_retry, attempt, url.as_str());
                    tracing::debug!(%url, error = %e, delay = ?delay, "retrying");
                    tokio::time::sleep(delay).await;
                }
                Err(Wait::Failed(e)) => return Err(e),
            }
        }
    }

    async fn once(
        &self,
        url: &Url,
        headers: &HeaderMap,
        validators: Option<&Validators>,
    ) -> Result<Answer, Wait> {
        if let Some(guard) = &self.guard {
            guard.check(url).await.map_err(|e| Wait::Failed(e.into()))?;
        }
        let limit = self.host_limit(url);
        let _permit = limit.acquire().await.map_err(|_| {
            Wait::Failed(FetchError::Transport {
                url: url.to_string(),
                message: "the client is shutting down".to_owned(),
            })
        })?;
        let mut headers = headers.clone();
        if let Some(v) = validators {
            v.ask(&mut headers);
        }
        let request = self.client.get(url.clone()).headers(headers);
        let transport = |e: reqwest::Error| {
            Wait::Failed(FetchError::Transport {
                url: url.to_string(),
                message: describe(&e),
            })
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        if let Some(wait) = rate_limit_wait(status, response.headers()) {
            return Err(Wait::For(wait));
        }
        match status {
            StatusCode::NOT_MODIFIED => return Ok(Answer::NotModified),
            StatusCode::NOT_FOUND | StatusCode::GONE => return Ok(Answer::NotFound),
            s if !s.is_success() => {
                return Err(Wait::Failed(FetchError::Status {
                    url: url.to_string(),
                    status: s.as_u16(),
                }));
            }
            _ => {}
        }
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > self.options.max_body {
                return Err(Wait::Failed(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: self.options.max_body,
                }));
            }
            bytes.extend_from_slice(&chunk);
        }
        let validators = Validators::of(&headers);
        Ok(Answer::Body {
            bytes,
            headers,
            validators,
        })
    }
}

enum Wait {
    For(Duration),
    Failed(FetchError),
}

/// The error and its causes, on one line.
fn describe(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// How long a rate-limited answer asks to wait, if it is one: 429, or 403 with the remaining
/// budget at zero; from `Retry-After` (seconds or an HTTP date), else the reset time of
/// `X-RateLimit-Reset` (GitHub, Gitea) or `RateLimit-Reset` (GitLab), both Unix seconds.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let exhausted = ["x-ratelimit-remaining", "ratelimit-remaining"]
        .iter()
        .any(|h| text(h).is_some_and(|v| v.trim() == "0"));
    let limited = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && (exhausted || text("retry-after").is_some()));
    if !limited {
        return None;
    }
    if let Some(after) = text("retry-after") {
        if let Ok(seconds) = after.trim().parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(date) = chrono::DateTime::parse_from_rfc2822(after.trim()) {
            let wait = date.timestamp() - chrono::Utc::now().timestamp();
            return Some(Duration::from_secs(u64::try_from(wait.max(0)).unwrap_or(0)));
        }
    }
    for name in ["x-ratelimit-reset", "ratelimit-reset"] {
        if let Some(reset) = text(name).and_then(|v| v.trim().parse::<i64>().ok()) {
            let wait = reset - chrono::Utc::now().timestamp();
            return Some(Duration::from_secs(
                u64::try_from(wait.max(0)).unwrap_or(0) + 1,
            ));
        }
    }
    // Limited without saying for how long: a minute, GitHub's advice for secondary limits.
    Some(Duration::from_secs(60))
}

/// The delay before attempt `attempt + 1` of a request for `url`: the job queue's backoff,
/// seeded by the URL so that requests failing together spread out.
fn backoff(first: Duration, attempt: u32, url: &str) -> Duration {
    let seed = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    crate::jobs::backoff(first, attempt, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn rate_limits_are_read_from_each_forge_s_headers() {
        let soon = (chrono::Utc::now().timestamp() + 30).to_string();
        let github = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &soon)]);
        let wait = rate_limit_wait(StatusCode::FORBIDDEN, &github).unwrap();
        assert!(wait >= Duration::from_secs(29) && wait <= Duration::from_secs(32));
        let retry = headers(&[("retry-after", "7")]);
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &retry),
            Some(Duration::from_secs(7))
        );
        let gitlab = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", &soon)]);
        assert!(rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &gitlab).is_some());
        // A 403 with budget left is a permission error, not a rate limit.
        let forbidden = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(rate_limit_wait(StatusCode::FORBIDDEN, &forbidden), None);
        assert_eq!(rate_limit_wait(StatusCode::OK, &github), None);
    }

    #[test]
    fn backoff_doubles_within_its_jitter() {
        let first = Duration::from_millis(100);
        for url in ["https://a.example/x", "https://b.example/y"] {
            let one = backoff(first, 1, url);
            assert!(one >= Duration::from_millis(75) && one <= Duration::from_millis(125));
            assert_eq!(backoff(first, 3, url), one * 4);
        }
    }
}
