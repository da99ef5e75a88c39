//! `riuso worker`: runs queued jobs (crawls, mail, vitality) until Ctrl-C or SIGTERM. Any
//! number of workers may share a PostgreSQL database; a job a killed worker held is taken again
//! when its lease runs out.

use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;

use crate::config::Config;
use crate::db;
use crate::worker::{Environment, Worker, worker_name};

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
        let jobs = db::jobs_pool(&config.database_url, &conn).await?;
        let env = Environment::from_config(config, jobs)?;
        let worker = Worker::new(env, worker_name("worker"), Duration::from_secs(args.lease));
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
