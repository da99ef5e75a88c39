//! Crawls as jobs: two workers on PostgreSQL share 200 repositories, each crawled (and cloned
//! for its vitality index) exactly once; a worker process killed with SIGKILL mid-run leaves its
//! job to the other, and all 200 end done.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use riuso::catalog::crawl_log;
use riuso::crawl::http::{self, Polite};
use riuso::crawl::{self, run::Target};
use riuso::worker::{self, enqueue_crawl};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

use crate::support::crawl::{
    count, many_repos, one_account, publiccode, targets as targets_in, test_worker,
};
use crate::support::db::{Backend, TestDb};
use crate::support::forge::{ForgeFixture, Repo, World};

async fn fixture(repos: usize) -> ForgeFixture {
    ForgeFixture::start(many_repos("big", repos)).await
}

fn targets(forge: &ForgeFixture) -> Vec<Target> {
    targets_in(&big_sources(forge), &BTreeMap::new()).0
}

fn worker(conn: DatabaseConnection, name: &str, cache: &std::path::Path) -> worker::Worker {
    let http = Polite::new(http::Options::default()).unwrap();
    let options = crawl::Options {
        git_cache: cache.to_path_buf(),
        ..crawl::Options::default()
    };
    test_worker(&conn, http, name, options)
}

#[tokio::test]
async fn two_workers_on_postgres_crawl_every_repository_exactly_once() {
    let db = TestDb::new(Backend::Postgres).await;
    let forge = fixture(200).await;
    let id = enqueue_crawl(&db.conn, &targets(&forge), &[], "test")
        .await
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = worker(
        riuso::db::connect(&db.url).await.unwrap(),
        "a",
        cache.path(),
    );
    let b = worker(
        riuso::db::connect(&db.url).await.unwrap(),
        "b",
        cache.path(),
    );
    let (ra, rb) = tokio::join!(a.drain(id, || {}), b.drain(id, || {}));
    ra.unwrap();
    rb.unwrap();
    let report = crawl_log::report(&db.conn, id).await.unwrap();
    assert_eq!(report.outcomes.get("new"), Some(&200), "{report:?}");
    assert_eq!(report.repositories, 200);
    // Exactly once: one event and one file request per repository.
    assert_eq!(
        count(
            &db.conn,
            "SELECT COUNT(DISTINCT repository_id) AS n FROM crawl_events WHERE outcome = 'new'"
        )
        .await,
        200
    );
    assert_eq!(
        count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await,
        200
    );
    let files: Vec<String> = forge
        .requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .filter(|p| p.contains("/contents/"))
        .collect();
    assert_eq!(files.len(), 200);
    assert_eq!(files.iter().collect::<BTreeSet<_>>().len(), 200);
    // And each repository's vitality job ran once too: one clone each, one index each.
    let clones: Vec<String> = forge
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path_and_query.ends_with(".git/git-upload-pack"))
        .map(|r| r.path_and_query)
        .collect();
    assert_eq!(clones.len(), 200);
    assert_eq!(clones.iter().collect::<BTreeSet<_>>().len(), 200);
    assert_eq!(
        count(
            &db.conn,
            "SELECT COUNT(*) AS n FROM software WHERE vitality_series IS NOT NULL"
        )
        .await,
        200
    );
    assert_eq!(
        count(
            &db.conn,
            "SELECT COUNT(*) AS n FROM crawl_runs WHERE status = 'finished'"
        )
        .await,
        1,
        "the last job closed the run"
    );
    db.close().await;
}

#[tokio::test]
async fn a_worker_killed_mid_run_leaves_nothing_undone() {
    let db = TestDb::new(Backend::Postgres).await;
    let forge = fixture(200).await;
    // Slow enough that the run lasts a few seconds and a worker dies in the middle of it.
    forge.set_latency(Duration::from_millis(40));
    let id = enqueue_crawl(&db.conn, &targets(&forge), &[], "test")
        .await
        .unwrap();
    // The workers' clone cache for the vitality jobs.
    let data = tempfile::tempdir().unwrap();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_riuso"))
            .args(["worker", "--lease", "2"])
            .env("DATABASE_URL", &db.url)
            .env("RIUSO_DATA_DIR", data.path())
            .env("RIUSO_LOG", "warn")
            .env("RIUSO_FETCH_ALLOW", "127.0.0.1")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut doomed = spawn();
    let mut survivor = spawn();
    let started = Instant::now();
    while count(&db.conn, "SELECT COUNT(*) AS n FROM software").await < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the workers make no progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    doomed.kill().unwrap(); // SIGKILL: no cleanup, its leased jobs stay running
    doomed.wait().unwrap();
    while riuso::jobs::pending(&db.conn, id).await.unwrap() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "jobs left behind: {:?}",
            riuso::jobs::stats(&db.conn).await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    survivor.kill().unwrap();
    survivor.wait().unwrap();
    assert_eq!(
        count(&db.conn, "SELECT COUNT(*) AS n FROM software WHERE active").await,
        200
    );
    assert_eq!(
        count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await,
        200
    );
    assert_eq!(
        count(
            &db.conn,
            "SELECT COUNT(*) AS n FROM software WHERE vitality IS NOT NULL"
        )
        .await,
        200,
        "the vitality jobs, the killed worker's included, were all done"
    );
    assert_eq!(riuso::jobs::stats(&db.conn).await.unwrap().dead, 0);
    db.close().await;
}

#[tokio::test]
async fn riuso_crawl_reports_new_then_unchanged_entries_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let forge = fixture(3).await;
    let (code, first) = riuso_crawl(dir.path(), &big_sources(&forge), "127.0.0.1").await;
    assert_eq!(code, 0, "{first}");
    assert_eq!(
        first["outcomes"],
        serde_json::json!({ "new": 3 }),
        "{first}"
    );
    assert_eq!(first["repositories"], 3);
    let (code, second) = riuso_crawl(dir.path(), &big_sources(&forge), "127.0.0.1").await;
    assert_eq!(code, 0, "{second}");
    assert_eq!(
        second["outcomes"],
        serde_json::json!({ "unchanged": 3 }),
        "{second}"
    );
    assert_ne!(first["run_id"], second["run_id"]);
}

#[tokio::test]
async fn the_ssrf_guard_refuses_a_loopback_forge_unless_allow_listed() {
    let dir = tempfile::tempdir().unwrap();
    let forge = fixture(1).await;
    let (code, report) = riuso_crawl(dir.path(), &big_sources(&forge), "").await;
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["repositories"], 0, "{report}");
    let failure = report["failures"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(failure.contains("loopback"), "{failure}");
    assert!(forge.requests().is_empty(), "nothing reached the forge");
}

#[tokio::test]
async fn a_plain_git_url_is_crawled_with_its_vitality_then_costs_one_request() {
    let dir = tempfile::tempdir().unwrap();
    let forge = ForgeFixture::start(
        World::new().git_repo(Repo::new("plain").publiccode(publiccode("Plain"))),
    )
    .await;
    let sources = format!(
        "publishers:\n  - name: Plain\n    repositories: [{}]\n",
        forge.git_url("plain")
    );
    let database = format!("sqlite://{}/riuso.db?mode=rwc", dir.path().display());
    let crawl = || riuso_crawl(dir.path(), &sources, "127.0.0.1");
    let (code, first) = crawl().await;
    assert_eq!(code, 0, "{first}");
    assert_eq!(
        first["outcomes"],
        serde_json::json!({ "new": 1 }),
        "{first}"
    );
    let db = riuso::db::open(&database).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT vitality, vitality_series FROM software",
        ))
        .await
        .unwrap()
        .unwrap();
    let vitality = row.try_get::<Option<f64>>("", "vitality").unwrap();
    assert!(
        vitality.is_some_and(|v| (0.0..=100.0).contains(&v)),
        "{vitality:?}"
    );
    // The series is kept with it: one score a day of the 60-day window.
    let series = row
        .try_get::<Option<String>>("", "vitality_series")
        .unwrap()
        .unwrap();
    assert_eq!(series.split(',').count(), 60, "{series}");
    let commit = count(
        &db,
        "SELECT COUNT(*) AS n FROM repositories WHERE last_commit IS NOT NULL",
    )
    .await;
    assert_eq!(commit, 1);
    // The compliance check of the entry the crawl stored was queued in the run and worked by it.
    assert!(
        count(&db, "SELECT COUNT(*) AS n FROM rule_results").await > 0,
        "the new file's entry was not checked"
    );

    forge.clear_requests();
    let (code, second) = crawl().await;
    assert_eq!(code, 0, "{second}");
    assert_eq!(
        second["outcomes"],
        serde_json::json!({ "unchanged": 1 }),
        "{second}"
    );
    let requests = forge.requests();
    assert_eq!(
        requests.len(),
        1,
        "only the ref advertisement: {requests:#?}"
    );
}

/// Runs `riuso crawl --json` on `sources` in `dir` (database and data directory there) off the
/// test's runtime, which serves the fixture; returns the exit code and the report.
async fn riuso_crawl(
    dir: &std::path::Path,
    sources: &str,
    allow: &str,
) -> (i32, serde_json::Value) {
    riuso_crawl_with(dir, sources, &[("RIUSO_FETCH_ALLOW", allow)]).await
}

/// [`riuso_crawl`] with the variables `env`.
async fn riuso_crawl_with(
    dir: &std::path::Path,
    sources: &str,
    env: &[(&str, &str)],
) -> (i32, serde_json::Value) {
    let file = dir.join("publishers.yml");
    std::fs::write(&file, sources).unwrap();
    let database = format!("sqlite://{}/riuso.db?mode=rwc", dir.display());
    let data = dir.to_path_buf();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_riuso"))
            .args(["crawl", "--json", "--sources"])
            .arg(&file)
            .env("DATABASE_URL", &database)
            .env("RIUSO_DATA_DIR", &data)
            .env("RIUSO_LOG", "error")
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

fn big_sources(forge: &ForgeFixture) -> String {
    one_account(forge, "Big", "big")
}

#[tokio::test]
async fn riuso_crawl_reads_file_urls_only_when_the_operator_allows_them() {
    let forge = ForgeFixture::start(
        World::new().git_repo(Repo::new("local").publiccode(publiccode("Local"))),
    )
    .await;
    let local = url::Url::from_directory_path(forge.git_dir("local")).unwrap();
    let sources = format!("publishers:\n  - name: Here\n    repositories: [{local}]\n");
    let dir = tempfile::tempdir().unwrap();

    let (code, refused) = riuso_crawl_with(dir.path(), &sources, &[]).await;
    assert_eq!(code, 1, "{refused}");
    assert!(
        refused.to_string().contains("RIUSO_FETCH_FILES"),
        "the refusal says how to allow it: {refused}"
    );

    let (code, read) =
        riuso_crawl_with(dir.path(), &sources, &[("RIUSO_FETCH_FILES", "true")]).await;
    assert_eq!(code, 0, "{read}");
    assert_eq!(read["outcomes"], serde_json::json!({ "new": 1 }), "{read}");
    // Nothing was asked of the fixture's HTTP side: the clone came from the disk.
    assert!(forge.requests().is_empty(), "{:#?}", forge.requests());
}
