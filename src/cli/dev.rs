//! `riuso dev ...`: tools for developers and benchmarks.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Config;
use crate::db;
use crate::pipeline;

/// `riuso dev` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Fill the catalog with a synthetic, realistic catalog (deterministic for a given seed).
    Seed(SeedArgs),
    /// Load the demo's solution community (after `riuso import demo`): two administrations
    /// discussing a release of `ComunicaPA`, and its release matrix. Loading it again does nothing.
    DemoCommunity,
    /// Load the demonstration reuse cases of the demo catalog (`riuso import demo` first): a
    /// finished art. 68 evaluation and one in progress, both published. Loading twice adds
    /// nothing.
    DemoCases,
    /// Seed a community for the benchmarks: `banco-di-prova`, with FOLLOWERS members following
    /// it, POSTERS members who post, and a thread of POSTS posts. Prints the community's slug
    /// and the thread's id; seeding again adds nothing.
    SeedCommunity(SeedCommunityArgs),
}

/// Arguments of `riuso dev seed-community`.
#[derive(Debug, clap::Args)]
pub struct SeedCommunityArgs {
    /// Posts of the long thread.
    #[arg(long, default_value_t = 1000)]
    pub posts: u64,
    /// Members who follow the community.
    #[arg(long, default_value_t = 10_000)]
    pub followers: u64,
    /// Members who post.
    #[arg(long, default_value_t = 10)]
    pub posters: u64,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `riuso dev seed`.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// How many entries.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// The generator's seed: the same seed always makes the same catalog.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when the database fails.
pub fn run(command: &Command, config: &Config) -> anyhow::Result<u8> {
    let args = match command {
        Command::Seed(args) => args,
        Command::DemoCommunity => return demo_community(config),
        Command::DemoCases => return demo_cases(config),
        Command::SeedCommunity(args) => return seed_community(args, config),
    };
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let bar = ProgressBar::with_draw_target(
            Some(args.count),
            if args.json { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() },
        );
        bar.set_style(
            ProgressStyle::with_template("{spinner} seeding [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let started = Instant::now();
        let new = pipeline::populate(&conn, args.seed, args.count, |done| bar.set_position(done)).await?;
        let other = args.count - new;
        bar.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
        let rate = args.count as f64 / seconds.max(f64::EPSILON);
        if args.json {
            println!(
                "{}",
                serde_json::json!({"new": new, "existing": other, "seconds": seconds, "entries_per_second": rate})
            );
        } else {
            println!("{new} new and {other} existing entries in {seconds:.1} s ({rate:.0} entries/s)");
        }
        conn.close().await?;
        Ok(0)
    })
}

/// `riuso dev demo-community`.
fn demo_community(config: &Config) -> anyhow::Result<u8> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let loaded = crate::community::forum::demo::load(&conn, &config.public_url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot load the demo community: {e}"))?;
        if loaded {
            println!(
                "demo community loaded: sign in as ada@montesilvano.example.invalid or \
                 bruno@bologna.example.invalid with the password \"{}\"",
                crate::community::forum::demo::PASSWORD
            );
        } else {
            println!("demo community already loaded (or no ComunicaPA in the catalog)");
        }
        conn.close().await?;
        Ok(0)
    })
}

/// `riuso dev demo-cases`.
fn demo_cases(config: &Config) -> anyhow::Result<u8> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let loaded =
            crate::cases::demo::load(&conn, &config.public_url, chrono::Utc::now()).await?;
        match loaded {
            Some(cases) => println!(
                "demo cases loaded: /cases/{} (finished), /cases/{} (in progress)",
                cases.finished, cases.in_progress
            ),
            None => println!("demo cases: already loaded, or the demo catalog is missing"),
        }
        conn.close().await?;
        Ok(0)
    })
}

/// `riuso dev seed-community`.
fn seed_community(args: &SeedCommunityArgs, config: &Config) -> anyhow::Result<u8> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let started = Instant::now();
        let seeded =
            crate::community::forum::seed::seed(&conn, args.posts, args.followers, args.posters)
                .await
                .map_err(|e| anyhow::anyhow!("cannot seed the community: {e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        if args.json {
            println!(
                "{}",
                serde_json::json!({
                    "community": seeded.community.slug,
                    "thread": seeded.thread_id,
                    "followers": seeded.followers,
                    "posters": seeded.posters.len(),
                    "seconds": seconds,
                })
            );
        } else {
            println!(
                "/communities/{} with {} followers, thread /threads/{} ({seconds:.1} s)",
                seeded.community.slug, seeded.followers, seeded.thread_id
            );
        }
        conn.close().await?;
        Ok(0)
    })
}
