//! Git repositories: `publiccode.yml` from any git URL that is not a known forge API
//! ([`fetch`]), and the local clone of any repository, on a forge or not, that the vitality
//! index reads ([`history`]).
//!
//! Owns the clone cache (one bare clone per URL under a cache directory, named by a hash of the
//! URL) and talking git to the remote with gix: smart HTTP(S) through gix's blocking `reqwest`
//! transport, `file://` through the `git upload-pack` program. A re-crawl costs one ref
//! advertisement (git protocol version 1 over HTTP: a single `GET .../info/refs`, no pack) when
//! `HEAD` has not moved; otherwise the missing objects are fetched into the existing clone.
//!
//! It does not decide which URLs are plain git (the crawler does), nor vet the first URL against
//! the SSRF guard (callers check it first; given the guard, connections resolve through it and
//! redirects are not followed), nor compute the vitality index ([`super::vitality`]
//! reads the clone). gix is blocking: every call runs on `spawn_blocking`, bounded by a timeout
//! that both abandons the await and stops the blocking work (the HTTP client's own timeout and
//! gix's interrupt flag).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use url::Url;

use super::ssrf::{Guard, GuardedResolver};

/// The file names read at `HEAD`, in order of preference.
pub const FILE_NAMES: [&str; 2] = ["publiccode.yml", "publiccode.yaml"];

/// What one [`fetch`] learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitFetch {
    /// The commit the remote's `HEAD` points at, as 40 hex digits.
    pub commit: String,
    /// The branch `HEAD` points at (`main`, without `refs/heads/`); `None` for a detached `HEAD`.
    pub branch: Option<String>,
    /// `publiccode.yml` (or `publiccode.yaml`) in `HEAD`'s tree; `None` when there is neither.
    pub file: Option<Vec<u8>>,
    /// `HEAD` is the `known_commit` given: nothing was fetched if the clone already had it, and
    /// `file` was read from the local clone.
    pub unchanged: bool,
    /// The local bare clone, with full history and tags, for
    /// [`vitality::compute`](super::vitality::compute).
    pub clone_path: PathBuf,
}

/// What one [`history`] learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHistory {
    /// The commit the remote's `HEAD` points at, as 40 hex digits.
    pub commit: String,
    /// `HEAD` is the `known_commit` given.
    pub unchanged: bool,
    /// The local bare clone, with `HEAD`'s full history and the tags, for
    /// [`vitality::compute`](super::vitality::compute); `None` when `HEAD` is the known commit
    /// and this cache holds no clone of it (nothing was fetched).
    pub clone_path: Option<PathBuf>,
}

/// The boxed error of the layer below (gix, or the file system).
pub type Source = Box<dyn std::error::Error + Send + Sync>;

/// Why a git repository could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The URL's scheme is not one gix is allowed to use here.
    #[error("the `{scheme}` scheme is not fetched with git; only http, https and file URLs are")]
    Scheme {
        /// The refused scheme.
        scheme: String,
    },
    /// No connection could be made (refused, no route, unknown host, no such directory).
    #[error("cannot reach the git repository at {url}")]
    Unreachable {
        /// The URL, without any password.
        url: String,
        /// What failed.
        #[source]
        source: Source,
    },
    /// The server answered, but not as a git server does (not found, or not the smart protocol).
    #[error("{url} is not a git repository")]
    NotARepository {
        /// The URL, without any password.
        url: String,
        /// What the answer was.
        #[source]
        source: Source,
    },
    /// The server answered an HTTP error status that does not mean "no repository here".
    #[error("the git server at {url} answered HTTP {status}")]
    Status {
        /// The URL, without any password.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The whole operation took longer than the timeout.
    #[error("the git repository at {url} did not answer within {} s", timeout.as_secs_f32())]
    TimedOut {
        /// The URL, without any password.
        url: String,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// The repository has no `HEAD` commit: it is empty, or `HEAD` names a missing branch.
    #[error(
        "the git repository at {url} has no HEAD commit (it is empty or its default branch is missing)"
    )]
    NoHead {
        /// The URL, without any password.
        url: String,
    },
    /// The refs were listed, but fetching the objects failed.
    #[error("cannot fetch from the git repository at {url}")]
    Fetch {
        /// The URL, without any password.
        url: String,
        /// gix's error.
        #[source]
        source: Source,
    },
    /// The local clone could not be created, opened, updated or read.
    #[error("cannot use the local clone at {}", path.display())]
    Clone {
        /// The clone's directory.
        path: PathBuf,
        /// gix's or the file system's error.
        #[source]
        source: Source,
    },
    /// The blocking task did not finish (it panicked or the runtime is shutting down).
    #[error("the git task for {url} did not finish")]
    Task {
        /// The URL, without any password.
        url: String,
        /// Tokio's error.
        #[source]
        source: tokio::task::JoinError,
    },
}

/// The directory under `cache_dir` that holds the clone of `url`: the SHA-256 of the URL in hex,
/// so the same URL always finds its clone and no URL can name a path outside the cache.
#[must_use]
pub fn clone_dir(cache_dir: &Path, url: &Url) -> PathBuf {
    let digest = Sha256::digest(url.as_str().as_bytes());
    let mut name = String::with_capacity(digest.len() * 2 + 4);
    for byte in digest {
        name.push_str(&format!("{byte:02x}"));
    }
    name.push_str(".git");
    cache_dir.join(name)
}

/// Reads `publiccode.yml` at the `HEAD` of the git repository at `url`, keeping a bare clone of it
/// under `cache_dir`.
///
/// The first time, the whole repository (every branch and tag, full history, as the vitality
/// window needs) is fetched into a new bare clone at [`clone_dir`]. Afterwards the remote is
/// asked for its refs only, and when `HEAD` is `known_commit` and the clone has it, nothing more
/// is asked: `unchanged` is set and the file is read from the clone. Otherwise the new objects are
/// fetched into the clone, its `HEAD` follows the remote's, and the file is read at the new
/// `HEAD`. Fetches of the same URL wait for each other; the timeout counts the wait.
///
/// With a `guard`, every connection over HTTP(S) resolves its host through the guard and no
/// redirect is followed (git's redirects may point at a literal address no resolver sees); the
/// caller checks `url` itself first.
///
/// # Errors
///
/// [`GitError::Scheme`] for anything but `http`, `https` and `file` URLs,
/// [`GitError::TimedOut`] past `timeout`, and the other [`GitError`]s when the remote or the
/// clone fail.
pub async fn fetch(
    url: &Url,
    cache_dir: &Path,
    known_commit: Option<&str>,
    timeout: Duration,
    guard: Option<&Arc<Guard>>,
) -> Result<GitFetch, GitError> {
    let done = run(
        url,
        cache_dir,
        known_commit,
        timeout,
        guard,
        blocking::Purpose::File,
    )
    .await?;
    Ok(GitFetch {
        commit: done.commit,
        branch: done.branch,
        file: done.file,
        unchanged: done.unchanged,
        clone_path: done.clone_path,
    })
}

/// Brings the bare clone of the git repository at `url` under `cache_dir` up to the remote's
/// `HEAD`, for its history; reads no file.
///
/// As [`fetch`], with one difference: when `HEAD` is `known_commit` and the cache holds no
/// clone that has it, nothing is fetched either (`clone_path` is `None`): the caller already
/// has what it derived from that commit, and a clone would cost the whole history for nothing.
///
/// # Errors
///
/// As [`fetch`].
pub async fn history(
    url: &Url,
    cache_dir: &Path,
    known_commit: Option<&str>,
    timeout: Duration,
    guard: Option<&Arc<Guard>>,
) -> Result<GitHistory, GitError> {
    let done = run(
        url,
        cache_dir,
        known_commit,
        timeout,
        guard,
        blocking::Purpose::History,
    )
    .await?;
    Ok(GitHistory {
        commit: done.commit,
        unchanged: done.unchanged,
        clone_path: done.has_clone.then_some(done.clone_path),
    })
}

/// The files of a commit of a local clone: every file's path, breadth first (the root, then
/// each level down), and the bytes of those the caller asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeFiles {
    /// The commit read, as 40 hex digits.
    pub commit: String,
    /// Every file's path, up to the limit asked for.
    pub paths: Vec<String>,
    /// The files `wants` chose, each up to the byte limit asked for.
    pub texts: Vec<(String, Vec<u8>)>,
}

/// What [`read_tree`] reads.
#[derive(Debug, Clone, Copy)]
pub struct TreeRequest {
    /// Which files' bytes to read, by path.
    pub wants: fn(&str) -> bool,
    /// Paths kept at most.
    pub max_paths: usize,
    /// Bytes kept of each file read.
    pub max_bytes: usize,
    /// The time the whole read may take.
    pub timeout: Duration,
}

/// The files of `commit` (else `HEAD`) in the bare clone at `clone`, read locally: nothing is
/// fetched. A fetch into the same clone under way is waited for. `None` when there is no clone there, or it does not hold the commit (it has not
/// been brought up to date yet).
///
/// # Errors
///
/// [`GitError::Clone`] when the clone cannot be read, [`GitError::TimedOut`] past the
/// request's timeout.
pub async fn read_tree(
    clone: PathBuf,
    commit: Option<String>,
    request: TreeRequest,
) -> Result<Option<TreeFiles>, GitError> {
    let shown = clone.display().to_string();
    let lock = clone_lock(&clone);
    let work = async move {
        let guard = lock.lock_owned().await;
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            // Looked for under the lock: a first clone being made is waited for.
            if !clone.is_dir() {
                return Ok(None);
            }
            blocking::read_tree(&clone, commit.as_deref(), request)
        })
        .await
    };
    match tokio::time::timeout(request.timeout, work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(source)) => Err(GitError::Task { url: shown, source }),
        Err(_elapsed) => Err(GitError::TimedOut {
            url: shown,
            timeout: request.timeout,
        }),
    }
}

/// The work of [`fetch`] and [`history`]: checks the scheme, then runs the blocking half under
/// the clone's lock and the timeout.
async fn run(
    url: &Url,
    cache_dir: &Path,
    known_commit: Option<&str>,
    timeout: Duration,
    guard: Option<&Arc<Guard>>,
    purpose: blocking::Purpose,
) -> Result<blocking::Done, GitError> {
    match url.scheme() {
        "http" | "https" | "file" => {}
        scheme => {
            return Err(GitError::Scheme {
                scheme: scheme.to_owned(),
            });
        }
    }
    let shown = redacted(url);
    let interrupt = Arc::new(AtomicBool::new(false));
    let job = blocking::Job {
        url: url.clone(),
        shown: shown.clone(),
        clone_path: clone_dir(cache_dir, url),
        known_commit: known_commit.map(str::to_owned),
        timeout,
        guard: guard.cloned(),
        interrupt: Arc::clone(&interrupt),
        purpose,
    };
    let span = tracing::Span::current();
    let lock = clone_lock(&job.clone_path);
    let work = async move {
        // Held by the blocking work itself, so a fetch abandoned by its timeout still keeps the
        // next fetch of the same URL out of the clone until it has stopped.
        let guard = lock.lock_owned().await;
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            span.in_scope(|| job.run())
        })
        .await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(source)) => Err(GitError::Task { url: shown, source }),
        Err(_elapsed) => {
            // The blocking work cannot be cancelled from here: the flag stops a pack transfer,
            // and the HTTP client's own timeout ends a request that hangs.
            interrupt.store(true, Ordering::Relaxed);
            Err(GitError::TimedOut {
                url: shown,
                timeout,
            })
        }
    }
}

/// The lock of one clone directory: two fetches of the same URL at once would write the same
/// refs and packs. Locks nobody holds are dropped as new ones are made.
fn clone_lock(path: &Path) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Mutex::default);
    // A poisoned map still holds valid locks: a panic cannot leave it half-updated.
    let mut locks = LOCKS.lock().unwrap_or_else(PoisonError::into_inner);
    locks.retain(|_, lock| Arc::strong_count(lock) > 1);
    Arc::clone(locks.entry(path.to_path_buf()).or_default())
}

/// `url` as errors and logs show it: without its password.
fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

#[expect(
    clippy::disallowed_types,
    reason = "the blocking half of the git wrapper: it runs only inside `fetch`'s spawn_blocking"
)]
mod blocking {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use gix::bstr::ByteSlice as _;
    use gix::protocol::handshake::Ref;
    use gix::protocol::transport::client::blocking_io::http;
    use gix::remote::Direction;
    use url::Url;

    use super::{FILE_NAMES, GitError, Guard, GuardedResolver, Source};

    /// The refs mirrored into the bare clone: every branch and tag, forced, as the remote has
    /// them.
    const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

    /// Configuration applied to the clone in memory only, whatever the machine's git config says.
    fn overrides() -> Vec<String> {
        vec![
            // Version 1 advertises every ref, HEAD's target included, in answer to the first
            // request: a re-crawl is one GET. Version 2 needs a second request (`ls-refs`).
            "protocol.version=1".to_owned(),
            format!("gitoxide.userAgent={}", crate::crawl::http::USER_AGENT),
            // Never ask a terminal for a password.
            "core.askPass=".to_owned(),
            "credential.interactive=false".to_owned(),
        ]
    }

    /// Everything the blocking task needs, owned.
    pub(super) struct Job {
        pub(super) url: Url,
        pub(super) shown: String,
        pub(super) clone_path: PathBuf,
        pub(super) known_commit: Option<String>,
        pub(super) timeout: Duration,
        pub(super) guard: Option<Arc<Guard>>,
        pub(super) interrupt: Arc<AtomicBool>,
        pub(super) purpose: Purpose,
    }

    /// The files of `commit` (else `HEAD`) of the clone at `path`; `None` when the clone does
    /// not hold the commit.
    pub(super) fn read_tree(
        path: &std::path::Path,
        commit: Option<&str>,
        request: super::TreeRequest,
    ) -> Result<Option<super::TreeFiles>, GitError> {
        let local = |e: Source| GitError::Clone {
            path: path.to_path_buf(),
            source: e,
        };
        let repo = gix::open_opts(path, Job::open_options()).map_err(|e| local(boxed(e)))?;
        let id = match commit {
            Some(hex) => {
                let Ok(id) = gix::ObjectId::from_hex(hex.as_bytes()) else {
                    return Ok(None);
                };
                if !repo.has_object(id) {
                    return Ok(None);
                }
                id
            }
            None => match repo.head_id() {
                Ok(id) => id.detach(),
                Err(_) => return Ok(None),
            },
        };
        let tree = repo
            .find_commit(id)
            .and_then(|c| c.tree())
            .map_err(|e| local(boxed(e)))?;
        let entries = tree
            .traverse()
            .breadthfirst
            .files()
            .map_err(|e| local(boxed(e)))?;
        let mut files = super::TreeFiles {
            commit: id.to_string(),
            ..super::TreeFiles::default()
        };
        for entry in entries {
            if !entry.mode.is_blob() {
                continue;
            }
            let name = entry.filepath.to_str_lossy().into_owned();
            if (request.wants)(&name) {
                let object = repo.find_object(entry.oid).map_err(|e| local(boxed(e)))?;
                let mut data = object.detach().data;
                data.truncate(request.max_bytes);
                files.texts.push((name.clone(), data));
            }
            if files.paths.len() < request.max_paths {
                files.paths.push(name);
            }
        }
        Ok(Some(files))
    }

    /// What the caller wants from the clone.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Purpose {
        /// `publiccode.yml` at `HEAD` (and the clone, up to date).
        File,
        /// The history up to `HEAD` only, and nothing at all when `HEAD` is the known commit.
        History,
    }

    /// What one run did.
    pub(super) struct Done {
        pub(super) commit: String,
        pub(super) branch: Option<String>,
        pub(super) file: Option<Vec<u8>>,
        pub(super) unchanged: bool,
        /// The clone holds `HEAD`'s history (always, but for a skipped [`Purpose::History`]).
        pub(super) has_clone: bool,
        pub(super) clone_path: PathBuf,
    }

    /// The remote's `HEAD` as the ref advertisement gives it.
    struct RemoteHead {
        id: gix::ObjectId,
        /// The full name of the branch it points at, `None` when detached.
        target: Option<gix::refs::FullName>,
    }

    fn boxed(e: impl std::error::Error + Send + Sync + 'static) -> Source {
        Box::new(e)
    }

    impl Job {
        pub(super) fn run(self) -> Result<Done, GitError> {
            let started = Instant::now();
            if self.url.scheme() == "file" {
                self.check_local_path()?;
            }
            let fresh = !self.clone_path.exists();
            let outcome = self.run_in(fresh, started);
            if fresh && outcome.as_ref().map_or(true, |done| !done.has_clone) {
                // A half-made clone must not pass for a clone next time, and an empty one made
                // only to list the remote's refs is no use to keep.
                let _ = std::fs::remove_dir_all(&self.clone_path);
            }
            outcome
        }

        fn run_in(&self, fresh: bool, started: Instant) -> Result<Done, GitError> {
            let repo = if fresh {
                self.init()?
            } else {
                match self.open() {
                    Ok(repo) => repo,
                    Err(_) => {
                        // A clone gix cannot open (an interrupted first fetch, a damaged disk)
                        // is only a cache: start again.
                        std::fs::remove_dir_all(&self.clone_path).map_err(|e| self.local(e))?;
                        self.init()?
                    }
                }
            };
            let remote = repo
                .remote_at(self.url.as_str())
                .and_then(|remote| remote.with_refspecs(REFSPECS, Direction::Fetch))
                .map_err(|e| self.local(e))?
                .with_fetch_tags(gix::remote::fetch::Tags::None);
            let mut connection = remote
                .connect(Direction::Fetch)
                .map_err(|e| self.classify(e, Phase::Connect))?;
            if let Some(options) = self.transport_options(&repo, started)? {
                connection.set_transport_options(options);
            }
            // Credentials are never looked up: plain git URLs are public repositories.
            connection.set_credentials(|_| Ok(None));
            let prepare = connection
                .prepare_fetch(
                    gix::progress::Discard,
                    gix::remote::ref_map::Options::default(),
                )
                .map_err(|e| self.classify(e, Phase::Connect))?;
            let head = self.remote_head(&prepare.ref_map().remote_refs)?;
            let unchanged = self
                .known_commit
                .as_deref()
                .is_some_and(|known| known.eq_ignore_ascii_case(&head.id.to_string()));
            let branch = head
                .target
                .as_ref()
                .map(|name| name.shorten().to_str_lossy().into_owned());
            if unchanged && repo.has_object(head.id) {
                drop(prepare);
            } else if unchanged && self.purpose == Purpose::History {
                drop(prepare);
                return Ok(Done {
                    commit: head.id.to_string(),
                    branch,
                    file: None,
                    unchanged,
                    has_clone: false,
                    clone_path: self.clone_path.clone(),
                });
            } else {
                prepare
                    .receive(gix::progress::Discard, &self.interrupt)
                    .map_err(|e| {
                        if self.interrupt.load(Ordering::Relaxed) {
                            self.timed_out()
                        } else {
                            self.classify(e, Phase::Fetch)
                        }
                    })?;
            }
            self.point_head(&repo, &head)?;
            let file = match self.purpose {
                Purpose::File => self.read_file(&repo, head.id)?,
                Purpose::History => None,
            };
            Ok(Done {
                commit: head.id.to_string(),
                branch,
                file,
                unchanged,
                has_clone: true,
                clone_path: self.clone_path.clone(),
            })
        }

        fn open_options() -> gix::open::Options {
            gix::open::Options::isolated().config_overrides(overrides())
        }

        fn init(&self) -> Result<gix::Repository, GitError> {
            if let Some(parent) = self.clone_path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| self.local(e))?;
            }
            gix::ThreadSafeRepository::init_opts(
                &self.clone_path,
                gix::create::Kind::Bare,
                gix::create::Options::default(),
                Self::open_options(),
            )
            .map(|repo| repo.to_thread_local())
            .map_err(|e| self.local(e))
        }

        fn open(&self) -> Result<gix::Repository, GitError> {
            gix::open_opts(&self.clone_path, Self::open_options()).map_err(|e| self.local(e))
        }

        /// A `file://` URL must name an existing directory: `git upload-pack` would otherwise
        /// fail with an error that does not say so.
        fn check_local_path(&self) -> Result<(), GitError> {
            let path = self
                .url
                .to_file_path()
                .map_err(|()| GitError::Unreachable {
                    url: self.shown.clone(),
                    source: "the file URL does not name a local path".into(),
                })?;
            if path.is_dir() {
                Ok(())
            } else {
                Err(GitError::Unreachable {
                    url: self.shown.clone(),
                    source: format!("no directory at {}", path.display()).into(),
                })
            }
        }

        /// HTTP transport options from the clone's configuration, plus a client timeout that ends
        /// a hanging request when the caller's timeout does.
        fn transport_options(
            &self,
            repo: &gix::Repository,
            started: Instant,
        ) -> Result<Option<Box<dyn std::any::Any>>, GitError> {
            if !matches!(self.url.scheme(), "http" | "https") {
                return Ok(None);
            }
            let options = repo
                .transport_options(self.url.as_str(), None)
                .map_err(|e| self.local(e))?;
            // Under a guard, a connection that could not be given the guard's resolver and
            // redirect policy is not made at all.
            let unguarded = || GitError::Unreachable {
                url: self.shown.clone(),
                source: "the HTTP transport cannot be put under the SSRF guard".into(),
            };
            let Some(mut options) = options else {
                return match self.guard {
                    Some(_) => Err(unguarded()),
                    None => Ok(None),
                };
            };
            if self.guard.is_some() && !options.is::<http::Options>() {
                return Err(unguarded());
            }
            if let Some(http) = options.downcast_mut::<http::Options>() {
                let left = self.timeout.saturating_sub(started.elapsed());
                let left = left.max(Duration::from_millis(1));
                http.connect_timeout = Some(left);
                if self.guard.is_some() {
                    http.follow_redirects = http::options::FollowRedirects::None;
                }
                let guard = self.guard.clone();
                let backend = http::reqwest::Options {
                    configure_client: Some(Box::new(move |builder| {
                        let builder = builder.timeout(left).connect_timeout(left);
                        Ok(match &guard {
                            Some(guard) => builder
                                .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(guard))))
                                .no_proxy(),
                            None => builder,
                        })
                    })),
                    configure_request: None,
                };
                http.backend = Some(Arc::new(Mutex::new(backend)));
            }
            Ok(Some(options))
        }

        fn remote_head(&self, refs: &[Ref]) -> Result<RemoteHead, GitError> {
            let no_head = || GitError::NoHead {
                url: self.shown.clone(),
            };
            let head = refs
                .iter()
                .find(|r| {
                    let (name, _, _) = r.unpack();
                    name == "HEAD"
                })
                .ok_or_else(no_head)?;
            match head {
                Ref::Symbolic { target, object, .. } => Ok(RemoteHead {
                    id: *object,
                    target: gix::refs::FullName::try_from(target.as_bstr()).ok(),
                }),
                Ref::Direct { object, .. } | Ref::Peeled { object, .. } => Ok(RemoteHead {
                    id: *object,
                    target: None,
                }),
                Ref::Unborn { .. } => Err(no_head()),
            }
        }

        /// Makes the clone's `HEAD` name the same branch as the remote's (or the same commit,
        /// when the remote's is detached), so the vitality index walks the right history.
        fn point_head(&self, repo: &gix::Repository, head: &RemoteHead) -> Result<(), GitError> {
            use gix::refs::Target;
            use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit};

            let new = match &head.target {
                Some(name) => Target::Symbolic(name.clone()),
                None => Target::Object(head.id),
            };
            let current = repo.head().map_err(|e| self.local(e))?;
            let same = match (&new, current.kind) {
                (Target::Symbolic(name), gix::head::Kind::Symbolic(r)) => r.name == *name,
                (Target::Symbolic(name), gix::head::Kind::Unborn(unborn)) => unborn == *name,
                (Target::Object(id), gix::head::Kind::Detached { target, .. }) => target == *id,
                _ => false,
            };
            if same {
                return Ok(());
            }
            let name = gix::refs::FullName::try_from("HEAD").map_err(|e| self.local(e))?;
            repo.edit_reference(RefEdit {
                change: Change::Update {
                    log: LogChange::default(),
                    expected: PreviousValue::Any,
                    new,
                },
                name,
                deref: false,
            })
            .map_err(|e| self.local(e))?;
            Ok(())
        }

        fn read_file(
            &self,
            repo: &gix::Repository,
            commit: gix::ObjectId,
        ) -> Result<Option<Vec<u8>>, GitError> {
            let tree = repo
                .find_commit(commit)
                .and_then(|commit| commit.tree())
                .map_err(|e| self.local(e))?;
            for name in FILE_NAMES {
                let Some(entry) = tree.find_entry(name) else {
                    continue;
                };
                if !entry.mode().is_blob() {
                    continue;
                }
                let object = entry.object().map_err(|e| self.local(e))?;
                return Ok(Some(object.detach().data));
            }
            Ok(None)
        }

        fn local(&self, e: impl std::error::Error + Send + Sync + 'static) -> GitError {
            GitError::Clone {
                path: self.clone_path.clone(),
                source: boxed(e),
            }
        }

        fn timed_out(&self) -> GitError {
            GitError::TimedOut {
                url: self.shown.clone(),
                timeout: self.timeout,
            }
        }

        /// Sorts a gix failure talking to the remote into the errors callers act on, from the
        /// HTTP client's or the operating system's error in its cause chain.
        fn classify(&self, e: gix::Error, phase: Phase) -> GitError {
            let url = self.shown.clone();
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(current) = cause {
                if let Some(http) = current.downcast_ref::<reqwest::Error>() {
                    if http.is_timeout() {
                        return self.timed_out();
                    }
                    if let Some(status) = http.status() {
                        return match status.as_u16() {
                            404 | 410 => GitError::NotARepository {
                                url,
                                source: boxed(e),
                            },
                            status => GitError::Status { url, status },
                        };
                    }
                    if http.is_connect() {
                        return GitError::Unreachable {
                            url,
                            source: boxed(e),
                        };
                    }
                }
                if let Some(io) = current.downcast_ref::<std::io::Error>() {
                    use std::io::ErrorKind;
                    match io.kind() {
                        ErrorKind::TimedOut => return self.timed_out(),
                        ErrorKind::ConnectionRefused
                        | ErrorKind::HostUnreachable
                        | ErrorKind::NetworkUnreachable
                        | ErrorKind::AddrNotAvailable => {
                            return GitError::Unreachable {
                                url,
                                source: boxed(e),
                            };
                        }
                        _ => {}
                    }
                }
                cause = current.source();
            }
            match phase {
                // Whatever answered the first request without being reachable-but-failing is not
                // speaking git.
                Phase::Connect => GitError::NotARepository {
                    url,
                    source: boxed(e),
                },
                Phase::Fetch => GitError::Fetch {
                    url,
                    source: boxed(e),
                },
            }
        }
    }

    /// Where a failure talking to the remote happened.
    #[derive(Clone, Copy)]
    enum Phase {
        /// Connecting and listing refs.
        Connect,
        /// Negotiating and receiving the pack.
        Fetch,
    }
}
