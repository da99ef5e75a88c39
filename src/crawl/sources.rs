//! `publishers.yml`: the list of what to crawl.
//!
//! Owns reading the file into typed [`Sources`]: which forge each URL belongs to, its API base,
//! whether it names an account or one repository, and the name of the environment variable that
//! holds a token. It reads no environment variable and makes no request; resolving the token and
//! fetching are the crawler's job. Every problem is reported with its line and column, and all of
//! them are collected, so one run shows everything that needs fixing.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use url::Url;

use crate::publiccode::is_ipa_code;
use crate::publiccode::yaml::{self, Entry, Limits, Node, Pos, Value};

/// Which API a target is reached through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ForgeKind {
    /// GitHub or GitHub Enterprise Server (REST v3).
    GitHub,
    /// GitLab, hosted or self-managed (REST v4).
    GitLab,
    /// Gitea or Forgejo (REST v1).
    Gitea,
    /// No API: a plain git URL, read by cloning.
    Git,
}

impl ForgeKind {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "github" => Some(Self::GitHub),
            "gitlab" => Some(Self::GitLab),
            "gitea" => Some(Self::Gitea),
            _ => None,
        }
    }

    /// The API path a self-hosted instance serves under its web URL.
    fn default_api_path(self) -> &'static str {
        match self {
            Self::GitHub => "api/v3",
            Self::GitLab => "api/v4",
            Self::Gitea => "api/v1",
            Self::Git => "",
        }
    }
}

impl fmt::Display for ForgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::GitHub => "github",
            Self::GitLab => "gitlab",
            Self::Gitea => "gitea",
            Self::Git => "git",
        })
    }
}

/// A forge host declared under `forges:` (one not known by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForgeHost {
    /// The web URL prefix repositories live under (no trailing slash).
    pub web: Url,
    /// Which API it speaks.
    pub kind: ForgeKind,
    /// The API base URL (given, or derived from `web` and `kind`).
    pub api: Url,
    /// Name of the environment variable holding a token for it, if any.
    pub token_env: Option<String>,
}

/// What a target points at on its forge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Scope {
    /// An organisation, user or group; its repositories are listed through the API. GitLab paths
    /// may have several segments (`group/subgroup`).
    Account {
        /// The account's path on the forge, without leading or trailing slashes.
        path: String,
    },
    /// One repository on a forge.
    Repository {
        /// `owner/name` (or `group/subgroup/name` on GitLab), without `.git`.
        path: String,
    },
    /// A git URL on a host without a known API.
    GitUrl,
}

/// One thing to crawl for a publisher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The API the target is reached through.
    pub forge: ForgeKind,
    /// The API base URL; `None` for [`ForgeKind::Git`].
    pub api: Option<Url>,
    /// The normalized web URL of the account or repository, or the git URL itself.
    pub web: Url,
    /// Account, repository or plain git URL.
    pub scope: Scope,
    /// Name of the environment variable holding a token for its forge, if one was configured.
    pub token_env: Option<String>,
}

/// A publisher and what to crawl for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publisher {
    /// Display name.
    pub name: String,
    /// IPA code, lower case, known to the embedded IPA list.
    pub ipa: Option<String>,
    /// Accounts first, then single repositories, in file order.
    pub targets: Vec<Target>,
}

/// Everything `publishers.yml` declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sources {
    /// Self-hosted forges declared in the file.
    pub forges: Vec<ForgeHost>,
    /// Publishers in file order.
    pub publishers: Vec<Publisher>,
}

/// One problem in the file, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct Problem {
    /// Line and column (`0:0` for the whole file).
    pub pos: Pos,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Why `publishers.yml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but holds mistakes; all of them are listed.
    #[error("{}", render(.0))]
    Invalid(Vec<Problem>),
}

impl SourcesError {
    /// The problems found, empty when the file could not be read at all.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Read { .. } => &[],
            Self::Invalid(problems) => problems,
        }
    }
}

fn render(problems: &[Problem]) -> String {
    let mut out = format!(
        "publishers.yml has {} problem{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}

/// Reads and resolves the sources file at `path`.
///
/// The file is small and read once at start-up, so this reads it synchronously.
///
/// # Errors
///
/// [`SourcesError::Read`] when the file cannot be read, [`SourcesError::Invalid`] with every
/// problem found otherwise.
pub fn load(path: &Path) -> Result<Sources, SourcesError> {
    let bytes = std::fs::read(path).map_err(|source| SourcesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&bytes)
}

/// Reads and resolves the text of a sources file.
///
/// # Errors
///
/// [`SourcesError::Invalid`] with every problem found.
pub fn parse(bytes: &[u8]) -> Result<Sources, SourcesError> {
    let doc = yaml::parse(bytes, &Limits::default()).map_err(|e| {
        SourcesError::Invalid(vec![Problem {
            pos: e.pos(),
            message: e.to_string(),
        }])
    })?;
    let mut reader = Reader::default();
    for dup in &doc.duplicate_keys {
        reader.problem(
            dup.second,
            format!("`{}` is repeated (first at {})", dup.path, dup.first),
        );
    }
    let sources = reader.document(&doc.root);
    if reader.problems.is_empty() {
        Ok(sources)
    } else {
        reader.problems.sort_by_key(|p| p.pos);
        Err(SourcesError::Invalid(reader.problems))
    }
}

/// The builtin hosts, matched after the declared ones.
const GITHUB_WEB: &str = "https://github.com";
const GITHUB_API: &str = "https://api.github.com";
const GITLAB_WEB: &str = "https://gitlab.com";
const GITLAB_API: &str = "https://gitlab.com/api/v4";

#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
    /// Normalized repository key → where it was first listed.
    seen: HashMap<String, Pos>,
}

/// Whether a URL is listed as an account or a repository.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listed {
    Account,
    Repository,
}

impl Reader {
    fn problem(&mut self, pos: Pos, message: impl Into<String>) {
        self.problems.push(Problem {
            pos,
            message: message.into(),
        });
    }

    /// The entries of a mapping, refusing keys outside `allowed`.
    fn map<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> &'n [Entry] {
        let Some(entries) = node.as_map() else {
            self.problem(
                node.pos,
                format!("{what} must be a mapping, not {}", node.type_name()),
            );
            return &[];
        };
        for entry in entries {
            if !allowed.contains(&entry.key.as_str()) {
                self.problem(
                    entry.key_pos,
                    format!(
                        "unknown key `{}` in {what} (expected one of: {})",
                        entry.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
        entries
    }

    fn seq<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                self.problem(
                    node.pos,
                    format!("{what} must be a list, not {}", node.type_name()),
                );
                &[]
            }
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.as_scalar() {
            Some(s) if !node.is_null() && !s.text.trim().is_empty() => Some(s.text.trim().into()),
            _ => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} must be a non-empty string, not {}",
                        node.type_name()
                    ),
                );
                None
            }
        }
    }

    fn url(&mut self, node: &Node, what: &str) -> Option<Url> {
        let text = self.string(node, what)?;
        let url = match Url::parse(&text) {
            Ok(url) => url,
            Err(e) => {
                self.problem(node.pos, format!("{what} `{text}` is not a URL: {e}"));
                return None;
            }
        };
        if !url.username().is_empty() || url.password().is_some() {
            self.problem(
                node.pos,
                format!(
                    "{what} `{text}` holds credentials; put a token in an environment variable and name it with `token`"
                ),
            );
            return None;
        }
        if url.query().is_some() || url.fragment().is_some() {
            self.problem(
                node.pos,
                format!("{what} `{text}` must not have a query or a fragment"),
            );
            return None;
        }
        Some(without_trailing_slash(url))
    }

    fn document(&mut self, root: &Node) -> Sources {
        if root.is_null() {
            return Sources::default();
        }
        let mut forges = Vec::new();
        let mut publishers = Vec::new();
        let entries = self.map(root, "the file", &["forges", "publishers"]);
        if let Some(entry) = entries.iter().find(|e| e.key == "forges") {
            for node in self.seq(&entry.value, "`forges`") {
                if let Some(forge) = self.forge(node, &forges) {
                    forges.push(forge);
                }
            }
        }
        if let Some(entry) = entries.iter().find(|e| e.key == "publishers") {
            let mut names: HashMap<String, Pos> = HashMap::new();
            for node in self.seq(&entry.value, "`publishers`") {
                if let Some(publisher) = self.publisher(node, &forges) {
                    if let Some(first) = names.get(&publisher.name) {
                        self.problem(
                            node.pos,
                            format!(
                                "publisher `{}` is listed twice (first at {first})",
                                publisher.name
                            ),
                        );
                    } else {
                        names.insert(publisher.name.clone(), node.pos);
                    }
                    publishers.push(publisher);
                }
            }
        }
        Sources { forges, publishers }
    }

    fn forge(&mut self, node: &Node, known: &[ForgeHost]) -> Option<ForgeHost> {
        let entries = self.map(node, "a forge", &["web", "kind", "api", "token"]);
        if entries.is_empty() {
            return None;
        }
        let get = |key: &str| entries.iter().find(|e| e.key == key);
        let web = match get("web") {
            Some(e) => self.url(&e.value, "`web`"),
            None => {
                self.problem(node.pos, "a forge needs `web`, its web URL prefix");
                None
            }
        };
        let kind = match get("kind") {
            Some(e) => {
                let text = self.string(&e.value, "`kind`");
                let kind = text.as_deref().and_then(ForgeKind::parse);
                if kind.is_none()
                    && let Some(text) = text
                {
                    self.problem(
                        e.value.pos,
                        format!("unknown forge kind `{text}` (expected github, gitlab or gitea)"),
                    );
                }
                kind
            }
            None => {
                self.problem(node.pos, "a forge needs `kind`: github, gitlab or gitea");
                None
            }
        };
        let api = get("api").and_then(|e| self.url(&e.value, "`api`"));
        let token_env = get("token").and_then(|e| self.token(&e.value));
        let web = web?;
        if !matches!(web.scheme(), "http" | "https") {
            self.problem(
                node.pos,
                format!("forge `web` `{web}` must be http or https"),
            );
            return None;
        }
        if let Some(first) = known.iter().find(|f| f.web == web) {
            self.problem(node.pos, format!("forge `{}` is declared twice", first.web));
            return None;
        }
        let kind = kind?;
        let api = match api {
            Some(api) => api,
            None if kind == ForgeKind::GitHub && web.as_str() == GITHUB_WEB => {
                Url::parse(GITHUB_API).ok()?
            }
            None => join_path(&web, kind.default_api_path()),
        };
        Some(ForgeHost {
            web,
            kind,
            api,
            token_env,
        })
    }

    fn token(&mut self, node: &Node) -> Option<String> {
        let text = self.string(node, "`token`")?;
        let valid = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if valid {
            Some(text)
        } else {
            // Never echo the value: it may be a real token pasted by mistake.
            self.problem(
                node.pos,
                "`token` must be the NAME of an environment variable (upper case, digits and `_`), never the token itself",
            );
            None
        }
    }

    fn publisher(&mut self, node: &Node, forges: &[ForgeHost]) -> Option<Publisher> {
        let entries = self.map(
            node,
            "a publisher",
            &["name", "ipa", "accounts", "repositories"],
        );
        if entries.is_empty() {
            return None;
        }
        let get = |key: &str| entries.iter().find(|e| e.key == key);
        let name = match get("name") {
            Some(e) => self.string(&e.value, "`name`"),
            None => {
                self.problem(node.pos, "a publisher needs a `name`");
                None
            }
        };
        let ipa = get("ipa").and_then(|e| {
            let code = self.string(&e.value, "`ipa`")?;
            let code = code
                .strip_prefix("urn:x-italian-pa:")
                .unwrap_or(&code)
                .to_ascii_lowercase();
            if is_ipa_code(&code) {
                Some(code)
            } else {
                self.problem(
                    e.value.pos,
                    format!("`{code}` is not in the IPA list of public administrations"),
                );
                None
            }
        });
        let mut targets = Vec::new();
        for (key, listed) in [
            ("accounts", Listed::Account),
            ("repositories", Listed::Repository),
        ] {
            if let Some(entry) = get(key) {
                for item in self.seq(&entry.value, &format!("`{key}`")) {
                    if let Some(target) = self.target(item, listed, forges) {
                        targets.push(target);
                    }
                }
            }
        }
        if targets.is_empty() && get("accounts").is_none() && get("repositories").is_none() {
            self.problem(
                node.pos,
                "a publisher needs `accounts` or `repositories` (or both)",
            );
        }
        Some(Publisher {
            name: name?,
            ipa,
            targets,
        })
    }

    fn target(&mut self, node: &Node, listed: Listed, forges: &[ForgeHost]) -> Option<Target> {
        let what = match listed {
            Listed::Account => "an account",
            Listed::Repository => "a repository",
        };
        let url = self.url(node, what)?;
        let target = match resolve(&url, listed, forges) {
            Ok(target) => target,
            Err(message) => {
                self.problem(node.pos, message);
                return None;
            }
        };
        let key = dedup_key(&target);
        if let Some(first) = self.seen.get(&key) {
            self.problem(
                node.pos,
                format!("`{}` is listed twice (first at {first})", target.web),
            );
            return None;
        }
        self.seen.insert(key, node.pos);
        Some(target)
    }
}

/// Resolves a URL listed as an account or a repository to its forge.
fn resolve(url: &Url, listed: Listed, forges: &[ForgeHost]) -> Result<Target, String> {
    let declared = forges
        .iter()
        .filter_map(|f| under(url, &f.web).map(|rest| (f, rest)))
        .max_by_key(|(f, _)| f.web.as_str().len());
    let (kind, api, web_prefix, rest, token_env) = if let Some((forge, rest)) = declared {
        (
            forge.kind,
            forge.api.clone(),
            forge.web.clone(),
            rest,
            forge.token_env.clone(),
        )
    } else if let Some((kind, web, api)) = builtin(url) {
        let rest = under(url, &web).unwrap_or_default();
        (kind, api, web, rest, None)
    } else {
        return match listed {
            Listed::Account => Err(format!(
                "`{url}` is not on github.com, gitlab.com or a forge declared under `forges`, so its repositories cannot be listed"
            )),
            Listed::Repository => git_url(url),
        };
    };
    let mut segments: Vec<&str> = rest.iter().map(String::as_str).collect();
    if listed == Listed::Repository
        && let Some(last) = segments.last_mut()
    {
        *last = last.strip_suffix(".git").unwrap_or(last);
    }
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!("`{url}` has an empty path segment"));
    }
    let path = segments.join("/");
    let (ok, shape) = match (listed, kind) {
        (Listed::Account, ForgeKind::GitLab) => (!segments.is_empty(), "a group path"),
        (Listed::Account, _) => (segments.len() == 1, "one path segment (the account)"),
        (Listed::Repository, ForgeKind::GitLab) => (segments.len() >= 2, "`group/project`"),
        (Listed::Repository, _) => (segments.len() == 2, "`owner/repository`"),
    };
    if !ok {
        let hint = match (listed, segments.len()) {
            (Listed::Repository, 1) => "; an account belongs under `accounts`",
            (Listed::Account, 2..) if kind != ForgeKind::GitLab => {
                "; a single repository belongs under `repositories`"
            }
            _ => "",
        };
        return Err(format!(
            "`{url}` should name {shape} after `{web_prefix}` on this {kind} forge{hint}"
        ));
    }
    let web = join_path(&web_prefix, &path);
    let scope = match listed {
        Listed::Account => Scope::Account { path },
        Listed::Repository => Scope::Repository { path },
    };
    Ok(Target {
        forge: kind,
        api: Some(api),
        web,
        scope,
        token_env,
    })
}

fn builtin(url: &Url) -> Option<(ForgeKind, Url, Url)> {
    let (kind, web, api) = match (url.scheme(), url.host_str()?) {
        ("https", "github.com") => (ForgeKind::GitHub, GITHUB_WEB, GITHUB_API),
        ("https", "gitlab.com") => (ForgeKind::GitLab, GITLAB_WEB, GITLAB_API),
        _ => return None,
    };
    Some((kind, Url::parse(web).ok()?, Url::parse(api).ok()?))
}

fn git_url(url: &Url) -> Result<Target, String> {
    if !matches!(url.scheme(), "http" | "https" | "file") {
        return Err(format!(
            "`{url}` is not an http, https or file URL, which are the git URLs riuso can clone"
        ));
    }
    Ok(Target {
        forge: ForgeKind::Git,
        api: None,
        web: url.clone(),
        scope: Scope::GitUrl,
        token_env: None,
    })
}

/// The path segments of `url` after `prefix`, if `url` lies under it.
fn under(url: &Url, prefix: &Url) -> Option<Vec<String>> {
    if url.scheme() != prefix.scheme()
        || url.host() != prefix.host()
        || url.port_or_known_default() != prefix.port_or_known_default()
    {
        return None;
    }
    let segments = |u: &Url| -> Vec<String> {
        u.path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let prefix_segments = segments(prefix);
    let url_segments = segments(url);
    url_segments
        .strip_prefix(prefix_segments.as_slice())
        .map(<[String]>::to_vec)
}

fn without_trailing_slash(mut url: Url) -> Url {
    let trimmed = url.path().trim_end_matches('/').to_owned();
    if trimmed.len() != url.path().len() && !trimmed.is_empty() {
        url.set_path(&trimmed);
    }
    url
}

fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

/// Two listings of the same repository compare equal: host case, `.git` and trailing slashes
/// are already normalized, and the comparison ignores path case the way forges do.
fn dedup_key(target: &Target) -> String {
    let text = target.web.as_str().to_ascii_lowercase();
    let text = text.strip_suffix(".git").unwrap_or(&text);
    let kind = match target.scope {
        Scope::Account { .. } => "account",
        Scope::Repository { .. } | Scope::GitUrl => "repository",
    };
    format!("{kind} {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Sources {
        match parse(text.as_bytes()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text.as_bytes()) {
            Ok(s) => panic!("expected problems, got {s:?}"),
            Err(e) => e.problems().iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn github_repository_strips_git_and_slash() {
        let s = ok(
            "publishers:\n  - name: A\n    repositories: [\"https://github.com/Italia/Thing.git/\"]\n",
        );
        let t = &s.publishers[0].targets[0];
        assert_eq!(t.forge, ForgeKind::GitHub);
        assert_eq!(
            t.api.as_ref().map(Url::as_str),
            Some("https://api.github.com/")
        );
        assert_eq!(t.web.as_str(), "https://github.com/Italia/Thing");
        assert_eq!(
            t.scope,
            Scope::Repository {
                path: "Italia/Thing".into()
            }
        );
    }

    #[test]
    fn gitlab_subgroups() {
        let s = ok(
            "publishers:\n  - name: A\n    accounts: [\"https://gitlab.com/a/b/c/\"]\n    repositories: [\"https://gitlab.com/a/b/c/d\"]\n",
        );
        let t = &s.publishers[0].targets;
        assert_eq!(
            t[0].scope,
            Scope::Account {
                path: "a/b/c".into()
            }
        );
        assert_eq!(
            t[1].scope,
            Scope::Repository {
                path: "a/b/c/d".into()
            }
        );
        assert_eq!(
            t[1].api.as_ref().map(Url::as_str),
            Some("https://gitlab.com/api/v4")
        );
    }

    #[test]
    fn longest_declared_prefix_wins() {
        let s = ok(concat!(
            "forges:\n",
            "  - {web: \"http://127.0.0.1:4321\", kind: gitlab}\n",
            "  - {web: \"http://127.0.0.1:4321/gitea/\", kind: gitea, token: RIUSO_T}\n",
            "publishers:\n",
            "  - name: A\n",
            "    repositories: [\"http://127.0.0.1:4321/gitea/ente/progetto\", \"http://127.0.0.1:4321/x/y\"]\n",
        ));
        let t = &s.publishers[0].targets;
        assert_eq!(t[0].forge, ForgeKind::Gitea);
        assert_eq!(
            t[0].api.as_ref().map(Url::as_str),
            Some("http://127.0.0.1:4321/gitea/api/v1")
        );
        assert_eq!(t[0].token_env.as_deref(), Some("RIUSO_T"));
        assert_eq!(
            t[0].web.as_str(),
            "http://127.0.0.1:4321/gitea/ente/progetto"
        );
        assert_eq!(t[1].forge, ForgeKind::GitLab);
        assert_eq!(t[1].token_env, None);
    }

    #[test]
    fn unknown_host_is_a_git_url_for_repositories_and_an_error_for_accounts() {
        let s = ok(
            "publishers:\n  - name: A\n    repositories: [\"https://example.org/code/thing.git\", \"file:///srv/git/x\"]\n",
        );
        let t = &s.publishers[0].targets;
        assert_eq!(t[0].forge, ForgeKind::Git);
        assert_eq!(t[0].scope, Scope::GitUrl);
        assert_eq!(t[0].web.as_str(), "https://example.org/code/thing.git");
        assert_eq!(t[1].web.as_str(), "file:///srv/git/x");
        let p =
            problems("publishers:\n  - name: A\n    accounts: [\"https://example.org/someone\"]\n");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("3:16: `https://example.org/someone` is not on github.com"),
            "{p:?}"
        );
    }

    #[test]
    fn every_problem_is_collected_with_its_position() {
        let p = problems(concat!(
            "forges:\n",
            "  - web: https://git.example.it\n",
            "    kind: bitbucket\n",
            "    token: ghp_secret\n",
            "publishers:\n",
            "  - name: A\n",
            "    ipa: not_a_code\n",
            "    colour: red\n",
            "    repositories:\n",
            "      - https://github.com/a\n",
            "      - ssh://git@example.org/x\n",
            "      - https://github.com/a/b\n",
            "      - https://github.com/A/B.git\n",
        ));
        assert_eq!(p.len(), 7, "{p:#?}");
        assert!(p[0].starts_with("3:11: unknown forge kind `bitbucket`"));
        assert!(p[1].starts_with("4:12: `token` must be the NAME"));
        assert!(!p[1].contains("ghp_secret"));
        assert!(p[2].starts_with("7:10: `not_a_code` is not in the IPA list"));
        assert!(p[3].starts_with("8:5: unknown key `colour`"));
        assert!(p[4].starts_with("10:9: `https://github.com/a` should name `owner/repository`"));
        assert!(p[4].ends_with("an account belongs under `accounts`"));
        assert!(p[5].starts_with("11:9: a repository `ssh://git@example.org/x` holds credentials"));
        assert!(p[6].starts_with("13:9: `https://github.com/A/B` is listed twice (first at 12:9)"));
    }

    #[test]
    fn ipa_is_case_insensitive_and_lower_cased() {
        let s = ok(
            "publishers:\n  - name: Bologna\n    ipa: C_A944\n    accounts: [https://github.com/comune-bologna]\n",
        );
        assert_eq!(s.publishers[0].ipa.as_deref(), Some("c_a944"));
    }

    #[test]
    fn default_api_paths() {
        let s = ok(concat!(
            "forges:\n",
            "  - {web: \"https://ghe.example.it\", kind: github}\n",
            "  - {web: \"https://gl.example.it/\", kind: gitlab, api: \"https://api.gl.example.it/v4\"}\n",
        ));
        assert_eq!(s.forges[0].api.as_str(), "https://ghe.example.it/api/v3");
        assert_eq!(s.forges[1].api.as_str(), "https://api.gl.example.it/v4");
        assert_eq!(s.forges[1].web.as_str(), "https://gl.example.it/");
    }

    #[test]
    fn publisher_needs_something_to_crawl_and_a_name() {
        let p = problems("publishers:\n  - ipa: c_a944\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("needs a `name`"));
        assert!(p[1].contains("needs `accounts` or `repositories`"));
    }

    #[test]
    fn yaml_syntax_error_has_a_position() {
        let p = problems("publishers: [\n");
        assert_eq!(p.len(), 1);
        assert!(!p[0].starts_with("0:0"), "{p:?}");
    }

    #[test]
    fn empty_file_is_empty_sources() {
        assert_eq!(ok(""), Sources::default());
    }
}
