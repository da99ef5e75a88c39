//! The fixture forge: one in-process HTTP server on loopback that speaks, under one path prefix
//! each, the parts of the GitHub REST API v3, the GitLab REST API v4 and the Gitea/Forgejo API v1
//! that the crawler uses, and serves real git repositories over smart HTTP.
//!
//! It stands in for the outside world only, so it speaks the real protocols: the shapes follow
//! the official documentation named in each submodule ([`github`], [`gitlab`], [`gitea`],
//! [`git`]). Tests build a [`World`], start a [`ForgeFixture`] on `127.0.0.1:0`, point the
//! crawler at [`ForgeFixture::api_base`], change the world while it runs, inject faults and read
//! back what was asked.
//!
//! What every API answer shares lives here: conditional requests (a strong `ETag` that hashes the
//! body, `Last-Modified`, `If-None-Match` and `If-Modified-Since` answered with 304), rate-limit
//! budgets and their headers, the global latency and the faults. It must not hold any crawler
//! logic: it answers, it never decides for the client.

mod git;
mod gitea;
mod github;
mod gitlab;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use sha2::{Digest as _, Sha256};
use tokio::sync::watch;

/// The kinds of forge the fixture speaks, one path prefix each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ForgeKind {
    /// GitHub Enterprise Server style: web `{base}/github`, API `{base}/github/api/v3`.
    GitHub,
    /// GitLab: web `{base}/gitlab`, API `{base}/gitlab/api/v4`.
    GitLab,
    /// Gitea or Forgejo: web `{base}/gitea`, API `{base}/gitea/api/v1`.
    Gitea,
    /// Plain git over smart HTTP: `{base}/git/{name}.git`.
    Git,
}

impl ForgeKind {
    /// The web prefix of this kind, relative to the server's base.
    fn web_prefix(self) -> &'static str {
        match self {
            Self::GitHub => "/github",
            Self::GitLab => "/gitlab",
            Self::Gitea => "/gitea",
            Self::Git => "/git",
        }
    }

    /// The API prefix of this kind, relative to the server's base.
    fn api_prefix(self) -> &'static str {
        match self {
            Self::GitHub => "/github/api/v3",
            Self::GitLab => "/gitlab/api/v4",
            Self::Gitea => "/gitea/api/v1",
            Self::Git => "/git",
        }
    }
}

/// Whether an account is an organisation (a group on GitLab) or a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// A GitHub or Gitea organisation, a GitLab group.
    Organization,
    /// A personal account.
    User,
}

/// A repository as the world holds it: flags, counters and its files on the default branch.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The repository's name (the last part of its path).
    pub name: String,
    /// The default branch, `main` unless set.
    pub default_branch: String,
    /// Archived (read-only) on the forge.
    pub archived: bool,
    /// Private: listed and served only to requests that carry credentials.
    pub private: bool,
    /// A fork of another repository.
    pub fork: bool,
    /// A pull mirror (Gitea's `mirror`).
    pub mirror: bool,
    /// Stars.
    pub stars: u32,
    /// Forks.
    pub forks: u32,
    /// The files at the head of the default branch, by path.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Repo {
    /// A public repository on `main` without any file.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            default_branch: "main".to_owned(),
            archived: false,
            private: false,
            fork: false,
            mirror: false,
            stars: 0,
            forks: 0,
            files: BTreeMap::new(),
        }
    }

    /// Sets the default branch.
    pub fn branch(mut self, branch: &str) -> Self {
        branch.clone_into(&mut self.default_branch);
        self
    }

    /// Marks it archived.
    pub fn archived(mut self) -> Self {
        self.archived = true;
        self
    }

    /// Marks it private.
    pub fn private(mut self) -> Self {
        self.private = true;
        self
    }

    /// Marks it a fork.
    pub fn fork(mut self) -> Self {
        self.fork = true;
        self
    }

    /// Marks it a mirror.
    pub fn mirror(mut self) -> Self {
        self.mirror = true;
        self
    }

    /// Sets the stars and forks counters.
    pub fn counts(mut self, stars: u32, forks: u32) -> Self {
        self.stars = stars;
        self.forks = forks;
        self
    }

    /// Adds a file.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_owned(), bytes.into());
        self
    }

    /// Adds a `publiccode.yml` at the root.
    pub fn publiccode(self, bytes: impl Into<Vec<u8>>) -> Self {
        self.file("publiccode.yml", bytes)
    }
}

/// An account on one forge, with its repositories and (GitLab) its subgroups.
#[derive(Debug, Clone)]
pub struct Account {
    forge: ForgeKind,
    name: String,
    kind: AccountKind,
    repos: Vec<Repo>,
    subgroups: Vec<Account>,
}

impl Account {
    /// An organisation on GitHub or Gitea (on GitLab, a group).
    pub fn org(forge: ForgeKind, name: &str) -> Self {
        Self {
            forge,
            name: name.to_owned(),
            kind: AccountKind::Organization,
            repos: Vec::new(),
            subgroups: Vec::new(),
        }
    }

    /// A user on any forge.
    pub fn user(forge: ForgeKind, name: &str) -> Self {
        Self {
            kind: AccountKind::User,
            ..Self::org(forge, name)
        }
    }

    /// A GitLab group.
    pub fn group(name: &str) -> Self {
        Self::org(ForgeKind::GitLab, name)
    }

    /// Adds a repository.
    pub fn repo(mut self, repo: Repo) -> Self {
        self.repos.push(repo);
        self
    }

    /// Adds repositories.
    pub fn repos(mut self, repos: impl IntoIterator<Item = Repo>) -> Self {
        self.repos.extend(repos);
        self
    }

    /// Adds a subgroup (GitLab), itself with repositories and subgroups; its full path is this
    /// group's path, a slash and its name.
    pub fn subgroup(mut self, group: Account) -> Self {
        self.subgroups.push(group);
        self
    }
}

/// The initial content of the fixture: accounts on the API forges and plain git repositories.
#[derive(Debug, Clone, Default)]
pub struct World {
    accounts: Vec<Account>,
    git: Vec<Repo>,
}

impl World {
    /// An empty world.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an account with its repositories.
    pub fn account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// Adds a plain git repository, served at `{base}/git/{name}.git`.
    pub fn git_repo(mut self, repo: Repo) -> Self {
        self.git.push(repo);
        self
    }
}

/// Which requests a [`Fault`] applies to.
#[derive(Debug, Clone)]
pub enum Match {
    /// Every request.
    Any,
    /// Requests whose path and query contain this text.
    Path(String),
    /// Requests about one repository: `owner/repo` (a GitLab full path; a bare name for
    /// [`ForgeKind::Git`]), whether addressed by path or by id.
    Repo(ForgeKind, String),
    /// Every request to one forge kind.
    Forge(ForgeKind),
}

/// What a [`Fault`] does instead of (or to) the normal answer.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answers this status (meant for 5xx) with the forge's error body.
    Status(u16),
    /// GitHub's rate-limit refusal: 403 with `x-ratelimit-remaining: 0` and the reset time.
    RateLimited403 {
        /// How far in the future `x-ratelimit-reset` lies.
        reset_in: Duration,
    },
    /// 429 Too Many Requests with `Retry-After` in seconds.
    TooMany429 {
        /// The delay announced in `Retry-After` (rounded up to whole seconds).
        retry_after: Duration,
    },
    /// Waits this long, then answers normally.
    Delay(Duration),
    /// Declares the full `Content-Length`, sends half the body, then closes the connection.
    Truncated,
    /// 200 with a JSON content type and a body that is not JSON.
    MalformedJson,
    /// Never answers; only the client's timeout ends the request.
    Hang,
}

/// A fault to inject: what it matches, what it does, and how many times (`None`: always).
#[derive(Debug, Clone)]
pub struct Fault {
    /// The requests it applies to.
    pub target: Match,
    /// What it does.
    pub kind: FaultKind,
    /// How many matching requests it affects; `None` for all of them.
    pub times: Option<u32>,
}

/// One request as the fixture saw it, with the status it answered (0: no answer, a hang).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The method.
    pub method: String,
    /// The path and query, as sent.
    pub path_and_query: String,
    /// The `If-None-Match` header.
    pub if_none_match: Option<String>,
    /// The `Authorization` header; for GitLab's `PRIVATE-TOKEN` header, `PRIVATE-TOKEN <token>`.
    pub authorization: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// The status answered, 0 when the request was left hanging.
    pub status: u16,
}

/// A running fixture forge. Dropping it stops the server and releases hanging requests.
pub struct ForgeFixture {
    inner: Arc<Inner>,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

/// The start of the fixture's logical clock (2024-01-01T00:00:00Z): creation and update times
/// are deterministic, one minute apart per event.
const EPOCH: i64 = 1_704_067_200;

/// A repository in the running world.
#[derive(Debug, Clone)]
struct RepoRec {
    id: u64,
    /// The full path of its account (a GitLab group path may hold slashes; empty for plain git).
    owner: String,
    repo: Repo,
    created: i64,
    updated: i64,
}

impl RepoRec {
    fn full_name(&self) -> String {
        if self.owner.is_empty() {
            self.repo.name.clone()
        } else {
            format!("{}/{}", self.owner, self.repo.name)
        }
    }
}

/// An account in the running world.
#[derive(Debug, Clone)]
struct AccountRec {
    id: u64,
    kind: AccountKind,
    name: String,
    full_path: String,
    parent: Option<u64>,
}

/// The world while the server runs.
#[derive(Debug, Default)]
struct Store {
    accounts: BTreeMap<(ForgeKind, String), AccountRec>,
    repos: BTreeMap<(ForgeKind, String), RepoRec>,
    clock: i64,
    next_id: u64,
}

impl Store {
    fn tick(&mut self) -> i64 {
        self.clock += 60;
        EPOCH + self.clock
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn insert_account(&mut self, account: &Account, parent: Option<(&str, u64)>) {
        let full_path = match parent {
            Some((path, _)) => format!("{path}/{}", account.name),
            None => account.name.clone(),
        };
        let id = self.id();
        self.accounts.insert(
            (account.forge, full_path.clone()),
            AccountRec {
                id,
                kind: account.kind,
                name: account.name.clone(),
                full_path: full_path.clone(),
                parent: parent.map(|(_, id)| id),
            },
        );
        for repo in &account.repos {
            self.insert_repo(account.forge, &full_path, repo.clone());
        }
        for sub in &account.subgroups {
            assert_eq!(
                sub.forge, account.forge,
                "a subgroup lives on its parent's forge"
            );
            self.insert_account(sub, Some((&full_path, id)));
        }
    }

    fn insert_repo(&mut self, forge: ForgeKind, owner: &str, repo: Repo) -> RepoRec {
        let id = self.id();
        let now = self.tick();
        let rec = RepoRec {
            id,
            owner: owner.to_owned(),
            repo,
            created: now,
            updated: now,
        };
        self.repos.insert((forge, rec.full_name()), rec.clone());
        rec
    }

    fn repo(&self, forge: ForgeKind, full_name: &str) -> Option<&RepoRec> {
        self.repos.get(&(forge, full_name.to_owned()))
    }

    fn account(&self, forge: ForgeKind, full_path: &str) -> Option<&AccountRec> {
        self.accounts.get(&(forge, full_path.to_owned()))
    }

    /// The repositories of an account, with those of its subgroups at any depth if `deep`,
    /// private ones only for callers with credentials, in id order.
    fn repos_of(
        &self,
        forge: ForgeKind,
        owner: &str,
        deep: bool,
        authorized: bool,
    ) -> Vec<&RepoRec> {
        let below = format!("{owner}/");
        self.repos
            .iter()
            .filter(|((f, _), r)| {
                *f == forge
                    && (r.owner == owner || (deep && r.owner.starts_with(&below)))
                    && (authorized || !r.repo.private)
            })
            .map(|(_, r)| r)
            .collect()
    }
}

/// A rate-limit budget over a fixed window, as GitHub and GitLab count them.
#[derive(Debug, Clone)]
struct RateWindow {
    limit: u32,
    used: u32,
    reset: u64,
    period: u64,
}

impl RateWindow {
    fn new(limit: u32, period: u64) -> Self {
        Self {
            limit,
            used: 0,
            reset: unix_now() + period,
            period,
        }
    }

    fn roll(&mut self) {
        let now = unix_now();
        if now >= self.reset {
            self.used = 0;
            self.reset = now + self.period;
        }
    }

    fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }
}

struct Inner {
    base: String,
    git_root: PathBuf,
    store: Mutex<Store>,
    faults: Mutex<Vec<Fault>>,
    requests: Mutex<Vec<Recorded>>,
    per_repo: Mutex<HashMap<(ForgeKind, String), u32>>,
    latency: Mutex<Duration>,
    rates: Mutex<HashMap<ForgeKind, RateWindow>>,
    shutdown: watch::Receiver<bool>,
}

/// A request to an API forge, as the per-forge modules read it.
pub(super) struct Ask<'a> {
    /// The path after the API prefix, still percent-encoded.
    path: &'a str,
    query: Vec<(String, String)>,
    headers: &'a HeaderMap,
    /// The server's base URL, for the URLs inside answers.
    base: &'a str,
    /// Whether the request carries credentials (private repositories are visible).
    authorized: bool,
}

impl Ask<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments, still percent-encoded.
    fn segments(&self) -> Vec<&str> {
        self.path.trim_start_matches('/').split('/').collect()
    }
}

/// An answer from a per-forge module, before the shared layers (conditional requests, rate
/// limits, faults) see it.
pub(super) struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// When the resource last changed, for `Last-Modified`.
    modified: Option<i64>,
    /// The repository the request was about, `owner/repo`, for faults and counts.
    subject: Option<String>,
}

impl Reply {
    fn json(value: &serde_json::Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body: serde_json::to_vec(value).expect("a JSON value serialises"),
            modified: None,
            subject: None,
        }
    }

    fn raw(bytes: &[u8], content_type: &'static str) -> Self {
        Self {
            content_type,
            body: bytes.to_vec(),
            ..Self::json(&serde_json::Value::Null)
        }
    }

    fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn modified(mut self, at: i64) -> Self {
        self.modified = Some(at);
        self
    }

    fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
}

impl ForgeFixture {
    /// Builds the world (plain git repositories are created with the `git` command in a
    /// temporary directory) and serves it on `127.0.0.1` on a free port.
    pub async fn start(world: World) -> ForgeFixture {
        let dir = tempfile::tempdir().unwrap();
        let git_root = dir.path().to_path_buf();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());

        let mut store = Store::default();
        for account in &world.accounts {
            assert_ne!(
                account.forge,
                ForgeKind::Git,
                "plain git repositories have no account"
            );
            store.insert_account(account, None);
        }
        let mut git_repos = Vec::new();
        for repo in world.git {
            let rec = store.insert_repo(ForgeKind::Git, "", repo);
            git_repos.push(rec);
        }
        let root = git_root.clone();
        tokio::task::spawn_blocking(move || {
            for rec in git_repos {
                git::create(&root, &rec.repo, rec.updated);
            }
        })
        .await
        .unwrap();

        let mut rates = HashMap::new();
        rates.insert(ForgeKind::GitHub, RateWindow::new(5000, 3600));
        rates.insert(ForgeKind::GitLab, RateWindow::new(2000, 60));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let inner = Arc::new(Inner {
            base,
            git_root,
            store: Mutex::new(store),
            faults: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            per_repo: Mutex::new(HashMap::new()),
            latency: Mutex::new(Duration::ZERO),
            rates: Mutex::new(rates),
            shutdown: shutdown_rx,
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&inner));
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        ForgeFixture {
            inner,
            shutdown,
            server,
            _dir: dir,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The web prefix of a forge kind: `{base}/github`, `{base}/gitlab`, `{base}/gitea`,
    /// `{base}/git`.
    pub fn web_base(&self, kind: ForgeKind) -> String {
        format!("{}{}", self.inner.base, kind.web_prefix())
    }

    /// The API base of a forge kind: `{base}/github/api/v3`, `{base}/gitlab/api/v4`,
    /// `{base}/gitea/api/v1` (`{base}/git` for plain git).
    pub fn api_base(&self, kind: ForgeKind) -> String {
        format!("{}{}", self.inner.base, kind.api_prefix())
    }

    /// The clone URL of a plain git repository: `{base}/git/{name}.git`.
    pub fn git_url(&self, name: &str) -> String {
        format!("{}/git/{name}.git", self.inner.base)
    }

    /// The bare repository on disk behind `{base}/git/{name}.git`, for `file://` URLs.
    pub fn git_dir(&self, name: &str) -> PathBuf {
        git::bare_dir(&self.inner.git_root, name)
    }

    /// Writes a file (new or changed) in a repository; its ETags and update time change. On
    /// [`ForgeKind::Git`] it makes a new commit.
    pub fn set_file(&self, kind: ForgeKind, repo: &str, path: &str, bytes: impl Into<Vec<u8>>) {
        let bytes = bytes.into();
        self.update_repo(kind, repo, |r| {
            r.files.insert(path.to_owned(), bytes);
        });
    }

    /// Deletes a file from a repository.
    pub fn remove_file(&self, kind: ForgeKind, repo: &str, path: &str) {
        self.update_repo(kind, repo, |r| {
            r.files.remove(path);
        });
    }

    /// Changes a repository in place (archive it, change its branch or counters, ...).
    pub fn update_repo(&self, kind: ForgeKind, repo: &str, change: impl FnOnce(&mut Repo)) {
        let key = repo_key(kind, repo);
        let rec = {
            let mut store = self.inner.store.lock().unwrap();
            let now = store.tick();
            let rec = store
                .repos
                .get_mut(&(kind, key.clone()))
                .unwrap_or_else(|| panic!("no repository {key} on {kind:?}"));
            change(&mut rec.repo);
            rec.updated = now;
            rec.clone()
        };
        if kind == ForgeKind::Git {
            git::commit(&self.inner.git_root, &rec.repo, rec.updated);
        }
    }

    /// Removes a repository: it disappears from listings and its endpoints answer 404.
    pub fn remove_repo(&self, kind: ForgeKind, repo: &str) {
        let key = repo_key(kind, repo);
        let removed = self
            .inner
            .store
            .lock()
            .unwrap()
            .repos
            .remove(&(kind, key.clone()));
        assert!(removed.is_some(), "no repository {key} on {kind:?}");
        if kind == ForgeKind::Git {
            git::remove(&self.inner.git_root, &key);
        }
    }

    /// Adds a repository to an existing account (`owner` is its full path; empty for plain git).
    pub fn add_repo(&self, kind: ForgeKind, owner: &str, repo: Repo) {
        let rec = {
            let mut store = self.inner.store.lock().unwrap();
            if kind != ForgeKind::Git {
                assert!(
                    store.account(kind, owner).is_some(),
                    "no account {owner} on {kind:?}"
                );
            }
            store.insert_repo(kind, if kind == ForgeKind::Git { "" } else { owner }, repo)
        };
        if kind == ForgeKind::Git {
            git::create(&self.inner.git_root, &rec.repo, rec.updated);
        }
    }

    /// Injects a fault; faults are tried in the order they were injected, the first that matches
    /// a request applies.
    pub fn inject(&self, fault: Fault) {
        self.inner.faults.lock().unwrap().push(fault);
    }

    /// Removes every fault not yet used up.
    pub fn clear_faults(&self) {
        self.inner.faults.lock().unwrap().clear();
    }

    /// Delays every answer by this much (0 to stop).
    pub fn set_latency(&self, latency: Duration) {
        *self.inner.latency.lock().unwrap() = latency;
    }

    /// Sets a forge's rate-limit budget for the current window (GitHub: 5,000 an hour; GitLab:
    /// 2,000 a minute, by default) and forgets what was used. Past it, GitHub answers 403 and
    /// GitLab 429. Gitea has no rate-limit headers.
    pub fn set_rate_limit(&self, kind: ForgeKind, limit: u32) {
        let mut rates = self.inner.rates.lock().unwrap();
        let window = rates
            .get_mut(&kind)
            .expect("only GitHub and GitLab count requests");
        window.limit = limit;
        window.used = 0;
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// Forgets the recorded requests and the per-repository counts.
    pub fn clear_requests(&self) {
        self.inner.requests.lock().unwrap().clear();
        self.inner.per_repo.lock().unwrap().clear();
    }

    /// How many requests were about one repository (`owner/repo`; a bare name for plain git),
    /// its metadata, files or git protocol.
    pub fn requests_for(&self, kind: ForgeKind, repo: &str) -> u32 {
        let key = (kind, repo_key(kind, repo));
        self.inner
            .per_repo
            .lock()
            .unwrap()
            .get(&key)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for ForgeFixture {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.server.abort();
    }
}

/// The store key of a repository as tests name it (`x.git` and `x` are the same git repository).
fn repo_key(kind: ForgeKind, repo: &str) -> String {
    match kind {
        ForgeKind::Git => repo.trim_end_matches(".git").to_owned(),
        _ => repo.to_owned(),
    }
}

/// Seconds since the Unix epoch, now.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Whole seconds, rounded up (a `Retry-After` of 0.5 s must not read as "now").
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// An RFC 9110 HTTP date (`Mon, 01 Jan 2024 00:00:00 GMT`).
fn http_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Parses an HTTP date in the preferred (IMF-fixdate) form.
fn parse_http_date(text: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%a, %d %b %Y %H:%M:%S GMT")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// An RFC 3339 timestamp in UTC with whole seconds (`2024-01-01T00:00:00Z`).
fn iso(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Standard base64 with padding; with `wrap`, a line break after every 60 characters and at the
/// end, as Ruby's `Base64.encode64` (and so GitHub's contents API) writes it.
fn base64(bytes: &[u8], wrap: bool) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut plain = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                plain.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                plain.push('=');
            }
        }
    }
    if !wrap {
        return plain;
    }
    let mut wrapped = String::with_capacity(plain.len() + plain.len() / 60 + 1);
    for line in plain.as_bytes().chunks(60) {
        wrapped.push_str(std::str::from_utf8(line).unwrap());
        wrapped.push('\n');
    }
    wrapped
}

/// Lower-case hex of a SHA-256 digest.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A 40-hex blob id standing in for git's SHA-1 object id (the API forges keep no object store;
/// no client recomputes it): the SHA-256 of git's blob header and content, cut to 40 digits.
fn blob_id(bytes: &[u8]) -> String {
    let mut framed = format!("blob {}\0", bytes.len()).into_bytes();
    framed.extend_from_slice(bytes);
    sha256_hex(&framed)[..40].to_owned()
}

/// Decodes `%XX` escapes (a path segment such as GitLab's `group%2Fsub`); `None` if the result
/// is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a query value (`application/x-www-form-urlencoded`).
fn encode_query(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A page of a listing: which items, and the numbers the headers carry.
struct Page {
    page: usize,
    per_page: usize,
    total: usize,
    last: usize,
}

impl Page {
    /// Reads `page` and the page-size parameter; sizes below 1 or unreadable take the default,
    /// sizes above the maximum are cut to it (as all three forges document).
    fn read(ask: &Ask<'_>, size_param: &str, default: usize, max: usize, total: usize) -> Self {
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

    fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1)
            .saturating_mul(self.per_page)
            .min(items.len());
        let end = start.saturating_add(self.per_page).min(items.len());
        &items[start..end]
    }

    /// The URL of another page: the request's own URL with `page` (and, if given, the page
    /// size) replaced, the other parameters kept in order, or sorted when `sorted`.
    fn url(
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
async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
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
        status: 0,
    };

    let kind = [
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
            let (status, headers, body) = git::serve(
                inner.git_root.join("repos"),
                parts.method.as_str(),
                &path["/git".len()..],
                parts.uri.query().unwrap_or(""),
                &parts.headers,
                body,
            )
            .await;
            (status, headers, body)
        }
    };
    recorded.status = response.0;
    inner.requests.lock().unwrap().push(recorded);
    into_response(response, truncate)
}

/// Takes the first fault that matches, using up one of its times.
fn take_fault(
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
fn error_reply(forge: ForgeKind, status: u16) -> Reply {
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
fn finish(
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
fn rate_limit(
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
fn plain(status: u16, body: Vec<u8>) -> Response {
    into_response((status, Vec::new(), body), false)
}

/// Builds the HTTP response; `truncate` declares the full length but sends half the body and
/// then fails the stream, which makes hyper close the connection mid-body.
fn into_response(
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
