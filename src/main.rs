//! The `riuso` executable: a small one. It runs `riuso validate` (without `--network`) in its
//! own process, and hands every other command, with its arguments, to `riuso-full` in the same
//! directory, which replaces it (same process id, same signals, same exit code).
//!
//! Why two: pre-commit hooks and CI run `riuso validate FILE` once per file, where starting the
//! process is most of the cost. An executable that links only the validator starts in a fraction
//! of the time the whole server takes to load and relocate (see BENCHMARKS.md).

use std::ffi::OsString;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitCode};

use riuso::cli::{EXIT_USAGE, FULL_EXECUTABLE, front};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if front::runs_here(&args) {
        return front::run(args);
    }
    let full = match std::env::current_exe() {
        Ok(path) => path.with_file_name(FULL_EXECUTABLE),
        Err(e) => {
            eprintln!("riuso: cannot find where riuso runs from: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut command = Command::new(&full);
    if let Some(name) = args.first() {
        command.arg0(name);
    }
    // `exec` returns only when the executable could not be started.
    let e = command.args(args.iter().skip(1)).exec();
    eprintln!(
        "riuso: cannot start {} (it is installed beside riuso): {e}",
        full.display()
    );
    ExitCode::from(EXIT_USAGE)
}
