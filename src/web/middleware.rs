//! The layers of the server, one concern a file. The route table (`web::routes`) says which
//! routes each one wraps.
//!
//! - [`guard`]: every request; the query caps, and the server's 413 and 408 in our shape.
//! - [`frame`]: every page; errors as the error page in the reader's language, the language
//!   cookie, the security headers of pages.
//! - [`page_budget`]: every page; its time budget.
//! - [`rate_limit`]: everything under `/api` and the account forms; a token bucket per client.
//! - [`per_account`]: the account forms; a token bucket per account.
//! - [`etag`]: the API's JSON reads; strong `ETag`s and 304 answers.
//! - [`compression`]: every answer worth it, brotli or gzip; the `ETag`s of compressed answers
//!   made weak.
//!
//! Sessions and the CSRF guard are a layer too, with their extractors: `web::session`.

pub mod compression;
pub mod etag;
pub mod frame;
pub mod guard;
pub mod page_budget;
pub mod per_account;
pub mod rate_limit;
