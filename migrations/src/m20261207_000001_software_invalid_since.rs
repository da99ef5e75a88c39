//! `software.invalid_since` and `software.invalid_snapshot_id`: since when the entry's
//! repository holds an invalid `publiccode.yml`, and the latest invalid file, while it does.
//! An entry that was valid before keeps its last valid snapshot as current (search, page and
//! API show it) and stays active through a grace period; one that never was valid has the
//! invalid file as current, as before.
//!
//! Existing entries that an invalid file had turned inactive while an earlier file was valid
//! get that earlier file back as current, with the invalid one recorded beside it since the
//! time it was read; they stay inactive (their grace is over or about to be) until a valid file
//! comes back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_software_invalid_since";

/// Entries whose current file is invalid while an earlier one was valid: the latest valid file
/// becomes current again, the invalid one is recorded as such. The same SQL on both databases
/// (`valid` is a boolean on PostgreSQL, 0 or 1 on SQLite, and reads as a condition on both).
const RESTORE: &str = "UPDATE software SET \
    invalid_snapshot_id = current_snapshot_id, \
    invalid_since = (SELECT s.fetched_at FROM snapshots s WHERE s.id = software.current_snapshot_id), \
    current_snapshot_id = (SELECT s.id FROM snapshots s WHERE s.software_id = software.id AND s.valid \
        ORDER BY s.fetched_at DESC, s.id DESC LIMIT 1) \
    WHERE current_snapshot_id IN (SELECT s.id FROM snapshots s WHERE NOT s.valid) \
    AND EXISTS (SELECT 1 FROM snapshots s WHERE s.software_id = software.id AND s.valid)";

/// Entries whose only files are invalid: the current one is recorded as the invalid file.
const NEVER_VALID: &str = "UPDATE software SET \
    invalid_snapshot_id = current_snapshot_id, \
    invalid_since = (SELECT s.fetched_at FROM snapshots s WHERE s.id = software.current_snapshot_id) \
    WHERE invalid_since IS NULL \
    AND current_snapshot_id IN (SELECT s.id FROM snapshots s WHERE NOT s.valid)";

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
                    .add_column(timestamp_with_time_zone_null("invalid_since"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("software")
                    .add_column(big_integer_null("invalid_snapshot_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table("software")
                    .col("invalid_since")
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(RESTORE).await?;
        db.execute_unprepared(NEVER_VALID).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table("software").to_owned())
            .await?;
        for column in ["invalid_snapshot_id", "invalid_since"] {
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
