//! Migrations go up, down and up again on both databases, leaving the same tables.

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
