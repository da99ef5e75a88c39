//! The daily digest: a subscription may ask for one mail a day (`subscriptions.digest`), and a
//! notification whose mail waits for it says so (`notifications.digest`) until the digest goes.

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
        for table in ["subscriptions", "notifications"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.to_owned())
                        .add_column(
                            ColumnDef::new("digest")
                                .boolean()
                                .not_null()
                                .default(false)
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_digest")
                    .table("notifications".to_owned())
                    .col("digest".to_owned())
                    .col("created_at".to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_notifications_digest")
                    .table("notifications".to_owned())
                    .to_owned(),
            )
            .await?;
        for table in ["notifications", "subscriptions"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.to_owned())
                        .drop_column("digest".to_owned())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
