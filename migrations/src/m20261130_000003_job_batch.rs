//! `jobs.batch`: the batch a job belongs to (a crawl run), so the last worker to finish one of
//! its jobs can close the batch.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_jobs_batch";

#[expect(
    elided_lifetimes_in_paths,
    reason = "the signatures must match MigrationTrait's as async_trait expands them"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("jobs")
                    .add_column(big_integer_null("batch"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table("jobs")
                    .col("batch")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table("jobs").to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table("jobs").drop_column("batch").to_owned())
            .await
    }
}
