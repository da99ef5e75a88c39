//! `riuso demo` loads what `make run` serves: the real files, local git repositories crawled
//! with their history and vitality, a reuse declaration acknowledged by a crawl and a solution
//! community; run again, it changes nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sea_orm::{ConnectionTrait as _, Statement};

use crate::support::db::{BACKENDS, TestDb};

fn demo(url: &str, work: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_riuso"))
        .current_dir(root)
        .args(["demo", "--database", url, "--work"])
        .arg(work)
        .arg("tests/fixtures/real")
        .env("RIUSO_IPA_REGISTRY", "demo/ipa-registry.tsv")
        .env("RIUSO_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Each crawled entry's name, snapshot count and vitality.
async fn crawled(db: &TestDb) -> BTreeMap<String, (i64, Option<f64>)> {
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            db.conn.get_database_backend(),
            "SELECT s.name, s.vitality, \
             (SELECT COUNT(*) FROM snapshots n WHERE n.software_id = s.id) AS snapshots \
             FROM software s JOIN repositories r ON r.id = s.repository_id \
             WHERE r.url LIKE 'file://%/repositories/%'",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "name").unwrap(),
                (
                    r.try_get::<i64>("", "snapshots").unwrap(),
                    r.try_get::<Option<f64>>("", "vitality").unwrap(),
                ),
            )
        })
        .collect()
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    db.conn
        .query_one_raw(Statement::from_string(db.conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

#[tokio::test]
async fn demo_loads_history_vitality_and_a_verified_declaration_once() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let work = tempfile::tempdir().unwrap();
        let first = demo(&db.url, work.path());
        assert!(first.contains("crawl 3 of 3"), "{backend:?}: {first}");

        // The real files are in, the crawled ones once.
        let entries = count(&db, "SELECT COUNT(*) FROM software").await;
        assert!(entries >= 150, "{backend:?}: {entries} entries");
        let names = count(
            &db,
            "SELECT COUNT(*) FROM software WHERE name = 'GovPay Interaction Layer'",
        )
        .await;
        assert_eq!(names, 1, "{backend:?}");

        // Three repositories, each with the three versions of its file and a vitality index
        // computed from its commits: the busier, the higher.
        let repos = crawled(&db).await;
        assert_eq!(repos.len(), 3, "{backend:?}: {repos:?}");
        assert!(
            repos.values().all(|(n, _)| *n == 3),
            "{backend:?}: {repos:?}"
        );
        let vitality = |name: &str| {
            repos[name]
                .1
                .unwrap_or_else(|| panic!("{name}: no vitality"))
        };
        assert!(
            vitality("GovPay Interaction Layer") > vitality("Geoworks-Mi Configuration settings"),
            "{backend:?}: {repos:?}"
        );

        // The declaration was acknowledged by the crawl of the file that lists Milano.
        let acknowledged = count(
            &db,
            "SELECT COUNT(*) FROM reuse_declarations \
             WHERE status = 'acknowledged' AND acknowledged_via = 'crawl'",
        )
        .await;
        assert_eq!(acknowledged, 1, "{backend:?}");
        let verified = count(
            &db,
            "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.status = 'verified' AND u.email = 'referente@comune.milano.example'",
        )
        .await;
        assert_eq!(verified, 1, "{backend:?}");
        // The community of ComunicaPA, with its threads.
        let communities = count(&db, "SELECT COUNT(*) FROM communities").await;
        assert_eq!(communities, 1, "{backend:?}");
        let threads = count(&db, "SELECT COUNT(*) FROM threads").await;
        assert!(threads >= 2, "{backend:?}: {threads} threads");

        // Again: the files are unchanged and nothing else is made twice.
        let again = demo(&db.url, work.path());
        assert!(again.contains("already loaded"), "{backend:?}: {again}");
        assert_eq!(crawled(&db).await, repos, "{backend:?}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM software").await, entries);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM communities").await, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM threads").await, threads);
        db.close().await;
    }
}
