//! The forges behind one interface: list an account's repositories, describe one repository,
//! fetch one file at its default branch. GitHub (and GitHub Enterprise Server) REST v3 through
//! `octocrab` ([`super::github`]), GitLab REST v4 and Gitea/Forgejo API v1 through the polite
//! client, each at a configurable API base URL.
//!
//! Every request is conditional when the crawler has validators from last time; listings are
//! paginated through `Link: rel="next"` (GitHub, Gitea, GitLab) or `X-Next-Page` (GitLab), and
//! each page keeps its own validators, so an unchanged account costs one 304 per page.

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use url::Url;

use super::http::{Answer, FetchError, Polite, Validators};

/// The kinds of forge the crawler speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// GitHub or GitHub Enterprise Server.
    GitHub,
    /// GitLab.
    GitLab,
    /// Gitea or Forgejo.
    Gitea,
}

impl Kind {
    /// The name stored with repositories (`github`, `gitlab`, `gitea`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GitHub => "github",
            Self::GitLab => "gitlab",
            Self::Gitea => "gitea",
        }
    }
}

/// A forge's API and how to authenticate to it.
#[derive(Debug, Clone)]
pub struct Forge {
    /// Which API it speaks.
    pub kind: Kind,
    /// The API base URL (`https://api.github.com`, `https://gitlab.com/api/v4`, ...).
    pub api: Url,
    /// A token, if one is configured for the host.
    pub token: Option<String>,
}

/// What the crawler needs to know about a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoInfo {
    /// The repository's web page: its identity in the catalog.
    pub web_url: String,
    /// `owner/name`, or a GitLab project's full path.
    pub path: String,
    /// The forge's id (GitLab addresses files by project id).
    pub id: Option<String>,
    /// The default branch.
    pub default_branch: Option<String>,
    /// Archived (read-only) on the forge.
    pub archived: bool,
    /// Not public.
    pub private: bool,
    /// Stars, when the forge tells.
    pub stars: Option<i64>,
    /// Forks, when the forge tells.
    pub forks: Option<i64>,
    /// The forge's last-activity time as it wrote it (`pushed_at`, `last_activity_at`,
    /// `updated_at`): unchanged, the repository's file is not fetched again.
    pub activity: Option<String>,
    /// The HTTP(S) URL to clone it from (`clone_url`; GitLab's `http_url_to_repo`), for the
    /// vitality index; `None` when the forge did not give one (and in descriptions stored
    /// before it was read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clone_url: Option<String>,
}

/// One page of a listing as last seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// The page's URL.
    pub url: String,
    /// Its validators.
    pub validators: Validators,
    /// Its repositories.
    pub repos: Vec<RepoInfo>,
    /// The next page's URL.
    pub next: Option<String>,
}

/// An account's listing as last seen: every page, to answer 304s from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The pages, in order.
    pub pages: Vec<Page>,
}

impl Listing {
    /// Every repository of every page.
    pub fn repos(&self) -> impl Iterator<Item = &RepoInfo> {
        self.pages.iter().flat_map(|p| p.repos.iter())
    }
}

/// Why a forge call failed.
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    /// The request failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The forge answered something that is not what its API documents.
    #[error("{url} answered malformed JSON: {message}")]
    Malformed {
        /// The URL.
        url: String,
        /// The parser's complaint.
        message: String,
    },
    /// The account does not exist as an organisation, group or user.
    #[error("no organisation, group or user at {0}")]
    NoAccount(String),
    /// A URL could not be built.
    #[error("cannot build a URL from {0:?}")]
    Url(String),
}

/// The name of the file the crawler fetches.
pub const FILE: &str = "publiccode.yml";

/// Listings ask for this many repositories per page (GitHub and GitLab allow 100; Gitea caps
/// at its own maximum, 50 by default).
const PER_PAGE: u32 = 100;

impl Forge {
    fn url(&self, path: &str) -> Result<Url, ForgeError> {
        let base = self.api.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|_| ForgeError::Url(path.to_owned()))
    }

    fn headers(&self, accept: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(accept));
        if let Some(token) = &self.token {
            let (name, value) = match self.kind {
                Kind::GitHub => (header::AUTHORIZATION, format!("Bearer {token}")),
                Kind::GitLab => (HeaderName::from_static("private-token"), token.clone()),
                Kind::Gitea => (header::AUTHORIZATION, format!("token {token}")),
            };
            if let Ok(value) = HeaderValue::from_str(&value) {
                h.insert(name, value);
            }
        }
        h
    }

    /// GETs `url`: through `octocrab` on GitHub, straight through the polite client elsewhere.
    async fn get(
        &self,
        http: &Polite,
        url: &Url,
        accept: &'static str,
        validators: Option<&Validators>,
    ) -> Result<Answer, FetchError> {
        let headers = self.headers(accept);
        match self.kind {
            Kind::GitHub => super::github::get(http, url, &headers, validators).await,
            Kind::GitLab | Kind::Gitea => http.get(url, &headers, validators).await,
        }
    }

    /// The first listing URLs to try for `account`: as an organisation or group, then as a user.
    fn listing_urls(&self, account: &str) -> Result<[Url; 2], ForgeError> {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        Ok(match self.kind {
            Kind::GitHub => [
                self.url(&format!("/orgs/{account}/repos?per_page={PER_PAGE}"))?,
                self.url(&format!("/users/{account}/repos?per_page={PER_PAGE}"))?,
            ],
            Kind::GitLab => [
                self.url(&format!(
                    "/groups/{}/projects?include_subgroups=true&per_page={PER_PAGE}",
                    enc(account)
                ))?,
                self.url(&format!(
                    "/users/{}/projects?per_page={PER_PAGE}",
                    enc(account)
                ))?,
            ],
            Kind::Gitea => [
                self.url(&format!("/orgs/{account}/repos?limit={PER_PAGE}"))?,
                self.url(&format!("/users/{account}/repos?limit={PER_PAGE}"))?,
            ],
        })
    }

    /// Lists the repositories of `account`, asking only for the pages that changed since
    /// `previous`.
    ///
    /// # Errors
    ///
    /// Fails when a page cannot be fetched or read, or the account does not exist.
    pub async fn list(
        &self,
        http: &Polite,
        account: &str,
        previous: &Listing,
    ) -> Result<Listing, ForgeError> {
        let candidates = self.listing_urls(account)?;
        // Start where the last listing started (the user URL when the account is a user).
        let start = previous
            .pages
            .first()
            .map(|p| p.url.clone())
            .filter(|u| candidates.iter().any(|c| c.as_str() == u));
        let mut order: Vec<String> = candidates.iter().map(|u| u.to_string()).collect();
        if let Some(start) = start {
            order.retain(|u| *u != start);
            order.insert(0, start);
        }
        for first in order {
            let mut pages = Vec::new();
            let mut next = Some(first);
            let mut found = true;
            while let Some(url) = next.take() {
                let known = previous.pages.iter().find(|p| p.url == url);
                let parsed = Url::parse(&url).map_err(|_| ForgeError::Url(url.clone()))?;
                let answer = self
                    .get(
                        http,
                        &parsed,
                        "application/json",
                        known.map(|p| &p.validators),
                    )
                    .await?;
                let page = match (answer, known) {
                    (Answer::NotModified, Some(known)) => known.clone(),
                    (Answer::NotModified, None) => {
                        // A 304 we did not ask for: fetch the page unconditionally.
                        self.page(http, &parsed, None).await?
                    }
                    (Answer::NotFound, _) if pages.is_empty() => {
                        found = false;
                        break;
                    }
                    (Answer::NotFound, _) => {
                        return Err(FetchError::Status { url, status: 404 }.into());
                    }
                    (
                        Answer::Body {
                            bytes,
                            headers,
                            validators,
                        },
                        _,
                    ) => self.read_page(&url, &bytes, &headers, validators)?,
                };
                next.clone_from(&page.next);
                pages.push(page);
            }
            if found {
                return Ok(Listing { pages });
            }
        }
        Err(ForgeError::NoAccount(format!(
            "{}/{account}",
            self.api.as_str().trim_end_matches('/')
        )))
    }

    async fn page(
        &self,
        http: &Polite,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Page, ForgeError> {
        match self.get(http, url, "application/json", validators).await? {
            Answer::Body {
                bytes,
                headers,
                validators,
            } => self.read_page(url.as_str(), &bytes, &headers, validators),
            Answer::NotModified | Answer::NotFound => Err(FetchError::Status {
                url: url.to_string(),
                status: 404,
            }
            .into()),
        }
    }

    fn read_page(
        &self,
        url: &str,
        bytes: &[u8],
        headers: &HeaderMap,
        validators: Validators,
    ) -> Result<Page, ForgeError> {
        let repos = if self.kind == Kind::GitHub {
            super::github::read_listing(url, bytes)?
        } else {
            let items: Vec<serde_json::Value> =
                serde_json::from_slice(bytes).map_err(|e| ForgeError::Malformed {
                    url: url.to_owned(),
                    message: e.to_string(),
                })?;
            items
                .iter()
                .map(|item| self.repo_info(url, item))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Page {
            url: url.to_owned(),
            validators,
            repos,
            next: next_page(url, headers),
        })
    }

    /// Reads one repository object of GitLab's or Gitea's API (GitHub's are read into
    /// `octocrab`'s model, in [`super::github`]).
    fn repo_info(&self, url: &str, item: &serde_json::Value) -> Result<RepoInfo, ForgeError> {
        let text = |key: &str| item.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let number = |key: &str| item.get(key).and_then(serde_json::Value::as_i64);
        let flag = |key: &str| item.get(key).and_then(serde_json::Value::as_bool);
        let malformed = |what: &str| ForgeError::Malformed {
            url: url.to_owned(),
            message: format!("a repository without {what}"),
        };
        let (path, web_url, private, stars, activity, clone_url) = match self.kind {
            Kind::GitLab => (
                text("path_with_namespace"),
                text("web_url"),
                text("visibility").is_some_and(|v| v != "public"),
                number("star_count"),
                text("last_activity_at"),
                text("http_url_to_repo"),
            ),
            Kind::Gitea | Kind::GitHub => (
                text("full_name"),
                text("html_url"),
                flag("private").unwrap_or(false),
                number("stars_count"),
                text("updated_at"),
                text("clone_url"),
            ),
        };
        Ok(RepoInfo {
            web_url: web_url.ok_or_else(|| malformed("a web URL"))?,
            path: path.ok_or_else(|| malformed("a name"))?,
            id: item.get("id").map(|id| match id {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            default_branch: text("default_branch"),
            archived: flag("archived").unwrap_or(false),
            private,
            stars,
            forks: number("forks_count"),
            activity,
            clone_url,
        })
    }

    /// Describes the repository at `path` (`owner/name`, or a GitLab full path); `None` when
    /// it does not exist.
    ///
    /// # Errors
    ///
    /// Fails when the forge cannot be reached or answers nonsense.
    pub async fn repository(
        &self,
        http: &Polite,
        path: &str,
    ) -> Result<Option<RepoInfo>, ForgeError> {
        let url = match self.kind {
            Kind::GitLab => self.url(&format!(
                "/projects/{}",
                url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
            ))?,
            Kind::GitHub | Kind::Gitea => self.url(&format!("/repos/{path}"))?,
        };
        match self.get(http, &url, "application/json", None).await? {
            Answer::Body { bytes, .. } if self.kind == Kind::GitHub => {
                super::github::read_repository(url.as_str(), &bytes).map(Some)
            }
            Answer::Body { bytes, .. } => {
                let item: serde_json::Value =
                    serde_json::from_slice(&bytes).map_err(|e| ForgeError::Malformed {
                        url: url.to_string(),
                        message: e.to_string(),
                    })?;
                self.repo_info(url.as_str(), &item).map(Some)
            }
            Answer::NotFound => Ok(None),
            Answer::NotModified => Err(FetchError::Status {
                url: url.to_string(),
                status: 304,
            }
            .into()),
        }
    }

    /// Fetches [`FILE`] of `repo` at its default branch, conditionally on `validators`.
    ///
    /// # Errors
    ///
    /// Fails when the forge cannot be reached.
    pub async fn file(
        &self,
        http: &Polite,
        repo: &RepoInfo,
        validators: Option<&Validators>,
    ) -> Result<Answer, ForgeError> {
        let branch = repo.default_branch.as_deref().unwrap_or("HEAD");
        let reference: String = url::form_urlencoded::byte_serialize(branch.as_bytes()).collect();
        let (url, accept) = match self.kind {
            Kind::GitHub => (
                self.url(&format!(
                    "/repos/{}/contents/{FILE}?ref={reference}",
                    repo.path
                ))?,
                "application/vnd.github.raw+json",
            ),
            Kind::GitLab => {
                let project = repo.id.clone().unwrap_or_else(|| {
                    url::form_urlencoded::byte_serialize(repo.path.as_bytes()).collect()
                });
                (
                    self.url(&format!(
                        "/projects/{project}/repository/files/{FILE}/raw?ref={reference}"
                    ))?,
                    "*/*",
                )
            }
            Kind::Gitea => (
                self.url(&format!("/repos/{}/raw/{FILE}?ref={reference}", repo.path))?,
                "*/*",
            ),
        };
        Ok(self.get(http, &url, accept, validators).await?)
    }
}

/// The next page's URL: `Link: <...>; rel="next"`, or GitLab's `X-Next-Page` applied to `url`.
fn next_page(url: &str, headers: &HeaderMap) -> Option<String> {
    for link in headers.get_all(header::LINK) {
        let Ok(link) = link.to_str() else { continue };
        for part in link.split(',') {
            let mut pieces = part.split(';');
            let target = pieces.next()?.trim();
            if pieces.any(|p| {
                let p = p.trim();
                p == "rel=\"next\"" || p == "rel=next"
            }) {
                return Some(
                    target
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned(),
                );
            }
        }
    }
    let next = headers
        .get("x-next-page")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())?;
    let mut parsed = Url::parse(url).ok()?;
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair("page", next);
    Some(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_pages_come_from_link_or_x_next_page() {
        let mut h = HeaderMap::new();
        h.insert(
            header::LINK,
            HeaderValue::from_static(
                "<https://api.example/orgs/a/repos?page=3>; rel=\"next\", <https://api.example/orgs/a/repos?page=9>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_page("https://api.example/orgs/a/repos?page=2", &h).as_deref(),
            Some("https://api.example/orgs/a/repos?page=3")
        );
        let mut h = HeaderMap::new();
        h.insert("x-next-page", HeaderValue::from_static("4"));
        assert_eq!(
            next_page(
                "https://gl.example/api/v4/groups/g/projects?per_page=100&page=3",
                &h
            )
            .as_deref(),
            Some("https://gl.example/api/v4/groups/g/projects?per_page=100&page=4")
        );
        h.insert("x-next-page", HeaderValue::from_static(""));
        assert_eq!(next_page("https://gl.example/x?page=4", &h), None);
    }
}
