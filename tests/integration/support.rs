//! Helpers shared by the suites.

pub mod crawl;
pub mod db;
pub mod forge;
// The fixture forge's own tests, beside it; declared here rather than in `forge`, which the
// crawl bench shares and which must not carry them there.
#[path = "support/forge/tests.rs"]
mod forge_tests;
pub mod review;
pub mod smtp;
pub mod test_app;

use std::path::{Path, PathBuf};

use riuso::cli::DirAssets;
use riuso::publiccode::{self, Assets, Context, Limits, Outcome};

/// The repository's `tests/fixtures` directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Checks a file on disk offline, with its directory as the place of relative assets.
pub fn check_file(path: &Path) -> Outcome {
    let bytes = std::fs::read(path).unwrap();
    let assets = DirAssets {
        base: path.parent().unwrap().to_path_buf(),
    };
    let ctx = Context {
        assets: Some(&assets as &dyn Assets),
        ..Context::default()
    };
    publiccode::check(&bytes, &Limits::default(), &ctx)
}

/// Reads a tab-separated file with a header into rows of named columns.
pub fn read_tsv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t').chain(std::iter::repeat("")))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// Runs `f` and returns its result with the peak resident memory of the process while it ran,
/// in bytes (Linux: the peak is reset through `/proc/self/clear_refs`, then read as `VmHWM`).
/// Under nextest each test is its own process, so the figure is this test's alone; under
/// `cargo test` other threads can only make it larger, never hide an excess.
pub fn peak_rss<T>(f: impl FnOnce() -> T) -> (T, u64) {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let out = f();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    (out, kib * 1024)
}
