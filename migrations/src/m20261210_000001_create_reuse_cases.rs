//! The art. 68 comparative evaluation (§8.1 of the AgID guidelines' notes):
//!
//! - `reuse_cases`: one administration's case, with its title, who opened it and when, and the
//!   state and publication its events lead to, kept beside them for listings (the events are
//!   the truth; both columns are written in the transaction that appends an event).
//! - `case_events`: every move of a case, append-only: who, in which role, for which IPA code,
//!   when, from which state to which, the transition with its evidence as JSON, and the
//!   documents it attached.
//! - `case_documents`: the documents uploaded as evidence, with their SHA-256 and size.
//! - `case_evaluations`: which catalog entry and snapshot each candidate's evaluation was based
//!   on (one row per `evaluate` event), so a case can tell when an entry changed since.

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
                    .table("reuse_cases")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("organisation_id"))
                    .col(string_len("title", 200))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(string_len("state", 32))
                    .col(boolean("published").default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .from("reuse_cases", "organisation_id")
                            .to("organisations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("reuse_cases", "created_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_reuse_cases_organisation",
                "reuse_cases",
                &["organisation_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_reuse_cases_published",
                "reuse_cases",
                &["published", "id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("case_events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(big_integer_null("user_id"))
                    .col(string_len("role", 16))
                    .col(string_len("acting_ipa", 64))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("from_state", 32))
                    .col(string_len("to_state", 32))
                    .col(string_len("transition", 32))
                    .col(text("evidence"))
                    .col(text("documents"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("case_events", "case_id")
                            .to("reuse_cases", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_case_events_case",
                "case_events",
                &["case_id", "id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("case_documents")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(string_len("name", 200))
                    .col(string_len("media_type", 100))
                    .col(big_integer("size"))
                    .col(string_len("sha256", 64))
                    .col(blob("content"))
                    .col(big_integer_null("uploaded_by"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("case_documents", "case_id")
                            .to("reuse_cases", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("case_documents", "uploaded_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_case_documents_case",
                "case_documents",
                &["case_id", "sha256"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("case_evaluations")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(big_integer("event_id"))
                    .col(string_len("phase", 16))
                    // Neither the entry nor the snapshot is a foreign key: the evidence of a
                    // case outlives whatever happens to the catalog.
                    .col(big_integer("software_id"))
                    .col(big_integer("snapshot_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("case_evaluations", "case_id")
                            .to("reuse_cases", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("case_evaluations", "event_id")
                            .to("case_events", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_case_evaluations_case",
                "case_evaluations",
                &["case_id", "software_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_case_evaluations_software",
                "case_evaluations",
                &["software_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "case_evaluations",
            "case_documents",
            "case_events",
            "reuse_cases",
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
