//! The job queue on both databases: deduplication (one job at a time or in bulk), order, leases
//! that run out, retries with backoff, dead jobs, and concurrent workers that never take the same
//! job twice; the jobs' pool, whose commits do not wait for the disk on PostgreSQL.

use std::collections::BTreeSet;
use std::time::Duration;

use riuso::jobs::{self, Failure, NewJob, Queue};
use serde_json::json;

use crate::support::db::{BACKENDS, Backend, TestDb};

fn job(n: u64) -> NewJob {
    NewJob::new("crawl-repository", json!({ "n": n }))
}

#[tokio::test]
async fn jobs_added_in_bulk_deduplicate_as_one_at_a_time() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        jobs::enqueue(&db.conn, &job(0).dedup("key:7"))
            .await
            .unwrap();
        // More than one statement's worth; one key taken already, one repeated, some without.
        let mut bulk: Vec<NewJob> = (0..1200)
            .map(|n| job(n).dedup(format!("key:{n}")))
            .collect();
        bulk.push(job(5000).dedup("key:3"));
        bulk.extend((0..3).map(job));
        let added = jobs::enqueue_all(&db.conn, &bulk).await.unwrap();
        assert_eq!(added, 1200 - 1 + 3, "{backend:?}");
        assert_eq!(jobs::stats(&db.conn).await.unwrap().queued, 1200 + 3);
        assert_eq!(jobs::enqueue_all(&db.conn, &[]).await.unwrap(), 0);
        let mut batched = job(9).dedup("key:batched");
        batched.batch = Some(42);
        jobs::enqueue_all(&db.conn, &[batched]).await.unwrap();
        assert_eq!(jobs::pending(&db.conn, 42).await.unwrap(), 1);
        assert_eq!(
            jobs::pending_except(&db.conn, 42, "crawl-repository")
                .await
                .unwrap(),
            0
        );
        db.close().await;
    }
}

#[tokio::test]
async fn keys_deduplicate_and_priority_then_age_orders_claims() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let first = jobs::enqueue(&db.conn, &job(1).dedup("repo:a"))
            .await
            .unwrap();
        assert!(first.is_some(), "{backend:?}");
        assert_eq!(
            jobs::enqueue(&db.conn, &job(2).dedup("repo:a"))
                .await
                .unwrap(),
            None,
            "{backend:?}: the same key is queued once"
        );
        let mut urgent = job(3);
        urgent.priority = 10;
        jobs::enqueue(&db.conn, &urgent).await.unwrap();
        let mut later = job(4);
        later.delay = Duration::from_secs(3600);
        jobs::enqueue(&db.conn, &later).await.unwrap();

        let q = Queue::new(db.conn.clone(), "w1", Duration::from_secs(60));
        let a = q.claim().await.unwrap().unwrap();
        assert_eq!(a.payload, json!({ "n": 3 }), "{backend:?}: priority first");
        let b = q.claim().await.unwrap().unwrap();
        assert_eq!(b.payload, json!({ "n": 1 }));
        assert_eq!(b.attempt, 1);
        assert!(
            q.claim().await.unwrap().is_none(),
            "{backend:?}: the delayed job is not due"
        );
        assert_eq!(jobs::stats(&db.conn).await.unwrap().running, 2);
        assert!(q.complete(&a).await.unwrap());
        assert!(q.complete(&b).await.unwrap());
        // Done, the key is free again.
        assert!(
            jobs::enqueue(&db.conn, &job(5).dedup("repo:a"))
                .await
                .unwrap()
                .is_some()
        );
        db.close().await;
    }
}

#[tokio::test]
async fn a_lease_that_runs_out_lets_another_worker_take_the_job() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        jobs::enqueue(&db.conn, &job(1)).await.unwrap();
        let crashed = Queue::new(db.conn.clone(), "crashed", Duration::from_millis(200));
        let other = Queue::new(db.conn.clone(), "other", Duration::from_secs(60));
        let taken = crashed.claim().await.unwrap().unwrap();
        assert!(other.claim().await.unwrap().is_none(), "{backend:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let again = other.claim().await.unwrap().unwrap();
        assert_eq!(again.id, taken.id);
        assert_eq!(again.attempt, 2, "{backend:?}: the lost attempt counts");
        // The first worker lost the job: it can neither renew nor complete it.
        assert!(!crashed.extend(&taken).await.unwrap());
        assert!(!crashed.complete(&taken).await.unwrap());
        assert!(other.extend(&again).await.unwrap());
        assert!(other.complete(&again).await.unwrap());
        assert_eq!(jobs::stats(&db.conn).await.unwrap(), jobs::Stats::default());
        db.close().await;
    }
}

#[tokio::test]
async fn failures_back_off_then_the_job_dies_with_its_error() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let mut flaky = job(1).dedup("repo:flaky");
        flaky.max_attempts = 2;
        jobs::enqueue(&db.conn, &flaky).await.unwrap();
        let q = Queue::new(db.conn.clone(), "w", Duration::from_secs(60))
            .with_backoff(Duration::from_millis(100));
        let first = q.claim().await.unwrap().unwrap();
        let Failure::Retry(delay) = q.fail(&first, "503 from the forge").await.unwrap() else {
            panic!("{backend:?}: one attempt left");
        };
        assert!(delay >= Duration::from_millis(75) && delay <= Duration::from_millis(125));
        assert!(
            q.claim().await.unwrap().is_none(),
            "{backend:?}: backing off"
        );
        tokio::time::sleep(delay + Duration::from_millis(50)).await;
        let second = q.claim().await.unwrap().unwrap();
        assert_eq!(second.attempt, 2);
        assert_eq!(
            q.fail(&second, "503 again").await.unwrap(),
            Failure::Dead,
            "{backend:?}"
        );
        assert!(q.claim().await.unwrap().is_none());
        let stats = jobs::stats(&db.conn).await.unwrap();
        assert_eq!((stats.queued, stats.running, stats.dead), (0, 0, 1));
        // The dead job keeps its error for an operator and gives its key up.
        use sea_orm::ConnectionTrait as _;
        let row = db
            .conn
            .query_one_raw(sea_orm::Statement::from_string(
                db.conn.get_database_backend(),
                "SELECT last_error FROM jobs",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get::<String>("", "last_error").unwrap(),
            "503 again"
        );
        assert!(
            jobs::enqueue(&db.conn, &job(2).dedup("repo:flaky"))
                .await
                .unwrap()
                .is_some()
        );
        db.close().await;
    }
}

#[tokio::test]
async fn concurrent_workers_take_every_job_exactly_once() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        for n in 0..200 {
            jobs::enqueue(&db.conn, &job(n).dedup(format!("repo:{n}")))
                .await
                .unwrap();
        }
        // On PostgreSQL each worker has its own connection pool, as separate processes would.
        let mut workers = Vec::new();
        for w in 0..4 {
            let conn = match backend {
                Backend::Sqlite => db.conn.clone(),
                Backend::Postgres => riuso::db::connect(&db.url).await.unwrap(),
            };
            workers.push(tokio::spawn(async move {
                let q = Queue::new(conn, format!("worker-{w}"), Duration::from_secs(60));
                let mut done = Vec::new();
                while let Some(job) = q.claim().await.unwrap() {
                    done.push(job.payload["n"].as_u64().unwrap());
                    assert!(q.complete(&job).await.unwrap());
                }
                done
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        assert_eq!(all.len(), 200, "{backend:?}: no job taken twice");
        assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 200);
        assert_eq!(jobs::stats(&db.conn).await.unwrap(), jobs::Stats::default());
        db.close().await;
    }
}

#[tokio::test]
async fn the_scheduled_crawl_queues_a_crawl_when_due_and_not_before() {
    use riuso::crawl::http::{self, Polite};
    use riuso::worker::scheduled_crawl::ScheduledCrawl;
    use riuso::worker::{Environment, Job as _};

    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("publishers.yml");
    std::fs::write(
        &sources,
        "publishers:\n  - name: A\n    repositories: [\"https://example.org/code/thing.git\"]\n",
    )
    .unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let runs = || async {
            let stats = jobs::stats(&db.conn).await.unwrap();
            let runs = riuso::catalog::read::crawl_runs(&db.conn, None, 10)
                .await
                .unwrap();
            (
                runs.items
                    .iter()
                    .map(|r| r.trigger.clone())
                    .collect::<Vec<_>>(),
                stats.queued,
            )
        };
        let env = |every: Option<Duration>| {
            Environment::new(
                db.conn.clone(),
                Polite::new(http::Options::default()).unwrap(),
            )
            .with_schedule(sources.clone(), every)
        };
        // No interval configured: never.
        ScheduledCrawl {}.run(&env(None), true).await.unwrap();
        assert_eq!(runs().await, (vec![], 0), "{backend:?}");
        // No crawl yet: due.
        let hourly = env(Some(Duration::from_secs(3600)));
        ScheduledCrawl {}.run(&hourly, true).await.unwrap();
        assert_eq!(
            runs().await,
            (vec!["schedule".to_owned()], 1),
            "{backend:?}"
        );
        // One started a moment ago: not due for an hour.
        ScheduledCrawl {}.run(&hourly, true).await.unwrap();
        assert_eq!(runs().await.0.len(), 1, "{backend:?}");
        // With a shorter interval gone by, due again (its git job is queued already).
        tokio::time::sleep(Duration::from_millis(20)).await;
        ScheduledCrawl {}
            .run(&env(Some(Duration::from_millis(10))), true)
            .await
            .unwrap();
        assert_eq!(runs().await.0.len(), 2, "{backend:?}");
        db.close().await;
    }
}

/// The setting `name` as the connection `db` sees it now, on PostgreSQL.
async fn setting(db: &impl sea_orm::ConnectionTrait, name: &str) -> String {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT current_setting('{name}') AS v"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "v").unwrap()
}

#[tokio::test]
async fn jobs_commit_without_waiting_for_the_disk_and_a_sent_message_waits() {
    use sea_orm::TransactionTrait as _;
    let db = TestDb::new(Backend::Postgres).await;
    let jobs_pool = riuso::db::jobs_pool(&db.url, &db.conn).await.unwrap();
    assert_eq!(setting(&jobs_pool, "synchronous_commit").await, "off");
    assert_eq!(
        setting(&db.conn, "synchronous_commit").await,
        "on",
        "what the web writes waits for the disk"
    );
    // A write that must not be repeated commits durably on the jobs' pool too, and only itself.
    let txn = jobs_pool.begin().await.unwrap();
    riuso::db::commit_durably(&txn).await.unwrap();
    assert_eq!(setting(&txn, "synchronous_commit").await, "on");
    txn.commit().await.unwrap();
    assert_eq!(setting(&jobs_pool, "synchronous_commit").await, "off");
    jobs_pool.close().await.unwrap();
    // On SQLite the jobs use the command's own pool.
    let lite = TestDb::new(Backend::Sqlite).await;
    let same = riuso::db::jobs_pool(&lite.url, &lite.conn).await.unwrap();
    assert_eq!(same.get_database_backend(), sea_orm::DbBackend::Sqlite);
    lite.close().await;
    db.close().await;
}
