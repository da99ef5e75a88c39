//! The crawler: what to crawl, how to fetch it safely, and what the history says.
//!
//! [`sources`] reads `publishers.yml` into typed targets, [`ssrf`] keeps outgoing requests away
//! from private networks, and [`vitality`] computes the vitality index from a local clone. None of
//! them schedules work or touches the catalog.

pub mod sources;
pub mod ssrf;
pub mod vitality;
