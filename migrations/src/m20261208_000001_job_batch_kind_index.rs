//! The jobs of a batch by kind: "is any job of this run that the run waits for left?" is asked
//! after every job, and a run's queue also holds the jobs it does not wait for (a vitality index
//! and a compliance check for every repository read). By kind, the look reads the jobs of the
//! kinds asked for and none of the others. It replaces the index on the batch alone, its prefix.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The former index, on `batch` alone.
const BY_BATCH: &str = "idx_jobs_batch";

/// A batch's jobs by kind.
const BY_BATCH_KIND: &str = "idx_jobs_batch_kind";

#[expect(
    elided_lifetimes_in_paths,
    reason = "the signatures must match MigrationTrait's as async_trait expands them"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_BATCH_KIND)
                    .table("jobs")
                    .col("batch")
                    .col("kind")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(BY_BATCH).table("jobs").to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_BATCH)
                    .table("jobs")
                    .col("batch")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(BY_BATCH_KIND).table("jobs").to_owned())
            .await
    }
}
