//! Database migrations of the riuso catalog, for SQLite and PostgreSQL alike.
//!
//! Each migration has a working `down`; a migration that has been merged is never edited (fix
//! forward with a new one). Migrations never import the application's entities.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_catalog;
mod m20261130_000001_software_changed_at;
mod m20261130_000002_job_queue;
mod m20261130_000003_job_batch;
mod m20261130_000004_add_vitality_series;
mod m20261130_000010_create_outbox;
mod m20261130_000020_create_accounts;
mod m20261130_000021_unique_live_declaration;
mod m20261201_000001_software_publisher_verified;
mod m20261205_000001_job_claim_indexes;
mod m20261206_000001_create_compliance;
mod m20261207_000001_software_invalid_since;
mod m20261207_000002_membership_notices;
mod m20261207_000003_create_review_reminders;
mod m20261208_000001_job_batch_kind_index;
mod m20261209_000001_create_communities;
mod m20261209_000002_create_notifications;
mod m20261209_000003_digest;
mod m20261209_000004_outbox_unsubscribe;
mod m20261210_000001_create_reuse_cases;
mod m20261212_000001_create_post_search;
mod m20261212_000002_create_signing_keys;
mod m20261214_000001_subscriptions_software;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_catalog::Migration),
            Box::new(m20261130_000001_software_changed_at::Migration),
            Box::new(m20261130_000002_job_queue::Migration),
            Box::new(m20261130_000003_job_batch::Migration),
            Box::new(m20261130_000004_add_vitality_series::Migration),
            Box::new(m20261130_000010_create_outbox::Migration),
            Box::new(m20261130_000020_create_accounts::Migration),
            Box::new(m20261130_000021_unique_live_declaration::Migration),
            Box::new(m20261201_000001_software_publisher_verified::Migration),
            Box::new(m20261205_000001_job_claim_indexes::Migration),
            Box::new(m20261206_000001_create_compliance::Migration),
            Box::new(m20261207_000001_software_invalid_since::Migration),
            Box::new(m20261207_000002_membership_notices::Migration),
            Box::new(m20261207_000003_create_review_reminders::Migration),
            Box::new(m20261208_000001_job_batch_kind_index::Migration),
            Box::new(m20261209_000001_create_communities::Migration),
            Box::new(m20261209_000002_create_notifications::Migration),
            Box::new(m20261209_000003_digest::Migration),
            Box::new(m20261209_000004_outbox_unsubscribe::Migration),
            Box::new(m20261210_000001_create_reuse_cases::Migration),
            Box::new(m20261212_000001_create_post_search::Migration),
            Box::new(m20261212_000002_create_signing_keys::Migration),
            Box::new(m20261214_000001_subscriptions_software::Migration),
        ]
    }
}
