//! `riuso serve [--bind ADDR]`: migrate the database and serve HTTP until stopped, with an
//! embedded worker for queued jobs and a crawl scheduler, so one command gives a working system.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::{App, AppState};
use crate::config::Config;
use crate::crawl::{run, sources, work};
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
    let config = &config.clone().listening_on(addr);
    if !config.public_url_given {
        let hint = "set RIUSO_PUBLIC_URL to the address people use";
        if addr.ip().is_unspecified() {
            tracing::warn!(public_url = %config.public_url, "links in mail lead to an address nobody can open: {hint}");
        } else {
            tracing::info!(public_url = %config.public_url, "links in mail lead to the address this server listens on; {hint}");
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = db::open(&config.database_url).await?;
        let app = App::with_registry(config.clone(), db.clone())?;
        // Load the search index before the first request rather than during it.
        app.search.warm().await?;
        let state = AppState(Arc::new(app));
        let (stop, stopped) = watch::channel(false);
        let mut background = Vec::new();
        if config.embedded_worker {
            let worker = super::worker::embedded(db.clone(), config, Duration::from_secs(300))?;
            let stopped = stopped.clone();
            background.push(tokio::spawn(async move {
                if let Err(e) = worker.run(stopped).await {
                    tracing::error!(error = %e, "the embedded worker stopped");
                }
            }));
        }
        if config.crawl_every_hours > 0 {
            let every = Duration::from_secs(config.crawl_every_hours.saturating_mul(3600));
            background.push(tokio::spawn(schedule(
                db.clone(),
                config.clone(),
                every,
                stopped.clone(),
            )));
        }
        background.push(tokio::spawn(housekeeping(db.clone(), stopped.clone())));
        let served = web::serve(state, addr).await;
        let _ = stop.send(true);
        for task in background {
            let _ = task.await;
        }
        served?;
        Ok(0)
    })
}

/// Purges expired sessions and e-mailed links at start and every hour after.
async fn housekeeping(db: sea_orm::DatabaseConnection, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match crate::community::sessions::purge_expired(&db, chrono::Utc::now().fixed_offset())
            .await
        {
            Ok(purged) => tracing::debug!(?purged, "expired sessions and links purged"),
            Err(e) => tracing::warn!(error = %e, "cannot purge expired sessions and links"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Queues a crawl of the sources file whenever no crawl started in the last `every`; looks
/// every ten minutes. Servers sharing a database may both queue one: their repository jobs are
/// deduplicated, so no repository is crawled twice.
async fn schedule(
    db: sea_orm::DatabaseConnection,
    config: Config,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    use sea_orm::{EntityTrait as _, QueryOrder as _};

    use crate::catalog::entities::crawl_runs;
    while !*stop.borrow() {
        let last = crawl_runs::Entity::find()
            .order_by_desc(crawl_runs::Column::StartedAt)
            .one(&db)
            .await;
        let due = match last {
            Ok(Some(run)) => {
                let age = chrono::Utc::now().signed_duration_since(run.started_at);
                age.to_std().is_ok_and(|age| age >= every)
            }
            Ok(None) => true,
            Err(e) => {
                tracing::warn!(error = %e, "the crawl scheduler cannot read the crawl runs");
                false
            }
        };
        if due && config.sources.exists() {
            match sources::load(&config.sources) {
                Ok(sources) => {
                    let (targets, git) = run::Target::from_sources(&sources, &config.tokens.0);
                    match work::enqueue(&db, &targets, &git, "schedule").await {
                        Ok(id) => tracing::info!(run = id, "scheduled crawl queued"),
                        Err(e) => tracing::warn!(error = %e, "cannot queue the scheduled crawl"),
                    }
                }
                Err(e) => tracing::warn!(
                    file = %config.sources.display(),
                    error = %e,
                    "the crawl sources are invalid; no crawl scheduled"
                ),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.changed() => {}
        }
    }
}
