//! `riuso worker`: runs queued jobs (crawls) until Ctrl-C or SIGTERM. Any number of workers may
//! share a PostgreSQL database; a job a killed worker held is taken again when its lease runs out.

use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;

use crate::config::Config;
use crate::crawl::{self, http, ssrf, work};
use crate::db;

/// Arguments of `riuso worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How long a job stays leased to this worker; a job of a dead worker is retried after it.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub lease: u64,
}

/// Runs the worker until stopped; returns the exit code.
///
/// # Errors
///
/// Fails when the database cannot be opened or stays unreachable.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let worker = embedded(conn, config, Duration::from_secs(args.lease))?;
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(async move {
            crate::web::shutdown_signal().await;
            let _ = stop.send(true);
        });
        tracing::info!("worker started");
        worker.run(stopped).await?;
        tracing::info!("worker stopped");
        Ok(0)
    })
}

/// The crawler's HTTP client: the configured timeout, and the SSRF guard with the
/// `RIUSO_FETCH_ALLOW` allow-list. It fetches no `file://` URL: those are read only as the
/// operator's own git sources, by the crawl itself (`RIUSO_FETCH_FILES`).
///
/// # Errors
///
/// Fails on an invalid allow-list entry or when the TLS stack cannot be set up.
pub(crate) fn crawler_client(config: &Config) -> anyhow::Result<http::Polite> {
    let guard = ssrf::Guard::new(config.fetch_allow.clone()).context(
        "RIUSO_FETCH_ALLOW holds an entry that is not a host, host:port, address or network",
    )?;
    http::Polite::guarded(
        http::Options {
            timeout: config.http_timeout,
            ..http::Options::default()
        },
        guard,
    )
    .context("cannot set up the HTTP client")
}

/// A worker over `conn` with the configuration's HTTP timeout and tokens, for `riuso worker`
/// and the one `riuso serve` embeds.
///
/// # Errors
///
/// Fails when the HTTP client cannot be built.
pub fn embedded(
    conn: sea_orm::DatabaseConnection,
    config: &Config,
    lease: Duration,
) -> anyhow::Result<work::Worker> {
    let http = crawler_client(config)?;
    let mailer = config
        .smtp
        .as_ref()
        .map(crate::mail::Mailer::new)
        .transpose()
        .context("cannot set up mail (RIUSO_SMTP_* and RIUSO_MAIL_FROM)")?;
    Ok(work::Worker::new(
        conn,
        http,
        super::crawl::worker_name("worker"),
        lease,
        config.tokens.0.clone(),
        crawl::Options {
            max_file_bytes: config.max_file_bytes,
            fetch_files: config.fetch_files,
            git_cache: config.data_dir.join("git"),
            git_timeout: config.http_timeout.saturating_mul(6),
            ..crawl::Options::default()
        },
    )
    .with_mailer(mailer))
}
