//! Accounts, administrations and reuse declarations:
//!
//! - `users`: one row per account; `email` is null once the account is deleted (the row stays so
//!   what the person published keeps an author, shown as "former member");
//! - `sessions`: signed-in browsers, by the SHA-256 of their cookie, each with its CSRF token;
//! - `user_tokens`: single-use links sent by e-mail (address verification, password reset,
//!   membership confirmation), by the SHA-256 of the token;
//! - `memberships`: a user's claim to act for an organisation, with its role, verified by a link
//!   sent to the administration's registered address;
//! - `reuse_declarations` and `declaration_events`: "my administration uses this" (Annex D of the
//!   AgID guidelines), and every change of its status.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 6] = [
    "declaration_events",
    "reuse_declarations",
    "memberships",
    "user_tokens",
    "sessions",
    "users",
];

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for col in cols {
        index.col((*col).to_owned());
    }
    if unique {
        index.unique();
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
                    .table("users")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_null("email"))
                    .col(string("display_name"))
                    .col(text_null("password_hash"))
                    .col(timestamp_with_time_zone_null("email_verified_at"))
                    .col(string_null("site_role"))
                    .col(string_len("lang", 8).default("it"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_users_email", "users", &["email"], true))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .if_not_exists()
                    .col(string_len("id", 64).primary_key())
                    .col(big_integer("user_id"))
                    .col(string_len("csrf_token", 64))
                    .col(string_null("user_agent"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sessions", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_sessions_user", "sessions", &["user_id"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("user_tokens")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_len("token_hash", 64))
                    .col(string_len("purpose", 16))
                    .col(big_integer("user_id"))
                    .col(big_integer_null("membership_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("user_tokens", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_tokens_hash",
                "user_tokens",
                &["token_hash"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("memberships")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(big_integer("organisation_id"))
                    .col(string_len("role", 16))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("memberships", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("memberships", "organisation_id")
                            .to("organisations", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_memberships_user_org",
                "memberships",
                &["user_id", "organisation_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_memberships_org",
                "memberships",
                &["organisation_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("reuse_declarations")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("software_id"))
                    .col(big_integer("organisation_id"))
                    .col(big_integer("user_id"))
                    .col(string("version"))
                    .col(date("since"))
                    .col(boolean("modified"))
                    .col(string_null("variant_url"))
                    .col(text("note"))
                    .col(string("contact"))
                    .col(string_len("status", 16))
                    .col(string_null("issue_url"))
                    .col(string_len_null("acknowledged_via", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("reuse_declarations", "software_id")
                            .to("software", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("reuse_declarations", "organisation_id")
                            .to("organisations", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("reuse_declarations", "user_id")
                            .to("users", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_reuse_declarations_software", "software_id"),
            ("idx_reuse_declarations_org", "organisation_id"),
        ] {
            manager
                .create_index(index(name, "reuse_declarations", &[col], false))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("declaration_events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("declaration_id"))
                    .col(string_len("status", 16))
                    .col(big_integer_null("user_id"))
                    .col(text_null("detail"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("declaration_events", "declaration_id")
                            .to("reuse_declarations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_declaration_events_declaration",
                "declaration_events",
                &["declaration_id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
