//! Validator throughput: `make bench-validate` (`cargo bench --locked --bench validate`).
//!
//! Over every `tests/fixtures/real/*.yml` (real publiccode.yml files), in one run:
//!
//! - **bare parse**: UTF-8 decoding plus every event of `saphyr_parser`, the YAML reader riuso is
//!   built on. Nothing can validate a file faster than this, so it is the baseline;
//! - **riuso parse**: `publiccode::parse`, the positioned tree (limits, duplicate keys);
//! - **riuso check**: `publiccode::check`, parse plus validation, offline, as the CLI runs it.
//!
//! The inputs are read into memory first; the timed loops do no I/O. Every round runs each
//! variant once over all files, in an order that rotates from round to round, so machine noise
//! hits all of them alike; rounds repeat until each variant has run for `BENCH_SECONDS` (default
//! 2) and at least [`MIN_ROUNDS`] times, and the median round is reported. Results and inputs go
//! through [`black_box`], so the optimiser cannot skip work.
//!
//! Then the same files are validated one process per file: riuso's own binary
//! (`riuso validate FILE`) and, when `PEER_VALIDATOR` names an executable, that validator
//! (`$PEER_VALIDATOR $PEER_VALIDATOR_ARGS FILE`, e.g. the Go `publiccode-parser` with
//! `PEER_VALIDATOR_ARGS=-no-network`). Process start-up is part of those numbers, as it is for
//! anyone who runs a CLI per file (a pre-commit hook, a CI step). `/bin/true FILE`, a process
//! that does nothing, runs in the same rounds as the floor: one `riuso validate FILE` may cost
//! at most [`TARGET_PROCESS_RATIO`] of it, and the run fails above that.
//!
//! Without `--bench` (`cargo test --benches`) it runs one quick round of everything, as a smoke
//! test.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use riuso::publiccode::{self, Context, Limits};
use saphyr_parser::Parser;

/// Fewest measured rounds of each in-process variant.
const MIN_ROUNDS: usize = 20;
/// Most measured rounds of each in-process variant, whatever the time.
const MAX_ROUNDS: usize = 100_000;
/// Warm-up time, spread over all in-process variants.
const WARM_UP: Duration = Duration::from_millis(500);
/// Measured rounds of the process-per-file passes (after one warm-up pass).
const CLI_ROUNDS: usize = 5;
/// What the full check may cost, in bare parses.
const TARGET_RATIO: f64 = 3.0;
/// What one `riuso validate FILE` process may cost, in `/bin/true` processes.
const TARGET_PROCESS_RATIO: f64 = 2.5;
/// The process that does nothing, the floor of any process per file.
const NOTHING: &str = "/bin/true";

/// One timed pass over all inputs; it returns a checksum that depends on all of its work.
type Pass = fn(&[Input]) -> usize;

/// One input file, read before any timing starts.
struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// What the environment asks of this run.
struct Settings {
    /// Seconds each in-process variant runs for, at least.
    seconds: f64,
    /// Another validator to compare with, and its arguments.
    peer: Option<(PathBuf, Vec<String>)>,
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark is its own program: it reads its knobs here, not through config::Config"
)]
fn settings() -> Result<Settings, String> {
    let seconds = match std::env::var("BENCH_SECONDS") {
        Ok(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .ok_or_else(|| format!("BENCH_SECONDS must be a positive number, not {s:?}"))?,
        Err(_) => 2.0,
    };
    let peer = match std::env::var("PEER_VALIDATOR") {
        Ok(program) if !program.trim().is_empty() => {
            let args = std::env::var("PEER_VALIDATOR_ARGS").unwrap_or_default();
            Some((
                PathBuf::from(program.trim()),
                args.split_whitespace().map(str::to_owned).collect(),
            ))
        }
        _ => None,
    };
    Ok(Settings { seconds, peer })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench validate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and gets a smoke run.
    let full_run = std::env::args().any(|a| a == "--bench");
    let settings = settings()?;
    let inputs = load_inputs()?;
    let files = inputs.len();
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();

    println!("Validator throughput (make bench-validate)");
    println!(
        "inputs:  {files} files, {bytes} bytes ({:.3} MB) from tests/fixtures/real/*.yml",
        mb(bytes)
    );
    println!("machine: {} CPUs, {}", cpus(), cpu_model());
    if !full_run {
        println!("mode:    smoke test (no --bench): one round, numbers are not meaningful");
    }

    let variants: [(&str, Pass); 3] = [
        ("bare parse (saphyr events)", bare_parse),
        ("riuso parse (positioned tree)", riuso_parse),
        ("riuso check (parse + validate)", riuso_check),
    ];
    let (min_time, min_rounds, warm_up) = if full_run {
        (
            Duration::from_secs_f64(settings.seconds),
            MIN_ROUNDS,
            WARM_UP,
        )
    } else {
        (Duration::ZERO, 1, Duration::ZERO)
    };

    // Warm-up: caches, the branch predictor, the vocabularies riuso loads on first use.
    let start = Instant::now();
    loop {
        for (_, run) in &variants {
            black_box(run(black_box(&inputs)));
        }
        if start.elapsed() >= warm_up {
            break;
        }
    }

    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
    let mut totals = vec![Duration::ZERO; variants.len()];
    let mut round = 0;
    while round < MAX_ROUNDS && (round < min_rounds || totals.iter().any(|t| *t < min_time)) {
        for k in 0..variants.len() {
            let i = (round + k) % variants.len();
            let run = variants[i].1;
            let start = Instant::now();
            let checksum = run(black_box(&inputs));
            let elapsed = start.elapsed();
            black_box(checksum);
            samples[i].push(elapsed);
            totals[i] += elapsed;
        }
        round += 1;
    }

    println!("rounds:  {round} per variant (warm-up {warm_up:?}), median round reported");
    println!();
    println!(
        "| {:<32} | {:>12} | {:>10} | {:>8} | {:>11} |",
        "variant", "median/round", "files/s", "MB/s", "p10/p90"
    );
    println!(
        "|{:-<34}|{:->14}|{:->12}|{:->10}|{:->13}|",
        "", "", "", "", ""
    );
    let mut medians = Vec::with_capacity(variants.len());
    for ((name, _), times) in variants.iter().zip(&mut samples) {
        let stats = Stats::of(times);
        println!(
            "| {:<32} | {:>9.2} ms | {:>10.0} | {:>8.2} | {:>11} |",
            name,
            stats.median * 1e3,
            files as f64 / stats.median,
            mb(bytes) / stats.median,
            format!(
                "{:+.0}%/{:+.0}%",
                (stats.p10 / stats.median - 1.0) * 100.0,
                (stats.p90 / stats.median - 1.0) * 100.0
            ),
        );
        medians.push(stats.median);
    }
    let (bare, parse, check) = (medians[0], medians[1], medians[2]);
    println!();
    println!("ratio parse/bare = {:.2}x", parse / bare);
    println!(
        "ratio full/bare = {:.2}x (target <= {TARGET_RATIO}x){}",
        check / bare,
        if check / bare <= TARGET_RATIO {
            ""
        } else {
            "  ABOVE TARGET"
        }
    );
    println!(
        "validation alone (check - parse) = {:.2} ms/round, {:.0}% of the full check",
        (check - parse) * 1e3,
        (check - parse) / check * 100.0
    );
    let valid = riuso_check(&inputs);
    println!("riuso verdicts: {valid} of {files} files valid");

    println!();
    cli_comparison(&inputs, bytes, check, &settings, full_run)
}

/// Validates the files one process per file, riuso's CLI and the peer (if any), and compares.
fn cli_comparison(
    inputs: &[Input],
    bytes: usize,
    check: f64,
    settings: &Settings,
    full_run: bool,
) -> Result<(), String> {
    let files = inputs.len();
    let riuso = (
        PathBuf::from(env!("CARGO_BIN_EXE_riuso")),
        vec!["validate".to_owned()],
    );
    let nothing = (PathBuf::from(NOTHING), Vec::new());
    // The executable of every command, which the small `riuso` hands everything else to: what
    // one `riuso validate FILE` cost when it was the only executable.
    let full = (
        PathBuf::from(env!("CARGO_BIN_EXE_riuso-full")),
        vec!["validate".to_owned()],
    );
    let mut commands = vec![
        ("riuso validate FILE", &riuso),
        ("/bin/true FILE", &nothing),
        ("riuso-full validate FILE", &full),
    ];
    if let Some(peer) = &settings.peer {
        commands.push(("peer", peer));
    }
    let rounds = if full_run { CLI_ROUNDS } else { 1 };
    println!(
        "One process per file ({rounds} rounds after a warm-up pass, median; stdout/stderr to /dev/null):"
    );
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); commands.len()];
    let mut accepted = vec![0; commands.len()];
    for round in 0..=rounds {
        for k in 0..commands.len() {
            let i = (round + k) % commands.len();
            let (program, args) = commands[i].1;
            let (elapsed, ok) = time_processes(program, args, inputs)?;
            accepted[i] = ok;
            // Round 0 warms the page cache and the dynamic loader.
            if round > 0 {
                samples[i].push(elapsed);
            }
        }
    }
    println!();
    println!(
        "| {:<32} | {:>12} | {:>10} | {:>8} | {:>11} |",
        "command", "median/pass", "files/s", "MB/s", "exit 0"
    );
    println!(
        "|{:-<34}|{:->14}|{:->12}|{:->10}|{:->13}|",
        "", "", "", "", ""
    );
    let mut medians = Vec::with_capacity(commands.len());
    for (((name, (program, args)), times), ok) in commands.iter().zip(&mut samples).zip(&accepted) {
        let median = Stats::of(times).median;
        let label = if *name == "peer" {
            format!("peer: {}", describe(program, args))
        } else {
            (*name).to_owned()
        };
        println!(
            "| {:<32} | {:>9.1} ms | {:>10.0} | {:>8.3} | {:>11} |",
            label,
            median * 1e3,
            files as f64 / median,
            mb(bytes) / median,
            format!("{ok}/{files}"),
        );
        medians.push(median);
    }
    println!();
    println!(
        "riuso CLI per file costs {:.2} ms; the in-process check {:.3} ms; /bin/true {:.2} ms",
        medians[0] / files as f64 * 1e3,
        check / files as f64 * 1e3,
        medians[1] / files as f64 * 1e3,
    );
    let process_ratio = medians[0] / medians[1];
    let within = process_ratio <= TARGET_PROCESS_RATIO;
    println!(
        "ratio riuso validate/true (one process per file) = {process_ratio:.2}x (target <= {TARGET_PROCESS_RATIO}x){}",
        if within { "" } else { "  ABOVE TARGET" }
    );
    println!(
        "ratio riuso-full validate/true (the executable of every command) = {:.2}x",
        medians[2] / medians[1]
    );
    match medians.get(3) {
        Some(peer) => {
            println!(
                "ratio peer/riuso (same way, one process per file) = {:.2}x",
                peer / medians[0]
            );
            println!(
                "ratio peer/riuso (peer per process vs riuso in-process check) = {:.1}x",
                peer / check
            );
        }
        None => println!(
            "peer validator: skipped (set PEER_VALIDATOR=/path/to/publiccode-parser \
             PEER_VALIDATOR_ARGS=-no-network to compare)"
        ),
    }
    if full_run && !within {
        return Err(format!(
            "one riuso validate process costs {process_ratio:.2} /bin/true processes, above {TARGET_PROCESS_RATIO}"
        ));
    }
    Ok(())
}

/// Runs `program args FILE` for every input, one after the other; the wall time and how many
/// exited with status 0.
fn time_processes(
    program: &Path,
    args: &[String],
    inputs: &[Input],
) -> Result<(Duration, usize), String> {
    let mut accepted = 0;
    let start = Instant::now();
    for input in inputs {
        let status = Command::new(program)
            .args(args)
            .arg(&input.path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {}: {e}", describe(program, args)))?;
        accepted += usize::from(status.success());
    }
    Ok((start.elapsed(), accepted))
}

fn describe(program: &Path, args: &[String]) -> String {
    let mut out = program.display().to_string();
    for a in args {
        out.push(' ');
        out.push_str(a);
    }
    out
}

/// The baseline: decode UTF-8, then pull every event out of the YAML reader.
fn bare_parse(inputs: &[Input]) -> usize {
    let mut events = 0;
    for input in inputs {
        let Ok(text) = std::str::from_utf8(black_box(&input.bytes)) else {
            continue;
        };
        let mut parser = Parser::new_from_str(text);
        // riuso stops at the first syntax error too.
        while let Some(Ok(event)) = parser.next_event() {
            black_box(&event);
            events += 1;
        }
    }
    events
}

/// riuso's positioned YAML tree.
fn riuso_parse(inputs: &[Input]) -> usize {
    let limits = Limits::default();
    inputs
        .iter()
        .map(|input| {
            let raw = publiccode::parse(black_box(&input.bytes), &limits);
            usize::from(black_box(raw).is_ok())
        })
        .sum()
}

/// riuso's full path: parse and validate, offline.
fn riuso_check(inputs: &[Input]) -> usize {
    let limits = Limits::default();
    let ctx = Context::default();
    inputs
        .iter()
        .map(|input| {
            let outcome = publiccode::check(black_box(&input.bytes), &limits, &ctx);
            usize::from(black_box(outcome).is_valid())
        })
        .sum()
}

fn load_inputs() -> Result<Vec<Input>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|x| x == "yml") {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(format!("no .yml files in {}", dir.display()));
    }
    paths
        .into_iter()
        .map(|path| {
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(Input { path, bytes })
        })
        .collect()
}

/// Median and spread of a list of timings, in seconds.
struct Stats {
    median: f64,
    p10: f64,
    p90: f64,
}

impl Stats {
    fn of(times: &mut [Duration]) -> Self {
        times.sort_unstable();
        let at = |q: f64| {
            let last = times.len().saturating_sub(1);
            let rank = (q * last as f64).round() as usize;
            times.get(rank).map_or(0.0, Duration::as_secs_f64)
        };
        let n = times.len();
        let median = if n.is_multiple_of(2) && n > 0 {
            (times[n / 2 - 1].as_secs_f64() + times[n / 2].as_secs_f64()) / 2.0
        } else {
            at(0.5)
        };
        Self {
            median,
            p10: at(0.1),
            p90: at(0.9),
        }
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}
