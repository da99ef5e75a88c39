//! `riuso serve [--bind ADDR]`: migrate the database and serve HTTP until stopped, with an
//! embedded worker for queued jobs and the periodic schedule (`worker::schedule`: the crawl
//! scheduler and the purge of expired sessions), so one command gives a working system.
//!
//! Without `RIUSO_PUBLIC_URL`, the links the server writes (mail, feeds, the sitemap, export
//! IRIs) lead to the address it is bound to: `--bind`, or `RIUSO_BIND`, with the port the system
//! chose for `:0`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use tokio::sync::watch;

use crate::app::{App, AppState};
use crate::config::Config;
use crate::worker::{Environment, Worker, schedule, worker_name};
use crate::{db, web};

/// Arguments of `riuso serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: `RIUSO_BIND`, 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
}

/// Runs the server until Ctrl-C or SIGTERM; returns the exit code.
///
/// # Errors
///
/// Fails when the database cannot be opened or the address cannot be bound.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let addr = args.bind.unwrap_or(config.bind);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Bound first, so that the public address follows the port the system gave (`:0`).
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        let config = &config.clone().listening_on(bound);
        tracing::info!(address = %bound, "serving on http://{bound}");
        if !config.public_url_given {
            let hint = "set RIUSO_PUBLIC_URL to the address people use";
            if bound.ip().is_unspecified() {
                tracing::warn!(public_url = %config.public_url, "links in mail, feeds and the sitemap lead to an address nobody can open: {hint}");
            } else {
                tracing::info!(public_url = %config.public_url, "links in mail, feeds and the sitemap lead to the address this server listens on; {hint}");
            }
        }
        let db = db::open(&config.database_url).await?;
        let app = App::with_registry(config.clone(), db.clone())?;
        // Load the search index before the first request rather than during it.
        app.search.warm().await?;
        // Posts written before the communities' search index existed.
        let indexed = crate::community::forum::search::backfill(&db).await?;
        if indexed > 0 {
            tracing::info!(posts = indexed, "indexed the communities' posts for search");
        }
        let state = AppState(Arc::new(app));
        let (stop, stopped) = watch::channel(false);
        let mut background = Vec::new();
        let jobs = db::jobs_pool(&config.database_url, &db).await?;
        let env = Arc::new(Environment::from_config(config, jobs)?);
        if config.embedded_worker {
            let worker = Worker::new(
                Arc::clone(&env),
                worker_name("worker"),
                Duration::from_secs(300),
            );
            let stopped = stopped.clone();
            background.push(tokio::spawn(async move {
                if let Err(e) = worker.run(stopped).await {
                    tracing::error!(error = %e, "the embedded worker stopped");
                }
            }));
        }
        {
            let env = Arc::clone(&env);
            let stopped = stopped.clone();
            let public_url = config.public_url.clone();
            background.push(tokio::spawn(async move {
                schedule::run(&env, &public_url, stopped).await;
            }));
        }
        let served = web::serve_on(state, listener, web::shutdown_signal()).await;
        let _ = stop.send(true);
        for task in background {
            let _ = task.await;
        }
        served?;
        Ok(0)
    })
}
