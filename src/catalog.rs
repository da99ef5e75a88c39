//! The catalog store: the only module that reads or writes catalog tables.
//!
//! [`ingest`] records what was fetched from a repository (a [`Validated`] file, or an invalid
//! one with its diagnostics) in one transaction, keeping every distinct snapshot. It never sees
//! HTTP or forges, and it accepts nothing that did not go through `publiccode::validate`.
//! [`crawl_log`] is the only writer of the crawl's own records: runs, events, source cursors and
//! the flags a crawl sets on repositories and entries.
//! [`validity`] holds the grace of entries whose file turned invalid, and deactivates them when
//! it is over.
//! [`vitality`] stores what the crawler computed of a repository's history on its entry.
//! [`organisations`] and [`reuse`] give the community what it needs of organisations and
//! entries. The catalog never calls the community: ingest runs in its caller's transaction, so
//! that `pipeline` acknowledges the declarations a file's `usedBy` lists atomically with
//! the snapshot that says so.
//!
//! [`Validated`]: crate::publiccode::Validated

pub mod browse;
pub mod crawl_log;
pub mod entities;
mod facets;
pub mod ingest;
pub mod organisations;
pub mod read;
pub mod reuse;
pub mod search;
pub mod seed;
mod slug;
pub mod text;
pub mod unique;
pub mod validity;
pub mod vitality;

/// The change stamp every write of a `software` row sets (`changed_at_us`): microseconds since
/// the Unix epoch. The search index reloads the rows whose stamp is newer than what it holds.
#[must_use]
pub fn change_stamp() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// How many entries a bulk load must write before it compacts the full-text index.
pub const COMPACT_AFTER: u64 = 1000;

/// Compacts the full-text index after a bulk load: SQLite FTS5 merges its segments into one (a
/// word's matches are then read from one place), PostgreSQL refreshes the planner's statistics.
///
/// # Errors
///
/// Fails on a database error.
pub async fn compact(db: &sea_orm::DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ConnectionTrait as _;
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "ANALYZE software_fts, software, software_facets",
        _ => "INSERT INTO software_fts (software_fts) VALUES ('optimize')",
    };
    db.execute_unprepared(sql).await.map(|_| ())
}

pub use ingest::{
    Declared, Facts, Fetched, IngestError, IngestOutcome, Ingested, Origin, ingest_invalid,
    ingest_valid, names_an_organisation, record_repository, remember, reverify_publisher,
};
pub use validity::ValidityChange;
