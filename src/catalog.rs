//! The catalog store: the only module that reads or writes catalog tables.
//!
//! [`ingest`] records what was fetched from a repository (a [`Validated`] file, or an invalid
//! one with its diagnostics) in one transaction, keeping every distinct snapshot. It never sees
//! HTTP or forges, and it accepts nothing that did not go through `publiccode::validate`.
//!
//! [`Validated`]: crate::publiccode::Validated

pub mod entities;
mod facets;
pub mod ingest;
pub mod search;
pub mod seed;
mod slug;
pub mod text;

/// The change stamp every write of a `software` row sets (`changed_at_us`): microseconds since
/// the Unix epoch. The search index reloads the rows whose stamp is newer than what it holds.
#[must_use]
pub fn change_stamp() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub use ingest::{
    Fetched, IngestError, IngestOutcome, Ingested, Origin, ingest_invalid, ingest_valid,
};
