//! GitHub (and GitHub Enterprise Server) through `octocrab`, over the polite client.
//!
//! `octocrab` builds the requests (its API-version header, its request plumbing) and reads the
//! answers into its typed models ([`Repository`]); the bytes travel through a tower service
//! (`Transport`) that hands every request to [`Polite`], so GitHub is asked with the same
//! per-host limit, retries, rate-limit waits, size cap, SSRF guard and user agent as every other
//! forge. The requests the crawler makes are raw GETs (`Octocrab::_get_with_headers`) because
//! they are conditional: a 304 must come back as a 304, with the `ETag` and `Link` headers of
//! every answer in reach.
//!
//! The token goes in the `Authorization` header riuso writes: `octocrab`'s own
//! authentication only signs requests to `api.github.com`, and a GitHub Enterprise Server has
//! another host.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use octocrab::models::Repository;
use octocrab::{AuthState, OctoBody, Octocrab, OctocrabBuilder};
use reqwest::header::{self, HeaderMap};
use serde::Deserialize as _;
use url::Url;

use super::{ForgeError, JsonKeys, RepoInfo, Rest, read_json_repository};
use crate::crawl::http::{Answer, FetchError, Polite, Validators};

/// GitHub's paths (the same on GitHub Enterprise Server under its API base URL), its raw media
/// type, its token (personal, fine-grained or an app's) as `Authorization: Bearer ...`, and its
/// names, for an object `octocrab`'s model refuses.
pub(super) static REST: Rest = Rest {
    listings: [
        "/orgs/{account}/repos?per_page={per_page}",
        "/users/{account}/repos?per_page={per_page}",
    ],
    repository: "/repos/{repo}",
    file: "/repos/{repo}/contents/{file}?ref={ref}",
    raw: "application/vnd.github.raw+json",
    nested: false,
    token: (header::AUTHORIZATION, "Bearer "),
    keys: JsonKeys {
        path: "full_name",
        web_url: "html_url",
        private: "private",
        stars: "stargazers_count",
        activity: "pushed_at",
        clone_url: "clone_url",
    },
    octocrab: true,
};

impl Polite {
    /// The `octocrab` client that sends its requests through this client: made on first use
    /// (`octocrab` starts its request buffer on the running Tokio runtime) and kept in the
    /// client's slot, shared by its clones.
    fn octocrab(&self) -> Octocrab {
        let mut cell = self.github.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Only this function fills the slot, always with an `Octocrab`.
        if let Some(client) = cell.as_ref().and_then(|c| c.downcast_ref::<Octocrab>()) {
            return client.clone();
        }
        let transport = Transport(self.without_github());
        let client = match OctocrabBuilder::new_empty()
            .with_service(transport)
            .with_auth(AuthState::None)
            .build()
        {
            Ok(client) => client,
            Err(never) => match never {},
        };
        *cell = Some(Arc::new(client.clone()));
        client
    }
}

/// GETs `url` through `octocrab` with `headers` (`Accept`, `Authorization`), conditionally on
/// `validators`; answers as [`Polite::get`] does.
///
/// # Errors
///
/// The polite client's failure, or a body cut short.
pub(super) async fn get(
    http: &Polite,
    url: &Url,
    headers: &HeaderMap,
    validators: Option<&Validators>,
) -> Result<Answer, FetchError> {
    let mut headers = headers.clone();
    if let Some(v) = validators {
        v.ask(&mut headers);
    }
    let response = http
        .octocrab()
        ._get_with_headers(url.as_str(), Some(headers))
        .await
        .map_err(|e| fetch_error(url, e))?;
    match response.status() {
        http::StatusCode::NOT_MODIFIED => Ok(Answer::NotModified),
        http::StatusCode::NOT_FOUND => Ok(Answer::NotFound),
        _ => {
            let (parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(|e| fetch_error(url, e))?
                .to_bytes();
            Ok(Answer::Body {
                bytes: bytes.to_vec(),
                validators: Validators::of(&parts.headers),
                headers: parts.headers,
            })
        }
    }
}

/// The polite client's own error when `octocrab` carries one, else a transport error.
fn fetch_error(url: &Url, e: octocrab::Error) -> FetchError {
    if let octocrab::Error::Service { source, .. } = e {
        match source.downcast::<FetchError>() {
            Ok(fetch) => *fetch,
            Err(other) => FetchError::Transport {
                url: url.to_string(),
                message: other.to_string(),
            },
        }
    } else {
        FetchError::Transport {
            url: url.to_string(),
            message: e.to_string(),
        }
    }
}

/// One repository object (of a listing, or `GET /repos/{owner}/{repo}`): through `octocrab`'s
/// model, or by the names in `keys` when the model refuses it (it is stricter than GitHub's
/// schema in places, a `null` where it wants a string, and one such repository must not cost the
/// whole account).
pub(super) fn read_item(
    url: &str,
    item: &serde_json::Value,
    keys: &JsonKeys,
) -> Result<RepoInfo, ForgeError> {
    match Repository::deserialize(item) {
        Ok(repository) => repo_info(url, repository),
        Err(e) => {
            tracing::debug!(%url, error = %e, "octocrab's model refused a repository; read by name");
            read_json_repository(url, item, keys)
        }
    }
}

fn repo_info(url: &str, r: Repository) -> Result<RepoInfo, ForgeError> {
    let missing = |what: &str| ForgeError::Malformed {
        url: url.to_owned(),
        message: format!("a repository without {what}"),
    };
    Ok(RepoInfo {
        web_url: r
            .html_url
            .map(String::from)
            .ok_or_else(|| missing("a web URL"))?,
        path: r.full_name.ok_or_else(|| missing("a name"))?,
        id: Some(r.id.to_string()),
        default_branch: r.default_branch,
        archived: r.archived.unwrap_or(false),
        private: r.private.unwrap_or(false),
        stars: r.stargazers_count.map(i64::from),
        forks: r.forks_count.map(i64::from),
        activity: r
            .pushed_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        clone_url: r.clone_url.map(String::from),
    })
}

/// The tower service under `octocrab`: every request it makes goes to [`Polite::get`], and
/// the answer comes back as the HTTP response it was.
#[derive(Clone)]
struct Transport(Polite);

type Reply = http::Response<Full<Bytes>>;

impl tower::Service<http::Request<OctoBody>> for Transport {
    type Response = Reply;
    type Error = FetchError;
    type Future = Pin<Box<dyn Future<Output = Result<Reply, FetchError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), FetchError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<OctoBody>) -> Self::Future {
        let http = self.0.clone();
        Box::pin(async move {
            let (parts, _) = request.into_parts();
            let url = Url::parse(&parts.uri.to_string()).map_err(|e| FetchError::Transport {
                url: parts.uri.to_string(),
                message: e.to_string(),
            })?;
            if parts.method != http::Method::GET {
                return Err(FetchError::Transport {
                    url: url.to_string(),
                    message: format!("the crawler only reads; {} refused", parts.method),
                });
            }
            let mut headers = parts.headers;
            // The polite client names the product; it sends the validators itself.
            headers.remove(header::USER_AGENT);
            headers.remove(header::CONTENT_LENGTH);
            let validators = Validators::take(&mut headers);
            let answer = http.get(&url, &headers, validators.as_ref()).await?;
            Ok(reply(answer))
        })
    }
}

fn reply(answer: Answer) -> Reply {
    let (status, headers, bytes) = match answer {
        Answer::Body { bytes, headers, .. } => (http::StatusCode::OK, headers, bytes),
        Answer::NotModified => (http::StatusCode::NOT_MODIFIED, HeaderMap::new(), Vec::new()),
        Answer::NotFound => (http::StatusCode::NOT_FOUND, HeaderMap::new(), Vec::new()),
    };
    let mut response = http::Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::forge::{Forge, Kind};

    /// Reads as the crawler does, through a GitHub forge.
    fn github() -> Forge {
        Forge {
            kind: Kind::GitHub,
            api: Url::parse("https://api.github.com").unwrap(),
            token: None,
        }
    }

    fn read_listing(url: &str, bytes: &[u8]) -> Result<Vec<RepoInfo>, ForgeError> {
        github().read_repositories(url, bytes)
    }

    fn read_repository(url: &str, bytes: &[u8]) -> Result<RepoInfo, ForgeError> {
        github().read_repository(url, bytes)
    }

    #[test]
    fn repositories_are_read_through_octocrab_s_model() {
        let page = br#"[{"id": 7, "name": "app", "full_name": "comune/app",
            "url": "https://api.github.com/repos/comune/app",
            "html_url": "https://github.com/comune/app", "private": false, "archived": true,
            "default_branch": "main", "stargazers_count": 3, "forks_count": 1,
            "pushed_at": "2026-01-02T03:04:05Z", "clone_url": "https://github.com/comune/app.git"}]"#;
        let repos = read_listing("https://api.github.com/orgs/comune/repos", page).unwrap();
        assert_eq!(
            repos,
            [RepoInfo {
                web_url: "https://github.com/comune/app".to_owned(),
                path: "comune/app".to_owned(),
                id: Some("7".to_owned()),
                default_branch: Some("main".to_owned()),
                archived: true,
                private: false,
                stars: Some(3),
                forks: Some(1),
                activity: Some("2026-01-02T03:04:05Z".to_owned()),
                clone_url: Some("https://github.com/comune/app.git".to_owned()),
            }]
        );
        // An owner octocrab's model refuses (most of its fields missing): read by name.
        let odd = br#"[{"id": 8, "name": "odd", "full_name": "comune/odd",
            "url": "https://api.github.com/repos/comune/odd",
            "owner": {"login": "comune", "gravatar_id": null},
            "html_url": "https://github.com/comune/odd", "private": false,
            "default_branch": "main", "pushed_at": "2026-01-02T03:04:05Z"}]"#;
        assert!(serde_json::from_slice::<Vec<Repository>>(odd).is_err());
        let read = read_listing("u", odd).unwrap();
        assert_eq!(
            (read[0].path.as_str(), read[0].activity.as_deref()),
            ("comune/odd", Some("2026-01-02T03:04:05Z"))
        );
        // A repository without its web page, and something that is not a listing.
        let partial = br#"[{"id": 7, "name": "app", "full_name": "comune/app",
            "url": "https://api.github.com/repos/comune/app"}]"#;
        assert!(matches!(
            read_listing("u", partial),
            Err(ForgeError::Malformed { message, .. }) if message.contains("web URL")
        ));
        assert!(matches!(
            read_repository("u", b"{\"message\": \"Not Found\"}"),
            Err(ForgeError::Malformed { .. })
        ));
    }
}
