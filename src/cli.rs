//! The command line: one binary, one subcommand per role.
//!
//! `main.rs` only parses, sets up telemetry and calls [`run`]. Each subcommand lives in its own
//! file under `cli/` and returns the process exit code.

mod compliance;
mod crawl;
mod demo;
mod dev;
mod export;
pub mod front;
pub mod import;
mod mail;
mod migrate;
mod network;
mod render;
mod search;
mod serve;
mod user;
mod validate;
mod worker;

use clap::{Parser, Subcommand};

use crate::config::Config;

pub use validate::DirAssets;

/// riuso: software-reuse catalog for Italian public administrations.
#[derive(Debug, Parser)]
#[command(name = "riuso", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Database URL (SQLite file or postgres://); overrides `DATABASE_URL`.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web API (validator, JSON Schemas) until Ctrl-C or SIGTERM.
    Serve(serve::Args),
    /// Check publiccode.yml files against the standard (exit 0 valid, 1 invalid, 2 usage or I/O error).
    Validate(validate::Args),
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Load local publiccode.yml files or directories into the catalog, as if crawled.
    Import(import::Args),
    /// Search the catalog with facets, as the web pages and the API do.
    Search(search::Args),
    /// Crawl every publisher of publishers.yml once into the catalog (exit 1 if any part failed).
    Crawl(crawl::Args),
    /// Run queued jobs (crawls) until Ctrl-C or SIGTERM; several workers may share PostgreSQL.
    Worker(worker::Args),
    /// Write the whole catalog as open data: CSV, JSON Lines, or DCAT-AP_IT (Turtle, JSON-LD).
    Export(export::Args),
    /// The e-mail outbox: what waits to be sent (and its links, without an SMTP server).
    #[command(subcommand)]
    Mail(mail::Command),
    /// Accounts: give or take site roles.
    #[command(subcommand)]
    User(user::Command),
    /// The compliance rules: queue checks after a new rule set.
    #[command(subcommand)]
    Compliance(compliance::Command),
    /// Load the demo catalog: real files, local git repositories crawled with their history,
    /// and a verified reuse declaration (needs `RIUSO_IPA_REGISTRY`).
    Demo(demo::Args),
    /// Tools for developers and benchmarks.
    #[command(subcommand)]
    Dev(dev::Command),
}

impl Command {
    /// Whether the command logs. `validate` reports on its own output and logs nothing, so it
    /// sets up no logging: it runs once per file in pre-commit hooks and CI, where start-up is
    /// most of its cost.
    #[must_use]
    pub fn logs(&self) -> bool {
        !matches!(self, Self::Validate(_))
    }
}

impl Cli {
    /// Applies the global flags on top of the environment's configuration.
    pub fn apply(&self, config: &mut Config) {
        if let Some(url) = &self.database {
            config.database_url.clone_from(url);
        }
    }
}

/// The single-threaded runtime a command's async work runs on.
///
/// # Errors
///
/// Fails if the operating system refuses the runtime's resources.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context as _;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Exit code for usage and I/O errors, as clap uses for bad arguments.
pub const EXIT_USAGE: u8 = 2;

/// The executable of every command, installed beside the small `riuso` one ([`front`]).
pub const FULL_EXECUTABLE: &str = "riuso-full";

/// The process exit code of a command's result; an error is printed first, unless it is a
/// write to a closed pipe (`riuso validate ... | head`), which is not worth a message.
#[must_use]
pub fn exit_code(result: anyhow::Result<u8>) -> std::process::ExitCode {
    match result {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::from(EXIT_USAGE),
        Err(e) => {
            eprintln!("riuso: {e:#}");
            std::process::ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Whether `e` is a write to a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs the parsed command; returns the process exit code.
///
/// # Errors
///
/// Returns an error for failures that are not the command's own verdict (the caller exits 2).
pub fn run(cli: Cli, config: &Config) -> anyhow::Result<u8> {
    match cli.command {
        Command::Serve(args) => serve::run(&args, config),
        Command::Validate(args) => validate::run(&args, config),
        Command::Migrate => migrate::run(config),
        Command::Import(args) => import::run(&args, config),
        Command::Search(args) => search::run(&args, config),
        Command::Crawl(args) => crawl::run(&args, config),
        Command::Export(args) => export::run(&args, config),
        Command::Worker(args) => worker::run(&args, config),
        Command::Mail(command) => mail::run(&command, config),
        Command::User(command) => user::run(&command, config),
        Command::Compliance(command) => compliance::run(&command, config),
        Command::Demo(args) => demo::run(&args, config),
        Command::Dev(command) => dev::run(&command, config),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
