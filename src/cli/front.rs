//! What the small `riuso` executable runs in its own process: `riuso validate` without
//! `--network`. It links the validator and its reports, and none of the server, the database or
//! the network client; everything else goes to the full executable.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::{EXIT_USAGE, validate};
use crate::config::Config;

/// The command line as the small executable reads it: the same as the full one's `validate`.
#[derive(Debug, Parser)]
#[command(name = "riuso", version, about, long_about = None, propagate_version = true)]
struct Front {
    #[command(subcommand)]
    command: FrontCommand,
}

#[derive(Debug, Subcommand)]
enum FrontCommand {
    /// Check publiccode.yml files against the standard (exit 0 valid, 1 invalid, 2 usage or I/O error).
    Validate(validate::Args),
}

/// Whether the small executable runs `args` itself: `riuso validate ...` without `--network`
/// anywhere (a file named `--network` after `--` goes to the full executable, which reads it
/// right too).
#[must_use]
pub fn runs_here(args: &[OsString]) -> bool {
    args.get(1).is_some_and(|a| a == "validate")
        && !args
            .iter()
            .skip(2)
            .any(|a| a.as_encoded_bytes().starts_with(b"--network"))
}

/// Parses and runs `riuso validate` (clap prints help and usage errors itself, exiting 2).
#[must_use]
pub fn run(args: Vec<OsString>) -> ExitCode {
    let Front {
        command: FrontCommand::Validate(args),
    } = Front::parse_from(args);
    let max_file_bytes = match Config::max_file_bytes_from_env() {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("riuso: configuration error: {e:#}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    super::exit_code(validate::run_offline(&args, max_file_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_offline_validation_runs_here() {
        assert!(runs_here(&args(&["riuso", "validate", "publiccode.yml"])));
        assert!(runs_here(&args(&[
            "riuso", "validate", "--format", "json", "-"
        ])));
        assert!(!runs_here(&args(&[
            "riuso",
            "validate",
            "--network",
            "a.yml"
        ])));
        assert!(!runs_here(&args(&["riuso", "validate", "--", "--network"])));
        assert!(!runs_here(&args(&["riuso", "serve"])));
        assert!(!runs_here(&args(&[
            "riuso",
            "--database",
            "x",
            "validate",
            "a"
        ])));
        assert!(!runs_here(&args(&["riuso"])));
    }

    #[test]
    fn verify_front_cli() {
        use clap::CommandFactory as _;
        Front::command().debug_assert();
    }
}
