//! Plain git URLs through gix against the fixture forge's real git server (smart HTTP through
//! `git http-backend`) and its repositories on disk (`file://`): the first clone, a re-crawl that
//! costs one ref advertisement, a new commit, a missing file, failures that say what went wrong,
//! a hanging server cut by the timeout, and the clone handed to the vitality index (which a
//! known commit does not fetch again).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::DateTime;
use riuso::crawl::git::{self, GitError};
use riuso::crawl::vitality::{self, Window};
use url::Url;

use crate::support::forge::{Fault, FaultKind, ForgeFixture, ForgeKind, Match, Repo, World};

const TIMEOUT: Duration = Duration::from_secs(20);
const FIRST: &[u8] = b"publiccodeYmlVersion: \"0.4\"\nname: First\n";
const SECOND: &[u8] = b"publiccodeYmlVersion: \"0.4\"\nname: Second\n";

async fn fixture() -> ForgeFixture {
    ForgeFixture::start(
        World::new()
            .git_repo(Repo::new("x").publiccode(FIRST))
            .git_repo(Repo::new("bare"))
            .git_repo(
                Repo::new("yaml")
                    .branch("develop")
                    .file("publiccode.yaml", SECOND),
            ),
    )
    .await
}

/// The fixture, an empty clone cache, and the URL of the fixture's repository `x`.
async fn start() -> (ForgeFixture, tempfile::TempDir, Url) {
    let fixture = fixture().await;
    let url = url(&fixture, "x");
    (fixture, tempfile::tempdir().unwrap(), url)
}

/// [`git::fetch`] as the crawler asks, without a guard.
async fn fetch(url: &Url, cache: &Path, known: Option<&str>) -> Result<git::GitFetch, GitError> {
    git::fetch(url, cache, known, TIMEOUT, None).await
}

/// [`git::history`] as the vitality job asks, without a guard.
async fn history(
    url: &Url,
    cache: &Path,
    known: Option<&str>,
) -> Result<git::GitHistory, GitError> {
    git::history(url, cache, known, TIMEOUT, None).await
}

fn url(fixture: &ForgeFixture, name: &str) -> Url {
    Url::parse(&fixture.git_url(name)).unwrap()
}

/// A day after the fixture's clock started, so its commits fall in the vitality window.
fn fixture_day() -> chrono::DateTime<chrono::Utc> {
    DateTime::from_timestamp(1_704_067_200 + 86_400, 0).unwrap()
}

#[tokio::test]
async fn first_fetch_reads_the_file_and_the_commit_then_a_recrawl_asks_for_refs_only() {
    let (fixture, cache, url) = start().await;

    let first = fetch(&url, cache.path(), None).await.unwrap();
    assert_eq!(first.file.as_deref(), Some(FIRST));
    assert_eq!(first.commit.len(), 40);
    assert_eq!(first.branch.as_deref(), Some("main"));
    assert!(!first.unchanged);
    assert_eq!(first.clone_path, git::clone_dir(cache.path(), &url));
    assert!(first.clone_path.starts_with(cache.path()));

    fixture.clear_requests();
    let again = fetch(&url, cache.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(again.unchanged);
    assert_eq!(again.commit, first.commit);
    assert_eq!(again.file.as_deref(), Some(FIRST));
    let asked: Vec<(String, String)> = fixture
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path_and_query))
        .collect();
    assert_eq!(
        asked,
        [(
            "GET".to_owned(),
            "/git/x.git/info/refs?service=git-upload-pack".to_owned()
        )],
        "a re-crawl of an unchanged repository is one ref advertisement, no upload-pack POST"
    );
}

#[tokio::test]
async fn history_of_a_known_commit_fetches_nothing_even_without_a_clone() {
    let (fixture, cache, url) = start().await;
    let first = history(&url, cache.path(), None).await.unwrap();
    assert!(!first.unchanged);
    let clone = first.clone_path.clone().unwrap();
    assert_eq!(clone, git::clone_dir(cache.path(), &url));
    assert_eq!(
        vitality::compute(&clone, fixture_day(), Window::DEFAULT)
            .unwrap()
            .commits,
        1
    );

    // The same commit with the clone at hand: the clone, nothing fetched.
    fixture.clear_requests();
    let again = history(&url, cache.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(again.unchanged);
    assert_eq!(again.clone_path.as_ref(), Some(&clone));
    // The same commit in another cache: no clone is made for it, and nothing is left behind.
    let elsewhere = tempfile::tempdir().unwrap();
    let skipped = history(&url, elsewhere.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(skipped.unchanged);
    assert_eq!(skipped.commit, first.commit);
    assert_eq!(skipped.clone_path, None);
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none()
    );
    let methods: Vec<String> = fixture.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET", "GET"], "two ref advertisements, no pack");

    // A new commit is fetched there.
    fixture.set_file(ForgeKind::Git, "x", "publiccode.yml", SECOND);
    let moved = history(&url, elsewhere.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(!moved.unchanged);
    let clone = moved.clone_path.unwrap();
    assert_eq!(
        vitality::compute(&clone, fixture_day(), Window::DEFAULT)
            .unwrap()
            .commits,
        2
    );
}

#[tokio::test]
async fn a_new_commit_is_fetched_into_the_clone() {
    let (fixture, cache, url) = start().await;
    let first = fetch(&url, cache.path(), None).await.unwrap();
    let before = vitality::compute(&first.clone_path, fixture_day(), Window::DEFAULT).unwrap();
    assert_eq!(before.commits, 1);

    fixture.set_file(ForgeKind::Git, "x", "publiccode.yml", SECOND);
    let next = fetch(&url, cache.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(!next.unchanged);
    assert_ne!(next.commit, first.commit);
    assert_eq!(next.file.as_deref(), Some(SECOND));
    assert_eq!(next.clone_path, first.clone_path);

    // The clone's HEAD followed: the vitality index sees both commits.
    let after = vitality::compute(&next.clone_path, fixture_day(), Window::DEFAULT).unwrap();
    assert_eq!(after.commits, 2);
    assert!(after.first_commit.is_some());
}

#[tokio::test]
async fn fetches_of_the_same_url_at_once_share_the_clone() {
    // The fixture serves until it is dropped at the end.
    let (_fixture, cache, url) = start().await;
    let (a, b) = tokio::join!(
        fetch(&url, cache.path(), None),
        fetch(&url, cache.path(), None),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.commit, b.commit);
    assert_eq!(a.file.as_deref(), Some(FIRST));
    assert_eq!(b.file.as_deref(), Some(FIRST));
}

#[tokio::test]
async fn a_repository_without_the_file_gives_none_and_yaml_is_accepted() {
    let fixture = fixture().await;
    let cache = tempfile::tempdir().unwrap();

    let bare = fetch(&url(&fixture, "bare"), cache.path(), None)
        .await
        .unwrap();
    assert_eq!(bare.file, None);
    assert_eq!(bare.commit.len(), 40);

    let yaml = fetch(&url(&fixture, "yaml"), cache.path(), None)
        .await
        .unwrap();
    assert_eq!(yaml.file.as_deref(), Some(SECOND));
    assert_eq!(yaml.branch.as_deref(), Some("develop"));
    assert_ne!(yaml.clone_path, bare.clone_path);
}

#[tokio::test]
async fn file_urls_work_the_same() {
    let fixture = fixture().await;
    let cache = tempfile::tempdir().unwrap();
    let url = Url::from_file_path(fixture.git_dir("x")).unwrap();

    let first = fetch(&url, cache.path(), None).await.unwrap();
    assert_eq!(first.file.as_deref(), Some(FIRST));
    assert_eq!(first.branch.as_deref(), Some("main"));

    let again = fetch(&url, cache.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(again.unchanged);

    fixture.set_file(ForgeKind::Git, "x", "publiccode.yml", SECOND);
    let next = fetch(&url, cache.path(), Some(&first.commit))
        .await
        .unwrap();
    assert!(!next.unchanged);
    assert_eq!(next.file.as_deref(), Some(SECOND));

    // The same repository over HTTP has the same commit.
    let http = fetch(&self::url(&fixture, "x"), cache.path(), None)
        .await
        .unwrap();
    assert_eq!(http.commit, next.commit);
    assert_ne!(http.clone_path, next.clone_path);
}

#[tokio::test]
async fn failures_are_named_and_quick() {
    let fixture = fixture().await;
    let cache = tempfile::tempdir().unwrap();

    // A port nothing listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let started = Instant::now();
    let unreachable = Url::parse(&format!("http://127.0.0.1:{port}/x.git")).unwrap();
    let err = fetch(&unreachable, cache.path(), None).await.unwrap_err();
    assert!(matches!(err, GitError::Unreachable { .. }), "{err:?}");

    // An HTTP server that is not a git server, and a git server without that repository.
    let not_git = Url::parse(&format!("{}/nothing/here", fixture.base())).unwrap();
    let err = fetch(&not_git, cache.path(), None).await.unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
    let missing = url(&fixture, "missing");
    let err = fetch(&missing, cache.path(), None).await.unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("{missing} is not a git repository")
    );

    let no_dir = Url::from_file_path(cache.path().join("no-such-repo")).unwrap();
    let err = fetch(&no_dir, cache.path(), None).await.unwrap_err();
    assert!(matches!(err, GitError::Unreachable { .. }), "{err:?}");

    for refused in ["ssh://example.org/x.git", "git://example.org/x.git"] {
        let err = fetch(&Url::parse(refused).unwrap(), cache.path(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, GitError::Scheme { .. }), "{err:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(10));

    // Nothing failed is left in the cache as if it were a clone.
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_hanging_server_is_cut_by_the_timeout() {
    let fixture = fixture().await;
    let cache = tempfile::tempdir().unwrap();
    fixture.inject(Fault {
        target: Match::Repo(ForgeKind::Git, "x".to_owned()),
        kind: FaultKind::Hang,
        times: None,
    });
    let started = Instant::now();
    let err = git::fetch(
        &url(&fixture, "x"),
        cache.path(),
        None,
        Duration::from_millis(500),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, GitError::TimedOut { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // The blocking work stopped too: it removed its half-made clone on the way out.
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_dir(cache.path()).unwrap().count() > 0 {
        assert!(
            Instant::now() < deadline,
            "the blocking fetch is still running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A server that answers every request with a 302 to the same path on `target`, counting them.
async fn redirector(target: String) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&asked);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (target, counter) = (target.clone(), std::sync::Arc::clone(&counter));
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&head);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let reply = format!(
                    "HTTP/1.1 302 Found\r\nLocation: {target}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (port, asked)
}

#[tokio::test]
async fn a_guarded_fetch_follows_no_redirect_past_the_guard() {
    use riuso::crawl::ssrf::Guard;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    let fixture = fixture().await;
    let (port, asked) = redirector(fixture.base().to_owned()).await;
    let hop = Url::parse(&format!("http://127.0.0.1:{port}/git/x.git")).unwrap();
    let cache = tempfile::tempdir().unwrap();

    // Only the redirecting server is allowed: the fixture behind it is never asked.
    let guard = Arc::new(Guard::new(vec![format!("127.0.0.1:{port}")]).unwrap());
    let err = git::fetch(&hop, cache.path(), None, TIMEOUT, Some(&guard))
        .await
        .unwrap_err();
    assert!(asked.load(Ordering::SeqCst) >= 1, "{err}");
    assert!(
        fixture.requests().is_empty(),
        "{err}: {:#?}",
        fixture.requests()
    );

    // Unguarded, git follows the same redirect (the control for the case above).
    let unguarded = fetch(&hop, cache.path(), None).await.unwrap();
    assert_eq!(unguarded.file.as_deref(), Some(FIRST));

    // Named by a host name, the fixture is reached only through the guard's resolver: refused
    // while only its address is listed (no request reaches it), fetched once its name is.
    let port = fixture.base().rsplit(':').next().unwrap().to_owned();
    let by_name = Url::parse(&format!("http://localhost:{port}/git/x.git")).unwrap();
    let address_only = Arc::new(Guard::new(vec![format!("127.0.0.1:{port}")]).unwrap());
    fixture.clear_requests();
    let err = git::fetch(
        &by_name,
        tempfile::tempdir().unwrap().path(),
        None,
        TIMEOUT,
        Some(&address_only),
    )
    .await
    .unwrap_err();
    assert!(fixture.requests().is_empty(), "{err}");
    let named = Arc::new(Guard::new(vec![format!("localhost:{port}")]).unwrap());
    let direct = git::fetch(
        &by_name,
        tempfile::tempdir().unwrap().path(),
        None,
        TIMEOUT,
        Some(&named),
    )
    .await
    .unwrap();
    assert_eq!(direct.file.as_deref(), Some(FIRST));
}
