//! The catalog store, on SQLite and on PostgreSQL.

mod demo;
mod import;
mod ingest;
mod migrations;
mod search;
