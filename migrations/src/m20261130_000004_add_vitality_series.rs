//! The vitality index's series and facts next to the index itself, so the software page can
//! chart the window and explain the number without a clone at hand.
//!
//! - `software.vitality_series`: the daily scores of the window, oldest first, comma-separated
//!   integers 0–100 (the form of the Developers Italia API's `vitality` field).
//! - `software.vitality_window_end`: the last day of that window (UTC), which dates the series
//!   and tells how fresh the index is.
//! - `software.vitality_facts`: a small JSON object with what the index was computed from (the
//!   commit, and the window's commits, merges, authors and tags, the first commit and the age),
//!   read and written only through `catalog::vitality`.
//!
//! All three are nullable: an entry whose vitality was never computed has none of them.

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
        // One column per statement: SQLite's ALTER TABLE takes one change at a time.
        for column in [
            text_null("vitality_series"),
            date_null("vitality_window_end"),
            text_null("vitality_facts"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("software")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["vitality_facts", "vitality_window_end", "vitality_series"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("software")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
