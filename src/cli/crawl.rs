//! `riuso crawl [--sources FILE] [--json]`: one crawl of every publisher in `publishers.yml`,
//! with a progress bar and a final report.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Config;
use crate::crawl::{http, run, sources};
use crate::db;

/// Arguments of `riuso crawl`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The publishers and forges to crawl.
    #[arg(long, value_name = "FILE", default_value = "publishers.yml")]
    pub sources: PathBuf,
    /// Repositories fetched at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Print the report as one JSON object on standard output, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code: 0, or 1 when some account or repository could not
/// be crawled (the rest was).
///
/// # Errors
///
/// Fails when the sources file is invalid or the database fails.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let sources = sources::load(&args.sources)
        .with_context(|| format!("cannot read the sources in {}", args.sources.display()))?;
    let (targets, git) = run::Target::from_sources(&sources, &config.tokens.0);
    for url in &git {
        tracing::warn!(%url, "plain git URLs are not crawled yet; skipped");
    }
    let http = http::Polite::new(http::Options {
        timeout: config.http_timeout,
        ..http::Options::default()
    })
    .context("cannot set up the HTTP client")?;
    let options = run::Options {
        concurrency: args.concurrency,
        max_file_bytes: config.max_file_bytes,
        ..run::Options::default()
    };
    let bar = ProgressBar::with_draw_target(
        None,
        if args.json {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{spinner} crawling: {pos} repositories {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let report = super::runtime()?.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let report = run::crawl(&conn, &http, &targets, &options, |url| {
            bar.inc(1);
            bar.set_message(url.to_owned());
        })
        .await?;
        conn.close().await?;
        anyhow::Ok(report)
    })?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let outcomes: Vec<String> = report
            .outcomes
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        println!(
            "crawl {}: {} repositories: {}",
            report.run_id,
            report.repositories,
            if outcomes.is_empty() {
                "nothing to crawl".to_owned()
            } else {
                outcomes.join(", ")
            }
        );
        for failure in &report.failures {
            println!("  could not crawl {failure}");
        }
    }
    Ok(u8::from(
        !report.failures.is_empty() || report.outcomes.contains_key("failed"),
    ))
}
