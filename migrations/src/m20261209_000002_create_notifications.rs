//! What people follow and what they are told:
//!
//! - `subscriptions`: a person follows a community or a thread (one row per person and target);
//! - `notifications`: a post a person is told about (one per person and post, so a fan-out run
//!   again tells nobody twice), why (a mention, a followed thread or community), whether they
//!   read it in the site, and when it was mailed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.to_owned(), col.to_owned())
        .to(to.to_owned(), "id".to_owned())
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

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
                    .table("subscriptions")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(big_integer_null("community_id"))
                    .col(big_integer_null("thread_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("subscriptions", "user_id", "users"))
                    .foreign_key(&mut fk("subscriptions", "community_id", "communities"))
                    .foreign_key(&mut fk("subscriptions", "thread_id", "threads"))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "idx_subscriptions_user_community",
                &["user_id", "community_id"][..],
                true,
            ),
            (
                "idx_subscriptions_user_thread",
                &["user_id", "thread_id"][..],
                true,
            ),
            ("idx_subscriptions_community", &["community_id"][..], false),
            ("idx_subscriptions_thread", &["thread_id"][..], false),
        ] {
            manager
                .create_index(index(name, "subscriptions", cols, unique))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(big_integer("post_id"))
                    .col(big_integer("thread_id"))
                    .col(string_len("reason", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .col(timestamp_with_time_zone_null("mailed_at"))
                    .foreign_key(&mut fk("notifications", "user_id", "users"))
                    .foreign_key(&mut fk("notifications", "post_id", "posts"))
                    .foreign_key(&mut fk("notifications", "thread_id", "threads"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_notifications_user_post",
                "notifications",
                &["user_id", "post_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_notifications_user_read",
                "notifications",
                &["user_id", "read_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["notifications", "subscriptions"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
