//! `riuso migrate`: create the database when missing and bring its schema up to date.

use crate::config::Config;
use crate::db;

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when the database cannot be opened or a migration fails.
pub fn run(config: &Config) -> anyhow::Result<u8> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        conn.close().await?;
        tracing::info!(database = %db::redact(&config.database_url), "database is up to date");
        Ok(0)
    })
}
