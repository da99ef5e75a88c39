//! `riuso serve [--bind ADDR]`: migrate the database and serve HTTP until stopped.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::app::{App, AppState};
use crate::config::Config;
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
        let db = db::open(&config.database_url).await?;
        let app = App::new(config.clone(), db);
        // Load the search index before the first request rather than during it.
        app.search.warm().await?;
        let state = AppState(Arc::new(app));
        web::serve(state, addr).await?;
        Ok(0)
    })
}
