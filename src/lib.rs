//! riuso: a software-reuse catalog and community hub for Italian public administrations.
//!
//! ```text
//! publishers.yml / sources ──▶ crawler ──▶ forge (GitHub, GitLab, Gitea, git)
//!                                            │ bytes + commit
//!                                            ▼
//!                 publiccode::parse ──▶ publiccode::validate ──▶ Validated + diagnostics
//!                                            ▼
//!                          catalog (SQLite embedded | PostgreSQL)
//!                                            ▲
//!                          web pages · JSON API · CLI
//! ```
//!
//! Modules: [`publiccode`] (the standard, pure), [`db`] (connections and migrations),
//! [`config`] (the only reader of the environment), [`cli`] (subcommands), [`telemetry`]
//! (logging set-up), [`catalog`] (the store: the only reader and writer of catalog tables),
//! [`crawl`] (the crawler), [`jobs`] (the background job queue, generic), [`worker`] (every kind
//! of job, the worker that runs them and the periodic schedule), [`mail`] (e-mail through
//! the outbox), [`ipa`] (the registry of public administrations), [`export`] (open-data
//! exports), [`i18n`] (Italian and English messages), [`links`] (which addresses may become
//! links), [`untrusted`] (untrusted text made harmless for each medium), [`community`]
//! (accounts, administrations and reuse declarations), [`pipeline`] (the steps that write both
//! the catalog and the community: a stored file and the declarations its `usedBy`
//! acknowledges), [`cases`] (the art. 68
//! comparative evaluation: reuse cases and their motivation document), [`app`] and [`web`]
//! (the HTTP server: the only module that knows HTTP).

pub mod app;
pub mod cases;
pub mod catalog;
pub mod cli;
pub mod community;
pub mod compliance;
pub mod config;
pub mod crawl;
pub mod db;
pub mod export;
pub mod i18n;
pub mod ipa;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod pipeline;
pub mod publiccode;
pub mod telemetry;
pub mod untrusted;
pub mod web;
pub mod worker;
