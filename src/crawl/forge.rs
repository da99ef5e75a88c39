//! The forges behind one interface: list an account's repositories, describe one repository,
//! fetch one file at its default branch, the same way for every forge, each described by what
//! its API differs in (`Rest`): GitHub (and GitHub Enterprise Server) REST v3 through
//! `octocrab`, GitLab REST v4 and Gitea/Forgejo API v1 through the polite client, each at a
//! configurable API base URL.
//!
//! Every request is conditional when the crawler has validators from last time; listings are
//! paginated through `Link: rel="next"` (GitHub, Gitea, GitLab) or `X-Next-Page` (GitLab), and
//! each page keeps its own validators, so an unchanged account costs one 304 per page.

use std::borrow::Cow;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use url::Url;

use super::http::{Answer, FetchError, Polite, Validators};

pub mod gitea;
pub mod github;
pub mod gitlab;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// What one forge's REST API differs in from another's: where it answers, how it takes a token,
/// what its JSON calls things. [`Forge`] walks listings, describes repositories and fetches files
/// the same way for every forge, through one of these: GitHub's is [`github::REST`] (asked and
/// read through `octocrab`), GitLab's [`gitlab::REST`], Gitea's and Forgejo's [`gitea::REST`].
///
/// The paths are templates under the API base URL, with `{account}`, `{repo}`, `{file}`
/// ([`FILE`]), `{ref}` (the URL-encoded branch) and `{per_page}` ([`PER_PAGE`]) in place of
/// what they name.
#[derive(Debug)]
struct Rest {
    /// The listings of `{account}`'s repositories: as an organisation or group, then as a user.
    listings: [&'static str; 2],
    /// The description of the repository `{repo}`.
    repository: &'static str,
    /// The raw bytes of `{file}` in `{repo}` at `{ref}`.
    file: &'static str,
    /// The media type that asks for the raw bytes of a file.
    raw: &'static str,
    /// Namespaces nest (GitLab): an account or a repository's path is one URL-encoded segment,
    /// and a repository's files are addressed by its id when the forge gave one.
    nested: bool,
    /// The header carrying a token, and what precedes the token in it.
    token: (HeaderName, &'static str),
    /// The names in a JSON repository object.
    keys: JsonKeys,
    /// Asked and read through `octocrab` (GitHub), not the polite client and [`JsonKeys`] alone.
    octocrab: bool,
}

impl Rest {
    /// `text` as this forge's URLs carry an account or a repository's path.
    fn segment<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.nested {
            Cow::Owned(encode(text))
        } else {
            Cow::Borrowed(text)
        }
    }
}

/// `path` under the API base URL `api`.
fn api_url(api: &Url, path: &str) -> Result<Url, ForgeError> {
    let base = api.as_str().trim_end_matches('/');
    Url::parse(&format!("{base}{path}")).map_err(|_| ForgeError::Url(path.to_owned()))
}

/// `template` with every `{name}` that `values` names replaced by its value, in one pass: text
/// a value brings in is never read as a template.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(name, _)| *name == &after[..close])
                .map(|(_, value)| (close, value))
        });
        match value {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `Accept` header, and the credentials `credentials` when a token is configured.
fn headers(accept: &'static str, credentials: Option<(HeaderName, String)>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::ACCEPT, HeaderValue::from_static(accept));
    if let Some((name, value)) = credentials
        && let Ok(mut value) = HeaderValue::from_str(&value)
    {
        value.set_sensitive(true);
        h.insert(name, value);
    }
    h
}

/// `text` in a path segment or query value.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Where a JSON repository object keeps what the crawler reads (the forges differ only in
/// names).
#[derive(Debug)]
struct JsonKeys {
    path: &'static str,
    web_url: &'static str,
    /// A boolean `private`, or GitLab's `visibility` (anything but `public` is private).
    private: &'static str,
    stars: &'static str,
    activity: &'static str,
    clone_url: &'static str,
}

fn malformed(url: &str, e: &serde_json::Error) -> ForgeError {
    ForgeError::Malformed {
        url: url.to_owned(),
        message: e.to_string(),
    }
}

/// Reads one repository object by the names in `keys`.
fn read_json_repository(
    url: &str,
    item: &serde_json::Value,
    keys: &JsonKeys,
) -> Result<RepoInfo, ForgeError> {
    let text = |key: &str| item.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let number = |key: &str| item.get(key).and_then(serde_json::Value::as_i64);
    let missing = |what: &str| ForgeError::Malformed {
        url: url.to_owned(),
        message: format!("a repository without {what}"),
    };
    let private = match item.get(keys.private) {
        Some(serde_json::Value::Bool(flag)) => *flag,
        Some(serde_json::Value::String(visibility)) => visibility != "public",
        _ => false,
    };
    Ok(RepoInfo {
        web_url: text(keys.web_url).ok_or_else(|| missing("a web URL"))?,
        path: text(keys.path).ok_or_else(|| missing("a name"))?,
        id: item.get("id").map(|id| match id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        default_branch: text("default_branch"),
        archived: item
            .get("archived")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        private,
        stars: number(keys.stars),
        forks: number("forks_count"),
        activity: text(keys.activity),
        clone_url: text(keys.clone_url),
    })
}

impl Forge {
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
        list(self, http, account, previous).await?.ok_or_else(|| {
            ForgeError::NoAccount(format!(
                "{}/{account}",
                self.api.as_str().trim_end_matches('/')
            ))
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
        let url = self.repository_url(path)?;
        match self.get(http, &url, "application/json", None).await? {
            Answer::Body { bytes, .. } => self.read_repository(url.as_str(), &bytes).map(Some),
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
        let url = self.file_url(repo)?;
        Ok(self.get(http, &url, self.rest().raw, validators).await?)
    }

    /// This forge's API.
    fn rest(&self) -> &'static Rest {
        match self.kind {
            Kind::GitHub => &github::REST,
            Kind::GitLab => &gitlab::REST,
            Kind::Gitea => &gitea::REST,
        }
    }

    /// The path `template` filled with `values`, under the API base URL.
    ///
    /// # Errors
    ///
    /// [`ForgeError::Url`] when it makes no URL.
    fn url(&self, template: &str, values: &[(&str, &str)]) -> Result<Url, ForgeError> {
        api_url(&self.api, &fill(template, values))
    }

    /// The URLs listing `account`'s repositories: as an organisation or group, then as a user.
    ///
    /// # Errors
    ///
    /// [`ForgeError::Url`] when `account` makes no URL.
    fn listing_urls(&self, account: &str) -> Result<[Url; 2], ForgeError> {
        let rest = self.rest();
        let account = rest.segment(account);
        let per_page = PER_PAGE.to_string();
        let [group, user] = rest
            .listings
            .map(|template| self.url(template, &[("account", &account), ("per_page", &per_page)]));
        Ok([group?, user?])
    }

    /// The URL describing the repository at `path`.
    ///
    /// # Errors
    ///
    /// [`ForgeError::Url`] when `path` makes no URL.
    fn repository_url(&self, path: &str) -> Result<Url, ForgeError> {
        let rest = self.rest();
        self.url(rest.repository, &[("repo", &rest.segment(path))])
    }

    /// The URL of [`FILE`]'s raw bytes in `repo` at its default branch.
    ///
    /// # Errors
    ///
    /// [`ForgeError::Url`] when the repository makes no URL.
    fn file_url(&self, repo: &RepoInfo) -> Result<Url, ForgeError> {
        let rest = self.rest();
        let reference = encode(repo.default_branch.as_deref().unwrap_or("HEAD"));
        let project = match &repo.id {
            Some(id) if rest.nested => Cow::Borrowed(id.as_str()),
            _ => rest.segment(&repo.path),
        };
        self.url(
            rest.file,
            &[("repo", &project), ("file", FILE), ("ref", &reference)],
        )
    }

    /// The header carrying the configured token, and its value; `None` without a token.
    fn credentials(&self) -> Option<(HeaderName, String)> {
        let (name, prefix) = &self.rest().token;
        self.token
            .as_ref()
            .map(|token| (name.clone(), format!("{prefix}{token}")))
    }

    /// GETs `url` accepting `accept`, with the forge's credentials (its token in its header),
    /// conditionally on `validators`.
    ///
    /// # Errors
    ///
    /// The polite client's.
    async fn get(
        &self,
        http: &Polite,
        url: &Url,
        accept: &'static str,
        validators: Option<&Validators>,
    ) -> Result<Answer, FetchError> {
        let headers = headers(accept, self.credentials());
        if self.rest().octocrab {
            github::get(http, url, &headers, validators).await
        } else {
            http.get(url, &headers, validators).await
        }
    }

    /// Reads one page of a listing.
    ///
    /// # Errors
    ///
    /// [`ForgeError::Malformed`] when it is not a list of repositories.
    fn read_repositories(&self, url: &str, bytes: &[u8]) -> Result<Vec<RepoInfo>, ForgeError> {
        let items: Vec<serde_json::Value> =
            serde_json::from_slice(bytes).map_err(|e| malformed(url, &e))?;
        items.iter().map(|item| self.read_item(url, item)).collect()
    }

    /// Reads one repository's description.
    ///
    /// # Errors
    ///
    /// [`ForgeError::Malformed`] when it is not a repository.
    fn read_repository(&self, url: &str, bytes: &[u8]) -> Result<RepoInfo, ForgeError> {
        let item: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| malformed(url, &e))?;
        self.read_item(url, &item)
    }

    /// Reads one repository object.
    fn read_item(&self, url: &str, item: &serde_json::Value) -> Result<RepoInfo, ForgeError> {
        let rest = self.rest();
        if rest.octocrab {
            github::read_item(url, item, &rest.keys)
        } else {
            read_json_repository(url, item, &rest.keys)
        }
    }
}

/// Walks the listing of `account` on `forge`, page by page, each page conditional on what
/// `previous` holds of it; `None` when no organisation, group or user has that name.
async fn list(
    forge: &Forge,
    http: &Polite,
    account: &str,
    previous: &Listing,
) -> Result<Option<Listing>, ForgeError> {
    let candidates = forge.listing_urls(account)?;
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
            let mut answer = forge
                .get(
                    http,
                    &parsed,
                    "application/json",
                    known.map(|p| &p.validators),
                )
                .await?;
            if let (Answer::NotModified, None) = (&answer, known) {
                // A 304 we did not ask for: fetch the page unconditionally.
                answer = forge.get(http, &parsed, "application/json", None).await?;
            }
            let page = match (answer, known) {
                (Answer::NotModified, Some(known)) => known.clone(),
                (Answer::NotFound, _) if pages.is_empty() => {
                    found = false;
                    break;
                }
                (Answer::NotFound, _) => {
                    return Err(FetchError::Status { url, status: 404 }.into());
                }
                // Asked without validators, it answered 304 again.
                (Answer::NotModified, _) => {
                    return Err(FetchError::Status { url, status: 304 }.into());
                }
                (
                    Answer::Body {
                        bytes,
                        headers,
                        validators,
                    },
                    _,
                ) => Page {
                    repos: forge.read_repositories(&url, &bytes)?,
                    next: next_page(&url, &headers),
                    url,
                    validators,
                },
            };
            next.clone_from(&page.next);
            pages.push(page);
        }
        if found {
            return Ok(Some(Listing { pages }));
        }
    }
    Ok(None)
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
    fn gitlab_and_gitea_objects_read_through_their_own_names() {
        let api = Url::parse("https://forge.example/api").unwrap();
        let gitlab = Forge {
            kind: Kind::GitLab,
            api: api.clone(),
            token: None,
        };
        let project = br#"{"id": 42, "path_with_namespace": "ente/servizi/app",
            "web_url": "https://gitlab.example/ente/servizi/app", "visibility": "internal",
            "star_count": 2, "forks_count": 1, "default_branch": "main",
            "last_activity_at": "2026-11-01T10:00:00.000Z",
            "http_url_to_repo": "https://gitlab.example/ente/servizi/app.git"}"#;
        let read = gitlab.read_repository("u", project).unwrap();
        assert_eq!(
            (
                read.id.as_deref(),
                read.path.as_str(),
                read.private,
                read.stars
            ),
            (Some("42"), "ente/servizi/app", true, Some(2))
        );
        let gitea = Forge {
            kind: Kind::Gitea,
            api,
            token: None,
        };
        let repos = br#"[{"id": 7, "full_name": "comune/app", "private": false,
            "html_url": "https://gitea.example/comune/app", "stars_count": 3,
            "updated_at": "2026-11-02T00:00:00Z", "archived": true}]"#;
        let read = gitea.read_repositories("u", repos).unwrap();
        assert_eq!(
            (
                read[0].private,
                read[0].archived,
                read[0].activity.as_deref()
            ),
            (false, true, Some("2026-11-02T00:00:00Z"))
        );
        assert!(matches!(
            gitea.read_repositories("u", b"{\"message\": \"not a list\"}"),
            Err(ForgeError::Malformed { .. })
        ));
        assert!(matches!(
            gitlab.read_repository("u", br#"{"id": 1, "web_url": "https://x"}"#),
            Err(ForgeError::Malformed { message, .. }) if message.contains("name")
        ));
    }

    #[test]
    fn each_forge_is_asked_at_its_own_paths_with_its_own_token_header() {
        let forge = |kind| Forge {
            kind,
            api: Url::parse("https://forge.example/api/").unwrap(),
            token: Some("t0k".to_owned()),
        };
        let repo = |id: Option<&str>| RepoInfo {
            path: "ente/servizi/app".to_owned(),
            id: id.map(str::to_owned),
            default_branch: Some("rel/1.0".to_owned()),
            ..RepoInfo::default()
        };
        let urls = |forge: &Forge, account: &str| {
            let mut urls: Vec<String> = forge
                .listing_urls(account)
                .unwrap()
                .iter()
                .map(Url::to_string)
                .collect();
            urls.push(
                forge
                    .repository_url("ente/servizi/app")
                    .unwrap()
                    .to_string(),
            );
            urls.push(forge.file_url(&repo(Some("42"))).unwrap().to_string());
            urls.push(forge.file_url(&repo(None)).unwrap().to_string());
            let (name, value) = forge.credentials().unwrap();
            urls.push(format!("{name}: {value}"));
            urls
        };
        let base = "https://forge.example/api";
        assert_eq!(
            urls(&forge(Kind::GitHub), "comune"),
            [
                format!("{base}/orgs/comune/repos?per_page=100"),
                format!("{base}/users/comune/repos?per_page=100"),
                format!("{base}/repos/ente/servizi/app"),
                format!("{base}/repos/ente/servizi/app/contents/publiccode.yml?ref=rel%2F1.0"),
                format!("{base}/repos/ente/servizi/app/contents/publiccode.yml?ref=rel%2F1.0"),
                "authorization: Bearer t0k".to_owned(),
            ]
        );
        assert_eq!(
            urls(&forge(Kind::GitLab), "ente/servizi"),
            [
                format!(
                    "{base}/groups/ente%2Fservizi/projects?include_subgroups=true&per_page=100"
                ),
                format!("{base}/users/ente%2Fservizi/projects?per_page=100"),
                format!("{base}/projects/ente%2Fservizi%2Fapp"),
                format!("{base}/projects/42/repository/files/publiccode.yml/raw?ref=rel%2F1.0"),
                format!(
                    "{base}/projects/ente%2Fservizi%2Fapp/repository/files/publiccode.yml/raw?ref=rel%2F1.0"
                ),
                "private-token: t0k".to_owned(),
            ]
        );
        assert_eq!(
            urls(&forge(Kind::Gitea), "comune"),
            [
                format!("{base}/orgs/comune/repos?limit=100"),
                format!("{base}/users/comune/repos?limit=100"),
                format!("{base}/repos/ente/servizi/app"),
                format!("{base}/repos/ente/servizi/app/raw/publiccode.yml?ref=rel%2F1.0"),
                format!("{base}/repos/ente/servizi/app/raw/publiccode.yml?ref=rel%2F1.0"),
                "authorization: token t0k".to_owned(),
            ]
        );
        // What a value brings in is not read as a template.
        assert_eq!(
            fill("/a/{x}/{y}/{z}", &[("x", "{y}"), ("y", "b")]),
            "/a/{y}/b/{z}"
        );
    }

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
