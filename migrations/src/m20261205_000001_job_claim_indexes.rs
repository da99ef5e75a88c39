//! Indexes for claiming jobs without sorting the queue: the due jobs of a state in the order a
//! claim takes them (priority first, then age), and the running jobs by the end of their lease
//! (a worker that died leaves its job to be taken again).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The queue in the order a claim takes it.
const BY_PRIORITY: &str = "idx_jobs_state_priority";

/// Running jobs by the end of their lease.
const BY_LEASE: &str = "idx_jobs_state_lease";

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
                    .name(BY_PRIORITY)
                    .table("jobs")
                    .col("state")
                    .col((Alias::new("priority"), IndexOrder::Desc))
                    .col("run_at_us")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_LEASE)
                    .table("jobs")
                    .col("state")
                    .col("locked_until_us")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(BY_LEASE).table("jobs").to_owned())
            .await?;
        manager
            .drop_index(Index::drop().name(BY_PRIORITY).table("jobs").to_owned())
            .await
    }
}
