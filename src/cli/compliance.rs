//! `riuso compliance recheck`: queues a compliance check of every active entry the current rule
//! set has not judged (after a new `RULESET_VERSION`); `riuso worker` or `riuso serve` runs them.

use clap::Subcommand;

use crate::compliance::RULESET_VERSION;
use crate::config::Config;
use crate::db;
use crate::worker::check_compliance;

/// The compliance rules.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Queue a check of every active entry not yet judged by the current rule set.
    Recheck,
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when the database cannot be opened or fails.
pub fn run(command: &Command, config: &Config) -> anyhow::Result<u8> {
    let Command::Recheck = command;
    super::runtime()?.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let queued = check_compliance::enqueue_stale(&conn).await?;
        conn.close().await?;
        println!("rule set {RULESET_VERSION}: {queued} entries queued for a check");
        Ok(0)
    })
}
