//! `make bench-crawl`: a first crawl and an unchanged re-crawl of 1,000 repositories on the
//! fixture forge, with latency injected into every answer, against the ideal wall time. Each
//! crawl takes the path `riuso crawl` takes: queued as jobs, then worked by a worker until the
//! run closes (its vitality and compliance jobs, which clone every repository and judge its
//! files, are left in the queue).
//!
//! The world is `BENCH_REPOS` (default 1,000) repositories, each with a valid `publiccode.yml`:
//! 40 % on GitHub in two organisations, 30 % in one GitLab group and its two subgroups (listed
//! at once with `include_subgroups`), 30 % in one Gitea organisation. The fixture forge (the one
//! the integration tests use, included from `tests/`) answers every request after
//! `BENCH_LATENCY_MS` (default 20 ms). Each crawl goes into a fresh SQLite database in a
//! temporary directory, and also into a fresh PostgreSQL schema when `BENCH_POSTGRES=1`
//! (`TEST_DATABASE_URL`, the tests' default server otherwise).
//!
//! The ideal is requests × latency ÷ concurrency: the wall time of the requests alone, perfectly
//! packed, with nothing else costing anything. The concurrency is the lesser of the crawl's
//! repositories in flight (`BENCH_CONCURRENCY`, default the worker's lanes, 32) and the client's
//! per-host limit (`BENCH_PER_HOST`, default `http::Options`' 8): the three fixture forges share
//! one host and port, so the per-host limit bounds every request. The same crawls are then run
//! without latency: what is left is the crawler's own work (parsing, validation, the database).
//!
//! The crawls with latency run `BENCH_RUNS` times (default 3), each on a fresh database; the
//! median first crawl is the one judged, and every run's ratio is printed.
//!
//! Targets: the first crawl within 1.5x of its ideal; the re-crawl at most one request per
//! repository, every one answered 304 Not Modified. The process exits 1 when one is missed.

#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use riuso::catalog::crawl_log::{self, Report};
use riuso::crawl::http::{self, Polite};
use riuso::crawl::run::Target;
use riuso::crawl::sources;
use riuso::worker::{self, Job as _};
use sea_orm::{ConnectionTrait as _, DatabaseConnection};

// The fixture forge of the integration tests, shared rather than copied. Through an inline
// module carrying the directory, its file and its submodules resolve as they do in the test
// binary.
#[path = "../tests/integration/support"]
mod support {
    #[expect(
        dead_code,
        reason = "the bench uses part of the fixture the tests use whole"
    )]
    // Checked as a test target, the bench sees the fixture's own tests' imports without the
    // tests that use them.
    #[allow(
        unused_imports,
        reason = "the fixture's tests run in the integration binary, not here"
    )]
    pub mod forge;
}

use support::forge::{Account, ForgeFixture, ForgeKind, Repo, World};

/// Target of the first crawl: its wall time over the ideal.
const MAX_RATIO: f64 = 1.5;
/// Target of the unchanged re-crawl: requests per repository.
const MAX_RECRAWL_REQUESTS_PER_REPO: f64 = 1.0;

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark reads its knobs from the environment"
)]
fn knob(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn number(name: &str, default: usize) -> usize {
    knob(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a whole number"))
    })
}

/// The knobs of one run.
struct Setup {
    /// First crawls measured (each with its re-crawl, on a fresh database); the median counts.
    runs: usize,
    repos: usize,
    latency: Duration,
    concurrency: usize,
    per_host: usize,
}

impl Setup {
    fn from_env() -> Self {
        Self {
            runs: number("BENCH_RUNS", 3).max(1),
            repos: number("BENCH_REPOS", 1_000),
            latency: Duration::from_millis(u64::try_from(number("BENCH_LATENCY_MS", 20)).unwrap()),
            concurrency: number("BENCH_CONCURRENCY", worker::LANES).max(1),
            per_host: number("BENCH_PER_HOST", http::Options::default().per_host).max(1),
        }
    }

    /// Requests in flight at once: one host, so the per-host limit bounds the crawl's.
    fn effective(&self) -> usize {
        self.concurrency.min(self.per_host)
    }

    fn ideal(&self, requests: usize, latency: Duration) -> Duration {
        latency * u32::try_from(requests).unwrap() / u32::try_from(self.effective()).unwrap()
    }
}

fn publiccode(template: &str, name: &str) -> Vec<u8> {
    assert!(template.contains("name: Medusa"));
    template
        .replace("name: Medusa", &format!("name: {name}"))
        .into_bytes()
}

/// `count` repositories named `{prefix}-NNNN`, software named `{label} NNNN`.
fn repos(template: &str, prefix: &str, label: &str, count: usize) -> Vec<Repo> {
    (1..=count)
        .map(|i| {
            Repo::new(&format!("{prefix}-{i:04}"))
                .publiccode(publiccode(template, &format!("{label} {i:04}")))
        })
        .collect()
}

/// The world, split 40/30/30 over GitHub, GitLab and Gitea.
fn world(total: usize) -> World {
    let template = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/parser-go/testdata/v0/valid/valid.minimal.yml"),
    )
    .unwrap();
    let github = total * 4 / 10;
    let gitlab = total * 3 / 10;
    let gitea = total - github - gitlab;
    let (gh_a, gl_a, gl_b) = (github / 2, gitlab / 3, gitlab / 3);
    World::new()
        .account(Account::org(ForgeKind::GitHub, "regione").repos(repos(
            &template,
            "servizio",
            "Servizio regionale",
            gh_a,
        )))
        .account(Account::org(ForgeKind::GitHub, "provincia").repos(repos(
            &template,
            "pratica",
            "Pratica provinciale",
            github - gh_a,
        )))
        .account(
            Account::group("ente")
                .repos(repos(&template, "portale", "Portale", gl_a))
                .subgroup(
                    Account::group("tributi").repos(repos(&template, "tributo", "Tributo", gl_b)),
                )
                .subgroup(Account::group("anagrafe").repos(repos(
                    &template,
                    "registro",
                    "Registro anagrafe",
                    gitlab - gl_a - gl_b,
                ))),
        )
        .account(Account::org(ForgeKind::Gitea, "unione").repos(repos(
            &template,
            "sportello",
            "Sportello",
            gitea,
        )))
}

/// The crawl targets, through `publishers.yml` as an operator would write it.
fn targets(forge: &ForgeFixture) -> Vec<Target> {
    let text = format!(
        "{forges}publishers:\n\
         \x20 - name: Regione\n    accounts:\n      - {gh}/regione\n      - {gh}/provincia\n\
         \x20 - name: Ente\n    accounts:\n      - {gl}/ente\n\
         \x20 - name: Unione\n    accounts:\n      - {gt}/unione\n",
        forges = forge.forges_section(&[]),
        gh = forge.web_base(ForgeKind::GitHub),
        gl = forge.web_base(ForgeKind::GitLab),
        gt = forge.web_base(ForgeKind::Gitea),
    );
    let parsed = sources::parse(text.as_bytes()).unwrap();
    let (targets, git) = Target::from_sources(&parsed, &BTreeMap::new());
    assert!(git.is_empty());
    targets
}

/// One crawl as measured.
struct Measured {
    wall: Duration,
    /// From the start to the first repository done: the listings, then one repository.
    first_done: Duration,
    requests: usize,
    listing_requests: usize,
    not_modified: usize,
    report: Report,
}

async fn measure(fresh: &Fresh, forge: &ForgeFixture, client: &Polite, setup: &Setup) -> Measured {
    let targets = targets(forge);
    forge.clear_requests();
    let first_done = OnceLock::new();
    // The accounts' listings come first (their jobs have the higher priority), then the
    // repositories.
    let listings = targets.len();
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    // The path `riuso crawl` takes: the run queued as jobs, then worked until it closes. The
    // vitality and compliance jobs it queues are left in the queue: they clone every repository
    // and judge its files, which is not the crawl measured here.
    let db = &fresh.conn;
    let id = worker::enqueue_crawl(db, &targets, &[], "bench")
        .await
        .unwrap();
    let env = worker::Environment::new(fresh.jobs.clone(), client.clone());
    let mut worker = worker::Worker::new(env, "bench", Duration::from_secs(300)).skipping(&[
        worker::vitality::Vitality::NAME,
        worker::check_compliance::CheckCompliance::NAME,
    ]);
    worker.concurrency = setup.concurrency;
    worker.idle = Duration::from_millis(20);
    worker
        .drain(id, || {
            if done.fetch_add(1, Ordering::Relaxed) == listings {
                first_done.get_or_init(|| started.elapsed());
            }
        })
        .await
        .unwrap();
    let report = crawl_log::report(db, id).await.unwrap();
    let wall = started.elapsed();
    let requests = forge.requests();
    assert!(
        report.failures.is_empty(),
        "the crawl failed: {:?}",
        report.failures
    );
    Measured {
        wall,
        first_done: first_done.get().copied().unwrap_or(wall),
        requests: requests.len(),
        listing_requests: requests
            .iter()
            .filter(|r| !r.path_and_query.contains("publiccode.yml"))
            .count(),
        not_modified: requests.iter().filter(|r| r.status == 304).count(),
        report,
    }
}

/// The first crawl and the unchanged re-crawl, on a fresh forge and a fresh database.
async fn both(db: &Fresh, setup: &Setup, latency: Duration) -> (Measured, Measured) {
    let forge = ForgeFixture::start(world(setup.repos)).await;
    forge.set_latency(latency);
    let client = Polite::new(http::Options {
        per_host: setup.per_host,
        ..http::Options::default()
    })
    .unwrap();
    let first = measure(db, &forge, &client, setup).await;
    let again = measure(db, &forge, &client, setup).await;
    let total = u64::try_from(setup.repos).unwrap();
    assert_eq!(
        first.report.outcomes,
        BTreeMap::from([(crawl_log::CrawlOutcome::New, total)]),
        "every repository is new the first time"
    );
    assert_eq!(
        again.report.outcomes,
        BTreeMap::from([(crawl_log::CrawlOutcome::Unchanged, total)]),
        "nothing changed on the forge"
    );
    (first, again)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn per_repo(requests: usize, repos: usize) -> f64 {
    requests as f64 / repos as f64
}

/// Runs both crawls with and without latency on `backend`, prints the table, and returns whether
/// the targets were met.
async fn bench(backend: Backend, setup: &Setup) -> bool {
    let label = backend.label();
    // Two cores shared by the crawler, the in-process forge and the database make one run
    // noisy: the median of `runs` is what counts, and every run is printed.
    let mut runs = Vec::with_capacity(setup.runs);
    for _ in 0..setup.runs {
        let db = Fresh::new(backend).await;
        runs.push(both(&db, setup, setup.latency).await);
        db.close().await;
    }
    runs.sort_by_key(|(first, _)| first.wall);
    let ratios: Vec<String> = runs
        .iter()
        .map(|(first, _)| {
            let ideal = setup.ideal(first.requests, setup.latency);
            format!(
                "{:.2}x",
                first.wall.as_secs_f64() / ideal.as_secs_f64().max(1e-9)
            )
        })
        .collect();
    let (first, again) = runs.swap_remove(runs.len() / 2);
    // The same on another fresh database, without latency: the crawler's own work.
    let (bare_first, bare_again) = {
        let db = Fresh::new(backend).await;
        let out = both(&db, setup, Duration::ZERO).await;
        db.close().await;
        out
    };
    let latency_ms = setup.latency.as_millis();
    println!(
        "\n{label}: {} repositories, {latency_ms} ms a request, {} requests at once \
         ({} repositories in flight, {} per host, one host)",
        setup.repos,
        setup.effective(),
        setup.concurrency,
        setup.per_host
    );
    println!(
        "{:<9} {:>8} {:>8} {:>6} {:>8} {:>9} {:>9} {:>8} {:>12} {:>13}",
        "crawl",
        "requests",
        "listing",
        "304s",
        "req/repo",
        "wall",
        "ideal",
        "ratio",
        "first repo",
        "no latency"
    );
    let mut met = true;
    let mut verdicts = vec![format!(
        "first crawls of {} runs, fastest to slowest: {} (the median is in the table)",
        setup.runs,
        ratios.join(", ")
    )];
    for (name, m, bare) in [
        ("first", &first, &bare_first),
        ("re-crawl", &again, &bare_again),
    ] {
        let ideal = setup.ideal(m.requests, setup.latency);
        let ratio = m.wall.as_secs_f64() / ideal.as_secs_f64().max(1e-9);
        println!(
            "{name:<9} {:>8} {:>8} {:>6} {:>8.3} {:>9} {:>9} {:>7.2}x {:>12} {:>13}",
            m.requests,
            m.listing_requests,
            m.not_modified,
            per_repo(m.requests, setup.repos),
            secs(m.wall),
            secs(ideal),
            ratio,
            secs(m.first_done),
            secs(bare.wall),
        );
        if name == "first" {
            let pass = ratio <= MAX_RATIO;
            met &= pass;
            verdicts.push(format!(
                "{} first crawl within {MAX_RATIO}x of ideal: {ratio:.2}x",
                if pass { "PASS" } else { "FAIL" }
            ));
        } else {
            let rpr = per_repo(m.requests, setup.repos);
            let pass = rpr <= MAX_RECRAWL_REQUESTS_PER_REPO && m.not_modified == m.requests;
            met &= pass;
            verdicts.push(format!(
                "{} re-crawl at most {MAX_RECRAWL_REQUESTS_PER_REPO} request per repository, all 304: \
                 {rpr:.3}, {} of {} answered 304",
                if pass { "PASS" } else { "FAIL" },
                m.not_modified,
                m.requests
            ));
            verdicts.push(format!(
                "(not a target) re-crawl wall/ideal {ratio:.2}x: {} listing pages, each \
                 {latency_ms} ms, the ideal packs them {} at once",
                m.listing_requests,
                setup.effective()
            ));
        }
    }
    for v in verdicts {
        println!("{v}");
    }
    met
}

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// A fresh migrated database: a SQLite file in a temporary directory, or a PostgreSQL schema.
struct Fresh {
    conn: DatabaseConnection,
    /// The pool the worker runs on, as `riuso crawl` opens it (`riuso::db::jobs_pool`).
    jobs: DatabaseConnection,
    admin: Option<(DatabaseConnection, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Fresh {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/riuso.db?mode=rwc", dir.path().display());
        let conn = riuso::db::open(&url).await.unwrap();
        Self {
            jobs: riuso::db::jobs_pool(&url, &conn).await.unwrap(),
            conn,
            admin: None,
            _dir: Some(dir),
        }
    }

    async fn postgres() -> Self {
        let base = knob("TEST_DATABASE_URL")
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let admin = riuso::db::connect(&base).await.unwrap();
        let schema = format!(
            "bench_crawl_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_micros()
        );
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let conn = riuso::db::open(&url).await.unwrap();
        Self {
            jobs: riuso::db::jobs_pool(&url, &conn).await.unwrap(),
            conn,
            admin: Some((admin, schema)),
            _dir: None,
        }
    }

    async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => Self::postgres().await,
        }
    }

    async fn close(self) {
        if self.admin.is_some() {
            // A pool of its own on PostgreSQL; on SQLite the same pool as `conn`.
            self.jobs.close().await.unwrap();
        }
        self.conn.close().await.unwrap();
        if let Some((admin, schema)) = self.admin {
            admin
                .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .unwrap();
            admin.close().await.unwrap();
        }
    }
}

fn main() {
    let setup = Setup::from_env();
    assert!(setup.repos >= 10, "BENCH_REPOS must be at least 10");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let met = runtime.block_on(async {
        let mut backends = vec![Backend::Sqlite];
        if knob("BENCH_POSTGRES").is_some_and(|v| v != "0") {
            backends.push(Backend::Postgres);
        }
        let mut met = true;
        for backend in backends {
            met &= bench(backend, &setup).await;
        }
        met
    });
    if !met {
        std::process::exit(1);
    }
}
