//! The reuse case's states (§8.1) and its typed transitions with their guards.
//!
//! [`Case::apply`] checks a [`Transition`] by an [`Actor`] against the guards of the state the
//! case is in and answers the [`Event`] to append, or the [`Guard`] that refused it (each guard
//! has a stable name, [`Guard::name`]). The current state is never stored as the truth:
//! [`Case::replay`] folds the events, so the record kept "agli atti" and the state cannot
//! disagree.
//!
//! | from | transition | to | guards |
//! |---|---|---|---|
//! | Opened (first event) | `Open` | Opened | a title, a scope and an officer |
//! | Opened | `NotApplicable` | `NotApplicable` | a motivation |
//! | Opened, `NeedsDefined` | `DefineNeeds` | `NeedsDefined` | the needs document complete |
//! | `NeedsDefined` | `StartSearch` | `SearchingPaReuse` | — |
//! | `SearchingPaReuse`, `SearchingOpenSource` | `Search`, `ExternalSearch` | the same | — |
//! | `SearchingPaReuse` | `Shortlist` | `EvaluatingPaReuse` (≥ 1) or `SearchingOpenSource` (none) | a search recorded; each candidate among its results |
//! | `SearchingOpenSource` | `Shortlist` | `EvaluatingOpenSource` | Developers Italia searched; ≥ 1 candidate, each among the results |
//! | `EvaluatingPaReuse`, `EvaluatingOpenSource` | `Evaluate` | the same | a candidate; its coverage of every requirement |
//! | `EvaluatingPaReuse` | `Reject` | `SearchingOpenSource` | every candidate evaluated; a motivation |
//! | `SearchingOpenSource` (Developers Italia searched), `EvaluatingOpenSource` (every candidate evaluated) | `DocumentImpossibility` | `ImpossibilityDocumented` | a motivation |
//! | `ImpossibilityDocumented` | `AnalyseAlternatives` | `AnalysingAlternatives` | the impossibility document |
//! | `AnalysingAlternatives` | `AssessProduct`, `StudyExNovo` | the same | a name; a complete feasibility project |
//! | `AnalysingAlternatives` | `CompareMakeOrBuy` | `MakeOrBuyCompared` | the impossibility document; the feasibility project; a rationale |
//! | `EvaluatingPaReuse` (PA reuse), `EvaluatingOpenSource` (open source), `MakeOrBuyCompared` (proprietary, ex novo) | `Select` | `SolutionSelected` | the kind's state; an evaluated candidate that passes `S_TCO < T_bilancio`, `S_tempi < T_tempi`, the indispensable requirements, no blocking constraint (and the licence check, for open source); an eligible product within budget; a feasibility project; a version; a motivation |
//! | `SolutionSelected` | `Procure` | Procuring | an award act; a well-formed CIG when given |
//! | Procuring | `GoLive` | `InProduction` | a version; a web address; not a future date |
//! | `InProduction` | `DeclareReuse` | `ReuseDeclared` | a PA-reuse or open-source kind |
//! | `InProduction` | `PendModifications` | `ModifiedReleasePending` | a PA-reuse or open-source kind; the ownership of the modifications |
//! | `ReuseDeclared` | `Acknowledge` | `ReuseAcknowledged` | the case's declaration |
//! | `ModifiedReleasePending` | `ReleaseModifications` | `ModificationsReleased` | well-formed addresses |
//! | `InProduction` (proprietary, ex novo), `ReuseAcknowledged`, `ModificationsReleased` | `Close` | Closed | — |
//! | any state but the terminal ones | `Withdraw` | Withdrawn | a motivation |
//! | any | `Publish` | the same | — |
//!
//! Every move is made by a member of the administration (the caller checks the membership),
//! but the owner's acknowledgement of the reuse declaration and the closing that follows it,
//! which the system also makes: when a crawl of the owner's `usedBy` lists the administration,
//! or a member of the owner confirms the declaration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::evidence::{
    Decision, Evaluation, Exclusion, ExternalSearch, Feasibility, Kind, MakeOrBuy, Needs,
    NeedsField, Phase, Platform, Procurement, Product, Production, Route, Search, valid_cig,
    web_address,
};

/// Where a reuse case stands (§8.1; the numbers are the table's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// 1. Opened: title, scope, officer.
    Opened,
    /// 2. The needs document is complete.
    NeedsDefined,
    /// 3. Searching PA solutions (phase 2.1).
    SearchingPaReuse,
    /// 4. Evaluating PA solutions (phase 2.2).
    EvaluatingPaReuse,
    /// 5. Searching open source (phase 2.4).
    SearchingOpenSource,
    /// 6. Evaluating open source (phase 2.5).
    EvaluatingOpenSource,
    /// 7. The motivated impossibility document is written (phase 2.7).
    ImpossibilityDocumented,
    /// 8. Proprietary products and the ex-novo feasibility (phases 3.1 and 3.2).
    AnalysingAlternatives,
    /// 9. The make-or-buy comparison is done (phase 3.3).
    MakeOrBuyCompared,
    /// 10. A solution is chosen: the comparative evaluation is concluded.
    SolutionSelected,
    /// 11. Procuring.
    Procuring,
    /// 12. In production.
    InProduction,
    /// 13. The reuse is declared to the owner (Annex D).
    ReuseDeclared,
    /// 14. Local modifications wait for their release.
    ModifiedReleasePending,
    /// 15. The owner acknowledged the reuse.
    ReuseAcknowledged,
    /// 15. The modifications are released.
    ModificationsReleased,
    /// Closed; terminal.
    Closed,
    /// Withdrawn; terminal.
    Withdrawn,
    /// The evaluation does not apply (§2.2); terminal.
    NotApplicable,
}

impl State {
    /// Every state.
    pub const ALL: [Self; 19] = [
        Self::Opened,
        Self::NeedsDefined,
        Self::SearchingPaReuse,
        Self::EvaluatingPaReuse,
        Self::SearchingOpenSource,
        Self::EvaluatingOpenSource,
        Self::ImpossibilityDocumented,
        Self::AnalysingAlternatives,
        Self::MakeOrBuyCompared,
        Self::SolutionSelected,
        Self::Procuring,
        Self::InProduction,
        Self::ReuseDeclared,
        Self::ModifiedReleasePending,
        Self::ReuseAcknowledged,
        Self::ModificationsReleased,
        Self::Closed,
        Self::Withdrawn,
        Self::NotApplicable,
    ];

    /// The stored form, as serde writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::NeedsDefined => "needs-defined",
            Self::SearchingPaReuse => "searching-pa-reuse",
            Self::EvaluatingPaReuse => "evaluating-pa-reuse",
            Self::SearchingOpenSource => "searching-open-source",
            Self::EvaluatingOpenSource => "evaluating-open-source",
            Self::ImpossibilityDocumented => "impossibility-documented",
            Self::AnalysingAlternatives => "analysing-alternatives",
            Self::MakeOrBuyCompared => "make-or-buy-compared",
            Self::SolutionSelected => "solution-selected",
            Self::Procuring => "procuring",
            Self::InProduction => "in-production",
            Self::ReuseDeclared => "reuse-declared",
            Self::ModifiedReleasePending => "modified-release-pending",
            Self::ReuseAcknowledged => "reuse-acknowledged",
            Self::ModificationsReleased => "modifications-released",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
            Self::NotApplicable => "not-applicable",
        }
    }

    /// The state a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether nothing leaves it (but publishing).
    #[must_use]
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::Withdrawn | Self::NotApplicable)
    }

    /// The macro-phase it belongs to (1, 2 or 3), or 4 for what follows the decision.
    #[must_use]
    pub fn macro_phase(self) -> u8 {
        match self {
            Self::Opened | Self::NeedsDefined | Self::NotApplicable => 1,
            Self::SearchingPaReuse
            | Self::EvaluatingPaReuse
            | Self::SearchingOpenSource
            | Self::EvaluatingOpenSource
            | Self::ImpossibilityDocumented => 2,
            Self::AnalysingAlternatives | Self::MakeOrBuyCompared => 3,
            _ => 4,
        }
    }

    /// The search and evaluation phase a state of macro-phase 2 is in.
    #[must_use]
    pub fn phase(self) -> Option<Phase> {
        match self {
            Self::SearchingPaReuse | Self::EvaluatingPaReuse => Some(Phase::PaReuse),
            Self::SearchingOpenSource | Self::EvaluatingOpenSource => Some(Phase::OpenSource),
            _ => None,
        }
    }
}

/// The role an actor acted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A verified member of the administration that owns the case.
    Member,
    /// The system: an acknowledgement the owner's `usedBy` brought.
    System,
}

impl Role {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::System => "system",
        }
    }

    /// The role a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Member, Self::System]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Who acts, and for which administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user; `None` for the system.
    pub user: Option<i64>,
    /// The role.
    pub role: Role,
    /// The IPA code of the administration acted for.
    pub ipa: String,
}

impl Actor {
    /// Member `user` acting for the administration of IPA code `ipa`.
    #[must_use]
    pub fn member(user: i64, ipa: &str) -> Self {
        Self {
            user: Some(user),
            role: Role::Member,
            ipa: ipa.to_owned(),
        }
    }

    /// The system, for the administration of IPA code `ipa`.
    #[must_use]
    pub fn system(ipa: &str) -> Self {
        Self {
            user: None,
            role: Role::System,
            ipa: ipa.to_owned(),
        }
    }

    fn is_member(&self) -> bool {
        self.role == Role::Member && self.user.is_some()
    }
}

/// A document uploaded to the case, as an event refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// The stored document's id.
    pub id: i64,
    /// The file name given.
    pub name: String,
    /// Its SHA-256, in hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A move of the case, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "transition")]
#[expect(
    clippy::large_enum_variant,
    reason = "a case has tens of events, read once per page; boxing the evidence saves nothing"
)]
pub enum Transition {
    /// The case is opened.
    Open {
        /// Its title.
        title: String,
        /// What is to be acquired.
        scope: String,
        /// The responsible officer (RTD, RUP).
        officer: String,
    },
    /// The evaluation does not apply.
    NotApplicable {
        /// Which exclusion of §2.2.
        exclusion: Exclusion,
        /// Why.
        motivation: String,
    },
    /// The needs document, written or revised.
    DefineNeeds {
        /// The document.
        needs: Needs,
    },
    /// The search of PA solutions begins.
    StartSearch,
    /// A search of the catalog from inside the case.
    Search {
        /// What was asked and found.
        search: Search,
    },
    /// A search elsewhere.
    ExternalSearch {
        /// What was searched where.
        search: ExternalSearch,
    },
    /// The candidates to evaluate, from the searches.
    Shortlist {
        /// The entries, by id.
        candidates: Vec<i64>,
    },
    /// The evaluation of one candidate.
    Evaluate {
        /// The evaluation.
        evaluation: Evaluation,
    },
    /// No PA solution fits: on to open source.
    Reject {
        /// Why.
        motivation: String,
    },
    /// Neither PA nor open-source solutions fit (phase 2.7).
    DocumentImpossibility {
        /// Why.
        motivation: String,
    },
    /// Macro-phase 3 begins.
    AnalyseAlternatives,
    /// A proprietary product examined.
    AssessProduct {
        /// The product.
        product: Product,
    },
    /// The ex-novo feasibility project.
    StudyExNovo {
        /// The project.
        feasibility: Feasibility,
    },
    /// The make-or-buy comparison.
    CompareMakeOrBuy {
        /// The comparison.
        comparison: MakeOrBuy,
    },
    /// The decision: the comparative evaluation is concluded.
    Select {
        /// The decision act.
        decision: Decision,
    },
    /// The procurement's references.
    Procure {
        /// The procedure.
        procurement: Procurement,
    },
    /// The solution goes live.
    GoLive {
        /// What runs where.
        production: Production,
    },
    /// The reuse declaration made from the case.
    DeclareReuse {
        /// The declaration's id.
        declaration: i64,
    },
    /// Local modifications to release.
    PendModifications {
        /// The ownership of the modifications (a contract excerpt).
        ownership: String,
    },
    /// The owner acknowledged the declaration.
    Acknowledge {
        /// The declaration's id.
        declaration: i64,
        /// How (`crawl`, `owner`).
        via: String,
    },
    /// The modifications are released.
    ReleaseModifications {
        /// How.
        route: Route,
    },
    /// The case is closed.
    Close {
        /// A closing note.
        note: String,
    },
    /// The case is withdrawn.
    Withdraw {
        /// Why.
        motivation: String,
    },
    /// The case is made public, or private again.
    Publish {
        /// Whether it is public.
        published: bool,
    },
}

impl Transition {
    /// The stored name of the transition.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Open { .. } => "open",
            Self::NotApplicable { .. } => "not-applicable",
            Self::DefineNeeds { .. } => "define-needs",
            Self::StartSearch => "start-search",
            Self::Search { .. } => "search",
            Self::ExternalSearch { .. } => "external-search",
            Self::Shortlist { .. } => "shortlist",
            Self::Evaluate { .. } => "evaluate",
            Self::Reject { .. } => "reject",
            Self::DocumentImpossibility { .. } => "document-impossibility",
            Self::AnalyseAlternatives => "analyse-alternatives",
            Self::AssessProduct { .. } => "assess-product",
            Self::StudyExNovo { .. } => "study-ex-novo",
            Self::CompareMakeOrBuy { .. } => "compare-make-or-buy",
            Self::Select { .. } => "select",
            Self::Procure { .. } => "procure",
            Self::GoLive { .. } => "go-live",
            Self::DeclareReuse { .. } => "declare-reuse",
            Self::PendModifications { .. } => "pend-modifications",
            Self::Acknowledge { .. } => "acknowledge",
            Self::ReleaseModifications { .. } => "release-modifications",
            Self::Close { .. } => "close",
            Self::Withdraw { .. } => "withdraw",
            Self::Publish { .. } => "publish",
        }
    }

    /// The catalog snapshots it relied on (searches' results, an evaluation).
    #[must_use]
    pub fn snapshots(&self) -> Vec<i64> {
        match self {
            Self::Search { search } => search.results.iter().map(|f| f.snapshot).collect(),
            Self::Evaluate { evaluation } => vec![evaluation.snapshot],
            _ => Vec::new(),
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
    /// Only a member of the administration moves the case.
    #[error("only a member of the administration moves the case")]
    NeedsMember,
    /// The case is already open.
    #[error("the case is already open")]
    AlreadyOpen,
    /// The case has not been opened.
    #[error("the case has not been opened")]
    NotOpened,
    /// The opening needs a title, a scope and an officer.
    #[error("a case needs a title, a scope and a responsible officer")]
    OpeningIncomplete,
    /// A motivation is required.
    #[error("a motivation is required")]
    NeedsMotivation,
    /// The needs document is incomplete.
    #[error("the needs document is incomplete: {}", names(missing.iter().map(|f| f.as_str())))]
    NeedsIncomplete {
        /// What it lacks.
        missing: Vec<NeedsField>,
    },
    /// No search of the catalog was recorded in this phase.
    #[error("no search was recorded")]
    NoSearch,
    /// The open-source search must include Developers Italia (§2.5.4).
    #[error("Developers Italia was not searched")]
    DevelopersItaliaNotSearched,
    /// An external search needs its query and address, and a name for another platform.
    #[error("the external search needs the platform, the query and an address")]
    ExternalSearchIncomplete,
    /// The open-source shortlist cannot be empty: document the impossibility instead.
    #[error("no candidate: document the impossibility instead")]
    NoCandidates,
    /// A candidate is not among the results of this phase's searches.
    #[error("entry {software} was not found by a search of this phase")]
    NotFound {
        /// The entry.
        software: i64,
    },
    /// The entry is not a candidate of this phase.
    #[error("entry {software} is not a candidate")]
    NotACandidate {
        /// The entry.
        software: i64,
    },
    /// The coverage must say something of every requirement of the needs.
    #[error("the coverage does not match the requirements")]
    CoverageIncomplete,
    /// An open-source candidate needs its licence check.
    #[error("the licence check of an open-source candidate is missing")]
    NeedsLicenceCheck,
    /// Some candidates have no evaluation.
    #[error("candidates not evaluated: {}", names(software.iter()))]
    NotEvaluated {
        /// The entries.
        software: Vec<i64>,
    },
    /// Macro-phase 3 needs the motivated impossibility document (state 7).
    #[error("macro-phase 3 needs the motivated impossibility document")]
    NoImpossibilityDocument,
    /// A product needs a name.
    #[error("a product needs a name")]
    ProductIncomplete,
    /// The feasibility project needs activities, a cost and a time.
    #[error("the feasibility project needs activities, a cost and a time")]
    FeasibilityIncomplete,
    /// The make-or-buy comparison needs the ex-novo feasibility project.
    #[error("there is no feasibility project")]
    NoFeasibilityProject,
    /// This kind of solution cannot be chosen in this state.
    #[error("a solution of kind {} cannot be chosen from {}", kind.as_str(), from.as_str())]
    KindNotHere {
        /// The kind asked for.
        kind: Kind,
        /// The current state.
        from: State,
    },
    /// An open-source choice needs the PA-reuse search or evaluation concluded negatively.
    #[error("the PA-reuse phase did not conclude negatively")]
    PaReuseNotExcluded,
    /// `S_TCO ≥ T_bilancio`.
    #[error("S_TCO {s_tco} is not below T_bilancio {t_bilancio}")]
    OverBudget {
        /// `S_TCO`.
        s_tco: u64,
        /// `T_bilancio`.
        t_bilancio: u64,
    },
    /// `S_tempi ≥ T_tempi`.
    #[error("S_tempi {s_tempi} is not below T_tempi {t_tempi}")]
    OverTime {
        /// `S_tempi`.
        s_tempi: u32,
        /// `T_tempi`.
        t_tempi: u32,
    },
    /// Indispensable requirements are not covered.
    #[error("indispensable requirements not covered: {}", names(requirements.iter().map(|r| r + 1)))]
    MissingRequirements {
        /// Their positions (from 0).
        requirements: Vec<usize>,
    },
    /// A blocking constraint was stated.
    #[error("a blocking constraint rules it out")]
    Blocked,
    /// The licence check failed.
    #[error("the licence check failed")]
    LicenceRefused,
    /// No product of that name was assessed.
    #[error("no product named {product} was assessed")]
    UnknownProduct {
        /// The name.
        product: String,
    },
    /// The product misses eligibility gates.
    #[error("the product is not eligible: {}", names(gates.iter()))]
    Ineligible {
        /// The gates not met.
        gates: Vec<&'static str>,
    },
    /// A version or commit is required.
    #[error("a version is required")]
    NeedsVersion,
    /// The award act is required.
    #[error("the award act is required")]
    NeedsAwardAct,
    /// The CIG is not ten letters and digits.
    #[error("the CIG is not ten letters and digits")]
    BadCig,
    /// An address is not a web address.
    #[error("an address is not a web address")]
    BadAddress,
    /// A date lies in the future.
    #[error("the date lies in the future")]
    FutureDate,
    /// Only PA-reuse and open-source solutions are declared and modified upstream.
    #[error("a {} solution is not declared as reuse", kind.as_str())]
    NotReuse {
        /// The kind chosen.
        kind: Kind,
    },
    /// A reused solution is declared before the case closes.
    #[error("a reused solution must be declared before the case closes")]
    DeclarationRequired,
    /// The ownership of the modifications is required.
    #[error("the ownership of the modifications is required")]
    NeedsOwnership,
    /// The declaration is not the case's.
    #[error("declaration {declaration} is not the case's")]
    OtherDeclaration {
        /// The declaration named.
        declaration: i64,
    },
}

fn names<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

impl Guard {
    /// The guard's stable name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::NotFrom { .. } => "not-from",
            Self::NeedsMember => "needs-member",
            Self::AlreadyOpen => "already-open",
            Self::NotOpened => "not-opened",
            Self::OpeningIncomplete => "opening-incomplete",
            Self::NeedsMotivation => "needs-motivation",
            Self::NeedsIncomplete { .. } => "needs-incomplete",
            Self::NoSearch => "no-search",
            Self::DevelopersItaliaNotSearched => "developers-italia-not-searched",
            Self::ExternalSearchIncomplete => "external-search-incomplete",
            Self::NoCandidates => "no-candidates",
            Self::NotFound { .. } => "not-found",
            Self::NotACandidate { .. } => "not-a-candidate",
            Self::CoverageIncomplete => "coverage-incomplete",
            Self::NeedsLicenceCheck => "needs-licence-check",
            Self::NotEvaluated { .. } => "not-evaluated",
            Self::NoImpossibilityDocument => "no-impossibility-document",
            Self::ProductIncomplete => "product-incomplete",
            Self::FeasibilityIncomplete => "feasibility-incomplete",
            Self::NoFeasibilityProject => "no-feasibility-project",
            Self::KindNotHere { .. } => "kind-not-here",
            Self::PaReuseNotExcluded => "pa-reuse-not-excluded",
            Self::OverBudget { .. } => "over-budget",
            Self::OverTime { .. } => "over-time",
            Self::MissingRequirements { .. } => "missing-requirements",
            Self::Blocked => "blocked",
            Self::LicenceRefused => "licence-refused",
            Self::UnknownProduct { .. } => "unknown-product",
            Self::Ineligible { .. } => "ineligible",
            Self::NeedsVersion => "needs-version",
            Self::NeedsAwardAct => "needs-award-act",
            Self::BadCig => "bad-cig",
            Self::BadAddress => "bad-address",
            Self::FutureDate => "future-date",
            Self::NotReuse { .. } => "not-reuse",
            Self::DeclarationRequired => "declaration-required",
            Self::NeedsOwnership => "needs-ownership",
            Self::OtherDeclaration { .. } => "other-declaration",
        }
    }
}

/// One move of the case, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Who, for which administration.
    pub actor: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// From which state.
    pub from: State,
    /// To which state.
    pub to: State,
    /// The transition and its evidence.
    pub evidence: Transition,
    /// The documents uploaded as its evidence.
    pub documents: Vec<DocumentRef>,
}

/// The opening of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// The title.
    pub title: String,
    /// The scope.
    pub scope: String,
    /// The responsible officer.
    pub officer: String,
    /// The IPA code of the administration.
    pub ipa: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A search as the case keeps it: its phase and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Searched {
    /// The phase.
    pub phase: Phase,
    /// When.
    pub at: DateTime<Utc>,
    /// What was asked and found.
    pub search: Search,
}

/// An external search as the case keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchedElsewhere {
    /// The phase.
    pub phase: Phase,
    /// When.
    pub at: DateTime<Utc>,
    /// What was searched where.
    pub search: ExternalSearch,
}

/// An evaluation as the case keeps it: its phase and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluated {
    /// The phase.
    pub phase: Phase,
    /// When.
    pub at: DateTime<Utc>,
    /// The evaluation.
    pub evaluation: Evaluation,
}

/// A reuse case, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Case {
    /// The current state.
    pub state: Option<State>,
    /// The opening.
    pub opening: Option<Opening>,
    /// A §2.2 exclusion and its motivation.
    pub not_applicable: Option<(Exclusion, String)>,
    /// The needs document (its last revision).
    pub needs: Option<Needs>,
    /// The catalog searches, oldest first.
    pub searches: Vec<Searched>,
    /// The searches elsewhere, oldest first.
    pub external: Vec<SearchedElsewhere>,
    /// The PA-reuse candidates.
    pub pa_candidates: Vec<i64>,
    /// The open-source candidates.
    pub oss_candidates: Vec<i64>,
    /// The last evaluation of each candidate, in the order first evaluated.
    pub evaluations: Vec<Evaluated>,
    /// Why no PA solution fits (the PA-reuse search found none when empty).
    pub pa_rejection: Option<String>,
    /// The PA-reuse phase concluded negatively (nothing found, or nothing fits).
    pub pa_excluded: bool,
    /// The motivated impossibility document.
    pub impossibility: Option<String>,
    /// The proprietary products, by first assessment (a later one of the same name replaces
    /// it).
    pub products: Vec<Product>,
    /// The ex-novo feasibility project.
    pub feasibility: Option<Feasibility>,
    /// The make-or-buy comparison.
    pub make_or_buy: Option<MakeOrBuy>,
    /// The decision.
    pub decision: Option<Decision>,
    /// When the comparative evaluation was concluded.
    pub concluded_at: Option<DateTime<Utc>>,
    /// The procurement.
    pub procurement: Option<Procurement>,
    /// The production.
    pub production: Option<Production>,
    /// The reuse declaration made from the case.
    pub declaration: Option<i64>,
    /// How the owner acknowledged it.
    pub acknowledged_via: Option<String>,
    /// The ownership of the modifications.
    pub ownership: Option<String>,
    /// How the modifications were released.
    pub route: Option<Route>,
    /// The closing note.
    pub closing_note: Option<String>,
    /// Why it was withdrawn.
    pub withdrawn: Option<String>,
    /// Whether anyone may read it.
    pub published: bool,
}

/// Why stored events do not fold into a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case event {index} moves from {} but the case is {}", found.as_str(), expected.map_or("new", State::as_str))]
pub struct BrokenChain {
    /// The event's position.
    pub index: usize,
    /// The state the case was in (`None` before its opening).
    pub expected: Option<State>,
    /// The state the event says it left.
    pub found: State,
}

impl Case {
    /// The case the `events` lead to, oldest first.
    ///
    /// # Errors
    ///
    /// [`BrokenChain`] when an event does not leave the state the previous one reached.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Self, BrokenChain> {
        let mut case = Self::default();
        for (index, event) in events.into_iter().enumerate() {
            let expected = case.state.unwrap_or(State::Opened);
            let first_is_open =
                case.state.is_some() || matches!(event.evidence, Transition::Open { .. });
            if event.from != expected || !first_is_open {
                return Err(BrokenChain {
                    index,
                    expected: case.state,
                    found: event.from,
                });
            }
            case.absorb(event);
        }
        Ok(case)
    }

    /// The current state; a case not opened yet is about to be `Opened`.
    #[must_use]
    pub fn current(&self) -> State {
        self.state.unwrap_or(State::Opened)
    }

    /// The kind chosen, once decided.
    #[must_use]
    pub fn kind(&self) -> Option<Kind> {
        self.decision.as_ref().map(|d| d.choice.kind())
    }

    /// The candidates of `phase`.
    #[must_use]
    pub fn candidates(&self, phase: Phase) -> &[i64] {
        match phase {
            Phase::PaReuse => &self.pa_candidates,
            Phase::OpenSource => &self.oss_candidates,
        }
    }

    /// The last evaluation of candidate `software` in `phase`.
    #[must_use]
    pub fn evaluation(&self, phase: Phase, software: i64) -> Option<&Evaluated> {
        self.evaluations
            .iter()
            .find(|e| e.phase == phase && e.evaluation.software == software)
    }

    /// The catalog searches of `phase`.
    pub fn searches_of(&self, phase: Phase) -> impl Iterator<Item = &Searched> {
        self.searches.iter().filter(move |s| s.phase == phase)
    }

    /// Whether Developers Italia was searched in `phase`.
    #[must_use]
    pub fn developers_italia_searched(&self, phase: Phase) -> bool {
        self.external
            .iter()
            .any(|e| e.phase == phase && e.search.platform == Platform::DevelopersItalia)
    }

    /// The product named `name`.
    #[must_use]
    pub fn product(&self, name: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.name == name.trim())
    }

    /// Moves the case by `event` (already checked).
    fn absorb(&mut self, event: &Event) {
        let from = event.from;
        self.state = Some(event.to);
        match &event.evidence {
            Transition::Open {
                title,
                scope,
                officer,
            } => {
                self.opening = Some(Opening {
                    title: title.clone(),
                    scope: scope.clone(),
                    officer: officer.clone(),
                    ipa: event.actor.ipa.clone(),
                    at: event.at,
                });
            }
            Transition::NotApplicable {
                exclusion,
                motivation,
            } => self.not_applicable = Some((*exclusion, motivation.clone())),
            Transition::DefineNeeds { needs } => self.needs = Some(needs.clone()),
            Transition::StartSearch | Transition::AnalyseAlternatives => {}
            Transition::Search { search } => {
                if let Some(phase) = from.phase() {
                    self.searches.push(Searched {
                        phase,
                        at: event.at,
                        search: search.clone(),
                    });
                }
            }
            Transition::ExternalSearch { search } => {
                if let Some(phase) = from.phase() {
                    self.external.push(SearchedElsewhere {
                        phase,
                        at: event.at,
                        search: search.clone(),
                    });
                }
            }
            Transition::Shortlist { candidates } => match from.phase() {
                Some(Phase::PaReuse) => {
                    self.pa_candidates.clone_from(candidates);
                    if candidates.is_empty() {
                        self.pa_excluded = true;
                    }
                }
                Some(Phase::OpenSource) => self.oss_candidates.clone_from(candidates),
                None => {}
            },
            Transition::Evaluate { evaluation } => {
                if let Some(phase) = from.phase() {
                    let evaluated = Evaluated {
                        phase,
                        at: event.at,
                        evaluation: evaluation.clone(),
                    };
                    match self
                        .evaluations
                        .iter_mut()
                        .find(|e| e.phase == phase && e.evaluation.software == evaluation.software)
                    {
                        Some(slot) => *slot = evaluated,
                        None => self.evaluations.push(evaluated),
                    }
                }
            }
            Transition::Reject { motivation } => {
                self.pa_rejection = Some(motivation.clone());
                self.pa_excluded = true;
            }
            Transition::DocumentImpossibility { motivation } => {
                self.impossibility = Some(motivation.clone());
            }
            Transition::AssessProduct { product } => {
                let mut product = product.clone();
                product.name = product.name.trim().to_owned();
                match self.products.iter_mut().find(|p| p.name == product.name) {
                    Some(slot) => *slot = product,
                    None => self.products.push(product),
                }
            }
            Transition::StudyExNovo { feasibility } => {
                self.feasibility = Some(feasibility.clone());
            }
            Transition::CompareMakeOrBuy { comparison } => {
                self.make_or_buy = Some(comparison.clone());
            }
            Transition::Select { decision } => {
                self.decision = Some(decision.clone());
                self.concluded_at = Some(event.at);
            }
            Transition::Procure { procurement } => self.procurement = Some(procurement.clone()),
            Transition::GoLive { production } => self.production = Some(production.clone()),
            Transition::DeclareReuse { declaration } => self.declaration = Some(*declaration),
            Transition::PendModifications { ownership } => {
                self.ownership = Some(ownership.clone());
            }
            Transition::Acknowledge { via, .. } => self.acknowledged_via = Some(via.clone()),
            Transition::ReleaseModifications { route } => self.route = Some(route.clone()),
            Transition::Close { note } => self.closing_note = Some(note.clone()),
            Transition::Withdraw { motivation } => self.withdrawn = Some(motivation.clone()),
            Transition::Publish { published } => self.published = *published,
        }
    }

    /// Checks `transition` by `actor` at `at`, with `documents` as its evidence, against the
    /// guards; the event to append, or the guard that failed.
    ///
    /// # Errors
    ///
    /// The [`Guard`] that refused it.
    pub fn apply(
        &self,
        actor: Actor,
        transition: Transition,
        documents: Vec<DocumentRef>,
        at: DateTime<Utc>,
    ) -> Result<Event, Guard> {
        let to = self.check(&actor, &transition, at)?;
        Ok(Event {
            actor,
            at,
            from: self.current(),
            to,
            evidence: transition,
            documents,
        })
    }

    /// The state `transition` leads to, or the guard that refuses it.
    fn check(
        &self,
        actor: &Actor,
        transition: &Transition,
        at: DateTime<Utc>,
    ) -> Result<State, Guard> {
        use State as S;
        let from = self.current();
        let not_from = || Guard::NotFrom {
            from,
            transition: transition.name(),
        };
        // Opening comes first, once.
        match (self.state, transition) {
            (None, Transition::Open { .. }) | (Some(_), Transition::Publish { .. }) => {}
            (Some(_), Transition::Open { .. }) => return Err(Guard::AlreadyOpen),
            (None, _) => return Err(Guard::NotOpened),
            _ => {}
        }
        // The owner's acknowledgement arrives by itself (a crawl of its `usedBy`, or its member
        // confirming), and closes the case.
        let system_may = matches!(transition, Transition::Acknowledge { .. })
            || (matches!(transition, Transition::Close { .. }) && from == S::ReuseAcknowledged);
        if !(actor.is_member() || system_may && actor.role == Role::System) {
            return Err(Guard::NeedsMember);
        }
        if from.is_terminal() && !matches!(transition, Transition::Publish { .. }) {
            return Err(not_from());
        }
        let motivated = |text: &str| {
            if text.trim().is_empty() {
                Err(Guard::NeedsMotivation)
            } else {
                Ok(())
            }
        };
        let to = match transition {
            Transition::Open {
                title,
                scope,
                officer,
            } => {
                if [title, scope, officer].iter().any(|t| t.trim().is_empty()) {
                    return Err(Guard::OpeningIncomplete);
                }
                S::Opened
            }
            Transition::Publish { .. } => from,
            Transition::NotApplicable { motivation, .. } => {
                if from != S::Opened {
                    return Err(not_from());
                }
                motivated(motivation)?;
                S::NotApplicable
            }
            Transition::DefineNeeds { needs } => {
                if !matches!(from, S::Opened | S::NeedsDefined) {
                    return Err(not_from());
                }
                let missing = needs.missing();
                if !missing.is_empty() {
                    return Err(Guard::NeedsIncomplete { missing });
                }
                S::NeedsDefined
            }
            Transition::StartSearch => {
                if from != S::NeedsDefined {
                    return Err(not_from());
                }
                S::SearchingPaReuse
            }
            Transition::Search { .. } => {
                if !matches!(from, S::SearchingPaReuse | S::SearchingOpenSource) {
                    return Err(not_from());
                }
                from
            }
            Transition::ExternalSearch { search } => {
                if !matches!(from, S::SearchingPaReuse | S::SearchingOpenSource) {
                    return Err(not_from());
                }
                let named =
                    search.platform == Platform::DevelopersItalia || !search.name.trim().is_empty();
                if !named || search.query.trim().is_empty() || !web_address(&search.address) {
                    return Err(Guard::ExternalSearchIncomplete);
                }
                from
            }
            Transition::Shortlist { candidates } => {
                let phase = match from {
                    S::SearchingPaReuse => Phase::PaReuse,
                    S::SearchingOpenSource => Phase::OpenSource,
                    _ => return Err(not_from()),
                };
                if self.searches_of(phase).next().is_none() {
                    return Err(Guard::NoSearch);
                }
                if phase == Phase::OpenSource {
                    if !self.developers_italia_searched(phase) {
                        return Err(Guard::DevelopersItaliaNotSearched);
                    }
                    if candidates.is_empty() {
                        return Err(Guard::NoCandidates);
                    }
                }
                for software in candidates {
                    let found = self
                        .searches_of(phase)
                        .any(|s| s.search.results.iter().any(|f| f.software == *software));
                    if !found {
                        return Err(Guard::NotFound {
                            software: *software,
                        });
                    }
                }
                match (phase, candidates.is_empty()) {
                    (Phase::PaReuse, true) => S::SearchingOpenSource,
                    (Phase::PaReuse, false) => S::EvaluatingPaReuse,
                    (Phase::OpenSource, _) => S::EvaluatingOpenSource,
                }
            }
            Transition::Evaluate { evaluation } => {
                let phase = match from {
                    S::EvaluatingPaReuse => Phase::PaReuse,
                    S::EvaluatingOpenSource => Phase::OpenSource,
                    _ => return Err(not_from()),
                };
                if !self.candidates(phase).contains(&evaluation.software) {
                    return Err(Guard::NotACandidate {
                        software: evaluation.software,
                    });
                }
                let requirements = self.needs.as_ref().map_or(0, |n| n.requirements.len());
                if evaluation.coverage.len() != requirements {
                    return Err(Guard::CoverageIncomplete);
                }
                if phase == Phase::OpenSource && evaluation.licence.is_none() {
                    return Err(Guard::NeedsLicenceCheck);
                }
                from
            }
            Transition::Reject { motivation } => {
                if from != S::EvaluatingPaReuse {
                    return Err(not_from());
                }
                self.all_evaluated(Phase::PaReuse)?;
                motivated(motivation)?;
                S::SearchingOpenSource
            }
            Transition::DocumentImpossibility { motivation } => {
                match from {
                    S::SearchingOpenSource => {
                        if !self.developers_italia_searched(Phase::OpenSource) {
                            return Err(Guard::DevelopersItaliaNotSearched);
                        }
                    }
                    S::EvaluatingOpenSource => self.all_evaluated(Phase::OpenSource)?,
                    _ => return Err(not_from()),
                }
                motivated(motivation)?;
                S::ImpossibilityDocumented
            }
            Transition::AnalyseAlternatives => {
                if from != S::ImpossibilityDocumented {
                    return Err(not_from());
                }
                self.impossibility_documented()?;
                S::AnalysingAlternatives
            }
            Transition::AssessProduct { product } => {
                if from != S::AnalysingAlternatives {
                    return Err(not_from());
                }
                if product.name.trim().is_empty() {
                    return Err(Guard::ProductIncomplete);
                }
                from
            }
            Transition::StudyExNovo { feasibility } => {
                if from != S::AnalysingAlternatives {
                    return Err(not_from());
                }
                if !feasibility.complete() {
                    return Err(Guard::FeasibilityIncomplete);
                }
                from
            }
            Transition::CompareMakeOrBuy { comparison } => {
                if from != S::AnalysingAlternatives {
                    return Err(not_from());
                }
                self.impossibility_documented()?;
                if self.feasibility.is_none() {
                    return Err(Guard::NoFeasibilityProject);
                }
                motivated(&comparison.rationale)?;
                S::MakeOrBuyCompared
            }
            Transition::Select { decision } => {
                self.check_decision(from, decision)?;
                S::SolutionSelected
            }
            Transition::Procure { procurement } => {
                if from != S::SolutionSelected {
                    return Err(not_from());
                }
                if procurement.award_act.trim().is_empty() {
                    return Err(Guard::NeedsAwardAct);
                }
                let cig = procurement.cig.trim();
                if !cig.is_empty() && !valid_cig(cig) {
                    return Err(Guard::BadCig);
                }
                S::Procuring
            }
            Transition::GoLive { production } => {
                if from != S::Procuring {
                    return Err(not_from());
                }
                if production.version.trim().is_empty() {
                    return Err(Guard::NeedsVersion);
                }
                if !web_address(&production.address) {
                    return Err(Guard::BadAddress);
                }
                if production.live_on > at.date_naive() {
                    return Err(Guard::FutureDate);
                }
                S::InProduction
            }
            Transition::DeclareReuse { .. } => {
                if from != S::InProduction {
                    return Err(not_from());
                }
                self.reused()?;
                S::ReuseDeclared
            }
            Transition::PendModifications { ownership } => {
                if from != S::InProduction {
                    return Err(not_from());
                }
                self.reused()?;
                if ownership.trim().is_empty() {
                    return Err(Guard::NeedsOwnership);
                }
                S::ModifiedReleasePending
            }
            Transition::Acknowledge { declaration, .. } => {
                if from != S::ReuseDeclared {
                    return Err(not_from());
                }
                if self.declaration != Some(*declaration) {
                    return Err(Guard::OtherDeclaration {
                        declaration: *declaration,
                    });
                }
                S::ReuseAcknowledged
            }
            Transition::ReleaseModifications { route } => {
                if from != S::ModifiedReleasePending {
                    return Err(not_from());
                }
                if !route.well_formed() {
                    return Err(Guard::BadAddress);
                }
                S::ModificationsReleased
            }
            Transition::Close { .. } => match from {
                S::InProduction => {
                    if self.kind().is_some_and(Kind::declares_reuse) {
                        return Err(Guard::DeclarationRequired);
                    }
                    S::Closed
                }
                S::ReuseAcknowledged | S::ModificationsReleased => S::Closed,
                _ => return Err(not_from()),
            },
            Transition::Withdraw { motivation } => {
                motivated(motivation)?;
                S::Withdrawn
            }
        };
        Ok(to)
    }

    /// The guards of a decision from `from`.
    fn check_decision(&self, from: State, decision: &Decision) -> Result<(), Guard> {
        use super::evidence::Choice;
        let kind = decision.choice.kind();
        let expected = match kind {
            Kind::PaReuse => State::EvaluatingPaReuse,
            Kind::OpenSource => State::EvaluatingOpenSource,
            Kind::Proprietary | Kind::ExNovo => State::MakeOrBuyCompared,
        };
        if from != expected {
            return Err(
                if matches!(
                    from,
                    State::EvaluatingPaReuse
                        | State::EvaluatingOpenSource
                        | State::MakeOrBuyCompared
                ) {
                    Guard::KindNotHere { kind, from }
                } else {
                    Guard::NotFrom {
                        from,
                        transition: "select",
                    }
                },
            );
        }
        let needs = self.needs.as_ref();
        let t_bilancio = needs.map_or(0, |n| n.budget);
        match &decision.choice {
            Choice::PaReuse { software, version } | Choice::OpenSource { software, version } => {
                let phase = if kind == Kind::PaReuse {
                    Phase::PaReuse
                } else {
                    if !self.pa_excluded {
                        return Err(Guard::PaReuseNotExcluded);
                    }
                    Phase::OpenSource
                };
                if !self.candidates(phase).contains(software) {
                    return Err(Guard::NotACandidate {
                        software: *software,
                    });
                }
                let evaluated = self
                    .evaluation(phase, *software)
                    .ok_or(Guard::NotEvaluated {
                        software: vec![*software],
                    })?;
                if let Some(needs) = needs {
                    let a = evaluated.evaluation.assess(needs);
                    if !a.within_budget {
                        return Err(Guard::OverBudget {
                            s_tco: a.s_tco,
                            t_bilancio: a.t_bilancio,
                        });
                    }
                    if !a.within_time {
                        return Err(Guard::OverTime {
                            s_tempi: a.s_tempi,
                            t_tempi: a.t_tempi,
                        });
                    }
                    if !a.missing.is_empty() {
                        return Err(Guard::MissingRequirements {
                            requirements: a.missing,
                        });
                    }
                    if a.blocked {
                        return Err(Guard::Blocked);
                    }
                    if a.licence_refused {
                        return Err(Guard::LicenceRefused);
                    }
                }
                if version.trim().is_empty() {
                    return Err(Guard::NeedsVersion);
                }
            }
            Choice::Proprietary { product } => {
                let found = self.product(product).ok_or_else(|| Guard::UnknownProduct {
                    product: product.clone(),
                })?;
                let gates = found.gates.missing();
                if !gates.is_empty() {
                    return Err(Guard::Ineligible { gates });
                }
                let s_tco = found.tco.total();
                if s_tco >= t_bilancio {
                    return Err(Guard::OverBudget { s_tco, t_bilancio });
                }
            }
            Choice::ExNovo => {
                if self.feasibility.is_none() {
                    return Err(Guard::NoFeasibilityProject);
                }
            }
        }
        if decision.motivation.trim().is_empty() {
            return Err(Guard::NeedsMotivation);
        }
        Ok(())
    }

    /// Every candidate of `phase` has an evaluation.
    fn all_evaluated(&self, phase: Phase) -> Result<(), Guard> {
        let software: Vec<i64> = self
            .candidates(phase)
            .iter()
            .copied()
            .filter(|s| self.evaluation(phase, *s).is_none())
            .collect();
        if software.is_empty() {
            Ok(())
        } else {
            Err(Guard::NotEvaluated { software })
        }
    }

    /// The invariant of macro-phase 3: state 7's evidence exists.
    fn impossibility_documented(&self) -> Result<(), Guard> {
        if self
            .impossibility
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty())
        {
            Ok(())
        } else {
            Err(Guard::NoImpossibilityDocument)
        }
    }

    /// The kind chosen is one that is declared as reuse.
    fn reused(&self) -> Result<(), Guard> {
        match self.kind() {
            Some(kind) if kind.declares_reuse() => Ok(()),
            Some(kind) => Err(Guard::NotReuse { kind }),
            None => Err(Guard::NotFrom {
                from: self.current(),
                transition: "declare-reuse",
            }),
        }
    }
}

#[cfg(test)]
mod tests;
