//! The crawler: reads `publiccode.yml` files from GitHub, GitLab and Gitea/Forgejo into the
//! catalog, politely (conditional requests, rate limits, per-host limits) and without ever losing
//! what the catalog already holds.
//!
//! [`sources`] reads `publishers.yml` into typed targets, [`ssrf`] keeps outgoing requests away
//! from private networks, [`http`] is the polite client, [`forge`] the forges' APIs behind one
//! interface, [`identity`] checks what they answer against the source that named them, [`git`] any other git URL through a local bare clone, [`run`] one crawl from
//! targets to `crawl_events`, [`work`] the same crawl as jobs of the queue for any number of
//! workers, [`failed`] keeps one repository's database error its own, [`vitality`] computes the vitality index from a local clone, and [`vitality_job`]
//! keeps it current for the repositories on the forges' APIs as jobs of their own.

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
pub mod work;
