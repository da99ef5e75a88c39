//! The catalog: organisations, sources, repositories, software entries with their snapshots,
//! claims and declared users, the full-text index, crawl runs and events, and the job queue.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; they are dropped in reverse.
const TABLES: &[&str] = &[
    "organisations",
    "sources",
    "repositories",
    "software",
    "snapshots",
    "claims",
    "used_by",
    "software_facets",
    "crawl_runs",
    "crawl_events",
    "jobs",
];

fn fk(
    from: &str,
    column: &str,
    to: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{column}"))
        .from(Alias::new(from), Alias::new(column))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("idx_{table}_{}", columns.join("_")))
        .table(Alias::new(table));
    for c in columns {
        stmt.col(Alias::new(*c));
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

#[expect(
    elided_lifetimes_in_paths,
    reason = "the signatures must match MigrationTrait's as async_trait expands them"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now = || Expr::current_timestamp();
        manager
            .create_table(
                Table::create()
                    .table("organisations")
                    .col(big_pk_auto("id"))
                    .col(string_null("ipa_code"))
                    .col(string("name"))
                    .col(string_null("kind"))
                    .col(string_null("website"))
                    .col(timestamp_with_time_zone("created_at").default(now()))
                    .col(timestamp_with_time_zone("updated_at").default(now()))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("organisations", &["ipa_code"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sources")
                    .col(big_pk_auto("id"))
                    .col(string("kind"))
                    .col(string("base_url"))
                    .col(string("target"))
                    .col(big_integer_null("organisation_id"))
                    .col(string_null("etag"))
                    .col(string_null("last_modified"))
                    .col(string_null("cursor"))
                    .col(timestamp_with_time_zone("created_at").default(now()))
                    .col(timestamp_with_time_zone("updated_at").default(now()))
                    .foreign_key(&mut fk(
                        "sources",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sources", &["kind", "base_url", "target"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("repositories")
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("source_id"))
                    .col(string("url"))
                    .col(string("forge"))
                    .col(string_null("default_branch"))
                    .col(boolean("archived").default(false))
                    .col(boolean("private").default(false))
                    .col(integer_null("stars"))
                    .col(integer_null("forks"))
                    .col(string_null("last_commit"))
                    .col(string_null("etag"))
                    .col(string_null("last_modified"))
                    .col(timestamp_with_time_zone_null("gone_at"))
                    .col(timestamp_with_time_zone("created_at").default(now()))
                    .col(timestamp_with_time_zone("updated_at").default(now()))
                    .foreign_key(&mut fk(
                        "repositories",
                        "source_id",
                        "sources",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("repositories", &["url"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("software")
                    .col(big_pk_auto("id"))
                    .col(string("slug"))
                    .col(big_integer("repository_id"))
                    .col(big_integer_null("organisation_id"))
                    .col(big_integer_null("current_snapshot_id"))
                    .col(string("name"))
                    .col(boolean("active").default(true))
                    .col(boolean("deactivated_manually").default(false))
                    .col(text_null("deactivation_reason"))
                    .col(string_null("deactivated_by"))
                    .col(timestamp_with_time_zone_null("deactivated_at"))
                    .col(double_null("vitality"))
                    .col(timestamp_with_time_zone("created_at").default(now()))
                    .col(timestamp_with_time_zone("updated_at").default(now()))
                    .foreign_key(&mut fk(
                        "software",
                        "repository_id",
                        "repositories",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "software",
                        "organisation_id",
                        "organisations",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("software", &["slug"], true))
            .await?;
        manager
            .create_index(index("software", &["repository_id"], true))
            .await?;
        manager
            .create_index(index("software", &["updated_at"], false))
            .await?;
        manager
            .create_index(index("software", &["organisation_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("snapshots")
                    .col(big_pk_auto("id"))
                    .col(big_integer("software_id"))
                    .col(string("sha256"))
                    .col(blob("raw"))
                    .col(string_null("commit_sha"))
                    .col(timestamp_with_time_zone("fetched_at"))
                    .col(string_null("declared_version"))
                    .col(boolean("valid"))
                    .col(text("diagnostics"))
                    .col(text_null("normalized"))
                    .col(timestamp_with_time_zone("created_at").default(now()))
                    .foreign_key(&mut fk(
                        "snapshots",
                        "software_id",
                        "software",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("snapshots", &["software_id", "sha256"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("claims")
                    .col(big_pk_auto("id"))
                    .col(big_integer("snapshot_id"))
                    .col(string("kind"))
                    .col(string("value"))
                    .col(string("source_key"))
                    .foreign_key(&mut fk(
                        "claims",
                        "snapshot_id",
                        "snapshots",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("claims", &["snapshot_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("used_by")
                    .col(big_pk_auto("id"))
                    .col(big_integer("snapshot_id"))
                    .col(string("name"))
                    .col(string_null("ipa_code"))
                    .foreign_key(&mut fk(
                        "used_by",
                        "snapshot_id",
                        "snapshots",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("used_by", &["snapshot_id"], false))
            .await?;
        manager
            .create_index(index("used_by", &["ipa_code"], false))
            .await?;

        // One row per (entry, facet, value) of the current snapshot: multi-valued facets
        // (categories, languages, claims...) count with one GROUP BY on both databases.
        manager
            .create_table(
                Table::create()
                    .table("software_facets")
                    .col(big_integer("software_id"))
                    .col(string("facet"))
                    .col(string("value"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("software_id"))
                            .col(Alias::new("facet"))
                            .col(Alias::new("value")),
                    )
                    .foreign_key(&mut fk(
                        "software_facets",
                        "software_id",
                        "software",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "software_facets",
                &["facet", "value", "software_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("crawl_runs")
                    .col(big_pk_auto("id"))
                    .col(string("trigger"))
                    .col(string("status"))
                    .col(text("stats").default("{}"))
                    .col(timestamp_with_time_zone("started_at").default(now()))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("crawl_events")
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("crawl_run_id"))
                    .col(big_integer_null("repository_id"))
                    .col(big_integer_null("software_id"))
                    .col(string("outcome"))
                    .col(text("message"))
                    .col(timestamp_with_time_zone("at").default(now()))
                    .foreign_key(&mut fk(
                        "crawl_events",
                        "crawl_run_id",
                        "crawl_runs",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "crawl_events",
                        "repository_id",
                        "repositories",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "crawl_events",
                        "software_id",
                        "software",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("crawl_events", &["software_id", "at"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("jobs")
                    .col(big_pk_auto("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    .col(integer("priority").default(0))
                    .col(timestamp_with_time_zone("run_at").default(now()))
                    .col(integer("attempts").default(0))
                    .col(string_null("locked_by"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(text_null("last_error"))
                    .col(string_null("dedup_key"))
                    .col(timestamp_with_time_zone("created_at").default(now()))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("jobs", &["dedup_key"], true))
            .await?;
        manager
            .create_index(index("jobs", &["run_at", "priority"], false))
            .await?;

        // Full text: SQLite FTS5 (diacritics folded) and PostgreSQL tsvector with GIN. The
        // indexed text is prepared by the application (stems for Italian and English), so both
        // databases rank the same words.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE software_fts USING fts5(\
                     name, body, publisher, \
                     content='', contentless_delete=1, \
                     tokenize='unicode61 remove_diacritics 2')",
                )
                .await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TABLE software_fts (\
                     software_id BIGINT PRIMARY KEY REFERENCES software(id) ON DELETE CASCADE, \
                     document TSVECTOR NOT NULL)",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX idx_software_fts_document ON software_fts USING GIN (document)",
                )
                .await?;
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS software_fts")
            .await?;
        for table in TABLES.iter().rev() {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(*table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
