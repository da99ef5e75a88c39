//! The catalog store, on SQLite and on PostgreSQL.

mod migrations;
