//! One declaration that stands per administration and software: a partial unique index over the
//! declarations not withdrawn (both SQLite and PostgreSQL have partial indexes), so two requests
//! at once cannot both declare.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[expect(
    elided_lifetimes_in_paths,
    reason = "the signatures must match MigrationTrait's as async_trait expands them"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS idx_reuse_declarations_standing \
                 ON reuse_declarations (software_id, organisation_id) \
                 WHERE status <> 'withdrawn'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_reuse_declarations_standing")
            .await?;
        Ok(())
    }
}
