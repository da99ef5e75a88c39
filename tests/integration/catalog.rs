//! The catalog store, on SQLite and on PostgreSQL.

mod import;
mod ingest;
mod migrations;
mod search;
