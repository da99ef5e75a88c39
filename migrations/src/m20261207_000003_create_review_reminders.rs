//! `review_reminders`: the reminders sent to an entry's owners as the deadline of a non-compliant
//! outcome nears, one row per outcome (the `record` event that set the deadline, unique), so a
//! deadline is reminded once however often the schedule looks.

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
            .create_table(
                Table::create()
                    .table("review_reminders")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("event_id").unique_key())
                    .col(big_integer("software_id"))
                    .col(date("deadline"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("review_reminders", "event_id")
                            .to("review_events", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("review_reminders", "software_id")
                            .to("software", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table("review_reminders")
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
