//! Full-text search of the communities' posts: SQLite FTS5 (diacritics folded) or a PostgreSQL
//! `tsvector` with GIN, one row per post that may be shown (neither deleted nor hidden), keyed by
//! the post's id. As for the catalog's `software_fts`, the indexed text is prepared by the
//! application (each word with its Italian and English stems), so both databases match the same
//! words. Posts written before this table existed are indexed when the server starts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[expect(
    elided_lifetimes_in_paths,
    reason = "the signatures must match MigrationTrait's as async_trait expands them"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE post_fts USING fts5(\
                     title, body, \
                     content='', contentless_delete=1, \
                     tokenize='unicode61 remove_diacritics 2')",
                )
                .await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TABLE post_fts (\
                     post_id BIGINT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE, \
                     document TSVECTOR NOT NULL)",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX idx_post_fts_document ON post_fts USING GIN (document)",
                )
                .await?;
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS post_fts")
            .await?;
        Ok(())
    }
}
