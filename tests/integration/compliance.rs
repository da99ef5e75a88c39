//! Compliance: each rule on real files, and the checks the crawl queues, on both databases.

mod flow;
mod rules;
