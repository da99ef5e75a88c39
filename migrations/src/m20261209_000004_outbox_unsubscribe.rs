//! A message about something a person follows carries the address that stops it: the
//! `List-Unsubscribe` header of its mail (`outbox.unsubscribe_url`).

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
                    .table("outbox".to_owned())
                    .add_column(ColumnDef::new("unsubscribe_url").text().null().to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("outbox".to_owned())
                    .drop_column("unsubscribe_url".to_owned())
                    .to_owned(),
            )
            .await
    }
}
