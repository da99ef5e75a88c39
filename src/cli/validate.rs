//! `riuso validate FILE... | -`: the validator for maintainers and CI pipelines.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::publiccode::{self, Asset, Assets, Context, Diagnostic, Limits, Outcome};

pub use super::render::FileReport;
use super::{EXIT_USAGE, network, render};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable report with the offending source lines (coloured on a terminal).
    Human,
    /// One JSON object: `{"valid": bool, "files": [...]}`.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// Arguments of `riuso validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// publiccode.yml files to check; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Treat warnings (deprecated keys, old versions) as failures.
    #[arg(long)]
    pub strict: bool,

    /// Also check that URLs answer and remote images are images (off by default).
    #[arg(long)]
    pub network: bool,

    /// Check the files as if they declared this publiccodeYmlVersion.
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pub version_override: Option<String>,

    /// Largest file accepted, in bytes [default: `RIUSO_MAX_FILE_BYTES`, 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_size: Option<usize>,

    /// Timeout of each network check, in seconds [default: `RIUSO_HTTP_TIMEOUT_SECS`, 10].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

fn parse_version(s: &str) -> Result<String, String> {
    let supported = publiccode::supported_versions();
    if supported.contains(&s) {
        Ok(s.to_owned())
    } else {
        Err(format!("supported versions: {}", supported.join(", ")))
    }
}

/// Reads the files next to a publiccode.yml on disk, for the checks of logo and screenshots.
#[derive(Debug, Clone)]
pub struct DirAssets {
    /// The directory holding the publiccode.yml.
    pub base: PathBuf,
}

impl Assets for DirAssets {
    fn lookup(&self, relative: &str) -> Asset {
        let path = self.base.join(relative);
        match std::fs::File::open(&path) {
            Ok(file) => {
                let mut head = Vec::with_capacity(publiccode::HEAD_BYTES);
                match file
                    .take(publiccode::HEAD_BYTES as u64)
                    .read_to_end(&mut head)
                {
                    Ok(_) => Asset::Found(head),
                    Err(_) => Asset::Missing(path.display().to_string()),
                }
            }
            Err(_) => Asset::Missing(path.display().to_string()),
        }
    }
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails only if the output cannot be written or the network client cannot be built.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let timeout = args
        .timeout
        .map_or(config.http_timeout, Duration::from_secs);
    let checker = if args.network {
        let guard = crate::crawl::ssrf::Guard::new(config.fetch_allow.clone())
            .map_err(|e| anyhow::anyhow!("RIUSO_FETCH_ALLOW: {e}"))?;
        Some(network::Checker::new(timeout, guard)?)
    } else {
        None
    };
    check_files(args, config.max_file_bytes, |report| {
        if let Some(checker) = &checker {
            network_checks(checker, report);
        }
    })
}

/// Runs the command without `--network` (which it ignores), files up to `max_file_bytes` unless
/// `--max-size` says otherwise: what the `riuso` executable runs in its own process, linking
/// none of the network client. Returns the exit code.
///
/// # Errors
///
/// Fails only if the output cannot be written.
pub fn run_offline(args: &Args, max_file_bytes: usize) -> anyhow::Result<u8> {
    check_files(args, max_file_bytes, |_| {})
}

/// Checks every file, `network` adding its findings to each file that could be read.
fn check_files(
    args: &Args,
    max_file_bytes: usize,
    mut network: impl FnMut(&mut FileReport),
) -> anyhow::Result<u8> {
    let limits = Limits {
        max_bytes: args.max_size.unwrap_or(max_file_bytes),
        ..Limits::default()
    };
    let mut reports = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let mut report = check_input(path, &limits, args);
        if report.io_error.is_none() {
            network(&mut report);
        }
        if args.strict && report.diagnostics.iter().any(|d| !d.is_error()) {
            report.valid = false;
        }
        reports.push(report);
    }
    match args.format {
        Format::Human => render::human(&reports, args.strict)?,
        Format::Json => render::json(&reports)?,
        Format::Sarif => render::sarif(&reports)?,
    }
    Ok(if reports.iter().any(|r| r.io_error.is_some()) {
        EXIT_USAGE
    } else if reports.iter().all(|r| r.valid) {
        0
    } else {
        1
    })
}

fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

/// Checks one input (a path, or `-` for standard input).
#[must_use]
pub fn check_input(path: &Path, limits: &Limits, args: &Args) -> FileReport {
    let stdin = path == Path::new("-");
    let shown = if stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let bytes = match read_input(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return FileReport {
                path: shown,
                source: String::new(),
                valid: false,
                version: None,
                claims: Vec::new(),
                diagnostics: Vec::new(),
                links: Vec::new(),
                io_error: Some(e.to_string()),
            };
        }
    };
    let assets = (!stdin).then(|| DirAssets {
        base: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    });
    let ctx = Context {
        version_override: args.version_override.as_deref(),
        assets: assets.as_ref().map(|a| a as &dyn Assets),
    };
    let inspection = publiccode::inspect(&bytes, limits, &ctx);
    let (valid, claims) = match &inspection.outcome {
        Outcome::Valid(v) => (true, v.claims().to_vec()),
        Outcome::Invalid(_) => (false, Vec::new()),
    };
    FileReport {
        path: shown,
        source: String::from_utf8_lossy(&bytes).into_owned(),
        valid,
        version: inspection.declared_version,
        claims,
        diagnostics: inspection.outcome.diagnostics().to_vec(),
        links: inspection.links,
        io_error: None,
    }
}

fn network_checks(checker: &network::Checker, report: &mut FileReport) {
    let found = checker.check(&report.links);
    if found.iter().any(Diagnostic::is_error) {
        report.valid = false;
        report.claims.clear();
    }
    report.diagnostics.extend(found);
    report
        .diagnostics
        .sort_by_key(|d| (d.line, d.column, !d.is_error()));
}
