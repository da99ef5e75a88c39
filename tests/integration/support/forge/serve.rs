//! The shared HTTP layers: one handler routes every request through the latency, the request
//! log, the faults, the forge's own module, the rate-limit budget and the conditional request.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::encode::{ceil_secs, encode_query, http_date, parse_http_date, sha256_hex, unix_now};
use super::{
    EPOCH, FaultKind, ForgeKind, Inner, Match, Recorded, RepoRec, git, gitea, github, gitlab,
    repo_key,
};

/// A rate-limit budget over a fixed window, as GitHub and GitLab count them.
#[derive(Debug, Clone)]
pub(super) struct RateWindow {
    pub(super) limit: u32,
    pub(super) used: u32,
    pub(super) reset: u64,
    pub(super) period: u64,
}

impl RateWindow {
    pub(super) fn new(limit: u32, period: u64) -> Self {
        Self {
            limit,
            used: 0,
            reset: unix_now() + period,
            period,
        }
    }

    pub(super) fn roll(&mut self) {
        let now = unix_now();
        if now >= self.reset {
            self.used = 0;
            self.reset = now + self.period;
        }
    }

    pub(super) fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }
}

/// A request to an API forge, as the per-forge modules read it.
pub(super) struct Ask<'a> {
    /// The path after the API prefix, still percent-encoded.
    pub(super) path: &'a str,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: &'a HeaderMap,
    /// The server's base URL, for the URLs inside answers.
    pub(super) base: &'a str,
    /// Whether the request carries credentials (private repositories are visible).
    pub(super) authorized: bool,
}

impl Ask<'_> {
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments, still percent-encoded.
    pub(super) fn segments(&self) -> Vec<&str> {
        self.path.trim_start_matches('/').split('/').collect()
    }
}

/// An answer from a per-forge module, before the shared layers (conditional requests, rate
/// limits, faults) see it.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Vec<u8>,
    /// When the resource last changed, for `Last-Modified`.
    pub(super) modified: Option<i64>,
    /// The repository the request was about, `owner/repo`, for faults and counts.
    pub(super) subject: Option<String>,
}

impl Reply {
    pub(super) fn json(value: &serde_json::Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body: serde_json::to_vec(value).expect("a JSON value serialises"),
            modified: None,
            subject: None,
        }
    }

    /// The description of the repository `full`: `json` of `rec`, modified when it was, or
    /// `missing` without it; about `full` either way.
    pub(super) fn described(
        rec: Option<&RepoRec>,
        full: String,
        json: impl FnOnce(&RepoRec) -> serde_json::Value,
        missing: Reply,
    ) -> Self {
        match rec {
            Some(rec) => Self::json(&json(rec)).modified(rec.updated),
            None => missing,
        }
        .about(full)
    }

    pub(super) fn raw(bytes: &[u8], content_type: &'static str) -> Self {
        Self {
            content_type,
            body: bytes.to_vec(),
            ..Self::json(&serde_json::Value::Null)
        }
    }

    pub(super) fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub(super) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(super) fn modified(mut self, at: i64) -> Self {
        self.modified = Some(at);
        self
    }

    pub(super) fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
}

/// A page of a listing: which items, and the numbers the headers carry.
pub(super) struct Page {
    pub(super) page: usize,
    pub(super) per_page: usize,
    pub(super) total: usize,
    pub(super) last: usize,
}

impl Page {
    /// Reads `page` and the page-size parameter; sizes below 1 or unreadable take the default,
    /// sizes above the maximum are cut to it (as all three forges document).
    pub(super) fn read(
        ask: &Ask<'_>,
        size_param: &str,
        default: usize,
        max: usize,
        total: usize,
    ) -> Self {
        let per_page = match ask.param(size_param).and_then(|v| v.parse::<usize>().ok()) {
            Some(0) | None => default,
            Some(n) => n.min(max),
        };
        let page = ask
            .param("page")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        Self {
            page,
            per_page,
            total,
            last: total.div_ceil(per_page).max(1),
        }
    }

    /// This page of `repos` as a JSON array of `item`s, modified when the last of all `repos`
    /// was (an empty listing: at the start of the clock).
    pub(super) fn reply(
        &self,
        repos: &[&RepoRec],
        item: impl Fn(&RepoRec) -> serde_json::Value,
    ) -> Reply {
        let items = self.slice(repos).iter().map(|rec| item(rec)).collect();
        let modified = repos.iter().map(|r| r.updated).max().unwrap_or(EPOCH);
        Reply::json(&serde_json::Value::Array(items)).modified(modified)
    }

    pub(super) fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1)
            .saturating_mul(self.per_page)
            .min(items.len());
        let end = start.saturating_add(self.per_page).min(items.len());
        &items[start..end]
    }

    /// The URL of another page: the request's own URL with `page` (and, if given, the page
    /// size) replaced, the other parameters kept in order, or sorted when `sorted`.
    pub(super) fn url(
        &self,
        ask: &Ask<'_>,
        prefix: &str,
        page: usize,
        size: Option<&str>,
        sorted: bool,
    ) -> String {
        let mut pairs: Vec<(String, String)> = ask
            .query
            .iter()
            .filter(|(k, _)| k != "page" && Some(k.as_str()) != size)
            .cloned()
            .collect();
        pairs.push(("page".to_owned(), page.to_string()));
        if let Some(size) = size {
            pairs.push((size.to_owned(), self.per_page.to_string()));
        }
        if sorted {
            pairs.sort();
        }
        format!("{}{prefix}{}?{}", ask.base, ask.path, encode_query(&pairs))
    }
}

/// The one handler: every request goes through latency, recording, faults, the forge, the
/// conditional and rate-limit layers.
pub(super) async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let latency = *inner.latency.lock().unwrap();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header("authorization")
        .or_else(|| header("private-token").map(|t| format!("PRIVATE-TOKEN {t}")));
    let mut recorded = Recorded {
        method: parts.method.to_string(),
        path_and_query: path_and_query.clone(),
        if_none_match: header("if-none-match"),
        authorization: authorization.clone(),
        user_agent: header("user-agent"),
        api_version: header("x-github-api-version"),
        status: 0,
    };

    let api_kind = [
        ForgeKind::GitHub,
        ForgeKind::GitLab,
        ForgeKind::Gitea,
        ForgeKind::Git,
    ]
    .into_iter()
    .find(|k| {
        path.strip_prefix(k.api_prefix())
            .is_some_and(|rest| rest.starts_with('/'))
    });
    // Outside the API prefixes: git over smart HTTP for an API forge's repository,
    // `{web prefix}/{full path}.git/...`.
    let web_git = match api_kind {
        Some(_) => None,
        None => [ForgeKind::GitHub, ForgeKind::GitLab, ForgeKind::Gitea]
            .into_iter()
            .find_map(|k| {
                let rest = path.strip_prefix(k.web_prefix())?;
                git::web_subject(rest).map(|(full, git_path)| (k, full, git_path))
            }),
    };
    let kind = api_kind.or(web_git.as_ref().map(|(k, ..)| *k));
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();

    // The forge's answer first (a pure read of the world), so faults can name the repository.
    let (reply, subject) = match kind {
        _ if web_git.is_some() => (None, web_git.as_ref().map(|(_, full, _)| full.clone())),
        Some(ForgeKind::Git) => (None, git::subject(&path)),
        Some(kind)
            if parts.method == axum::http::Method::GET
                || parts.method == axum::http::Method::HEAD =>
        {
            let ask = Ask {
                path: &path[kind.api_prefix().len()..],
                query,
                headers: &parts.headers,
                base: &inner.base,
                authorized: authorization.is_some(),
            };
            let store = inner.store.lock().unwrap();
            let reply = match kind {
                ForgeKind::GitHub => github::handle(&store, &ask),
                ForgeKind::GitLab => gitlab::handle(&store, &ask),
                _ => gitea::handle(&store, &ask),
            };
            let subject = reply.subject.clone();
            (Some(reply), subject)
        }
        _ => (
            Some(Reply::json(&serde_json::json!({ "message": "Not Found" })).status(404)),
            None,
        ),
    };
    let forge = kind.unwrap_or(ForgeKind::Git);
    if let Some(subject) = &subject {
        *inner
            .per_repo
            .lock()
            .unwrap()
            .entry((forge, subject.clone()))
            .or_default() += 1;
    }

    let fault = take_fault(&inner, kind, &path_and_query, subject.as_deref());
    let answered_by_fault = matches!(
        fault,
        Some(
            FaultKind::Status(_)
                | FaultKind::RateLimited403 { .. }
                | FaultKind::TooMany429 { .. }
                | FaultKind::MalformedJson
        )
    );
    let mut truncate = false;
    let reply = match fault {
        Some(FaultKind::Hang) => {
            inner.requests.lock().unwrap().push(recorded);
            let mut shutdown = inner.shutdown.clone();
            let _ = shutdown.wait_for(|stop| *stop).await;
            return plain(503, Vec::new());
        }
        Some(FaultKind::Status(status)) => Some(error_reply(forge, status)),
        Some(FaultKind::RateLimited403 { reset_in }) => Some(
            Reply::json(&serde_json::json!({
                "message": "API rate limit exceeded for 127.0.0.1.",
                "documentation_url": "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api",
            }))
            .status(403)
            .header("x-ratelimit-limit", "5000")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-used", "5000")
            .header("x-ratelimit-reset", (unix_now() + ceil_secs(reset_in)).to_string())
            .header("x-ratelimit-resource", "core"),
        ),
        Some(FaultKind::TooMany429 { retry_after }) => Some(
            Reply::raw(b"Retry later\n", "text/plain")
                .status(429)
                .header("retry-after", ceil_secs(retry_after).to_string()),
        ),
        Some(FaultKind::MalformedJson) => Some(Reply::raw(
            b"{\"id\": 1, \"name\": \"half an obj",
            "application/json; charset=utf-8",
        )),
        Some(FaultKind::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            reply
        }
        Some(FaultKind::Truncated) => {
            truncate = true;
            reply
        }
        None => reply,
    };

    let response = match reply {
        Some(reply) => finish(
            &inner,
            forge,
            reply,
            &parts.headers,
            authorization.is_some(),
            answered_by_fault,
        ),
        None => {
            let body = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let target = match &web_git {
                Some((kind, full, git_path)) => {
                    let (kind, full_name) = (*kind, full.clone());
                    let made = Arc::clone(&inner);
                    let authorized = authorization.is_some();
                    let exists = tokio::task::spawn_blocking(move || {
                        made.materialize(kind, &full_name, authorized)
                    })
                    .await
                    .unwrap();
                    exists.then(|| {
                        (
                            inner.git_root.join("forges").join(kind.dir()),
                            format!("/{full}.git{git_path}"),
                        )
                    })
                }
                None => Some((
                    inner.git_root.join("repos"),
                    path["/git".len()..].to_owned(),
                )),
            };
            match target {
                Some((root, path_info)) => {
                    git::serve(
                        root,
                        parts.method.as_str(),
                        &path_info,
                        parts.uri.query().unwrap_or(""),
                        &parts.headers,
                        body,
                    )
                    .await
                }
                // No such repository, or a private one asked without credentials (the forges
                // answer 404 rather than reveal it).
                None => (404, Vec::new(), b"Repository not found.\n".to_vec()),
            }
        }
    };
    recorded.status = response.0;
    inner.requests.lock().unwrap().push(recorded);
    into_response(response, truncate)
}

/// Takes the first fault that matches, using up one of its times.
pub(super) fn take_fault(
    inner: &Inner,
    kind: Option<ForgeKind>,
    path_and_query: &str,
    subject: Option<&str>,
) -> Option<FaultKind> {
    let mut faults = inner.faults.lock().unwrap();
    let index = faults.iter().position(|f| match &f.target {
        Match::Any => true,
        Match::Path(text) => path_and_query.contains(text.as_str()),
        Match::Repo(forge, repo) => {
            Some(*forge) == kind && subject == Some(repo_key(*forge, repo).as_str())
        }
        Match::Forge(forge) => Some(*forge) == kind,
    })?;
    let kind = faults[index].kind.clone();
    match &mut faults[index].times {
        Some(1) | Some(0) => {
            faults.remove(index);
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(kind)
}

/// A server error in the forge's own shape.
pub(super) fn error_reply(forge: ForgeKind, status: u16) -> Reply {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let body = match forge {
        ForgeKind::GitHub => serde_json::json!({ "message": reason }),
        ForgeKind::GitLab => serde_json::json!({ "message": format!("{status} {reason}") }),
        _ => serde_json::json!({ "message": reason, "url": "" }),
    };
    Reply::json(&body).status(status)
}

/// The shared layers over a forge's answer: the rate-limit budget and its headers, then the
/// conditional request (`ETag`, `Last-Modified`, 304). Faults already answered skip both.
pub(super) fn finish(
    inner: &Inner,
    forge: ForgeKind,
    mut reply: Reply,
    headers: &HeaderMap,
    authorized: bool,
    faulted: bool,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut out: Vec<(String, String)> = Vec::new();
    if !faulted && reply.status == 200 {
        let etag = format!("\"{}\"", &sha256_hex(&reply.body)[..40]);
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let not_modified = match header("if-none-match") {
            Some(tags) => tags
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag),
            None => match (
                header("if-modified-since").and_then(parse_http_date),
                reply.modified,
            ) {
                (Some(since), Some(modified)) => modified <= since,
                _ => false,
            },
        };
        out.push(("etag".to_owned(), etag));
        if let Some(modified) = reply.modified {
            out.push(("last-modified".to_owned(), http_date(modified)));
        }
        if not_modified {
            reply.status = 304;
            reply.body.clear();
        }
    }
    if !faulted {
        rate_limit(inner, forge, &mut reply, authorized, &mut out);
    }
    if reply.status != 304 {
        out.push(("content-type".to_owned(), reply.content_type.to_owned()));
    }
    out.extend(reply.headers.into_iter().map(|(k, v)| (k.to_owned(), v)));
    (reply.status, out, reply.body)
}

/// Counts the request against the forge's budget and writes its rate-limit headers; past the
/// budget the answer becomes the forge's refusal. GitHub does not count a 304 to a request
/// with credentials ("Use conditional requests if appropriate", rate limits for the REST API).
pub(super) fn rate_limit(
    inner: &Inner,
    forge: ForgeKind,
    reply: &mut Reply,
    authorized: bool,
    out: &mut Vec<(String, String)>,
) {
    let mut rates = inner.rates.lock().unwrap();
    let Some(window) = rates.get_mut(&forge) else {
        return;
    };
    window.roll();
    let exhausted = window.remaining() == 0;
    if exhausted {
        let refusal = match forge {
            ForgeKind::GitHub => Reply::json(&serde_json::json!({
                "message": "API rate limit exceeded for 127.0.0.1.",
                "documentation_url": "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api",
            }))
            .status(403),
            _ => Reply::raw(b"Retry later\n", "text/plain")
                .status(429)
                .header("retry-after", window.reset.saturating_sub(unix_now()).to_string()),
        };
        *reply = refusal;
        out.retain(|(k, _)| k != "etag" && k != "last-modified");
    } else if !(forge == ForgeKind::GitHub && reply.status == 304 && authorized) {
        window.used += 1;
    }
    let (limit, used, remaining, reset) =
        (window.limit, window.used, window.remaining(), window.reset);
    match forge {
        ForgeKind::GitHub => {
            out.push(("x-ratelimit-limit".to_owned(), limit.to_string()));
            out.push(("x-ratelimit-remaining".to_owned(), remaining.to_string()));
            out.push(("x-ratelimit-reset".to_owned(), reset.to_string()));
            out.push(("x-ratelimit-used".to_owned(), used.to_string()));
            out.push(("x-ratelimit-resource".to_owned(), "core".to_owned()));
        }
        _ => {
            out.push(("ratelimit-limit".to_owned(), limit.to_string()));
            out.push(("ratelimit-observed".to_owned(), used.to_string()));
            out.push(("ratelimit-remaining".to_owned(), remaining.to_string()));
            out.push(("ratelimit-reset".to_owned(), reset.to_string()));
            out.push((
                "ratelimit-resettime".to_owned(),
                http_date(i64::try_from(reset).unwrap()),
            ));
        }
    }
}

/// A bare response with a status and a body.
pub(super) fn plain(status: u16, body: Vec<u8>) -> Response {
    into_response((status, Vec::new(), body), false)
}

/// Builds the HTTP response; `truncate` declares the full length but sends half the body and
/// then fails the stream, which makes hyper close the connection mid-body.
pub(super) fn into_response(
    (status, headers, body): (u16, Vec<(String, String)>, Vec<u8>),
    truncate: bool,
) -> Response {
    let full = body.len();
    let body = if truncate {
        let half = Bytes::from(body[..full / 2].to_vec());
        // The failure comes a moment after the first half, so hyper has flushed the head and
        // that half: the client sees a 200, then a body that stops short.
        let stream = futures_util::stream::unfold(0_u8, move |step| {
            let half = half.clone();
            async move {
                match step {
                    0 => Some((Ok(half), 1)),
                    1 => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let cut = std::io::Error::other("the fixture cut the body short");
                        Some((Err(cut), 2))
                    }
                    _ => None,
                }
            }
        });
        Body::from_stream(stream)
    } else {
        Body::from(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    let map = response.headers_mut();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            map.append(name, value);
        }
    }
    if truncate {
        map.insert("content-length", HeaderValue::from(full.max(1)));
    }
    response
}
