//! The crawler: crawls against the fixture forge, the sources file, the SSRF guard, the
//! vitality index and its jobs.

mod declarations;
mod git;
mod run;
mod sources;
mod ssrf;
mod vitality;
mod vitality_job;
mod work;

use std::time::Duration;

use riuso::crawl::http::Polite;
use riuso::worker::{Environment, Worker};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

use crate::support::fixtures;

/// A worker as the tests run it: no forge tokens, a minute's lease, and 20 ms between looks
/// for work when idle.
pub fn test_worker(
    db: &DatabaseConnection,
    http: Polite,
    name: &str,
    options: riuso::crawl::Options,
) -> Worker {
    test_worker_with_tokens(db, http, name, options, std::collections::BTreeMap::new())
}

/// [`test_worker`] with forge tokens by variable name.
pub fn test_worker_with_tokens(
    db: &DatabaseConnection,
    http: Polite,
    name: &str,
    options: riuso::crawl::Options,
    tokens: std::collections::BTreeMap<String, String>,
) -> Worker {
    let env = Environment::new(db.clone(), http)
        .with_tokens(tokens)
        .with_crawl(options);
    test_worker_in(env, name)
}

/// A worker as the tests run it, in `env`.
pub fn test_worker_in(env: Environment, name: &str) -> Worker {
    let mut worker = Worker::new(env, name, Duration::from_secs(60));
    worker.idle = Duration::from_millis(20);
    worker
}

/// A valid `publiccode.yml` named `name`.
fn publiccode(name: &str) -> Vec<u8> {
    std::fs::read_to_string(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"))
        .unwrap()
        .replace("name: Medusa", &format!("name: {name}"))
        .into_bytes()
}

/// The `n` column of the one row `sql` returns.
async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}
