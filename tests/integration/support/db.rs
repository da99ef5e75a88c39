//! Databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema, per test.
//!
//! Every storage test runs on both. PostgreSQL comes from `TEST_DATABASE_URL` (default: the
//! local server's `test` database); each test gets its own schema through `search_path`, so tests
//! run in parallel without `#[serial]`, and the schema is dropped at the end.

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema on the PostgreSQL server.
    Postgres,
}

/// Both backends, for tests that loop over them.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A database for one test; call [`TestDb::close`] at the end to drop a PostgreSQL schema.
pub struct TestDb {
    /// The connection, migrated unless asked otherwise.
    pub conn: DatabaseConnection,
    /// The URL it was opened with.
    pub url: String,
    backend: Backend,
    schema: Option<String>,
    admin: Option<DatabaseConnection>,
    _dir: Option<tempfile::TempDir>,
}

#[expect(
    clippy::disallowed_methods,
    reason = "tests choose their PostgreSQL server here"
)]
fn postgres_base_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

impl TestDb {
    /// A fresh, migrated database.
    pub async fn new(backend: Backend) -> Self {
        let mut db = Self::empty(backend).await;
        db.conn.clone().close().await.unwrap();
        db.conn = riuso::db::open(&db.url).await.unwrap();
        db
    }

    /// A fresh database without any table.
    pub async fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/riuso.db?mode=rwc", dir.path().display());
                // The migration tests change the schema over this connection.
                let conn = riuso::db::connect_for_schema_changes(&url).await.unwrap();
                Self {
                    conn,
                    url,
                    backend,
                    schema: None,
                    admin: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let base = postgres_base_url();
                let admin = riuso::db::connect(&base).await.unwrap();
                let schema = format!(
                    "t_{}_{}",
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_nanos()
                );
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                let conn = riuso::db::connect(&url).await.unwrap();
                Self {
                    conn,
                    url,
                    backend,
                    schema: Some(schema),
                    admin: Some(admin),
                    _dir: None,
                }
            }
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the connection and drops the PostgreSQL schema.
    pub async fn close(self) {
        let _ = self.conn.close().await;
        if let (Some(admin), Some(schema)) = (self.admin, self.schema) {
            admin
                .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .unwrap();
            let _ = admin.close().await;
        }
    }
}
