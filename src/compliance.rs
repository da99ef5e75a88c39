//! Compliance of catalog entries with the AgID guidelines: the automatic rules of §5.3 run on
//! every snapshot, the review of §8.3 that reviewers carry on from their results, and the owner's
//! release case of §8.2.
//!
//! - [`rules`]: every automatic check as a named rule (stable id, severity, guideline section)
//!   and [`rules::evaluate`], a pure function over [`facts::Facts`] gathered beforehand.
//! - [`review`]: the review's states and typed transitions with their guards; the state is a
//!   fold over the stored events.
//! - [`release`]: the release case's states and steps, and the owner's checklist derived from
//!   the rule results.
//! - [`queue`]: the reviewers' queue, one entry's review at a glance, the state of many
//!   entries for the owners' pages, bulk assignment.
//! - [`notify`]: the e-mail to the owners (through the outbox): an outcome recorded, a
//!   deadline nearing (the `review_reminders` table, which it owns, keeps it to once).
//! - [`store`]: the `rule_results` and `review_events` tables (this module owns them): the facts
//!   of an entry from the catalog, one check stored with the review's move it causes, the
//!   entries a new rule set has not judged yet.
//!
//! It reads the catalog (entries, repositories, snapshots, `usedBy` matches, vitality) and uses
//! the standard's types, and the verified members of an owning administration; it never writes a
//! catalog or community table. The repository's files come from the
//! caller (the worker reads them from the clone the vitality index keeps), so nothing here
//! clones or fetches.

pub mod entities;
pub mod facts;
pub mod licence;
pub mod notify;
pub mod queue;
pub mod release;
pub mod repository;
pub mod review;
pub mod rules;
pub mod store;

use sea_orm::DbErr;

pub use facts::Facts;
pub use rules::{RuleId, RuleResult, evaluate};

/// The version of the rule set. Raise it whenever a rule is added, removed or decides
/// differently: every active entry is then checked again (`riuso compliance recheck`), and each
/// stored result says which version judged it.
pub const RULESET_VERSION: u32 = 1;

/// The owner's release checklist of `facts` (the rules, then [`release::checklist`]).
#[must_use]
pub fn release_checklist(facts: &Facts) -> Vec<release::ChecklistLine> {
    release::checklist(&evaluate(facts))
}

/// Why a compliance operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ComplianceError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// No such entry, or it has no snapshot to judge.
    #[error("no such entry")]
    NotFound,
    /// A guard refused the transition.
    #[error(transparent)]
    Guard(#[from] review::Guard),
    /// The stored events do not fold into a review.
    #[error(transparent)]
    Broken(#[from] review::BrokenChain),
    /// A stored event cannot be read.
    #[error("unreadable review event {id}: {message}")]
    Unreadable {
        /// The event's id.
        id: i64,
        /// What is wrong.
        message: String,
    },
}
