//! The job queue in the shape the workers use: times as microseconds since the Unix epoch (the
//! same comparisons on SQLite and PostgreSQL, whatever text format a driver writes), a state, and
//! a bound on attempts. The queue held no work before this migration, so the table is rebuilt;
//! its indexes get new names, as SQLite may still see the old ones while the old table goes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

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
            .drop_table(Table::drop().table("jobs").to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("jobs")
                    .col(big_pk_auto("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    .col(string_null("dedup_key"))
                    .col(integer("priority").default(0))
                    // queued, running or dead (attempts exhausted); finished jobs are deleted.
                    .col(string("state").default("queued"))
                    .col(integer("attempts").default(0))
                    .col(integer("max_attempts").default(5))
                    .col(big_integer("run_at_us"))
                    .col(string_null("locked_by"))
                    .col(big_integer_null("locked_until_us"))
                    .col(text_null("last_error"))
                    .col(big_integer("created_at_us"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_queue_dedup_key")
                    .table("jobs")
                    .col("dedup_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_state_run_at_us")
                    .table("jobs")
                    .col("state")
                    .col("run_at_us")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("jobs").to_owned())
            .await?;
        let now = Expr::current_timestamp();
        manager
            .create_table(
                Table::create()
                    .table("jobs")
                    .col(big_pk_auto("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    .col(integer("priority").default(0))
                    .col(timestamp_with_time_zone("run_at").default(now.clone()))
                    .col(integer("attempts").default(0))
                    .col(string_null("locked_by"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(text_null("last_error"))
                    .col(string_null("dedup_key"))
                    .col(timestamp_with_time_zone("created_at").default(now))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_dedup_key")
                    .table("jobs")
                    .col("dedup_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_run_at_priority")
                    .table("jobs")
                    .col("run_at")
                    .col("priority")
                    .to_owned(),
            )
            .await
    }
}
