//! Compliance rules over 10,000 snapshots: `make bench-rules` (`cargo bench --locked --bench
//! rules`).
//!
//! The snapshots are the real files of `tests/fixtures/real/` taken in turn until there are
//! `BENCH_SNAPSHOTS` (default 10,000), each with repository facts that vary (archived, private,
//! verified publisher, vitality) and the repository files a clone gives (a LICENSE, a README, a
//! tree of 200 paths with documentation in it). In one run, alternating round by round so
//! machine noise hits both alike:
//!
//! - **validate**: `FileFacts::from_bytes`, the validator's parse and validation of each file
//!   (what every crawled file costs already);
//! - **rules**: `compliance::evaluate` over the facts of each snapshot, the file already read.
//!
//! It prints the median round of each, the cost per snapshot, and the rules' cost as a share of
//! the validator's. Without `--bench` (`cargo test --benches`) it runs one small round as a
//! smoke test.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use riuso::catalog::vitality::VitalityFacts;
use riuso::compliance::facts::{
    FileFacts, PublisherFacts, RepoFiles, RepositoryFacts, UsedBy, Vitality,
};
use riuso::compliance::{Facts, evaluate};
use riuso::publiccode::Limits;

/// Measured rounds of each variant.
const ROUNDS: usize = 7;

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark reads its own settings, as the other benches do"
)]
fn snapshots_wanted(quick: bool) -> usize {
    if quick {
        return 300;
    }
    std::env::var("BENCH_SNAPSHOTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let wanted = snapshots_wanted(quick);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| {
            let name = p.file_stem().map(|s| s.to_string_lossy().into_owned());
            (
                name.unwrap_or_default(),
                std::fs::read(&p).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    let inputs: Vec<&(String, Vec<u8>)> = files.iter().cycle().take(wanted).collect();
    let limits = Limits::default();
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap_or_default();
    let facts: Vec<Facts> = inputs
        .iter()
        .enumerate()
        .map(|(n, (name, bytes))| facts_of(n, name, bytes, &limits, today))
        .collect();

    let validate = |inputs: &[&(String, Vec<u8>)]| {
        inputs
            .iter()
            .map(|(_, bytes)| usize::from(FileFacts::from_bytes(black_box(bytes), &limits).valid))
            .sum::<usize>()
    };
    let rules = |facts: &[Facts]| {
        facts
            .iter()
            .map(|f| evaluate(black_box(f)).len())
            .sum::<usize>()
    };
    // Warm up both.
    black_box(validate(&inputs[..inputs.len().min(200)]));
    black_box(rules(&facts[..facts.len().min(200)]));

    let rounds = if quick { 1 } else { ROUNDS };
    let mut times_validate = Vec::with_capacity(rounds);
    let mut times_rules = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut run_validate = || {
            let start = Instant::now();
            black_box(validate(&inputs));
            times_validate.push(start.elapsed());
        };
        let mut run_rules = || {
            let start = Instant::now();
            black_box(rules(&facts));
            times_rules.push(start.elapsed());
        };
        if round.is_multiple_of(2) {
            run_validate();
            run_rules();
        } else {
            run_rules();
            run_validate();
        }
    }
    let v = median(&mut times_validate);
    let r = median(&mut times_rules);
    let per = |d: Duration| d.as_secs_f64() * 1e6 / wanted as f64;
    println!(
        "{wanted} snapshots of {} real files, median of {rounds} round(s):",
        files.len()
    );
    println!(
        "  validate (parse + validation)  {:>9.1} ms  {:>7.1} µs/file",
        v.as_secs_f64() * 1e3,
        per(v)
    );
    println!(
        "  rules (18 rules, facts ready)  {:>9.1} ms  {:>7.1} µs/snapshot",
        r.as_secs_f64() * 1e3,
        per(r)
    );
    println!(
        "  rules / validate               {:>9.2}",
        r.as_secs_f64() / v.as_secs_f64()
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// The facts of snapshot `n`: the file `bytes` of `name` (`owner__repo`), with repository
/// facts and files that vary from snapshot to snapshot.
fn facts_of(n: usize, name: &str, bytes: &[u8], limits: &Limits, today: NaiveDate) -> Facts {
    let (owner, repo) = name.split_once("__").unwrap_or((name, name));
    let file = FileFacts::from_bytes(bytes, limits);
    let used_by = file
        .code
        .as_ref()
        .map(|c| {
            c.used_by
                .iter()
                .enumerate()
                .map(|(i, u)| UsedBy {
                    name: u.clone(),
                    ipa_code: (i % 2 == 0).then(|| "c_h501".to_owned()),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut paths: Vec<String> = (0..200)
        .map(|i| format!("src/module{}/file{i}.rs", i % 17))
        .collect();
    paths.push(
        if n.is_multiple_of(3) {
            "docs/manuale.docx"
        } else {
            "docs/index.md"
        }
        .to_owned(),
    );
    let readme = format!(
        "# {repo}\n\n## Installazione\n\nmake\n\n## Stato\n\nstabile\n\n## Manutenzione\n\n{owner}\n\nCopyright {owner}\n\nSicurezza: security@{owner}.example.it\n{}",
        "Testo descrittivo del progetto.\n".repeat(60)
    );
    let licence = format!(
        "GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3\n{}",
        "Everyone is permitted to copy and distribute verbatim copies.\n".repeat(500)
    );
    let files = RepoFiles::new(
        format!("{n:040x}"),
        paths,
        vec![
            ("README.md".to_owned(), readme.into_bytes()),
            ("LICENSE".to_owned(), licence.into_bytes()),
        ],
    );
    Facts {
        today,
        repository: RepositoryFacts {
            url: format!("https://github.com/{owner}/{repo}"),
            archived: n.is_multiple_of(11),
            private: n.is_multiple_of(13),
        },
        file,
        files: (!n.is_multiple_of(5)).then_some(files),
        publisher: PublisherFacts {
            verified: n.is_multiple_of(2),
        },
        vitality: (!n.is_multiple_of(7)).then(|| Vitality {
            index: (n % 100) as f64,
            facts: Some(VitalityFacts {
                commits: u32::try_from(n % 9).unwrap_or(0),
                authors: 2,
                ..VitalityFacts::default()
            }),
        }),
        used_by,
    }
}
