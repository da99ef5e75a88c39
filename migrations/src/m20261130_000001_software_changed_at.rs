//! `software.changed_at_us`: when a row last changed anything search shows or filters on, in
//! microseconds since the Unix epoch, indexed. The in-process search index reads the rows changed
//! since it last looked, so every server and worker sees the others' writes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_software_changed_at_us";

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
                    .table("software")
                    .add_column(big_integer("changed_at_us").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table("software")
                    .col("changed_at_us")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table("software").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("software")
                    .drop_column("changed_at_us")
                    .to_owned(),
            )
            .await
    }
}
