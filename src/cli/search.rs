//! `riuso search [QUERY] [--filter key=value]... [--json]`: the catalog's search from the
//! command line, for administrators and scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use crate::catalog::search::{self, Facet, Query, Sort};
use crate::config::Config;
use crate::db;
use crate::untrusted::terminal_line;

/// Arguments of `riuso search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words to look for, in any language of the catalog.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// A facet filter `key=value` (repeatable; values of one key are alternatives), e.g.
    /// `--filter category=content-management --filter claim=spid`.
    #[arg(long = "filter", short = 'f', value_name = "KEY=VALUE", value_parser = parse_filter)]
    pub filters: Vec<(Facet, String)>,

    /// Order: relevance, updated, vitality or name.
    #[arg(long, default_value = "relevance", value_parser = |s: &str| s.parse::<Sort>().map_err(|e| e.to_string()))]
    pub sort: Sort,

    /// Results per page (at most 100).
    #[arg(long, default_value_t = 20)]
    pub limit: u64,

    /// The page after this cursor (printed as `next` by the previous page).
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,

    /// Print the results and the facet counts as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_filter(s: &str) -> Result<(Facet, String), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("a filter is KEY=VALUE, not {s:?}"))?;
    let facet = key.parse::<Facet>().map_err(|e| e.to_string())?;
    Ok((facet, value.to_owned()))
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when the database cannot be opened or the query is refused.
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let mut filters: BTreeMap<Facet, Vec<String>> = BTreeMap::new();
    for (facet, value) in &args.filters {
        filters.entry(*facet).or_default().push(value.clone());
    }
    let query = Query {
        text: (!args.query.is_empty()).then(|| args.query.join(" ")),
        filters,
        sort: args.sort,
        limit: args.limit,
        after: args.after.clone(),
    };
    let runtime = super::runtime()?;
    let results = runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        anyhow::Ok(search::Searcher::new(conn).search(&query).await?)
    })?;
    let mut out = String::new();
    if args.json {
        out.push_str(&serde_json::to_string_pretty(&results)?);
        out.push('\n');
    } else if results.hits.is_empty() {
        out.push_str("No entries match. Try fewer words or filters.\n");
    } else {
        let _ = writeln!(out, "{} entries match", results.total);
        // Names, publishers and facet values come from crawled files: a terminal must not
        // receive their control characters as escape sequences.
        for hit in &results.hits {
            let publisher = terminal_line(hit.publisher.as_deref().unwrap_or("-"));
            let inactive = if hit.active { "" } else { " (inactive)" };
            let _ = writeln!(
                out,
                "  {:<40} {}{inactive}  [{publisher}]",
                terminal_line(&hit.slug),
                terminal_line(&hit.name)
            );
        }
        for (facet, counts) in &results.facets {
            if counts.is_empty() {
                continue;
            }
            let shown: Vec<String> = counts
                .iter()
                .take(8)
                .map(|(v, n)| format!("{} ({n})", terminal_line(v)))
                .collect();
            let _ = writeln!(out, "{facet}: {}", shown.join(", "));
        }
        if let Some(next) = &results.next {
            let _ = writeln!(out, "next page: --after {}", terminal_line(next));
        }
    }
    // A reader that stops early (`riuso search … | head`) is not an error.
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(anyhow::Error::new(e).context("cannot write the results"));
        }
        _ => {}
    }
    Ok(0)
}
