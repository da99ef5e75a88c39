//! The `riuso` binary: parse the command line, set up logging, dispatch.

use std::process::ExitCode;

use clap::Parser;
use riuso::cli::{Cli, EXIT_USAGE, run};
use riuso::config::Config;

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
    riuso::telemetry::init(&config.log_filter, config.log_format);
    match run(cli, &config) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("riuso: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
