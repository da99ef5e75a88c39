//! Following a solution apart from its community: a subscription may name a catalog entry
//! (`subscriptions.software_id`), one row per person and entry. Its followers are told when a
//! release thread opens for the entry and when the entry's community announces.
//!
//! The column carries no foreign key: SQLite cannot add one to an existing table. Entries are
//! never deleted (an invalid one is only marked), and the fan-out reads the entry it tells of.

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
            .alter_table(
                Table::alter()
                    .table("subscriptions".to_owned())
                    .add_column(
                        ColumnDef::new("software_id")
                            .big_integer()
                            .null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subscriptions_user_software")
                    .table("subscriptions".to_owned())
                    .col("user_id".to_owned())
                    .col("software_id".to_owned())
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subscriptions_software")
                    .table("subscriptions".to_owned())
                    .col("software_id".to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "idx_subscriptions_software",
            "idx_subscriptions_user_software",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table("subscriptions".to_owned())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("subscriptions".to_owned())
                    .drop_column("software_id".to_owned())
                    .to_owned(),
            )
            .await
    }
}
