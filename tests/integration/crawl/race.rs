//! Concurrent writers: several workers crawl, on PostgreSQL, many repositories whose files name
//! the same publishers, the same `usedBy` administrations and slugs that collide; no ingest
//! fails on a race, and one repository's database error is that repository's `failed` event,
//! never the end of the run.

use std::collections::BTreeMap;

use riuso::catalog::crawl_log;
use riuso::crawl::http::{self, Polite};
use riuso::crawl::run::Target;
use riuso::crawl::{self, sources};
use riuso::worker::{self, enqueue_crawl};
use sea_orm::{ConnectionTrait as _, DatabaseConnection};

use crate::support::crawl::{count, publiccode};
use crate::support::db::{BACKENDS, Backend, TestDb};
use crate::support::forge::{Account, ForgeFixture, ForgeKind, Repo, World};

/// Publishers the files share, by IPA code.
const PUBLISHERS: [&str; 3] = ["c_h501", "c_f205", "c_l219"];

/// A valid file of repository `n`: one of three publishers, and `usedBy` names every file
/// shares (codes and names).
fn shared_file(n: usize) -> Vec<u8> {
    let code = PUBLISHERS[n % PUBLISHERS.len()];
    let mut text = String::from_utf8(publiccode(&format!("Shared {n}"))).unwrap();
    text.push_str(&format!(
        "organisation:\n  name: Comune {code}\n  uri: urn:x-italian-pa:{code}\n\
         usedBy:\n  - Comune c_h501\n  - c_f205\n  - urn:x-italian-pa:c_l219\n  - Comune di Nessuno\n"
    ));
    text.into_bytes()
}

/// `count` repositories on one GitHub account; every three share a slug base (`r-1`, `r_1` and
/// `r.1` are all `...-r-1`).
fn world(repos: usize) -> World {
    let separators = ['-', '_', '.'];
    World::new().account(
        Account::org(ForgeKind::GitHub, "shared").repos((0..repos).map(|n| {
            let name = format!("r{}{}", separators[n % 3], n / 3);
            Repo::new(&name).publiccode(shared_file(n))
        })),
    )
}

fn targets(forge: &ForgeFixture) -> Vec<Target> {
    let text = format!(
        "forges:\n  - web: {web}\n    kind: github\n    api: {api}\npublishers:\n  - name: Shared\n    accounts: [{web}/shared]\n",
        web = forge.web_base(ForgeKind::GitHub),
        api = forge.api_base(ForgeKind::GitHub),
    );
    let parsed = sources::parse(text.as_bytes()).unwrap();
    Target::from_sources(&parsed, &BTreeMap::new()).0
}

fn worker(db: &DatabaseConnection, name: &str, cache: &std::path::Path) -> worker::Worker {
    let http = Polite::new(http::Options::default()).unwrap();
    let options = crawl::Options {
        git_cache: cache.to_path_buf(),
        ..crawl::Options::default()
    };
    crate::support::crawl::test_worker(db, http, name, options)
}

#[tokio::test]
async fn four_workers_on_postgres_ingest_shared_publishers_without_a_race() {
    const REPOS: usize = 60;
    let forge = ForgeFixture::start(world(REPOS)).await;
    let cache = tempfile::tempdir().unwrap();
    // Each round on a fresh schema: every organisation is inserted for the first time, by
    // whichever ingest comes first.
    for round in 0..5 {
        let db = TestDb::new(Backend::Postgres).await;
        let id = enqueue_crawl(&db.conn, &targets(&forge), &[], "test")
            .await
            .unwrap();
        let mut workers = Vec::new();
        for w in 0..4 {
            let conn = riuso::db::connect(&db.url).await.unwrap();
            workers.push(worker(&conn, &format!("w{w}"), cache.path()));
        }
        let drained =
            futures_util::future::join_all(workers.iter().map(|w| w.drain(id, || {}))).await;
        for result in drained {
            result.unwrap_or_else(|e| panic!("round {round}: a worker stopped: {e}"));
        }
        let report = crawl_log::report(&db.conn, id).await.unwrap();
        assert_eq!(
            report.outcomes.get("new"),
            Some(&(REPOS as u64)),
            "round {round}: {report:?}"
        );
        assert_eq!(report.repositories, REPOS as u64, "round {round}");
        assert_eq!(
            count(&db.conn, "SELECT COUNT(*) AS n FROM organisations").await,
            PUBLISHERS.len() as i64,
            "round {round}: one organisation per publisher"
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(DISTINCT slug) AS n FROM software WHERE active"
            )
            .await,
            REPOS as i64,
            "round {round}"
        );
        db.close().await;
    }
}

/// Makes the database refuse the entry of the repository whose URL ends in `/r-1` (as it would
/// a value it cannot store), inside the transaction that ingests its file.
async fn refuse_one(db: &TestDb, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &["CREATE TRIGGER refuse_one BEFORE INSERT ON software \
             WHEN (SELECT url FROM repositories WHERE id = NEW.repository_id) LIKE '%/r-1' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN \
             IF (SELECT url FROM repositories WHERE id = NEW.repository_id) LIKE '%/r-1' THEN \
             RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_one BEFORE INSERT ON software \
             FOR EACH ROW EXECUTE FUNCTION refuse_one()",
        ],
    };
    for sql in statements {
        db.conn.execute_unprepared(sql).await.unwrap();
    }
}

#[tokio::test]
async fn one_repositorys_database_error_is_its_failed_event_and_the_run_goes_on() {
    for backend in BACKENDS {
        let forge = ForgeFixture::start(world(6)).await;
        let cache = tempfile::tempdir().unwrap();
        let db = TestDb::new(backend).await;
        refuse_one(&db, backend).await;
        let id = enqueue_crawl(&db.conn, &targets(&forge), &[], "test")
            .await
            .unwrap();
        worker(&db.conn, "w", cache.path())
            .drain(id, || {})
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: the run stopped: {e}"));
        let report = crawl_log::report(&db.conn, id).await.unwrap();
        assert_eq!(
            report.outcomes.get("new"),
            Some(&5),
            "{backend:?}: {report:?}"
        );
        assert_eq!(
            report.outcomes.get("failed"),
            Some(&1),
            "{backend:?}: {report:?}"
        );
        assert_eq!(report.repositories, 6, "{backend:?}");
        let message = db
            .conn
            .query_one_raw(sea_orm::Statement::from_string(
                db.conn.get_database_backend(),
                "SELECT message FROM crawl_events WHERE outcome = 'failed' \
                 AND repository_id IS NOT NULL",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "message")
            .unwrap();
        assert!(message.contains("/r-1"), "{backend:?}: {message}");
        // The database's own words stay in the server log.
        assert!(
            !message.contains("refused by the test"),
            "{backend:?}: {message}"
        );
        db.close().await;
    }
}
