//! The integration test binary: every suite is a module, organised by feature.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

mod api;
mod architecture;
mod cases;
mod catalog;
mod community;
mod compliance;
mod crawl;
mod jobs;
mod mail;
mod pages;
mod support;
mod validator;
mod web;
