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
pub mod read;
pub mod search;
pub mod seed;
mod slug;
pub mod text;

pub use ingest::{
    Fetched, IngestError, IngestOutcome, Ingested, Origin, ingest_invalid, ingest_valid,
};
