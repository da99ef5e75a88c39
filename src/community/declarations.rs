//! Reuse declarations (Annex D of the AgID guidelines): a verified member says "my
//! administration uses this", with the version, since when, whether it was modified and where
//! the variant lives. The owner is told the way the guidelines ask, by an issue on its
//! repository, which riuso prepares (title and body, with the IPA code and the `usedBy` line to
//! add); its address is recorded once opened.
//!
//! The status is a small state machine ([`Status::can_become`]):
//!
//! ```text
//! declared ──▶ notified ──▶ acknowledged
//!     │            │             │
//!     └────────────┴─────────────┴──▶ withdrawn
//! declared ─────────────────▶ acknowledged
//! ```
//!
//! A declaration is acknowledged when a later crawl of the owner's `publiccode.yml` lists the
//! administration in `usedBy` (matched by IPA code, or by the administration's name), or when a
//! member of the owning organisation confirms it here. Every change is kept in
//! `declaration_events`.
//!
//! [`commands`] changes declarations, [`state`] holds the state machine, [`queries`] reads them
//! for the pages and the API, and [`annex_d`] prepares what the owner is sent (pure).

pub mod annex_d;
pub mod commands;
pub mod queries;
pub mod state;

pub use annex_d::{Notice, notice, used_by_patch};
pub use commands::{
    NewDeclaration, acknowledge, acknowledge_from_used_by, declare, record_issue, withdraw,
};
pub use queries::{
    Declaration, PendingSoftware, declarable_for, get, made_by, of_software, pending_for_owner,
    received_by,
};
pub use state::{Status, via};
