//! The compliance review of catalog entries (§5.3 and §8.3 of the AgID guidelines' notes):
//!
//! - `rule_results`: what each automatic rule said of one snapshot of an entry, under which
//!   version of the rule set, looking at which key or repository fact, and when. A check that
//!   finds the same as the one before stores nothing; history is never overwritten.
//! - `review_events`: every move of an entry's review, append-only (who, in which role, when,
//!   from which state to which, the evidence as JSON, the snapshot it concerned). The current
//!   state is derived from them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for col in cols {
        index.col((*col).to_owned());
    }
    index.to_owned()
}

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
                    .table("rule_results")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("software_id"))
                    .col(big_integer("snapshot_id"))
                    .col(integer("ruleset_version"))
                    .col(string_len("rule_id", 48))
                    .col(string_len("outcome", 16))
                    .col(string_len("severity", 16))
                    .col(text("key_path"))
                    .col(text("detail"))
                    .col(timestamp_with_time_zone("checked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("rule_results", "software_id")
                            .to("software", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("rule_results", "snapshot_id")
                            .to("snapshots", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_rule_results_software_checked",
                "rule_results",
                &["software_id", "checked_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_rule_results_rule_outcome",
                "rule_results",
                &["rule_id", "outcome"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("review_events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("software_id"))
                    .col(big_integer_null("user_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("from_state", 32))
                    .col(string_len("to_state", 32))
                    .col(text("evidence"))
                    .col(big_integer_null("snapshot_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("review_events", "software_id")
                            .to("software", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_review_events_software",
                "review_events",
                &["software_id", "id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["review_events", "rule_results"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
