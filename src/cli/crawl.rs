//! `riuso crawl [--sources FILE] [--json]`: one crawl of every publisher in `publishers.yml`,
//! with a progress bar and a final report. The crawl runs as jobs of the queue, worked by this
//! process and by any `riuso worker` sharing the database, until none of its batch is left:
//! the vitality jobs it queued too (they run after the catalog's, which close the run), so the
//! command ends with the index of every repository it read.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::catalog::crawl_log;
use crate::config::Config;
use crate::crawl::run;
use crate::crawl::sources::{self, Sources};
use crate::db;
use crate::worker::{Environment, Worker, enqueue_crawl, worker_name};

/// Arguments of `riuso crawl`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The publishers and forges to crawl.
    #[arg(long, value_name = "FILE", default_value = "publishers.yml")]
    pub sources: PathBuf,
    /// Jobs (accounts, repositories) worked at once by this command; each host has its own
    /// limit of requests at once in the client, which is what keeps a crawl polite.
    #[arg(long, default_value_t = crate::worker::LANES)]
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
    let bar = ProgressBar::with_draw_target(
        None,
        if args.json {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{spinner} crawling: {pos} jobs done {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let report = super::runtime()?.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let report = crawl_once(&conn, config, &sources, args.concurrency, || bar.inc(1)).await?;
        conn.close().await?;
        anyhow::Ok(report)
    })?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&format!("crawl {}", report.run_id), &report);
    }
    Ok(u8::from(failed(&report)))
}

/// Prints `report` after `title`: the repositories by outcome, then what could not be crawled.
pub(super) fn print_report(title: &str, report: &crawl_log::Report) {
    let outcomes: Vec<String> = report
        .outcomes
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    println!(
        "{title}: {} repositories: {}",
        report.repositories,
        if outcomes.is_empty() {
            "nothing to crawl".to_owned()
        } else {
            outcomes.join(", ")
        }
    );
    for failure in &report.failures {
        println!(
            "  could not crawl {}",
            crate::untrusted::terminal_line(failure)
        );
    }
}

/// Whether some account or repository of the run could not be crawled.
pub(super) fn failed(report: &crawl_log::Report) -> bool {
    !report.failures.is_empty()
        || report
            .outcomes
            .contains_key(&crawl_log::CrawlOutcome::Failed)
}

/// Crawls every publisher of `sources` once: queues the run's jobs and works them in this
/// process, `concurrency` at once (with any `riuso worker` sharing the database), until none of
/// the run is left; `done` is called after each job. Answers the run's report.
///
/// # Errors
///
/// Fails when the database fails or the worker cannot be set up.
pub(super) async fn crawl_once(
    conn: &DatabaseConnection,
    config: &Config,
    sources: &Sources,
    concurrency: usize,
    done: impl Fn() + Sync,
) -> anyhow::Result<crawl_log::Report> {
    let (targets, git) = run::Target::from_sources(sources, &config.tokens.0);
    let jobs = db::jobs_pool(&config.database_url, conn).await?;
    let env = Environment::from_config(config, jobs)?;
    let id = enqueue_crawl(conn, &targets, &git, "cli").await?;
    let mut worker = Worker::new(env, worker_name("crawl"), Duration::from_secs(300));
    worker.concurrency = concurrency.max(1);
    worker.drain(id, done).await?;
    Ok(crawl_log::report(conn, id).await?)
}
