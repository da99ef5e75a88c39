//! Communities and what happens in them:
//!
//! - `communities`: a solution community (around catalog entries, `community_software`) or a
//!   community of practice, with who may read it and how people join;
//! - `community_members`: people (`user_id`) and administrations (`organisation_id`) in it, each
//!   with a role, active or waiting for a coordinator's approval, and a person's `@handle`;
//! - `releases`: the versions of an entry, seen by a crawl or planned by coordinators, one row
//!   per entry and version (a unique index, so racing crawls and workers cannot record two);
//! - `release_adoptions`: what each administration says it does with a release;
//! - `threads` and `posts`: the discussion, a release's thread unique per release; a post keeps
//!   its earlier bodies in `post_revisions`, is deleted softly and hidden with a reason;
//! - `post_reports` and `moderation_log`: reports to moderators, and what moderators did.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 10] = [
    "moderation_log",
    "post_reports",
    "post_revisions",
    "posts",
    "threads",
    "release_adoptions",
    "releases",
    "community_members",
    "community_software",
    "communities",
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

fn fk(from: &str, col: &str, to: &str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut key = ForeignKey::create();
    key.from(from.to_owned(), col.to_owned())
        .to(to.to_owned(), "id".to_owned());
    if cascade {
        key.on_delete(ForeignKeyAction::Cascade);
    }
    key.to_owned()
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
                    .table("communities")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("slug"))
                    .col(string("name"))
                    .col(text("description"))
                    .col(string_len("kind", 16))
                    .col(string_len("visibility", 16))
                    .col(string_len("join_policy", 16))
                    .col(big_integer_null("organisation_id"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "communities",
                        "organisation_id",
                        "organisations",
                        false,
                    ))
                    .foreign_key(&mut fk("communities", "created_by", "users", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_communities_slug",
                "communities",
                &["slug"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("community_software")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("community_id"))
                    .col(big_integer("software_id"))
                    .foreign_key(&mut fk(
                        "community_software",
                        "community_id",
                        "communities",
                        true,
                    ))
                    .foreign_key(&mut fk(
                        "community_software",
                        "software_id",
                        "software",
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        // An entry belongs to one solution community: its release threads open there.
        manager
            .create_index(index(
                "idx_community_software_software",
                "community_software",
                &["software_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_community_software_community",
                "community_software",
                &["community_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("community_members")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("community_id"))
                    .col(big_integer_null("user_id"))
                    .col(big_integer_null("organisation_id"))
                    .col(string_len("role", 16))
                    .col(string_len("status", 16))
                    .col(string_len_null("handle", 40))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone_null("joined_at"))
                    .foreign_key(&mut fk(
                        "community_members",
                        "community_id",
                        "communities",
                        true,
                    ))
                    .foreign_key(&mut fk("community_members", "user_id", "users", true))
                    .foreign_key(&mut fk(
                        "community_members",
                        "organisation_id",
                        "organisations",
                        false,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_community_members_user", ["community_id", "user_id"]),
            (
                "idx_community_members_org",
                ["community_id", "organisation_id"],
            ),
            ("idx_community_members_handle", ["community_id", "handle"]),
        ] {
            manager
                .create_index(index(name, "community_members", &cols, true))
                .await?;
        }
        manager
            .create_index(index(
                "idx_community_members_of_user",
                "community_members",
                &["user_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("releases")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("software_id"))
                    .col(string_len("version", 100))
                    .col(date_null("release_date"))
                    .col(string_len("status", 16))
                    .col(text("notes"))
                    .col(date_null("target_date"))
                    .col(string_len("source", 16))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("releases", "software_id", "software", true))
                    .foreign_key(&mut fk("releases", "created_by", "users", false))
                    .to_owned(),
            )
            .await?;
        // One release per entry and version, whoever records it first.
        manager
            .create_index(index(
                "idx_releases_software_version",
                "releases",
                &["software_id", "version"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("release_adoptions")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("release_id"))
                    .col(big_integer("organisation_id"))
                    .col(string_len("status", 16))
                    .col(string_len_null("staying_on", 100))
                    .col(text_null("reason"))
                    .col(big_integer_null("user_id"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("release_adoptions", "release_id", "releases", true))
                    .foreign_key(&mut fk(
                        "release_adoptions",
                        "organisation_id",
                        "organisations",
                        false,
                    ))
                    .foreign_key(&mut fk("release_adoptions", "user_id", "users", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_release_adoptions_release_org",
                "release_adoptions",
                &["release_id", "organisation_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("threads")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("community_id"))
                    .col(string_len("kind", 16))
                    .col(string("title"))
                    .col(big_integer_null("author_id"))
                    .col(big_integer_null("release_id"))
                    .col(boolean("pinned").default(false))
                    .col(boolean("locked").default(false))
                    .col(big_integer_null("accepted_post_id"))
                    .col(integer("post_count").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_post_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(&mut fk("threads", "community_id", "communities", true))
                    .foreign_key(&mut fk("threads", "author_id", "users", false))
                    .foreign_key(&mut fk("threads", "release_id", "releases", true))
                    .to_owned(),
            )
            .await?;
        // One thread per release, whichever crawl, worker or coordinator opens it first.
        manager
            .create_index(index(
                "idx_threads_release",
                "threads",
                &["release_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_threads_community_order",
                "threads",
                &["community_id", "pinned", "last_post_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("posts")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("thread_id"))
                    .col(big_integer_null("author_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("edited_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .col(big_integer_null("deleted_by"))
                    .col(timestamp_with_time_zone_null("hidden_at"))
                    .col(big_integer_null("hidden_by"))
                    .col(text_null("hidden_reason"))
                    .col(integer("reports").default(0))
                    .foreign_key(&mut fk("posts", "thread_id", "threads", true))
                    .foreign_key(&mut fk("posts", "author_id", "users", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_posts_thread",
                "posts",
                &["thread_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("post_revisions")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("post_id"))
                    .col(text("body"))
                    .col(big_integer_null("edited_by"))
                    .col(timestamp_with_time_zone("edited_at"))
                    .foreign_key(&mut fk("post_revisions", "post_id", "posts", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_post_revisions_post",
                "post_revisions",
                &["post_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("post_reports")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("post_id"))
                    .col(big_integer("user_id"))
                    .col(text("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .foreign_key(&mut fk("post_reports", "post_id", "posts", true))
                    .foreign_key(&mut fk("post_reports", "user_id", "users", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_post_reports_post_user",
                "post_reports",
                &["post_id", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("moderation_log")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("community_id"))
                    .col(big_integer_null("actor_id"))
                    .col(string_len("action", 24))
                    .col(big_integer_null("thread_id"))
                    .col(big_integer_null("post_id"))
                    .col(text_null("detail"))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut fk(
                        "moderation_log",
                        "community_id",
                        "communities",
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_moderation_log_community",
                "moderation_log",
                &["community_id", "id"],
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
