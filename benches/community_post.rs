//! Part of `make bench-web`: a reply to a community of `BENCH_FOLLOWERS` (10,000) followers,
//! through the router as a browser sends it (session cookie, CSRF field), on SQLite and on
//! PostgreSQL. The post and its queued fan-out are written in the request; the followers are told
//! by the `notify-post` job afterwards, so the answer must not grow with them. Prints p50, p99 and
//! posts/s against the 50 ms p99 target, and checks that the request told nobody itself (no
//! notification written) and queued one job per post.

#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use riuso::app::{App, AppState};
use riuso::community::entities::users;
use riuso::config::Config;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, EntityTrait as _};
use tower::ServiceExt as _;

/// Concurrent clients.
const CLIENTS: usize = 4;
/// Posts each person writes: under the pace of six a minute, so none is refused.
const EACH: usize = 5;

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark reads its knobs from the environment"
)]
fn knob(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

async fn run(db: DatabaseConnection, label: &str, followers: u64, posters: u64) {
    let started = Instant::now();
    let seeded = riuso::community::forum::seed::seed(&db, 1, followers, posters)
        .await
        .unwrap();
    println!(
        "{label}: {} followers and {} posters seeded in {:.1} s",
        seeded.followers,
        seeded.posters.len(),
        started.elapsed().as_secs_f64()
    );
    let mut sessions = Vec::new();
    for id in &seeded.posters {
        let user = users::Entity::find_by_id(*id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let (token, session) = riuso::community::sessions::start(&db, &user, None)
            .await
            .unwrap();
        sessions.push((token, session.csrf));
    }
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.public_url = "http://127.0.0.1:8080".to_owned();
    let app = App::with_registry(config, db.clone()).unwrap();
    let router = riuso::web::router(AppState(Arc::new(app)));
    let jobs_before = count(
        &db,
        "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'notify-post'",
    )
    .await;
    let path = format!("/threads/{}/posts", seeded.thread_id);
    let sessions = Arc::new(sessions);
    let began = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let router = router.clone();
        let sessions = Arc::clone(&sessions);
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for round in 0..EACH {
                for (token, csrf) in sessions.iter().skip(client).step_by(CLIENTS) {
                    let body = format!(
                        "csrf={csrf}&body=Risposta+{round}%3A+aggiornato+alla+nuova+versione."
                    );
                    let request = Request::post(&path)
                        .header(header::COOKIE, format!("riuso_session={token}"))
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(body))
                        .unwrap();
                    let t = Instant::now();
                    let response = router.clone().oneshot(request).await.unwrap();
                    times.push(t.elapsed());
                    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a refused post");
                }
            }
            times
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let wall = began.elapsed().as_secs_f64();
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = times.len() as f64 / wall;
    let queued = count(
        &db,
        "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'notify-post'",
    )
    .await
        - jobs_before;
    let told = count(&db, "SELECT COUNT(*) AS n FROM notifications").await;
    println!(
        "{label}: {} posts by {CLIENTS} clients: p50 {:.2} ms, p99 {:.2} ms, {rate:.0} posts/s; \
         target p99 < 50 ms: {}",
        times.len(),
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        if p99 < Duration::from_millis(50) {
            "met"
        } else {
            "NOT MET"
        }
    );
    println!(
        "{label}: {queued} fan-out jobs queued for {} posts, {told} notifications written by the requests",
        times.len()
    );
    assert_eq!(
        u64::try_from(queued).unwrap(),
        times.len() as u64,
        "one job per post"
    );
    assert_eq!(told, 0, "the request told the followers itself");
}

fn main() {
    let followers: u64 = knob("BENCH_FOLLOWERS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let posters: u64 = knob("BENCH_POSTERS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("community-post.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        let db = riuso::db::open(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        run(db.clone(), "SQLite", followers, posters).await;
        db.close().await.unwrap();

        if knob("BENCH_SKIP_POSTGRES").is_some() {
            println!("PostgreSQL: skipped (BENCH_SKIP_POSTGRES)");
            return;
        }
        let base = knob("TEST_DATABASE_URL")
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let admin = riuso::db::connect(&base).await.unwrap();
        let schema = "bench_community_post";
        admin
            .execute_unprepared(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let db = riuso::db::open(&format!("{base}{sep}options=-c%20search_path%3D{schema}"))
            .await
            .unwrap();
        run(db, "PostgreSQL", followers, posters).await;
    });
}
