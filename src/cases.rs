//! The art. 68 comparative evaluation: an administration's reuse case (§1 and §8.1 of the AgID
//! guidelines' notes), from the needs to the decision and the reuse declaration, and the
//! motivation document kept "agli atti del procedimento".
//!
//! - [`evidence`]: what each step records (needs, searches, evaluations, products, the
//!   feasibility project, the make-or-buy matrix, the decision, procurement, production) and
//!   the computations the guards need (the TCO, the eligibility rule, the five gates, Annex E).
//! - [`machine`]: the states, the typed transitions with their guards, the events and the fold
//!   that rebuilds a case from them. Pure.
//!
//! It reads the catalog (entries, snapshots) and the community (memberships, declarations);
//! it never writes a catalog table.

pub mod evidence;
pub mod machine;

pub use machine::{Actor, Case, Event, Guard, State, Transition};
