//! `memberships.notify_invalid`: whether a member of an administration asked to be e-mailed
//! when a `publiccode.yml` of the administration's software turns invalid, is valid again, or
//! stayed invalid past the grace and its entry was deactivated. Off until the member turns it
//! on, on their account page.

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
                    .table("memberships")
                    .add_column(boolean("notify_invalid").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("memberships")
                    .drop_column("notify_invalid")
                    .to_owned(),
            )
            .await
    }
}
