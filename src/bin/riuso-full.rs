//! `riuso-full`, the executable of every riuso command: parse the command line, set up logging,
//! dispatch. The `riuso` executable beside it (`src/main.rs`) runs the offline validator in its
//! own process and hands every other command to this one.

use std::process::ExitCode;

use clap::Parser;
use riuso::cli::{Cli, EXIT_USAGE, run};
use riuso::config::Config;

/// mimalloc rather than the system allocator: argon2 allocates and frees a 19 MiB block for every
/// password checked, and the system allocator kept those blocks, growing the server by hundreds
/// of MiB under a flood of sign-ins; mimalloc gives them back. Built without transparent huge
/// pages (`no_thp`): the first 2 MiB page zeroed at start-up was a good part of what a short
/// command cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("riuso: configuration error: {e:#}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    cli.apply(&mut config);
    if cli.command.logs() {
        riuso::telemetry::init(&config.log_filter, config.log_format);
    }
    riuso::cli::exit_code(run(cli, &config))
}
