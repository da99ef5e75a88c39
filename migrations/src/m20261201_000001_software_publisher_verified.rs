//! `software.publisher_verified`: whether the entry's publisher (the administration its file
//! claims) was confirmed by the source it was crawled from — the `ipa` that `publishers.yml`
//! gives that source. Only a verified publisher owns the entry (its members acknowledge
//! declarations and are mailed about them). Every existing entry starts unverified; the next
//! crawl from a source with that `ipa` verifies it.

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
            .alter_table(
                Table::alter()
                    .table("software")
                    .add_column(boolean("publisher_verified").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("software")
                    .drop_column("publisher_verified")
                    .to_owned(),
            )
            .await
    }
}
