//! `riuso import PATH...`: load local publiccode.yml files, or directories of them, into the
//! catalog as if they had been crawled (source `local`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::catalog::{self, Fetched, IngestOutcome, Origin};
use crate::config::Config;
use crate::db;
use crate::pipeline;
use crate::publiccode::{self, Assets, Context, Limits};
use crate::untrusted;

use super::DirAssets;

/// Arguments of `riuso import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, or directories searched recursively for `.yml` and `.yaml` files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Print the summary as one JSON object on standard output, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// Counts of what an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// New entries.
    pub new: usize,
    /// Entries whose file changed.
    pub updated: usize,
    /// Entries whose file did not change.
    pub unchanged: usize,
    /// Invalid files (stored with their diagnostics, entries inactive).
    pub invalid: usize,
    /// Files that could not be imported (unreadable, or refused by the database); the others
    /// are imported all the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<Failure>,
}

/// A file that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// The file as named.
    pub file: String,
    /// Why, with its causes.
    pub error: String,
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when a path cannot be read or the database fails.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let files = collect(&args.paths)?;
    let runtime = super::runtime()?;
    let summary = runtime.block_on(import(&files, config, !args.json))?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "{} files imported: {} new, {} updated, {} unchanged, {} invalid, {} failed",
            files.len() - summary.failed.len(),
            summary.new,
            summary.updated,
            summary.unchanged,
            summary.invalid,
            summary.failed.len()
        );
        for f in &summary.failed {
            println!(
                "  could not import {}: {}",
                untrusted::terminal_line(&f.file),
                untrusted::terminal_line(&f.error)
            );
        }
    }
    Ok(u8::from(!summary.failed.is_empty()))
}

/// Imports `files` into the database of `config` (migrating it first).
///
/// # Errors
///
/// Fails when the database cannot be opened; a file that cannot be read or stored is counted
/// in [`Summary::failed`] and the others are imported.
pub async fn import(files: &[PathBuf], config: &Config, progress: bool) -> anyhow::Result<Summary> {
    let conn = db::open(&config.database_url).await?;
    let bar = ProgressBar::with_draw_target(
        Some(files.len() as u64),
        if progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{spinner} importing [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let limits = Limits {
        max_bytes: config.max_file_bytes,
        ..Limits::default()
    };
    let upkeep = pipeline::Upkeep::of(config);
    let mut summary = Summary::default();
    for file in files {
        bar.set_message(file.display().to_string());
        match import_one(&conn, file, &limits, &upkeep).await {
            Ok((slug, outcome)) => {
                match outcome {
                    IngestOutcome::New => summary.new += 1,
                    IngestOutcome::Updated => summary.updated += 1,
                    IngestOutcome::Unchanged => summary.unchanged += 1,
                    IngestOutcome::Invalid => summary.invalid += 1,
                }
                tracing::debug!(file = %file.display(), software.slug = %slug, outcome = ?outcome, "imported");
            }
            // One file is never the end of the batch: it is reported, the next one is read.
            Err(e) => {
                tracing::warn!(file = %file.display(), error = format!("{e:#}"), "not imported");
                summary.failed.push(Failure {
                    file: file.display().to_string(),
                    error: format!("{e:#}"),
                });
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if u64::try_from(summary.new + summary.updated).unwrap_or(u64::MAX) >= catalog::COMPACT_AFTER {
        catalog::compact(&conn)
            .await
            .context("cannot compact the search index")?;
    }
    conn.close().await?;
    Ok(summary)
}

/// Imports one file: its entry's slug and what happened to it.
async fn import_one(
    conn: &sea_orm::DatabaseConnection,
    file: &Path,
    limits: &Limits,
    upkeep: &pipeline::Upkeep,
) -> anyhow::Result<(String, IngestOutcome)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let absolute = std::path::absolute(file)?;
    // A `publiccode.yml` stands for its directory (a repository checked out on disk); any
    // other file stands for itself, and files next to it are not consulted.
    let is_descriptor = matches!(
        absolute.file_name().and_then(|n| n.to_str()),
        Some("publiccode.yml" | "publiccode.yaml")
    );
    let location = if is_descriptor {
        absolute.parent().unwrap_or(&absolute)
    } else {
        &absolute
    };
    let url = url::Url::from_file_path(location)
        .map_err(|()| anyhow::anyhow!("{} is not an absolute path", location.display()))?;
    let assets = is_descriptor.then(|| DirAssets {
        base: location.to_path_buf(),
    });
    let ctx = Context {
        assets: assets.as_ref().map(|a| a as &dyn Assets),
        ..Context::default()
    };
    let origin = Origin {
        repository_url: url.as_str(),
        forge: "local",
        facts: None,
        source_ipa: None,
    };
    let fetched = Fetched {
        bytes: &bytes,
        commit: None,
        fetched_at: Utc::now(),
    };
    let inspected = publiccode::inspect(&bytes, limits, &ctx);
    let ingested = pipeline::ingest(conn, origin, fetched, &inspected, upkeep)
        .await
        .with_context(|| format!("cannot import {}", file.display()))?;
    Ok((ingested.slug, ingested.outcome))
}

/// The files named, and the `.yml`/`.yaml` files under the directories named, sorted.
pub(super) fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}
