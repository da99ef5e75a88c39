//! The crawler: reads `publiccode.yml` files from GitHub, GitLab and Gitea/Forgejo into the
//! catalog, politely (conditional requests, rate limits, per-host limits) and without ever losing
//! what the catalog already holds.
//!
//! [`sources`] reads `publishers.yml` into typed targets, [`ssrf`] keeps outgoing requests away
//! from private networks, [`http`] is the polite client, [`forge`] the forges' APIs behind one
//! interface, [`identity`] checks what they answer against the source that named them, [`git`]
//! any other git URL through a local bare clone, [`run`] the steps of a crawl (list an account,
//! crawl one repository) with their outcomes written to the crawl log (`catalog::crawl_log`),
//! [`failed`] keeps one repository's database error its own, [`vitality`] computes the vitality
//! index from a local clone, and [`vitality_job`] keeps it current for the repositories on the
//! forges' APIs. The crawler knows nothing of the job queue: the jobs of `worker` run its steps
//! and queue what follows.

pub mod failed;
pub mod forge;
pub mod git;
pub mod http;
pub mod identity;
pub mod run;
pub mod sources;
pub mod ssrf;
pub mod vitality;
pub mod vitality_job;

/// How a crawl behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// What started the crawl (`cli`, `schedule`, ...), recorded on the run.
    pub trigger: String,
    /// Largest `publiccode.yml` accepted.
    pub max_file_bytes: usize,
    /// Where bare clones of plain git repositories are kept between crawls.
    pub git_cache: std::path::PathBuf,
    /// Timeout of one git fetch.
    pub git_timeout: std::time::Duration,
    /// Whether `file://` git URLs of the sources are read (`RIUSO_FETCH_FILES`): repositories on
    /// this machine, which only the operator's own sources may name. No URL a forge answers
    /// with is ever read from the disk.
    pub fetch_files: bool,
    /// The grace of an entry whose file turned invalid, and where the mails about it link.
    pub upkeep: crate::pipeline::Upkeep,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            trigger: "cli".to_owned(),
            max_file_bytes: crate::publiccode::Limits::default().max_bytes,
            git_cache: std::env::temp_dir().join("riuso-git"),
            git_timeout: std::time::Duration::from_secs(120),
            fetch_files: false,
            upkeep: crate::pipeline::Upkeep::default(),
        }
    }
}
