//! `make bench-search`: search latency at catalog scale, on SQLite and on PostgreSQL.
//!
//! Fills a catalog of `BENCH_ENTRIES` (default 100,000) synthetic entries through the real
//! pipeline (validation and ingest; the rate is reported as the bulk import speed), then runs a
//! realistic mix of searches — free text, text plus two facets, facets only, and the next page
//! of a result — and prints p50 and p99 of each beside a primary-key lookup timed in the same
//! run. The filled databases are kept (`target/bench-data/`, schema `bench_search` on
//! PostgreSQL) and reused when they already hold the right number of entries.

#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use riuso::catalog::search::{self, Facet, Query, Sort};
use riuso::catalog::seed::Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const SEED: u64 = 2026;
const ROUNDS: usize = 200;

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark reads its knobs from the environment"
)]
fn knob(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn count(db: &DatabaseConnection) -> i64 {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_string(
        backend,
        "SELECT COUNT(*) AS n FROM software",
    ))
    .await
    .ok()
    .flatten()
    .and_then(|r| r.try_get::<i64>("", "n").ok())
    .unwrap_or(0)
}

async fn fill(db: &DatabaseConnection, entries: u64, label: &str) {
    let have = count(db).await;
    if u64::try_from(have).unwrap_or(0) == entries {
        println!(
            "{label}: reusing the catalog of {entries} entries (delete it to measure the import again)"
        );
        return;
    }
    assert_eq!(
        have, 0,
        "{label}: the bench database holds {have} entries, not {entries}; delete it"
    );
    let started = Instant::now();
    let mut last = Instant::now();
    riuso::pipeline::populate(db, SEED, entries, |done| {
        if last.elapsed() > Duration::from_secs(10) {
            eprintln!("{label}: {done}/{entries} imported");
            last = Instant::now();
        }
    })
    .await
    .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = entries as f64 / seconds;
    println!(
        "{label}: bulk import of {entries} entries in {seconds:.0} s = {rate:.0} entries/s (validate + ingest, one transaction each)"
    );
}

const WORDS: &[&str] = &[
    "scuole",
    "pratica",
    "rifiuti",
    "pagamenti",
    "biblioteca",
    "turismo",
    "servizi sociali",
    "università",
    "prenotazione",
    "archivio",
];

fn facet_pair(rng: &mut Rng) -> BTreeMap<Facet, Vec<String>> {
    let mut filters = BTreeMap::new();
    let categories = riuso::publiccode::vocabulary_categories();
    filters.insert(Facet::Category, vec![(*rng.pick(categories)).to_owned()]);
    let claim = *rng.pick(&["spid", "pagopa", "cie", "io", "gdpr"]);
    filters.insert(Facet::Claim, vec![claim.to_owned()]);
    filters
}

async fn run(db: &DatabaseConnection, label: &str) {
    let searcher = search::Searcher::new(db.clone());
    let loading = Instant::now();
    searcher.warm().await.unwrap();
    println!("{label}: search index loaded in {}", ms(loading.elapsed()));
    let mut rng = Rng::new(7);
    let mut searched = std::collections::BTreeSet::new();
    let mut times: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    // Warm the connections once, with a word the mix does not use.
    searcher
        .search(&Query {
            text: Some("comune".into()),
            limit: 20,
            ..Query::default()
        })
        .await
        .unwrap();
    let backend = db.get_database_backend();
    let max_id = count(db).await.max(1);
    for round in 0..ROUNDS {
        // Primary-key lookup: the floor any query pays (round trip, statement, one row).
        let id = i64::try_from(rng.below(usize::try_from(max_id).unwrap_or(1))).unwrap_or(0) + 1;
        let sql = if backend == sea_orm::DbBackend::Postgres {
            "SELECT id, slug, name FROM software WHERE id = $1"
        } else {
            "SELECT id, slug, name FROM software WHERE id = ?"
        };
        let t = Instant::now();
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
            .await
            .unwrap();
        times
            .entry("primary-key lookup")
            .or_default()
            .push(t.elapsed());
        assert!(row.is_some());

        let text = (*rng.pick(WORDS)).to_owned();
        let free = Query {
            text: Some(text.clone()),
            limit: 20,
            ..Query::default()
        };
        // A word searched for the first time in the run is matched and scored by the database;
        // a repeated one comes from the searcher's cache of recent matches. Both are reported.
        let kind = if searched.insert(text.clone()) {
            "free text, new word"
        } else {
            "free text, repeated"
        };
        let t = Instant::now();
        let r = searcher.search(&free).await.unwrap();
        times.entry(kind).or_default().push(t.elapsed());

        let with_facets = Query {
            text: Some(text),
            filters: facet_pair(&mut rng),
            limit: 20,
            ..Query::default()
        };
        let t = Instant::now();
        searcher.search(&with_facets).await.unwrap();
        times
            .entry("text + 2 facets")
            .or_default()
            .push(t.elapsed());

        let facets_only = Query {
            filters: facet_pair(&mut rng),
            sort: if round % 2 == 0 {
                Sort::Updated
            } else {
                Sort::Name
            },
            limit: 20,
            ..Query::default()
        };
        let t = Instant::now();
        searcher.search(&facets_only).await.unwrap();
        times.entry("facets only").or_default().push(t.elapsed());

        if let Some(next) = r.next {
            let page = Query {
                after: Some(next),
                ..free
            };
            let t = Instant::now();
            searcher.search(&page).await.unwrap();
            times.entry("next page").or_default().push(t.elapsed());
        }
    }
    let mut all: Vec<Duration> = Vec::new();
    let baseline = {
        let v = times.get_mut("primary-key lookup").unwrap();
        v.sort();
        percentile(v, 0.5)
    };
    println!("\n{label}: {ROUNDS} rounds");
    println!(
        "{:<20} {:>10} {:>10} {:>12}",
        "query", "p50", "p99", "p50 / lookup"
    );
    for (kind, v) in &mut times {
        v.sort();
        if *kind != "primary-key lookup" {
            all.extend(v.iter().copied());
        }
        let p50 = percentile(v, 0.5);
        println!(
            "{kind:<20} {:>10} {:>10} {:>11.1}x",
            ms(p50),
            ms(percentile(v, 0.99)),
            p50.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
        );
    }
    all.sort();
    println!(
        "{:<20} {:>10} {:>10}",
        "whole search mix",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99))
    );
}

fn main() {
    let entries: u64 = knob("BENCH_ENTRIES")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite_url = format!("sqlite://{}/search-{entries}.db?mode=rwc", dir.display());
        let db = riuso::db::open(&sqlite_url).await.unwrap();
        fill(&db, entries, "SQLite").await;
        run(&db, "SQLite").await;
        db.close().await.unwrap();

        if knob("BENCH_SKIP_POSTGRES").is_some() {
            println!("\nPostgreSQL: skipped (BENCH_SKIP_POSTGRES)");
            return;
        }
        let base = knob("TEST_DATABASE_URL")
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let admin = riuso::db::connect(&base).await.unwrap();
        let schema = format!("bench_search_{entries}");
        admin
            .execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let db = riuso::db::open(&format!("{base}{sep}options=-c%20search_path%3D{schema}"))
            .await
            .unwrap();
        fill(&db, entries, "PostgreSQL").await;
        db.execute_unprepared("ANALYZE").await.unwrap();
        run(&db, "PostgreSQL").await;
    });
}
