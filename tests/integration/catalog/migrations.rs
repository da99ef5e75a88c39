//! Migrations go up, down and up again on both databases, leaving the same tables; the data a
//! migration moves lands where it should.

use migration::{Migrator, MigratorTrait as _};
use sea_orm::{ConnectionTrait, Statement};

use crate::support::db::{BACKENDS, Backend, TestDb};

async fn tables(db: &TestDb) -> Vec<String> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'software_fts_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
        }
    };
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(db.conn.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "t").unwrap())
        .collect()
}

#[tokio::test]
async fn up_down_up_on_both_databases() {
    for backend in BACKENDS {
        let db = TestDb::empty(backend).await;
        Migrator::up(&db.conn, None).await.unwrap();
        let after_up = tables(&db).await;
        for table in [
            "organisations",
            "software",
            "snapshots",
            "claims",
            "jobs",
            "software_fts",
        ] {
            assert!(
                after_up.iter().any(|t| t == table),
                "{backend:?}: {table} missing in {after_up:?}"
            );
        }
        Migrator::down(&db.conn, None).await.unwrap();
        assert_eq!(
            tables(&db).await,
            vec!["seaql_migrations".to_owned()],
            "{backend:?}"
        );
        Migrator::up(&db.conn, None).await.unwrap();
        assert_eq!(tables(&db).await, after_up, "{backend:?}");
        db.close().await;
    }
}

/// Ingests `bytes` as the file of `url`; answers the entry's id.
async fn ingest(db: &TestDb, url: &str, bytes: &[u8]) -> i64 {
    let inspected = riuso::publiccode::inspect(
        bytes,
        &riuso::publiccode::Limits::default(),
        &riuso::publiccode::Context::default(),
    );
    let origin = riuso::catalog::Origin {
        repository_url: url,
        forge: "github",
        facts: None,
        source_ipa: None,
    };
    let fetched = riuso::catalog::Fetched {
        bytes,
        commit: None,
        fetched_at: chrono::Utc::now(),
    };
    riuso::pipeline::ingest(
        &db.conn,
        origin,
        fetched,
        &inspected,
        &riuso::pipeline::Upkeep::default(),
    )
    .await
    .unwrap()
    .software_id
}

#[tokio::test]
async fn entries_an_invalid_file_turned_inactive_get_their_last_valid_file_back() {
    use riuso::catalog::entities::{snapshots, software};
    use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, EntityTrait as _};

    let entry = async |db: &TestDb, id: i64| {
        software::Entity::find_by_id(id)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap()
    };
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let valid = std::fs::read_to_string(
            crate::support::fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"),
        )
        .unwrap();
        let broken = valid.replace(
            "developmentStatus: development",
            "developmentStatus: stabel",
        );
        let id = ingest(&db, "https://github.com/example/kept", valid.as_bytes()).await;
        ingest(&db, "https://github.com/example/kept", broken.as_bytes()).await;
        let never = ingest(&db, "https://github.com/example/never", broken.as_bytes()).await;
        let now = entry(&db, id).await;
        let (good, bad) = (
            now.current_snapshot_id.unwrap(),
            now.invalid_snapshot_id.unwrap(),
        );
        // As the release before this one left it: the invalid file current, the entry inactive.
        software::ActiveModel {
            id: Set(id),
            current_snapshot_id: Set(Some(bad)),
            active: Set(false),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        // Back to before the migration that repairs them (and those after it), then up again.
        let since_repair = Migrator::migrations()
            .iter()
            .rev()
            .position(|m| m.name() == "m20261207_000001_software_invalid_since")
            .unwrap()
            + 1;
        Migrator::down(&db.conn, Some(u32::try_from(since_repair).unwrap()))
            .await
            .unwrap();
        Migrator::up(&db.conn, None).await.unwrap();
        let fetched = snapshots::Entity::find_by_id(bad)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap()
            .fetched_at;
        let e = entry(&db, id).await;
        assert_eq!(e.current_snapshot_id, Some(good), "{backend:?}");
        assert_eq!(e.invalid_snapshot_id, Some(bad), "{backend:?}");
        assert_eq!(e.invalid_since, Some(fetched), "{backend:?}");
        assert!(!e.active, "{backend:?}: its grace is not given again");
        let n = entry(&db, never).await;
        assert_eq!(n.invalid_snapshot_id, n.current_snapshot_id, "{backend:?}");
        assert!(n.invalid_since.is_some(), "{backend:?}");
        db.close().await;
    }
}
