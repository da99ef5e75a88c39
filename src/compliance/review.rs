//! The compliance review of a catalog entry (§8.3): `Discovered` → `AutoChecked` →
//! `UnderReview` → `Compliant` / `CompliantWithRemarks` / `NonCompliant`, and `Deactivated`,
//! which nothing leaves.
//!
//! Typed transitions ([`Transition`]) with their evidence, applied by [`Review::apply`], which
//! either returns the [`Event`] to append or the [`Guard`] that refused it. The current state is
//! never stored: [`Review::replay`] folds the events, so the audit trail and the state cannot
//! disagree.
//!
//! | from | transition | to | guard |
//! |---|---|---|---|
//! | Discovered, AutoChecked | `AutoCheck` (system) | AutoChecked | — |
//! | Compliant, CompliantWithRemarks | `Changed` (system: a new file or licence) | AutoChecked | — |
//! | AutoChecked, Compliant\*, NonCompliant | `Claim` | UnderReview | a reviewer |
//! | AutoChecked, Compliant\*, NonCompliant | `Assign` | UnderReview | a reviewer or an admin (the assignee's role is checked by the store) |
//! | UnderReview | `Assign` | UnderReview | the assigned reviewer (or an admin) hands it over |
//! | UnderReview | `Record` | the outcome | the assigned reviewer (or an admin); a complete checklist; remarks for `CompliantWithRemarks`; findings and a later deadline for `NonCompliant` |
//! | UnderReview | `Release` | AutoChecked | the assigned reviewer (or an admin) |
//! | any but Deactivated | `Deactivate` | Deactivated | a reason |

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::rules::RuleId;

/// Where an entry's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    /// Found by the crawler; no rule has run yet.
    Discovered,
    /// The rules ran on its current snapshot; no reviewer has it.
    AutoChecked,
    /// A reviewer is assigned and works through the checklist.
    UnderReview,
    /// Reviewed: compliant.
    Compliant,
    /// Reviewed: compliant, with remarks to address.
    CompliantWithRemarks,
    /// Reviewed: not compliant; fixes are requested by a deadline.
    NonCompliant,
    /// Hidden from the catalog by a manual decision; sticky.
    Deactivated,
}

impl State {
    /// Every state.
    pub const ALL: [Self; 7] = [
        Self::Discovered,
        Self::AutoChecked,
        Self::UnderReview,
        Self::Compliant,
        Self::CompliantWithRemarks,
        Self::NonCompliant,
        Self::Deactivated,
    ];

    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discovered => "discovered",
            Self::AutoChecked => "auto-checked",
            Self::UnderReview => "under-review",
            Self::Compliant => "compliant",
            Self::CompliantWithRemarks => "compliant-with-remarks",
            Self::NonCompliant => "non-compliant",
            Self::Deactivated => "deactivated",
        }
    }

    /// The state a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Compliant or compliant with remarks: what a changed file or licence undoes.
    #[must_use]
    pub fn is_compliant(self) -> bool {
        matches!(self, Self::Compliant | Self::CompliantWithRemarks)
    }
}

/// The role an actor acted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// The system: the rules job, or a mirror of a decision recorded elsewhere.
    System,
    /// A user with the site role `reviewer`.
    Reviewer,
    /// A site administrator.
    Admin,
}

impl Role {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    /// The role a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::System, Self::Reviewer, Self::Admin]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user; `None` for the system.
    pub user: Option<i64>,
    /// The role they act in.
    pub role: Role,
}

impl Actor {
    /// The system.
    pub const SYSTEM: Self = Self {
        user: None,
        role: Role::System,
    };

    /// Reviewer `user`.
    #[must_use]
    pub fn reviewer(user: i64) -> Self {
        Self {
            user: Some(user),
            role: Role::Reviewer,
        }
    }

    /// Administrator `user`.
    #[must_use]
    pub fn admin(user: i64) -> Self {
        Self {
            user: Some(user),
            role: Role::Admin,
        }
    }

    /// A person who may review: a reviewer or an administrator, with a user id.
    fn person(self) -> Option<i64> {
        match self.role {
            Role::Reviewer | Role::Admin => self.user,
            Role::System => None,
        }
    }
}

/// An item of the human checklist: the ❌ and ⚠️ checks of §5.3 that §8.3 gives the reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecklistItem {
    /// Declared compliance (`conforme.*`, `supports`) backed by evidence.
    DeclaredCompliance,
    /// Ownership (*titolarità*): contract clauses or internal development.
    Ownership,
    /// The motivation of a licence the decision tree does not recommend.
    LicenceMotivation,
    /// The accessibility declaration of the owner's deployments.
    AccessibilityDeclaration,
    /// The copyright holder is the administration.
    CopyrightHolder,
}

impl ChecklistItem {
    /// Every item; a checklist is complete when each has a verdict.
    pub const ALL: [Self; 5] = [
        Self::DeclaredCompliance,
        Self::Ownership,
        Self::LicenceMotivation,
        Self::AccessibilityDeclaration,
        Self::CopyrightHolder,
    ];

    /// The stored form (`declared-compliance`), as serde writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeclaredCompliance => "declared-compliance",
            Self::Ownership => "ownership",
            Self::LicenceMotivation => "licence-motivation",
            Self::AccessibilityDeclaration => "accessibility-declaration",
            Self::CopyrightHolder => "copyright-holder",
        }
    }

    /// The guideline section it comes from.
    #[must_use]
    pub fn section(self) -> &'static str {
        match self {
            Self::DeclaredCompliance => "§5.1, §5.3",
            Self::Ownership => "§2.1, §5.3",
            Self::LicenceMotivation => "§2.4 (§3.5.3), §5.3",
            Self::AccessibilityDeclaration => "§5.2",
            Self::CopyrightHolder => "§2.5 (Annex A), §5.3",
        }
    }
}

/// A reviewer's verdict on one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Checked, and it holds.
    Confirmed,
    /// Checked, and it does not hold: a finding should say so.
    Problem,
    /// Does not apply to this entry (no UI, no licence deviation...).
    NotApplicable,
}

/// One checked item, with what the reviewer saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// The item.
    pub item: ChecklistItem,
    /// The verdict.
    pub verdict: Verdict,
    /// A note or the evidence looked at (a document's SHA-256, a URL).
    pub note: String,
}

/// What a finding is about: a rule of the rule set, or an item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// An automatic rule.
    Rule(RuleId),
    /// A checklist item.
    Checklist(ChecklistItem),
}

/// A finding of a review: what is wrong, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What it is about.
    pub subject: Subject,
    /// The guideline section.
    pub section: String,
    /// The key path or repository fact.
    pub key_path: String,
    /// What is wrong.
    pub message: String,
    /// The fix requested.
    pub fix: String,
}

/// The outcome a reviewer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// Compliant.
    Compliant,
    /// Compliant, with remarks.
    CompliantWithRemarks,
    /// Not compliant.
    NonCompliant,
}

impl Outcome {
    /// The state it leads to.
    #[must_use]
    pub fn state(self) -> State {
        match self {
            Self::Compliant => State::Compliant,
            Self::CompliantWithRemarks => State::CompliantWithRemarks,
            Self::NonCompliant => State::NonCompliant,
        }
    }
}

/// What changed in a snapshot that undoes a compliant outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// A new `publiccode.yml`.
    File,
    /// The licence file's text.
    Licence,
}

/// A move of the review, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "transition")]
pub enum Transition {
    /// The rules ran on `snapshot` under rule set `ruleset`.
    AutoCheck {
        /// The snapshot judged.
        snapshot: i64,
        /// The rule set's version.
        ruleset: u32,
        /// The rules that failed (errors and warnings).
        failed: Vec<RuleId>,
    },
    /// The file or the licence changed since the outcome; the rules ran on `snapshot`.
    Changed {
        /// The new snapshot.
        snapshot: i64,
        /// The rule set's version.
        ruleset: u32,
        /// What changed.
        change: Change,
        /// The rules that failed.
        failed: Vec<RuleId>,
    },
    /// A reviewer takes the entry.
    Claim,
    /// A reviewer or an administrator gives the entry to reviewer `reviewer` (bulk
    /// assignment, a hand-over).
    Assign {
        /// The user the entry is assigned to.
        reviewer: i64,
    },
    /// The assigned reviewer gives it back to the queue.
    Release {
        /// Why.
        note: String,
    },
    /// The reviewer records an outcome on `snapshot`.
    Record {
        /// The outcome.
        outcome: Outcome,
        /// The snapshot judged.
        snapshot: i64,
        /// The human checklist.
        checklist: Vec<Checked>,
        /// What is wrong.
        findings: Vec<Finding>,
        /// When the requested fixes are due.
        deadline: Option<NaiveDate>,
    },
    /// The entry is hidden from the catalog for good.
    Deactivate {
        /// Why.
        reason: String,
    },
}

impl Transition {
    /// The stored name of the transition.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::AutoCheck { .. } => "auto-check",
            Self::Changed { .. } => "changed",
            Self::Claim => "claim",
            Self::Assign { .. } => "assign",
            Self::Release { .. } => "release",
            Self::Record { .. } => "record",
            Self::Deactivate { .. } => "deactivate",
        }
    }

    /// The snapshot it concerns, if any.
    #[must_use]
    pub fn snapshot(&self) -> Option<i64> {
        match self {
            Self::AutoCheck { snapshot, .. }
            | Self::Changed { snapshot, .. }
            | Self::Record { snapshot, .. } => Some(*snapshot),
            _ => None,
        }
    }
}

/// Why a transition was refused: the guard that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Guard {
    /// The transition does not leave this state.
    #[error("{transition} is not possible from {}", from.as_str())]
    NotFrom {
        /// The current state.
        from: State,
        /// The transition asked for.
        transition: &'static str,
    },
    /// Only the system runs the rules.
    #[error("only the system records automatic checks")]
    SystemOnly,
    /// A review needs a reviewer (a user acting as reviewer or administrator).
    #[error("a review needs a reviewer")]
    NeedsReviewer,
    /// Another reviewer has the entry.
    #[error("the entry is assigned to another reviewer")]
    NotAssigned,
    /// An outcome needs every checklist item checked.
    #[error("the checklist is incomplete")]
    ChecklistIncomplete {
        /// The items without a verdict.
        missing: Vec<ChecklistItem>,
    },
    /// A compliant outcome cannot stand with a problem on the checklist.
    #[error("a checklist item has a problem: the outcome cannot be compliant")]
    ProblemOnChecklist,
    /// Remarks need at least one finding.
    #[error("compliant with remarks needs at least one remark")]
    NeedsRemarks,
    /// A non-compliant outcome needs findings.
    #[error("a non-compliant outcome needs findings")]
    NeedsFindings,
    /// A non-compliant outcome needs a deadline after the day it is recorded.
    #[error("a non-compliant outcome needs a deadline after today")]
    NeedsDeadline,
    /// A deactivation needs a reason.
    #[error("a deactivation needs a reason")]
    NeedsReason,
    /// An entry can only be assigned to a person with the site role reviewer or administrator.
    #[error("the assignee is not a reviewer")]
    NotAReviewer,
}

/// One move of the review, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Who.
    pub actor: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// From which state.
    pub from: State,
    /// To which state.
    pub to: State,
    /// The transition and its evidence.
    pub evidence: Transition,
}

/// An entry's review, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The current state.
    pub state: State,
    /// The reviewer who has it (while under review), or who recorded the last outcome.
    pub reviewer: Option<i64>,
    /// The snapshot of the last check or outcome.
    pub snapshot: Option<i64>,
    /// The deadline of a non-compliant outcome.
    pub deadline: Option<NaiveDate>,
}

impl Default for Review {
    fn default() -> Self {
        Self::new()
    }
}

/// Why stored events do not fold into a review.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("review event {index} moves from {} but the review is {}", found.as_str(), expected.as_str())]
pub struct BrokenChain {
    /// The event's position.
    pub index: usize,
    /// The state the review was in.
    pub expected: State,
    /// The state the event says it left.
    pub found: State,
}

impl Review {
    /// A review that has not started: `Discovered`.
    #[must_use]
    pub fn new() -> Self {
        Self {
            state: State::Discovered,
            reviewer: None,
            snapshot: None,
            deadline: None,
        }
    }

    /// The review the `events` lead to, oldest first.
    ///
    /// # Errors
    ///
    /// [`BrokenChain`] when an event does not leave the state the previous one reached.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Self, BrokenChain> {
        let mut review = Self::new();
        for (index, event) in events.into_iter().enumerate() {
            if event.from != review.state {
                return Err(BrokenChain {
                    index,
                    expected: review.state,
                    found: event.from,
                });
            }
            review.absorb(event);
        }
        Ok(review)
    }

    /// Moves the review by `event` (already checked).
    fn absorb(&mut self, event: &Event) {
        self.state = event.to;
        if let Some(snapshot) = event.evidence.snapshot() {
            self.snapshot = Some(snapshot);
        }
        match &event.evidence {
            Transition::Claim => {
                self.reviewer = event.actor.user;
                self.deadline = None;
            }
            Transition::Assign { reviewer } => {
                self.reviewer = Some(*reviewer);
                self.deadline = None;
            }
            Transition::Record { deadline, .. } => self.deadline = *deadline,
            Transition::Release { .. }
            | Transition::AutoCheck { .. }
            | Transition::Changed { .. } => {
                self.reviewer = None;
                self.deadline = None;
            }
            Transition::Deactivate { .. } => {}
        }
    }

    /// Checks `transition` by `actor` at `at` against the guards; the event to append, or the
    /// guard that failed.
    ///
    /// # Errors
    ///
    /// The [`Guard`] that refused it.
    pub fn apply(
        &self,
        actor: Actor,
        transition: Transition,
        at: DateTime<Utc>,
    ) -> Result<Event, Guard> {
        use State::{
            AutoChecked, Compliant, CompliantWithRemarks, Deactivated, Discovered, NonCompliant,
            UnderReview,
        };
        let from = self.state;
        let not_from = || Guard::NotFrom {
            from,
            transition: transition.name(),
        };
        if from == Deactivated {
            return Err(not_from());
        }
        let to = match &transition {
            Transition::AutoCheck { .. } => {
                if !matches!(from, Discovered | AutoChecked) {
                    return Err(not_from());
                }
                system(actor)?;
                AutoChecked
            }
            Transition::Changed { .. } => {
                if !from.is_compliant() {
                    return Err(not_from());
                }
                system(actor)?;
                AutoChecked
            }
            Transition::Claim => {
                if !matches!(
                    from,
                    AutoChecked | Compliant | CompliantWithRemarks | NonCompliant
                ) {
                    return Err(not_from());
                }
                actor.person().ok_or(Guard::NeedsReviewer)?;
                UnderReview
            }
            Transition::Assign { .. } => {
                match from {
                    AutoChecked | Compliant | CompliantWithRemarks | NonCompliant => {
                        actor.person().ok_or(Guard::NeedsReviewer)?;
                    }
                    UnderReview => self.assigned(actor)?,
                    _ => return Err(not_from()),
                }
                UnderReview
            }
            Transition::Release { .. } => {
                if from != UnderReview {
                    return Err(not_from());
                }
                self.assigned(actor)?;
                AutoChecked
            }
            Transition::Record {
                outcome,
                checklist,
                findings,
                deadline,
                ..
            } => {
                if from != UnderReview {
                    return Err(not_from());
                }
                self.assigned(actor)?;
                let missing: Vec<ChecklistItem> = ChecklistItem::ALL
                    .into_iter()
                    .filter(|item| !checklist.iter().any(|c| c.item == *item))
                    .collect();
                if !missing.is_empty() {
                    return Err(Guard::ChecklistIncomplete { missing });
                }
                let problem = checklist.iter().any(|c| c.verdict == Verdict::Problem);
                match outcome {
                    Outcome::Compliant if problem => return Err(Guard::ProblemOnChecklist),
                    Outcome::Compliant => {}
                    Outcome::CompliantWithRemarks if findings.is_empty() => {
                        return Err(Guard::NeedsRemarks);
                    }
                    Outcome::CompliantWithRemarks => {}
                    Outcome::NonCompliant => {
                        if findings.is_empty() {
                            return Err(Guard::NeedsFindings);
                        }
                        if !deadline.is_some_and(|d| d > at.date_naive()) {
                            return Err(Guard::NeedsDeadline);
                        }
                    }
                }
                outcome.state()
            }
            Transition::Deactivate { reason } => {
                if reason.trim().is_empty() {
                    return Err(Guard::NeedsReason);
                }
                Deactivated
            }
        };
        Ok(Event {
            actor,
            at,
            from,
            to,
            evidence: transition,
        })
    }

    /// The actor may act on a review under way: the reviewer who claimed it, or an
    /// administrator.
    fn assigned(&self, actor: Actor) -> Result<(), Guard> {
        let user = actor.person().ok_or(Guard::NeedsReviewer)?;
        if actor.role == Role::Admin || self.reviewer == Some(user) {
            Ok(())
        } else {
            Err(Guard::NotAssigned)
        }
    }
}

fn system(actor: Actor) -> Result<(), Guard> {
    if actor.role == Role::System {
        Ok(())
    } else {
        Err(Guard::SystemOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REVIEWER: i64 = 7;
    const OTHER: i64 = 8;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn check() -> Transition {
        Transition::AutoCheck {
            snapshot: 1,
            ruleset: 1,
            failed: vec![RuleId::KeysDeprecated],
        }
    }

    fn changed() -> Transition {
        Transition::Changed {
            snapshot: 2,
            ruleset: 1,
            change: Change::File,
            failed: vec![],
        }
    }

    fn checklist(verdict: Verdict) -> Vec<Checked> {
        ChecklistItem::ALL
            .into_iter()
            .map(|item| Checked {
                item,
                verdict,
                note: "looked at the contract".to_owned(),
            })
            .collect()
    }

    fn finding() -> Finding {
        Finding {
            subject: Subject::Rule(RuleId::LicenceFile),
            section: RuleId::LicenceFile.section().to_owned(),
            key_path: "files:LICENSE".to_owned(),
            message: "the LICENSE file is a link".to_owned(),
            fix: "put the licence's full text in LICENSE".to_owned(),
        }
    }

    fn record(outcome: Outcome, findings: Vec<Finding>, deadline: Option<NaiveDate>) -> Transition {
        Transition::Record {
            outcome,
            snapshot: 1,
            checklist: checklist(Verdict::Confirmed),
            findings,
            deadline,
        }
    }

    fn later() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2027, 1, 31)
    }

    /// A review in `state`, reached through allowed transitions (claimed by [`REVIEWER`]).
    fn at(state: State) -> (Review, Vec<Event>) {
        let path: Vec<(Actor, Transition)> = match state {
            State::Discovered => vec![],
            State::AutoChecked => vec![(Actor::SYSTEM, check())],
            State::UnderReview => vec![
                (Actor::SYSTEM, check()),
                (Actor::reviewer(REVIEWER), Transition::Claim),
            ],
            State::Compliant | State::CompliantWithRemarks | State::NonCompliant => {
                let outcome = match state {
                    State::Compliant => record(Outcome::Compliant, vec![], None),
                    State::CompliantWithRemarks => {
                        record(Outcome::CompliantWithRemarks, vec![finding()], None)
                    }
                    _ => record(Outcome::NonCompliant, vec![finding()], later()),
                };
                vec![
                    (Actor::SYSTEM, check()),
                    (Actor::reviewer(REVIEWER), Transition::Claim),
                    (Actor::reviewer(REVIEWER), outcome),
                ]
            }
            State::Deactivated => vec![(
                Actor::admin(1),
                Transition::Deactivate {
                    reason: "duplicate of another entry".to_owned(),
                },
            )],
        };
        let mut review = Review::new();
        let mut events = Vec::new();
        for (actor, transition) in path {
            let event = review.apply(actor, transition, now()).unwrap();
            review.absorb(&event);
            events.push(event);
        }
        assert_eq!(review.state, state);
        (review, events)
    }

    /// Every transition, by the actor it needs, with a valid evidence.
    fn every_transition() -> Vec<(Actor, Transition)> {
        vec![
            (Actor::SYSTEM, check()),
            (Actor::SYSTEM, changed()),
            (Actor::reviewer(REVIEWER), Transition::Claim),
            (
                Actor::reviewer(REVIEWER),
                Transition::Assign { reviewer: OTHER },
            ),
            (
                Actor::reviewer(REVIEWER),
                Transition::Release {
                    note: "on leave".to_owned(),
                },
            ),
            (
                Actor::reviewer(REVIEWER),
                record(Outcome::Compliant, vec![], None),
            ),
            (
                Actor::reviewer(REVIEWER),
                record(Outcome::CompliantWithRemarks, vec![finding()], None),
            ),
            (
                Actor::reviewer(REVIEWER),
                record(Outcome::NonCompliant, vec![finding()], later()),
            ),
            (
                Actor::admin(1),
                Transition::Deactivate {
                    reason: "the owner asked".to_owned(),
                },
            ),
        ]
    }

    /// The allowed moves: (from, transition name, to).
    fn allowed(from: State, transition: &Transition) -> Option<State> {
        use State::*;
        match (from, transition) {
            (Deactivated, _) => None,
            (_, Transition::Deactivate { .. }) => Some(Deactivated),
            (Discovered | AutoChecked, Transition::AutoCheck { .. }) => Some(AutoChecked),
            (Compliant | CompliantWithRemarks, Transition::Changed { .. }) => Some(AutoChecked),
            (AutoChecked | Compliant | CompliantWithRemarks | NonCompliant, Transition::Claim) => {
                Some(UnderReview)
            }
            (
                AutoChecked | Compliant | CompliantWithRemarks | NonCompliant | UnderReview,
                Transition::Assign { .. },
            ) => Some(UnderReview),
            (UnderReview, Transition::Release { .. }) => Some(AutoChecked),
            (UnderReview, Transition::Record { outcome, .. }) => Some(outcome.state()),
            _ => None,
        }
    }

    #[test]
    fn every_allowed_transition_succeeds_and_every_other_is_refused() {
        let mut allowed_count = 0;
        for from in State::ALL {
            for (actor, transition) in every_transition() {
                let (review, _) = at(from);
                let result = review.apply(actor, transition.clone(), now());
                match allowed(from, &transition) {
                    Some(to) => {
                        let event = result.unwrap_or_else(|g| {
                            panic!("{} from {from:?} refused: {g}", transition.name())
                        });
                        assert_eq!((event.from, event.to), (from, to));
                        assert_eq!(event.evidence, transition, "the evidence is kept");
                        allowed_count += 1;
                    }
                    None => assert_eq!(
                        result,
                        Err(Guard::NotFrom {
                            from,
                            transition: transition.name()
                        }),
                        "{} from {from:?}",
                        transition.name()
                    ),
                }
            }
        }
        assert_eq!(allowed_count, 23);
    }

    #[test]
    fn the_guards_say_which_one_failed() {
        let (auto, _) = at(State::AutoChecked);
        let (under, _) = at(State::UnderReview);
        let (compliant, _) = at(State::Compliant);
        let cases: Vec<(&Review, Actor, Transition, Guard)> = vec![
            // Only the system runs the rules.
            (&auto, Actor::reviewer(REVIEWER), check(), Guard::SystemOnly),
            (&compliant, Actor::admin(1), changed(), Guard::SystemOnly),
            // A review needs a reviewer.
            (
                &auto,
                Actor::SYSTEM,
                Transition::Claim,
                Guard::NeedsReviewer,
            ),
            (
                &auto,
                Actor {
                    user: None,
                    role: Role::Reviewer,
                },
                Transition::Claim,
                Guard::NeedsReviewer,
            ),
            (
                &under,
                Actor::SYSTEM,
                record(Outcome::Compliant, vec![], None),
                Guard::NeedsReviewer,
            ),
            // Another reviewer has it.
            (
                &under,
                Actor::reviewer(OTHER),
                record(Outcome::Compliant, vec![], None),
                Guard::NotAssigned,
            ),
            (
                &under,
                Actor::reviewer(OTHER),
                Transition::Release {
                    note: String::new(),
                },
                Guard::NotAssigned,
            ),
            // Only the reviewer who has it (or an administrator) hands it over.
            (
                &under,
                Actor::reviewer(OTHER),
                Transition::Assign { reviewer: OTHER },
                Guard::NotAssigned,
            ),
            (
                &auto,
                Actor::SYSTEM,
                Transition::Assign { reviewer: OTHER },
                Guard::NeedsReviewer,
            ),
            // An outcome needs the checklist complete.
            (
                &under,
                Actor::reviewer(REVIEWER),
                Transition::Record {
                    outcome: Outcome::Compliant,
                    snapshot: 1,
                    checklist: checklist(Verdict::Confirmed)[1..].to_vec(),
                    findings: vec![],
                    deadline: None,
                },
                Guard::ChecklistIncomplete {
                    missing: vec![ChecklistItem::DeclaredCompliance],
                },
            ),
            (
                &under,
                Actor::reviewer(REVIEWER),
                Transition::Record {
                    outcome: Outcome::Compliant,
                    snapshot: 1,
                    checklist: checklist(Verdict::Problem),
                    findings: vec![],
                    deadline: None,
                },
                Guard::ProblemOnChecklist,
            ),
            (
                &under,
                Actor::reviewer(REVIEWER),
                record(Outcome::CompliantWithRemarks, vec![], None),
                Guard::NeedsRemarks,
            ),
            // NonCompliant needs findings and a deadline after today.
            (
                &under,
                Actor::reviewer(REVIEWER),
                record(Outcome::NonCompliant, vec![], later()),
                Guard::NeedsFindings,
            ),
            (
                &under,
                Actor::reviewer(REVIEWER),
                record(Outcome::NonCompliant, vec![finding()], None),
                Guard::NeedsDeadline,
            ),
            (
                &under,
                Actor::reviewer(REVIEWER),
                record(
                    Outcome::NonCompliant,
                    vec![finding()],
                    Some(now().date_naive()),
                ),
                Guard::NeedsDeadline,
            ),
            (
                &auto,
                Actor::admin(1),
                Transition::Deactivate {
                    reason: "  ".to_owned(),
                },
                Guard::NeedsReason,
            ),
        ];
        for (review, actor, transition, guard) in cases {
            assert_eq!(
                review.apply(actor, transition.clone(), now()),
                Err(guard.clone()),
                "{} by {actor:?}",
                transition.name()
            );
        }
        // An administrator may record for another reviewer.
        assert!(
            under
                .apply(
                    Actor::admin(1),
                    record(Outcome::Compliant, vec![], None),
                    now()
                )
                .is_ok()
        );
    }

    #[test]
    fn the_state_is_a_fold_over_the_events() {
        // A whole history: checked, claimed, non-compliant, claimed again, compliant with
        // remarks, a new file, checked again, deactivated.
        let mut events = at(State::NonCompliant).1;
        let mut review = Review::replay(&events).unwrap();
        assert_eq!(review.deadline, later());
        for (actor, transition) in [
            (Actor::reviewer(OTHER), Transition::Claim),
            (
                Actor::reviewer(OTHER),
                record(Outcome::CompliantWithRemarks, vec![finding()], None),
            ),
            (Actor::SYSTEM, changed()),
            (Actor::SYSTEM, check()),
            (
                Actor::admin(1),
                Transition::Deactivate {
                    reason: "the owner withdrew it".to_owned(),
                },
            ),
        ] {
            let event = review.apply(actor, transition, now()).unwrap();
            events.push(event);
            review = Review::replay(&events).unwrap();
        }
        assert_eq!(review.state, State::Deactivated);
        assert_eq!(review.snapshot, Some(1));
        let states: Vec<State> = events.iter().map(|e| e.to).collect();
        assert_eq!(
            states,
            vec![
                State::AutoChecked,
                State::UnderReview,
                State::NonCompliant,
                State::UnderReview,
                State::CompliantWithRemarks,
                State::AutoChecked,
                State::AutoChecked,
                State::Deactivated,
            ]
        );
        // Events round-trip through their stored JSON.
        let stored = serde_json::to_string(&events).unwrap();
        let back: Vec<Event> = serde_json::from_str(&stored).unwrap();
        assert_eq!(Review::replay(&back).unwrap(), review);
        // A chain with a gap does not fold.
        let mut broken = events.clone();
        broken.remove(1);
        assert_eq!(
            Review::replay(&broken),
            Err(BrokenChain {
                index: 1,
                expected: State::AutoChecked,
                found: State::UnderReview
            })
        );
    }

    #[test]
    fn a_checklist_item_is_stored_as_serde_writes_it() {
        for item in ChecklistItem::ALL {
            assert_eq!(serde_json::to_value(item).unwrap(), item.as_str());
        }
    }
}
