//! Compliance: each rule on real files, the checks the crawl queues, and the owners' e-mail,
//! on both databases.

mod flow;
mod mails;
mod rules;
