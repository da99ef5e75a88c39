//! The vitality index of repositories on the API forges, computed by its own jobs from clones
//! of the fixture's real git repositories: a known history gives a known index and series on
//! GitHub, GitLab and Gitea alike; the same commit is never cloned twice; a clone that fails
//! leaves the entry as it was, with a crawl event.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use riuso::catalog::crawl_log::{self, CrawlOutcome, Report};
use riuso::catalog::entities::software;
use riuso::crawl::http::{self, Polite};
use riuso::crawl::{self, run::Target};
use riuso::worker::{self, enqueue_crawl};
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};

use crate::support::crawl::{
    count, one_account, publiccode, queue_and_drain, targets as targets_in, test_worker,
};
use crate::support::db::{BACKENDS, Backend, TestDb};
use crate::support::forge::{
    Account, Commit, Fault, FaultKind, ForgeFixture, ForgeKind, Match, Recorded, Repo, World,
};

/// Midnight (UTC) `days` days before today, in seconds: always in the past.
fn day(days: u64) -> i64 {
    (Utc::now().date_naive() - Days::new(days))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn date_of(at: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .date_naive()
}

/// A repository first committed 800 days ago (tagged `v0.1`), then ten commits by five authors
/// five days ago, the last tagged `v1.0`.
fn history() -> Vec<Commit> {
    let mut commits = vec![Commit::new(day(800), "founder@example.it").tag("v0.1")];
    for i in 0..10 {
        let mut commit = Commit::new(day(5) + i * 60, &format!("dev{}@example.it", i % 5));
        if i == 9 {
            commit = commit.tag("v1.0");
        }
        commits.push(commit);
    }
    commits
}

/// The expected series of [`history`] for a window ending on `end`: 5 authors (12 points) and
/// two years of age (35) every day; no commit and no tag (2 + 20) but on the busy day, whose
/// 10 commits and one tag earn 20 + 30.
fn expected_series(end: NaiveDate) -> Vec<u8> {
    let busy = date_of(day(5));
    (0..60u64)
        .map(|back| {
            if end - Days::new(59 - back) == busy {
                12 + 20 + 30 + 35
            } else {
                12 + 2 + 20 + 35
            }
        })
        .collect()
}

fn world() -> World {
    World::new()
        .account(
            Account::org(ForgeKind::GitHub, "acme").repo(
                Repo::new("app")
                    .publiccode(publiccode("App"))
                    .history(history()),
            ),
        )
        .account(
            Account::group("ente").subgroup(
                Account::group("uffici").repo(
                    Repo::new("protocollo")
                        .publiccode(publiccode("Protocollo"))
                        .history(history()),
                ),
            ),
        )
        .account(
            Account::org(ForgeKind::Gitea, "unione").repo(
                Repo::new("sportello")
                    .publiccode(publiccode("Sportello"))
                    .history(history()),
            ),
        )
}

fn targets(forge: &ForgeFixture) -> Vec<Target> {
    let text = format!(
        "{forges}publishers:\n\
         \x20 - name: Tutti\n    accounts:\n      - {gh}/acme\n      - {gl}/ente\n      - {gt}/unione\n",
        forges = forge.forges_section(&[]),
        gh = forge.web_base(ForgeKind::GitHub),
        gl = forge.web_base(ForgeKind::GitLab),
        gt = forge.web_base(ForgeKind::Gitea),
    );
    targets_in(&text, &BTreeMap::new()).0
}

fn client() -> Polite {
    Polite::new(http::Options {
        timeout: Duration::from_secs(5),
        ..http::Options::default()
    })
    .unwrap()
}

fn worker(db: &DatabaseConnection, cache: &Path) -> worker::Worker {
    let options = crawl::Options {
        git_cache: cache.to_path_buf(),
        git_timeout: Duration::from_secs(20),
        ..crawl::Options::default()
    };
    test_worker(db, client(), "test", options).with_backoff(Duration::from_millis(10))
}

/// One crawl as `riuso crawl` runs it: queued, then worked until its batch, vitality jobs
/// included, is done.
async fn crawl(db: &DatabaseConnection, forge: &ForgeFixture, cache: &Path) -> Report {
    queue_and_drain(db, &worker(db, cache), &targets(forge), &[]).await
}

async fn entry(db: &DatabaseConnection, name: &str) -> software::Model {
    software::Entity::find()
        .filter(software::Column::Name.eq(name))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no entry {name}"))
}

fn git_requests(requests: &[Recorded]) -> Vec<&Recorded> {
    requests
        .iter()
        .filter(|r| r.path_and_query.contains(".git/"))
        .collect()
}

fn clones(requests: &[Recorded]) -> usize {
    requests
        .iter()
        .filter(|r| r.method == "POST" && r.path_and_query.ends_with(".git/git-upload-pack"))
        .count()
}

#[tokio::test]
async fn crawls_through_each_api_forge_give_the_index_and_series_of_the_known_history() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let forge = ForgeFixture::start(world()).await;
        let cache = tempfile::tempdir().unwrap();
        let report = crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            report.outcomes,
            BTreeMap::from([(CrawlOutcome::New, 3)]),
            "{backend:?}: {report:?}"
        );
        for (name, kind, repo) in [
            ("App", ForgeKind::GitHub, "acme/app"),
            ("Protocollo", ForgeKind::GitLab, "ente/uffici/protocollo"),
            ("Sportello", ForgeKind::Gitea, "unione/sportello"),
        ] {
            let entry = entry(&db.conn, name).await;
            let end = entry.vitality_window_end.expect("a computed window");
            assert!(end >= date_of(day(0)), "{backend:?} {name}: {end}");
            let series = entry.vitality_series();
            assert_eq!(series, expected_series(end), "{backend:?} {name}");
            // (59 × 69 + 97) / 60 = 69.47, rounded down.
            assert_eq!(entry.vitality, Some(69.0), "{backend:?} {name}");
            let facts = entry.vitality_facts().unwrap();
            assert_eq!(
                (facts.commits, facts.merges, facts.authors, facts.tags),
                (10, 0, 5, 1),
                "{backend:?} {name}"
            );
            assert_eq!(facts.first_commit, Some(date_of(day(800))));
            assert_eq!(
                facts.age_days,
                Some((end - date_of(day(800))).num_days()),
                "{backend:?} {name}"
            );
            assert_eq!(facts.commit.as_deref().map(str::len), Some(40));
            // Cloned from the URL the forge's API gave.
            let pack = format!(
                "{}.git/git-upload-pack",
                forge
                    .clone_url(kind, repo)
                    .trim_start_matches(forge.base())
                    .trim_end_matches(".git")
            );
            assert!(
                forge
                    .requests()
                    .iter()
                    .any(|r| r.method == "POST" && r.path_and_query == pack),
                "{backend:?}: no clone of {pack}"
            );
        }
        assert_eq!(riuso::jobs::stats(&db.conn).await.unwrap().dead, 0);
        db.close().await;
    }
}

#[tokio::test]
async fn a_recrawl_with_the_same_last_commit_does_not_clone_again() {
    let db = TestDb::new(Backend::Sqlite).await;
    let forge = ForgeFixture::start(world()).await;
    let cache = tempfile::tempdir().unwrap();
    crawl(&db.conn, &forge, cache.path()).await;
    assert_eq!(clones(&forge.requests()), 3);
    let first = entry(&db.conn, "App").await;

    // Nothing moved: the listings answer 304, and no git request is made at all.
    forge.clear_requests();
    let report = crawl(&db.conn, &forge, cache.path()).await;
    assert_eq!(report.outcomes.get("unchanged"), Some(&3), "{report:?}");
    let requests = forge.requests();
    assert!(git_requests(&requests).is_empty(), "{requests:#?}");

    // The repository moved on the forge (its stars), not its history: its vitality job asks for
    // the refs and stops there, even with the clone gone from the cache.
    std::fs::remove_dir_all(cache.path()).unwrap();
    forge.clear_requests();
    forge.update_repo(ForgeKind::GitHub, "acme/app", |r| r.stars = 7);
    crawl(&db.conn, &forge, cache.path()).await;
    let requests = forge.requests();
    let git = git_requests(&requests);
    assert_eq!(git.len(), 1, "{git:#?}");
    assert_eq!(
        git[0].path_and_query,
        "/github/acme/app.git/info/refs?service=git-upload-pack"
    );
    assert_eq!(clones(&requests), 0);
    assert!(
        !cache.path().exists() || std::fs::read_dir(cache.path()).unwrap().next().is_none(),
        "no clone was made"
    );
    let again = entry(&db.conn, "App").await;
    assert_eq!(again.vitality_series, first.vitality_series);
    assert_eq!(again.vitality_facts, first.vitality_facts);

    // New commits are fetched, and the index follows them: four commits yesterday by a sixth
    // author make that day 12 + 8 + 20 + 35.
    forge.clear_requests();
    let yesterday = day(1);
    forge.push(
        ForgeKind::GitHub,
        "acme/app",
        (0..4).map(|i| Commit::new(yesterday + i * 60, "new@example.it")),
    );
    crawl(&db.conn, &forge, cache.path()).await;
    assert_eq!(clones(&forge.requests()), 1);
    let moved = entry(&db.conn, "App").await;
    let end = moved.vitality_window_end.unwrap();
    let mut expected = expected_series(end);
    let at = 59 - usize::try_from((end - date_of(yesterday)).num_days()).unwrap();
    expected[at] = 12 + 8 + 20 + 35;
    assert_eq!(moved.vitality_series(), expected);
    let facts = moved.vitality_facts().unwrap();
    assert_eq!((facts.commits, facts.authors), (14, 6));
    assert_ne!(facts.commit, first.vitality_facts().unwrap().commit);
    db.close().await;
}

#[tokio::test]
async fn a_repository_whose_clone_fails_keeps_its_entry_and_gets_a_crawl_event() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let forge = ForgeFixture::start(
            World::new().account(
                Account::org(ForgeKind::GitHub, "acme")
                    .repo(Repo::new("app").publiccode(publiccode("App")))
                    .repo(Repo::new("broken").publiccode(publiccode("Broken"))),
            ),
        )
        .await;
        forge.inject(Fault {
            target: Match::Path("/github/acme/broken.git/".to_owned()),
            kind: FaultKind::Status(500),
            times: None,
        });
        let cache = tempfile::tempdir().unwrap();
        let (acme, _) = targets_in(&one_account(&forge, "Acme", "acme"), &BTreeMap::new());
        let report = queue_and_drain(&db.conn, &worker(&db.conn, cache.path()), &acme, &[]).await;
        let id = report.run_id;
        assert_eq!(report.repositories, 2, "{backend:?}: {report:?}");
        assert_eq!(
            report.outcomes,
            BTreeMap::from([(CrawlOutcome::New, 2), (CrawlOutcome::VitalityFailed, 1)]),
            "{backend:?}"
        );
        assert!(report.failures.is_empty());

        let broken = entry(&db.conn, "Broken").await;
        assert!(broken.active, "{backend:?}");
        assert!(broken.current_snapshot_id.is_some());
        assert_eq!(broken.vitality, None);
        assert!(broken.vitality_series().is_empty());
        assert!(entry(&db.conn, "App").await.vitality.is_some());
        // Tried three times with the queue's backoff, then one event says why.
        let attempts = forge
            .requests()
            .iter()
            .filter(|r| {
                r.path_and_query
                    .starts_with("/github/acme/broken.git/info/refs")
            })
            .count();
        assert_eq!(attempts, 3, "{backend:?}");
        assert_eq!(
            count(
                &db.conn,
                &format!(
                    "SELECT COUNT(*) AS n FROM crawl_events WHERE outcome = 'vitality-failed' \
                     AND software_id = {} AND crawl_run_id = {id} AND message LIKE '%500%'",
                    broken.id
                ),
            )
            .await,
            1,
            "{backend:?}"
        );
        assert_eq!(riuso::jobs::stats(&db.conn).await.unwrap().dead, 1);
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM crawl_runs WHERE status = 'finished'"
            )
            .await,
            1
        );
        db.close().await;
    }
}

#[tokio::test]
async fn the_catalog_jobs_close_the_run_and_vitality_jobs_wait_for_a_worker() {
    let db = TestDb::new(Backend::Sqlite).await;
    let forge = ForgeFixture::start(world()).await;
    let id = enqueue_crawl(&db.conn, &targets(&forge), &[], "test")
        .await
        .unwrap();
    // A worker that takes no vitality job works the run to its end.
    let cache = tempfile::tempdir().unwrap();
    worker(&db.conn, cache.path())
        .skipping(&[<worker::vitality::Vitality as worker::Job>::NAME])
        .drain(id, || {})
        .await
        .unwrap();
    let report = crawl_log::report(&db.conn, id).await.unwrap();
    assert_eq!(report.outcomes.get("new"), Some(&3), "{report:?}");
    // The run is finished and its entries are in; their vitality waits in the queue.
    assert_eq!(
        count(
            &db.conn,
            "SELECT COUNT(*) AS n FROM crawl_runs WHERE status = 'finished'"
        )
        .await,
        1
    );
    assert_eq!(riuso::jobs::stats(&db.conn).await.unwrap().queued, 3);
    assert_eq!(entry(&db.conn, "App").await.vitality, None);
    assert!(git_requests(&forge.requests()).is_empty());
    worker(&db.conn, cache.path())
        .drain(id, || {})
        .await
        .unwrap();
    let app = entry(&db.conn, "App").await;
    assert_eq!(app.vitality, Some(69.0));
    assert_eq!(
        app.vitality_series(),
        expected_series(app.vitality_window_end.unwrap())
    );
    db.close().await;
}
