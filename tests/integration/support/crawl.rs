//! Crawls as the tests set them up against the fixture forge: the files and worlds they serve,
//! the sources file that names them, the targets it gives, a worker, and one run queued and
//! worked until done (the path `riuso crawl` ships).

use std::collections::BTreeMap;
use std::time::Duration;

use riuso::catalog::crawl_log::{self, Report};
use riuso::crawl::http::Polite;
use riuso::crawl::run::Target;
use riuso::crawl::{self, sources};
use riuso::worker::{self, Environment, Worker};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

use super::fixtures;
use super::forge::{Account, ForgeFixture, ForgeKind, Repo, World};

/// A valid `publiccode.yml` named `name`.
pub fn publiccode(name: &str) -> Vec<u8> {
    std::fs::read_to_string(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"))
        .unwrap()
        .replace("name: Medusa", &format!("name: {name}"))
        .into_bytes()
}

/// A GitHub organisation `account` with `repos` repositories `r000`, `r001`… holding the files
/// of `R0`, `R1`…
pub fn many_repos(account: &str, repos: usize) -> World {
    World::new().account(Account::org(ForgeKind::GitHub, account).repos(
        (0..repos).map(|n| Repo::new(&format!("r{n:03}")).publiccode(publiccode(&format!("R{n}")))),
    ))
}

/// The sources file naming the GitHub account `account` of `forge`, for the publisher
/// `publisher`.
pub fn one_account(forge: &ForgeFixture, publisher: &str, account: &str) -> String {
    format!(
        "forges:\n  - web: {web}\n    kind: github\n    api: {api}\npublishers:\n  - name: {publisher}\n    accounts: [{web}/{account}]\n",
        web = forge.web_base(ForgeKind::GitHub),
        api = forge.api_base(ForgeKind::GitHub),
    )
}

/// What the sources file `text` asks to crawl, with forge tokens by variable name: the
/// targets on API forges and the plain git URLs.
pub fn targets(text: &str, tokens: &BTreeMap<String, String>) -> (Vec<Target>, Vec<url::Url>) {
    Target::from_sources(&sources::parse(text.as_bytes()).unwrap(), tokens)
}

/// A worker as the tests run it: no forge tokens, a minute's lease, and 20 ms between looks
/// for work when idle.
pub fn test_worker(
    db: &DatabaseConnection,
    http: Polite,
    name: &str,
    options: crawl::Options,
) -> Worker {
    test_worker_with_tokens(db, http, name, options, BTreeMap::new())
}

/// [`test_worker`] with forge tokens by variable name.
pub fn test_worker_with_tokens(
    db: &DatabaseConnection,
    http: Polite,
    name: &str,
    options: crawl::Options,
    tokens: BTreeMap<String, String>,
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

/// One crawl run as `riuso crawl` does it: `targets` and `git` queued as jobs, worked by
/// `worker` until its batch is done; answers the run's report.
pub async fn queue_and_drain(
    db: &DatabaseConnection,
    worker: &Worker,
    targets: &[Target],
    git: &[url::Url],
) -> Report {
    let id = worker::enqueue_crawl(db, targets, git, "test")
        .await
        .unwrap();
    worker.drain(id, || {}).await.unwrap();
    crawl_log::report(db, id).await.unwrap()
}

/// The `n` column of the one row `sql` returns.
pub async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}
