//! `riuso export --format csv|jsonl|ttl|jsonld [--output FILE]`: the open-data exports from the
//! command line, streamed page by page in constant memory.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::config::Config;
use crate::db;
use crate::export::{Exporter, Format};

/// Arguments of `riuso export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format: csv, jsonl, ttl (DCAT-AP_IT, Turtle) or jsonld (DCAT-AP_IT, JSON-LD).
    #[arg(long, value_parser = |s: &str| s.parse::<Format>())]
    pub format: Format,
    /// File to write [default: standard output].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when the database fails or the output cannot be written.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let mut out: Box<dyn std::io::Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let mut exporter = Exporter::new(conn.clone(), args.format, &config.public_url);
        while let Some(chunk) = exporter.next_chunk().await? {
            out.write_all(&chunk).context("cannot write the export")?;
        }
        out.flush().context("cannot write the export")?;
        conn.close().await?;
        anyhow::Ok(())
    })?;
    Ok(0)
}
