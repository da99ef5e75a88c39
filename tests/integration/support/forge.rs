//! The fixture forge: one in-process HTTP server on loopback that speaks, under one path prefix
//! each, the parts of the GitHub REST API v3, the GitLab REST API v4 and the Gitea/Forgejo API v1
//! that the crawler uses, and serves real git repositories over smart HTTP.
//!
//! It stands in for the outside world only, so it speaks the real protocols: the shapes follow
//! the official documentation named in each submodule ([`github`], [`gitlab`], [`gitea`],
//! [`git`]). Tests build a [`World`], start a [`ForgeFixture`] on `127.0.0.1:0`, point the
//! crawler at [`ForgeFixture::api_base`], change the world while it runs, inject faults and read
//! back what was asked. Every repository can be cloned: plain git ones at
//! [`ForgeFixture::git_url`], the API forges' ones at the `clone_url` (GitLab:
//! `http_url_to_repo`) their API gives, `{web prefix}/{full path}.git`.
//!
//! What every API answer shares lives here: conditional requests (a strong `ETag` that hashes the
//! body, `Last-Modified`, `If-None-Match` and `If-Modified-Since` answered with 304), rate-limit
//! budgets and their headers, the global latency and the faults. It must not hold any crawler
//! logic: it answers, it never decides for the client.

mod encode;
mod git;
mod gitea;
mod github;
mod gitlab;
mod serve;
mod world;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use encode::{base64, blob_id, decode_path, iso, percent_decode, sha256_hex};
use serve::{Ask, Page, RateWindow, Reply};
pub use world::{Account, AccountKind, Commit, Repo, World};
use world::{EPOCH, RepoRec, Store};

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

    /// The directory of this kind's repositories under the fixture's `forges/`.
    fn dir(self) -> &'static str {
        &self.web_prefix()[1..]
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
    /// The `X-GitHub-Api-Version` header.
    pub api_version: Option<String>,
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
    /// The API forges' repositories made on disk so far; held while one is made or changed.
    git_built: Mutex<HashSet<(ForgeKind, String)>>,
}

impl Inner {
    /// The bare repository and work tree of a repository: `repos/`, `work/` for plain git,
    /// `forges/{kind}/`, `forges-work/{kind}/` for the API forges.
    fn git_paths(&self, kind: ForgeKind, key: &str) -> (PathBuf, PathBuf) {
        if kind == ForgeKind::Git {
            (
                git::bare_dir(&self.git_root, key),
                git::work_dir(&self.git_root, key),
            )
        } else {
            (
                self.git_root
                    .join("forges")
                    .join(kind.dir())
                    .join(format!("{key}.git")),
                self.git_root.join("forges-work").join(kind.dir()).join(key),
            )
        }
    }

    /// Makes the git repository of an API forge's repository on disk, the first time a client
    /// asks for it (most worlds are never cloned, and a thousand `git` runs would slow every
    /// test); `false` when there is no such repository for this client (private ones need
    /// credentials). Blocking.
    fn materialize(&self, kind: ForgeKind, full: &str, authorized: bool) -> bool {
        let mut built = self.git_built.lock().unwrap();
        let rec = {
            let store = self.store.lock().unwrap();
            match store.repo(kind, full) {
                Some(rec) if authorized || !rec.repo.private => rec.clone(),
                _ => return false,
            }
        };
        if built.insert((kind, full.to_owned())) {
            git::create(&self.git_paths(kind, full).0, &rec.repo, rec.updated);
        }
        true
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
                git::create(
                    &git::bare_dir(&root, &rec.repo.name),
                    &rec.repo,
                    rec.updated,
                );
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
            git_built: Mutex::new(HashSet::new()),
        });
        let router = axum::Router::new()
            .fallback(serve::handle)
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

    /// The `forges:` section of a `publishers.yml` declaring the three API forges of the
    /// fixture, each with the token variable `tokens` names for it, if any.
    pub fn forges_section(&self, tokens: &[(ForgeKind, &str)]) -> String {
        let mut out = String::from("forges:\n");
        for (kind, name) in [
            (ForgeKind::GitHub, "github"),
            (ForgeKind::GitLab, "gitlab"),
            (ForgeKind::Gitea, "gitea"),
        ] {
            out.push_str(&format!(
                "  - {{web: {}, kind: {name}, api: {}",
                self.web_base(kind),
                self.api_base(kind)
            ));
            if let Some((_, token)) = tokens.iter().find(|(k, _)| *k == kind) {
                out.push_str(&format!(", token: {token}"));
            }
            out.push_str("}\n");
        }
        out
    }

    /// The clone URL of a plain git repository: `{base}/git/{name}.git`.
    pub fn git_url(&self, name: &str) -> String {
        format!("{}/git/{name}.git", self.inner.base)
    }

    /// The bare repository on disk behind `{base}/git/{name}.git`, for `file://` URLs.
    pub fn git_dir(&self, name: &str) -> PathBuf {
        git::bare_dir(&self.inner.git_root, name)
    }

    /// The clone URL of a repository on an API forge, as its API gives it:
    /// `{base}/github/{owner}/{repo}.git` (GitLab: the project's full path).
    pub fn clone_url(&self, kind: ForgeKind, repo: &str) -> String {
        format!("{}/{repo}.git", self.web_base(kind))
    }

    /// Writes a file (new or changed) in a repository; its `ETag`s and update time change. On
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

    /// Changes a repository in place (archive it, change its branch or counters, ...). Its
    /// update time moves. On [`ForgeKind::Git`] it makes a new commit; on the API forges, a new
    /// commit when the files changed and the repository was cloned already.
    pub fn update_repo(&self, kind: ForgeKind, repo: &str, change: impl FnOnce(&mut Repo)) {
        let key = repo_key(kind, repo);
        let built = self.inner.git_built.lock().unwrap();
        let (rec, before) = {
            let mut store = self.inner.store.lock().unwrap();
            let now = store.tick();
            let rec = store.repo_mut(kind, &key);
            let before = (rec.repo.files.clone(), rec.repo.default_branch.clone());
            change(&mut rec.repo);
            rec.updated = now;
            (rec.clone(), before)
        };
        let (bare, work) = self.inner.git_paths(kind, &key);
        let on_disk = kind == ForgeKind::Git || built.contains(&(kind, key.clone()));
        if on_disk && rec.repo.default_branch != before.1 {
            git::rename_branch(&bare, &before.1, &rec.repo.default_branch);
        }
        if kind == ForgeKind::Git || (on_disk && rec.repo.files != before.0) {
            git::commit(&bare, &work, &rec.repo, rec.updated);
        }
    }

    /// Pushes `commits` (oldest first, the files unchanged) to the default branch of a
    /// repository: its history grows and its update time moves, as a push moves GitHub's
    /// `pushed_at`.
    pub fn push(&self, kind: ForgeKind, repo: &str, commits: impl IntoIterator<Item = Commit>) {
        let commits: Vec<Commit> = commits.into_iter().collect();
        let key = repo_key(kind, repo);
        let built = self.inner.git_built.lock().unwrap();
        let rec = {
            let mut store = self.inner.store.lock().unwrap();
            let now = store.tick();
            let rec = store.repo_mut(kind, &key);
            if rec.repo.history.is_empty() {
                // The commit the repository had until now, kept under the pushed ones.
                rec.repo
                    .history
                    .push(Commit::new(rec.updated, "fixture@riuso.invalid"));
            }
            rec.repo.history.extend(commits.iter().cloned());
            rec.updated = now;
            rec.clone()
        };
        if kind == ForgeKind::Git || built.contains(&(kind, key.clone())) {
            let (bare, _) = self.inner.git_paths(kind, &key);
            git::append(&bare, &rec.repo.default_branch, &commits);
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
        if kind == ForgeKind::Git
            || self
                .inner
                .git_built
                .lock()
                .unwrap()
                .remove(&(kind, key.clone()))
        {
            let (bare, work) = self.inner.git_paths(kind, &key);
            git::remove(&bare, &work);
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
            git::create(
                &git::bare_dir(&self.inner.git_root, &rec.repo.name),
                &rec.repo,
                rec.updated,
            );
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
