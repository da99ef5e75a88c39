//! The crawler: reads `publiccode.yml` files from GitHub, GitLab and Gitea/Forgejo into the
//! catalog, politely (conditional requests, rate limits, per-host limits) and without ever losing
//! what the catalog already holds.
//!
//! [`http`] is the polite client, [`forge`] the forges' APIs behind one interface, [`run`] one
//! crawl from targets to `crawl_events`.

pub mod forge;
pub mod http;
pub mod run;
