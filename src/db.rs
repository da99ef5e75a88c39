//! Database connections: the embedded SQLite file by default, PostgreSQL for scale.
//!
//! One code path serves both; this module only knows how to open a connection the right way for
//! each and how to bring the schema up to date.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use migration::{Migrator, MigratorTrait as _};
use sea_orm::sqlx::postgres::PgSslMode;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, FromQueryResult, Statement,
};

mod write;

pub use write::{WriteTransaction, begin_write};

/// Opens the database at `url` (`sqlite://path?mode=rwc` or `postgres://...`). A SQLite file
/// and its directory are created when missing, and the file runs in WAL mode with foreign keys.
///
/// # Errors
///
/// Fails when the database cannot be reached or opened, naming it (without its password).
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, 4, Durability::Durable).await
}

/// Whether a commit waits until it is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// Every commit is flushed to disk before it returns (PostgreSQL's default).
    Durable,
    /// On PostgreSQL a commit returns before its WAL is flushed (`synchronous_commit = off`):
    /// after a crash of the server or the machine the last fraction of a second of commits
    /// may be gone, never half of one, and the order of commits is kept.
    Redoable,
}

/// A pool for background work (the jobs of the queue): on PostgreSQL its commits do not wait for
/// the disk (`synchronous_commit = off`). What the jobs write is redone by the next run when a
/// crash loses it (a crawled file is read again, a claimed job is claimed again, a queued job
/// queued again); on SQLite the database already runs so (`synchronous = NORMAL` in WAL mode).
/// A flush a statement was what a crawl of new repositories spent most of its time on. Writes
/// that must not be repeated, such as marking a message sent, commit durably
/// ([`commit_durably`]).
///
/// # Errors
///
/// As [`connect`].
pub async fn connect_for_jobs(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, 4, Durability::Redoable).await
}

/// The pool background work uses beside `opened`, the pool of `url` a command opened: on
/// PostgreSQL a second one by [`connect_for_jobs`]; on SQLite `opened` itself, since a second
/// pool would only add writers waiting on the one write lock.
///
/// # Errors
///
/// As [`connect`].
pub async fn jobs_pool(
    url: &str,
    opened: &DatabaseConnection,
) -> anyhow::Result<DatabaseConnection> {
    if opened.get_database_backend() == DbBackend::Postgres {
        connect_for_jobs(url).await
    } else {
        Ok(opened.clone())
    }
}

/// On PostgreSQL, makes the commit of `txn` wait for the disk even on a pool for jobs
/// ([`connect_for_jobs`]); nothing on SQLite.
///
/// # Errors
///
/// The database's.
pub async fn commit_durably(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait as _;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL synchronous_commit = on")
            .await?;
    }
    Ok(())
}

/// [`connect`] with a single connection to a SQLite file (PostgreSQL is opened as usual): what a
/// schema change needs, since SQLite connections cache the schema and may check a statement
/// against a stale copy when another connection of the pool changed it.
///
/// # Errors
///
/// As [`connect`].
pub async fn connect_for_schema_changes(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, 1, Durability::Durable).await
}

/// [`connect`] with at most `sqlite_connections` connections to a SQLite file, and commits as
/// durable as `durability` says on PostgreSQL.
async fn connect_with(
    url: &str,
    sqlite_connections: u32,
    durability: Durability,
) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // SQLite allows one writer: a small pool avoids lock contention between our own writers.
        // The pragmas are set on every connection the pool opens, not only on the first.
        options
            .max_connections(sqlite_connections)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
            });
    } else {
        let plain = plain_on_loopback(url);
        options.map_sqlx_postgres_opts(move |o| {
            let o = if plain {
                o.ssl_mode(PgSslMode::Disable)
            } else {
                o
            };
            if durability == Durability::Redoable {
                o.options([("synchronous_commit", "off")])
            } else {
                o
            }
        });
    }
    let db = Database::connect(options)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    Ok(db)
}

/// Opens the database at `url` and applies any pending migration: what every command that
/// works on the catalog needs first.
///
/// # Errors
///
/// Fails when the database cannot be opened or migrated.
pub async fn open(url: &str) -> anyhow::Result<DatabaseConnection> {
    if sqlite_path(url).is_some() || url.starts_with("sqlite:") {
        // Migrate over one connection, then open the pool.
        let one = connect_for_schema_changes(url).await?;
        migrate(&one).await?;
        one.close()
            .await
            .context("cannot close the migration connection")?;
        return connect(url).await;
    }
    let db = connect(url).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Applies every pending migration.
///
/// # Errors
///
/// Fails when a migration fails; the database is left at the last one that succeeded.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("cannot migrate the database")
}

/// `sql` with its `?` placeholders numbered `$1, $2, ...` when `backend` is PostgreSQL, so one
/// hand-written statement serves both databases. The statements that use it hold no `?` inside
/// string literals.
#[must_use]
pub fn numbered(backend: sea_orm::DbBackend, sql: &str) -> String {
    if backend != sea_orm::DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// The statement `sql`, written with `?` placeholders (numbered for PostgreSQL by [`numbered`]),
/// for `backend`, with `values` bound to them.
#[must_use]
pub fn statement(
    backend: DbBackend,
    sql: &str,
    values: impl IntoIterator<Item = sea_orm::Value>,
) -> Statement {
    Statement::from_sql_and_values(backend, numbered(backend, sql), values)
}

/// The placeholders of an `IN (...)` list of `n` values, `?, ?, ?`, which [`numbered`] numbers
/// with the rest of the statement on PostgreSQL.
#[must_use]
pub fn in_list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The rows of `select`, a statement that ends with `IN` before its list, for the ids `ids`: the
/// list is added with one placeholder an id.
///
/// # Errors
///
/// The database's.
pub async fn rows_in<R: FromQueryResult>(
    db: &impl ConnectionTrait,
    select: &str,
    ids: &[i64],
) -> Result<Vec<R>, DbErr> {
    let sql = format!("{select} ({})", in_list(ids.len()));
    R::find_by_statement(statement(
        db.get_database_backend(),
        &sql,
        ids.iter().map(|id| (*id).into()),
    ))
    .all(db)
    .await
}

/// Whether `url` names a PostgreSQL server on this machine's loopback (`localhost`, `127.0.0.0/8`,
/// `::1`) without choosing an `sslmode`: such a connection is made without TLS. PostgreSQL's
/// default, `prefer`, would encrypt traffic that never leaves the machine, without checking the
/// server's certificate, and every new connection would pay a TLS handshake and a load of the
/// root certificates: 85 ms each here, paid by the request that needed one more connection.
/// `sslmode` in the URL is always obeyed.
fn plain_on_loopback(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if parsed.query_pairs().any(|(key, _)| key == "sslmode") {
        return false;
    }
    match parsed.host() {
        // `postgres:` is not a special scheme: its host arrives as a name, even when an address.
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The file of a `sqlite:` URL, unless it is in memory.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// `url` with any password replaced, fit for messages and logs.
#[must_use]
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_and_redaction() {
        assert_eq!(
            sqlite_path("sqlite://./data/riuso.db?mode=rwc"),
            Some("./data/riuso.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
        for plain in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://u:p@localhost/riuso?options=-c%20search_path%3Dx",
            "postgres://u@[::1]/riuso",
            "postgres://u@127.0.0.2/riuso",
        ] {
            assert!(plain_on_loopback(plain), "{plain}");
        }
        for tls in [
            "postgres://u@db.example.org/riuso",
            "postgres://u@10.0.0.5/riuso",
            "postgres://u@127.0.0.1/riuso?sslmode=require",
            "postgres://u@localhost/riuso?sslmode=prefer",
            "postgres:///riuso",
            "not a url",
        ] {
            assert!(!plain_on_loopback(tls), "{tls}");
        }
        assert_eq!(
            redact("postgres://riuso:secret@db:5432/riuso"),
            "postgres://riuso:***@db:5432/riuso"
        );
    }

    #[test]
    fn in_lists_are_numbered_with_their_statement() {
        let sql = format!("SELECT 1 WHERE a = ? AND b IN ({})", in_list(3));
        assert_eq!(
            numbered(sea_orm::DbBackend::Postgres, &sql),
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3, $4)"
        );
        assert_eq!(
            numbered(sea_orm::DbBackend::Sqlite, &sql),
            "SELECT 1 WHERE a = ? AND b IN (?, ?, ?)"
        );
    }
}
