//! The art. 68 comparative evaluation: an administration's reuse case (§1 and §8.1 of the AgID
//! guidelines' notes), from the needs to the decision and the reuse declaration, and the
//! motivation document kept "agli atti del procedimento".
//!
//! - [`evidence`]: what each step records (needs, searches, evaluations, products, the
//!   feasibility project, the make-or-buy matrix, the decision, procurement, production) and
//!   the computations the guards need (the TCO, the eligibility rule, the five gates, Annex E).
//! - [`machine`]: the states, the typed transitions with their guards, the events and the fold
//!   that rebuilds a case from them. Pure.
//! - [`document`]: the motivation document (JSON, and the blocks the printable page and the
//!   PDF lay out); [`pdf`]: the tagged, accessible PDF of it.
//! - [`demo`]: the demonstration cases `riuso dev demo-cases` loads on the demo catalog.
//! - [`prefill`]: what the catalog says of a candidate, read for its evaluation.
//! - [`wizard`]: the guided case: the page of each state and the reading of its forms.
//! - [`store`]: the `reuse_cases`, `case_events`, `case_documents` and `case_evaluations`
//!   tables, which this module owns.
//!
//! It reads the catalog (entries, snapshots) and the community (memberships, declarations);
//! it never writes a catalog table. Who may act is decided by `community::authz`.

pub mod demo;
pub mod document;
pub mod entities;
pub mod evidence;
pub mod machine;
pub mod pdf;
pub mod prefill;
pub mod store;
pub mod wizard;

use sea_orm::DbErr;

pub use machine::{Actor, BrokenChain, Case, Event, Guard, State, Transition};

/// Why a case operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// No such case (or document of it).
    #[error("no such case")]
    NotFound,
    /// A guard refused the transition.
    #[error(transparent)]
    Guard(#[from] Guard),
    /// The stored events do not fold into a case.
    #[error(transparent)]
    Broken(BrokenChain),
    /// A stored event cannot be read.
    #[error("unreadable case event {id}: {message}")]
    Unreadable {
        /// The event's id.
        id: i64,
        /// What is wrong.
        message: String,
    },
    /// A document is larger than [`store::MAX_DOCUMENT_BYTES`].
    #[error("the document is too large")]
    TooLarge,
    /// The input is not acceptable; the key names the message (`locales/*.toml`) saying why.
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// A community operation (a member, a reuse declaration) failed.
    #[error(transparent)]
    Community(#[from] crate::community::CommunityError),
}
