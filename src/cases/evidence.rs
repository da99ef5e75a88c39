//! What a reuse case records at each step (§8.1 of the guidelines' notes): the needs document,
//! the searches with their results, the evaluation of each candidate with the catalog facts it
//! was based on, the proprietary products and their five gates, the ex-novo feasibility
//! project, the make-or-buy matrix, the decision, the procurement and the production.
//!
//! Pure data with the computations the guards need: the TCO sum and the eligibility of a
//! candidate against the needs' budget and time ([`Evaluation::assess`]), the gates a product
//! misses ([`Gates::missing`]), the Annex E obligations of a decision ([`obligations`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Most requirements a needs document lists.
pub const MAX_REQUIREMENTS: usize = 50;

/// Most results of one search the case keeps.
pub const MAX_RESULTS: usize = 50;

/// A requirement of the needs document (§2.4.1), indispensable or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// What is required.
    pub text: String,
    /// Whether a solution that lacks it cannot be chosen.
    pub indispensable: bool,
}

/// A family of norms and guidelines the needs document says apply (§2.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Norm {
    /// The AgID design guidelines for digital services.
    Design,
    /// Accessibility (L. 4/2004 and the AgID guidelines).
    Accessibility,
    /// The interoperability guidelines (art. 73 CAD).
    Interoperability,
    /// The secure-development guidelines and the minimum ICT security measures.
    Security,
    /// Personal-data protection (GDPR).
    DataProtection,
}

impl Norm {
    /// Every norm, in the order the documents list them.
    pub const ALL: [Self; 5] = [
        Self::Design,
        Self::Accessibility,
        Self::Interoperability,
        Self::Security,
        Self::DataProtection,
    ];

    /// The stored form, as serde writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Design => "design",
            Self::Accessibility => "accessibility",
            Self::Interoperability => "interoperability",
            Self::Security => "security",
            Self::DataProtection => "data-protection",
        }
    }

    /// The norm a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

/// The needs document (§2.4.3): what every later comparison is measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Needs {
    /// The context: purposes, organisation, the operational flows the software touches.
    pub context: String,
    /// The objectives (the "strumenti").
    pub objectives: String,
    /// The requirements, in the order written.
    pub requirements: Vec<Requirement>,
    /// The budget `T_bilancio`, in euros.
    pub budget: u64,
    /// What the budget covers (migration, installation, customisation, training, operation…).
    pub budget_covers: String,
    /// The acceptable time to production `T_tempi`, in days.
    pub days: u32,
    /// The norms that apply.
    pub norms: Vec<Norm>,
    /// Other norms and constraints.
    pub other_constraints: String,
}

/// A part of the needs document that is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NeedsField {
    /// The context.
    Context,
    /// At least one requirement.
    Requirements,
    /// A budget above zero.
    Budget,
    /// A time above zero.
    Days,
    /// At least one applicable norm.
    Norms,
}

impl NeedsField {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Context => "context",
            Self::Requirements => "requirements",
            Self::Budget => "budget",
            Self::Days => "days",
            Self::Norms => "norms",
        }
    }
}

impl Needs {
    /// The parts a complete needs document lacks, in the order of the document.
    #[must_use]
    pub fn missing(&self) -> Vec<NeedsField> {
        let mut missing = Vec::new();
        if self.context.trim().is_empty() {
            missing.push(NeedsField::Context);
        }
        if self.requirements.is_empty()
            || self.requirements.len() > MAX_REQUIREMENTS
            || self.requirements.iter().any(|r| r.text.trim().is_empty())
        {
            missing.push(NeedsField::Requirements);
        }
        if self.budget == 0 {
            missing.push(NeedsField::Budget);
        }
        if self.days == 0 {
            missing.push(NeedsField::Days);
        }
        if self.norms.is_empty() {
            missing.push(NeedsField::Norms);
        }
        missing
    }
}

/// Which search of macro-phase 2: PA reuse (2.1) or open source (2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Solutions owned by public administrations.
    PaReuse,
    /// Open-source solutions no administration owns.
    OpenSource,
}

impl Phase {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaReuse => "pa-reuse",
            Self::OpenSource => "open-source",
        }
    }

    /// The phase a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::PaReuse, Self::OpenSource]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// One entry a catalog search found, with the snapshot it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// The entry's id.
    pub software: i64,
    /// Its current snapshot when found.
    pub snapshot: i64,
    /// Its address.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The publisher's name, if known.
    pub publisher: Option<String>,
    /// The publisher's IPA code, when an administration publishes it.
    pub ipa: Option<String>,
    /// Its licence expression.
    pub licence: Option<String>,
}

/// A search of the catalog made from inside the case: what was asked and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    /// The words.
    pub query: String,
    /// The filters, as `(name, value)` pairs of the search page.
    pub filters: Vec<(String, String)>,
    /// How many entries matched.
    pub total: u64,
    /// The first results (at most [`MAX_RESULTS`]), in the order shown.
    pub results: Vec<Found>,
}

/// A platform searched outside this catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Developers Italia, which the guidelines make mandatory for open source (§2.5.4).
    DevelopersItalia,
    /// Another platform (an international catalog, a forge).
    Other,
}

impl Platform {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DevelopersItalia => "developers-italia",
            Self::Other => "other",
        }
    }

    /// The platform a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::DevelopersItalia, Self::Other]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A search made on another platform, recorded by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalSearch {
    /// Where.
    pub platform: Platform,
    /// The platform's name when [`Platform::Other`].
    pub name: String,
    /// The words or filters used.
    pub query: String,
    /// The address of the search or its results.
    pub address: String,
    /// What was found.
    pub outcome: String,
}

/// How far a candidate covers one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// As it is.
    Covered,
    /// With customisation (costed in the TCO).
    Customisation,
    /// Not at all.
    Missing,
}

impl Coverage {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Covered => "covered",
            Self::Customisation => "customisation",
            Self::Missing => "missing",
        }
    }

    /// The coverage a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Covered, Self::Customisation, Self::Missing]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// The estimated total cost of ownership `S_TCO` of a candidate, item by item (§2.5.2 c,
/// §2.7), in euros.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tco {
    /// Cloud installation or SaaS.
    pub cloud: u64,
    /// Training of administrators and users.
    pub training: u64,
    /// Integration.
    pub integration: u64,
    /// Customisation for the missing requirements.
    pub customisation: u64,
    /// Verification of regulatory compliance.
    pub compliance: u64,
    /// Data migration, maintenance, the cost of leaving later and anything else.
    pub other: u64,
}

impl Tco {
    /// The items with their stored names, in the order the documents list them.
    #[must_use]
    pub fn items(&self) -> [(&'static str, u64); 6] {
        [
            ("cloud", self.cloud),
            ("training", self.training),
            ("integration", self.integration),
            ("customisation", self.customisation),
            ("compliance", self.compliance),
            ("other", self.other),
        ]
    }

    /// `S_TCO`: the sum of the items (saturating: an absurd entry cannot wrap below the budget).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.items()
            .iter()
            .fold(0u64, |sum, (_, v)| sum.saturating_add(*v))
    }
}

/// A maintainer's contract as the catalog showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// The contractor.
    pub name: String,
    /// Until when.
    pub until: Option<NaiveDate>,
}

/// What the catalog said of a candidate when it was evaluated: the facts of the evaluation's
/// blocks (a) and (b) that riuso knows, frozen with the snapshot they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFacts {
    /// The software version the file declares.
    pub version: Option<String>,
    /// The publisher's name.
    pub publisher: Option<String>,
    /// The publisher's IPA code.
    pub ipa: Option<String>,
    /// The declared compliance claims (`gdpr`, `accessibility`, …), sorted.
    pub claims: Vec<String>,
    /// The maintenance type (`internal`, `contract`, `community`, `none`).
    pub maintenance: Option<String>,
    /// The maintenance contracts.
    pub contracts: Vec<Contract>,
    /// How many administrations `usedBy` names.
    pub used_by: u32,
    /// How many reuse declarations stand, confirmed by a member of the declaring administration.
    pub declarations: u32,
    /// The vitality index, 0–100, when computed.
    pub vitality: Option<i32>,
    /// The licence expression.
    pub licence: Option<String>,
    /// Open dependencies.
    pub dependencies: Vec<String>,
    /// Proprietary dependencies.
    pub proprietary: Vec<String>,
}

/// The licence check of an open-source candidate (§2.5.4): OSI-approved or recommended, and
/// compatible with the intended use and integrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceCheck {
    /// The licence is OSI-approved or among those the guidelines recommend.
    pub approved: bool,
    /// It is compatible with the intended use and integrations.
    pub compatible: bool,
    /// Why.
    pub note: String,
}

/// The evaluation of one candidate (§2.5.2, and §2.5.5 for open source), with the snapshot it
/// was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The entry.
    pub software: i64,
    /// The snapshot the facts come from (frozen for audit).
    pub snapshot: i64,
    /// Its address when evaluated.
    pub slug: String,
    /// Its name when evaluated.
    pub name: String,
    /// What the catalog said.
    pub facts: CatalogFacts,
    /// The coverage of each requirement of the needs, in their order.
    pub coverage: Vec<Coverage>,
    /// Agreements with third parties the owner signed that this administration can use.
    pub agreements: String,
    /// Internal skills with its environments and languages.
    pub skills: String,
    /// `S_TCO`, item by item.
    pub tco: Tco,
    /// `S_tempi`: days to production.
    pub days: u32,
    /// A constraint that rules it out whatever its costs (empty when none).
    pub blocking: String,
    /// The licence check (open source only).
    pub licence: Option<LicenceCheck>,
    /// Other remarks.
    pub notes: String,
}

/// A candidate against the needs: the guards of the eligibility rule, with their values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// `S_TCO`.
    pub s_tco: u64,
    /// `T_bilancio`.
    pub t_bilancio: u64,
    /// `S_TCO < T_bilancio`.
    pub within_budget: bool,
    /// `S_tempi`.
    pub s_tempi: u32,
    /// `T_tempi`.
    pub t_tempi: u32,
    /// `S_tempi < T_tempi`.
    pub within_time: bool,
    /// The indispensable requirements (by position) it does not cover, even with
    /// customisation.
    pub missing: Vec<usize>,
    /// A blocking constraint was stated.
    pub blocked: bool,
    /// The licence check failed (open source).
    pub licence_refused: bool,
    /// How many requirements it covers, as it is or with customisation.
    pub covered: usize,
    /// Every guard holds.
    pub eligible: bool,
}

impl Evaluation {
    /// The eligibility rule of §2.5.2 for this candidate against `needs`.
    #[must_use]
    pub fn assess(&self, needs: &Needs) -> Assessment {
        let s_tco = self.tco.total();
        let missing: Vec<usize> = needs
            .requirements
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                r.indispensable
                    && !matches!(
                        self.coverage.get(*i),
                        Some(Coverage::Covered | Coverage::Customisation)
                    )
            })
            .map(|(i, _)| i)
            .collect();
        let covered = self
            .coverage
            .iter()
            .filter(|c| matches!(c, Coverage::Covered | Coverage::Customisation))
            .count();
        let blocked = !self.blocking.trim().is_empty();
        let licence_refused = self
            .licence
            .as_ref()
            .is_some_and(|l| !(l.approved && l.compatible));
        let within_budget = s_tco < needs.budget;
        let within_time = self.days < needs.days;
        Assessment {
            s_tco,
            t_bilancio: needs.budget,
            within_budget,
            s_tempi: self.days,
            t_tempi: needs.days,
            within_time,
            eligible: within_budget
                && within_time
                && missing.is_empty()
                && !blocked
                && !licence_refused,
            missing,
            blocked,
            licence_refused,
            covered,
        }
    }
}

/// The five conditions without which a proprietary product is not eligible (§2.6.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gates {
    /// The interoperability rules (art. 73 CAD guidelines).
    pub interoperability: bool,
    /// Personal-data protection law.
    pub data_protection: bool,
    /// The minimum security levels for administrations.
    pub security: bool,
    /// Accessibility (L. 4/2004).
    pub accessibility: bool,
    /// The whole database can be exported free of charge, at any time, in an open format.
    pub data_export: bool,
}

impl Gates {
    /// The gates with their stored names, in the guidelines' order.
    #[must_use]
    pub fn all(&self) -> [(&'static str, bool); 5] {
        [
            ("interoperability", self.interoperability),
            ("data-protection", self.data_protection),
            ("security", self.security),
            ("accessibility", self.accessibility),
            ("data-export", self.data_export),
        ]
    }

    /// The gates not met; the product is eligible when there are none.
    #[must_use]
    pub fn missing(&self) -> Vec<&'static str> {
        self.all()
            .into_iter()
            .filter(|(_, met)| !met)
            .map(|(name, _)| name)
            .collect()
    }
}

/// A proprietary product examined in macro-phase 3 (§2.6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Its name (unique in the case: a second assessment of a name replaces the first).
    pub name: String,
    /// Who sells it.
    pub vendor: String,
    /// The five gates.
    pub gates: Gates,
    /// Coverage of the requirements and interoperability with the systems in use.
    pub coverage: String,
    /// Its TCO, item by item.
    pub tco: Tco,
    /// Days to production.
    pub days: u32,
    /// Other remarks.
    pub notes: String,
}

/// The ex-novo feasibility project (§2.6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feasibility {
    /// The activities.
    pub activities: String,
    /// The estimated cost, in euros.
    pub cost: u64,
    /// The estimated days to production.
    pub days: u32,
}

impl Feasibility {
    /// Whether it states activities, a cost and a time.
    #[must_use]
    pub fn complete(&self) -> bool {
        !self.activities.trim().is_empty() && self.cost > 0 && self.days > 0
    }
}

/// An advantage or disadvantage of the make-or-buy list of §2.6.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// Proprietary, for: fast deployment.
    BuyFast,
    /// Proprietary, for: warranty and risk on the supplier.
    BuyWarranty,
    /// Proprietary, for: maintenance by the supplier.
    BuyMaintenance,
    /// Proprietary, for: lower cost than a full development.
    BuyCheaper,
    /// Proprietary, against: periodic licences and paid upgrades.
    BuyLicences,
    /// Proprietary, against: a rigid workflow.
    BuyRigid,
    /// Proprietary, against: lock-in.
    BuyLockIn,
    /// Proprietary, against: the supplier's economic stability.
    BuySupplier,
    /// Ex novo, for: covers every need.
    MakeCoverage,
    /// Ex novo, for: easy data import and export.
    MakeData,
    /// Ex novo, for: medium- and long-term TCO.
    MakeTco,
    /// Ex novo, for: sharing and reuse by other administrations.
    MakeReuse,
    /// Ex novo, for: extensibility.
    MakeExtensible,
    /// Ex novo, against: more work.
    MakeWork,
    /// Ex novo, against: more coordination.
    MakeCoordination,
    /// Ex novo, against: a longer time to production.
    MakeSlower,
}

impl Aspect {
    /// Every aspect, in the guidelines' order.
    pub const ALL: [Self; 16] = [
        Self::BuyFast,
        Self::BuyWarranty,
        Self::BuyMaintenance,
        Self::BuyCheaper,
        Self::BuyLicences,
        Self::BuyRigid,
        Self::BuyLockIn,
        Self::BuySupplier,
        Self::MakeCoverage,
        Self::MakeData,
        Self::MakeTco,
        Self::MakeReuse,
        Self::MakeExtensible,
        Self::MakeWork,
        Self::MakeCoordination,
        Self::MakeSlower,
    ];

    /// The stored form, as serde writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BuyFast => "buy-fast",
            Self::BuyWarranty => "buy-warranty",
            Self::BuyMaintenance => "buy-maintenance",
            Self::BuyCheaper => "buy-cheaper",
            Self::BuyLicences => "buy-licences",
            Self::BuyRigid => "buy-rigid",
            Self::BuyLockIn => "buy-lock-in",
            Self::BuySupplier => "buy-supplier",
            Self::MakeCoverage => "make-coverage",
            Self::MakeData => "make-data",
            Self::MakeTco => "make-tco",
            Self::MakeReuse => "make-reuse",
            Self::MakeExtensible => "make-extensible",
            Self::MakeWork => "make-work",
            Self::MakeCoordination => "make-coordination",
            Self::MakeSlower => "make-slower",
        }
    }

    /// The aspect a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The make-or-buy comparison (§2.6.3): the aspects that weighed, each with a note, and the
/// rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeOrBuy {
    /// The aspects found to apply, with what the administration saw.
    pub aspects: Vec<(Aspect, String)>,
    /// Why one option wins.
    pub rationale: String,
}

/// The kind of solution chosen (art. 68 c. 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Reuse of software owned by an administration (letter b).
    PaReuse,
    /// Open-source software no administration owns (letter c).
    OpenSource,
    /// Proprietary software under a use licence (letter e).
    Proprietary,
    /// Software developed for the administration (letter a).
    ExNovo,
}

impl Kind {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaReuse => "pa-reuse",
            Self::OpenSource => "open-source",
            Self::Proprietary => "proprietary",
            Self::ExNovo => "ex-novo",
        }
    }

    /// Whether the case ends with a reuse declaration (Annex D).
    #[must_use]
    pub fn declares_reuse(self) -> bool {
        matches!(self, Self::PaReuse | Self::OpenSource)
    }
}

/// What was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Choice {
    /// A PA-owned catalog entry.
    PaReuse {
        /// The entry.
        software: i64,
        /// The version or commit to adopt.
        version: String,
    },
    /// An open-source catalog entry.
    OpenSource {
        /// The entry.
        software: i64,
        /// The version or commit to adopt.
        version: String,
    },
    /// A proprietary product assessed in the case.
    Proprietary {
        /// The product's name.
        product: String,
    },
    /// The ex-novo development of the feasibility project.
    ExNovo,
}

impl Choice {
    /// The kind chosen.
    #[must_use]
    pub fn kind(&self) -> Kind {
        match self {
            Self::PaReuse { .. } => Kind::PaReuse,
            Self::OpenSource { .. } => Kind::OpenSource,
            Self::Proprietary { .. } => Kind::Proprietary,
            Self::ExNovo => Kind::ExNovo,
        }
    }

    /// The catalog entry chosen, if any.
    #[must_use]
    pub fn software(&self) -> Option<i64> {
        match self {
            Self::PaReuse { software, .. } | Self::OpenSource { software, .. } => Some(*software),
            _ => None,
        }
    }
}

/// How the solution is delivered (§2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// SaaS qualified for the public administration.
    Saas,
    /// Installed on the PA cloud (IaaS: the national strategic hub or a qualified provider).
    CloudIaas,
}

impl Delivery {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saas => "saas",
            Self::CloudIaas => "cloud-iaas",
        }
    }

    /// The delivery a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Saas, Self::CloudIaas]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// The decision act (state 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// What was chosen.
    pub choice: Choice,
    /// Why.
    pub motivation: String,
    /// How it is delivered.
    pub delivery: Delivery,
    /// Whether the administration plans to modify it (Annex D, ownership of the changes).
    pub planned_changes: bool,
}

/// An obligation that follows from the kind chosen (Annex E, §8.1 state 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Obligation {
    /// Release the software for reuse (art. 69 c. 1).
    Release,
    /// Release the modifications made (art. 69 c. 1, only if modified).
    ReleaseModifications,
    /// Acquire ownership of the software (art. 69 c. 2).
    Ownership,
    /// Acquire ownership of the modifications.
    OwnershipOfModifications,
    /// Acquire ownership of custom modules where possible (§2.6.4).
    OwnershipOfCustomModules,
    /// Release only the software created for interoperability (APIs).
    ReleaseInteroperability,
    /// Attach Annex A to the tender (§2.6.4).
    AnnexA,
    /// Attach Annex D to the tender (§3.9.2).
    AnnexD,
    /// Choose the licence and the code hosting (§3.5, Annex A).
    LicenceAndHosting,
    /// Declare the reuse to the owner (Annex D notification, `usedBy`).
    DeclareReuse,
    /// Evaluate the TCO, excluding the purchase cost (art. 68 c. 1-bis).
    TcoWithoutPurchase,
    /// Evaluate the TCO (art. 68 c. 1-bis).
    Tco,
    /// The technical evaluation (art. 68 c. 1-ter).
    TechnicalEvaluation,
    /// Interoperability, security, privacy and service levels (art. 68 c. 1-bis).
    InteropSecurityPrivacySla,
}

impl Obligation {
    /// The stored form, as serde writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Release => "release",
            Self::ReleaseModifications => "release-modifications",
            Self::Ownership => "ownership",
            Self::OwnershipOfModifications => "ownership-of-modifications",
            Self::OwnershipOfCustomModules => "ownership-of-custom-modules",
            Self::ReleaseInteroperability => "release-interoperability",
            Self::AnnexA => "annex-a",
            Self::AnnexD => "annex-d",
            Self::LicenceAndHosting => "licence-and-hosting",
            Self::DeclareReuse => "declare-reuse",
            Self::TcoWithoutPurchase => "tco-without-purchase",
            Self::Tco => "tco",
            Self::TechnicalEvaluation => "technical-evaluation",
            Self::InteropSecurityPrivacySla => "interop-security-privacy-sla",
        }
    }
}

/// The obligations that follow from choosing `kind` (Annex E), with `planned_changes` for a
/// reused or open-source solution that will be modified.
#[must_use]
pub fn obligations(kind: Kind, planned_changes: bool) -> Vec<Obligation> {
    use Obligation as O;
    let mut out = match kind {
        Kind::ExNovo => vec![
            O::Release,
            O::Ownership,
            O::AnnexA,
            O::LicenceAndHosting,
            O::TcoWithoutPurchase,
        ],
        Kind::PaReuse => {
            let mut v = vec![O::Ownership, O::DeclareReuse];
            if planned_changes {
                v.extend([
                    O::ReleaseModifications,
                    O::OwnershipOfModifications,
                    O::AnnexD,
                ]);
            }
            v.push(O::TcoWithoutPurchase);
            v
        }
        Kind::OpenSource => {
            let mut v = vec![O::DeclareReuse];
            if planned_changes {
                v.extend([
                    O::ReleaseModifications,
                    O::OwnershipOfModifications,
                    O::AnnexD,
                ]);
            }
            v.push(O::TcoWithoutPurchase);
            v
        }
        Kind::Proprietary => vec![
            O::ReleaseInteroperability,
            O::OwnershipOfCustomModules,
            O::Tco,
        ],
    };
    out.extend([O::TechnicalEvaluation, O::InteropSecurityPrivacySla]);
    out
}

/// The procurement (state 11): the procedure's references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procurement {
    /// The CIG (*codice identificativo gara*), when the procedure has one: ten letters and
    /// digits.
    pub cig: String,
    /// The award act (number and date, or its address).
    pub award_act: String,
    /// The services bought (customisation, installation, training).
    pub services: String,
    /// The annexes attached to the tender (`A`, `B`, `D`).
    pub annexes: Vec<String>,
}

/// Whether `cig` is a CIG: ten ASCII letters and digits.
#[must_use]
pub fn valid_cig(cig: &str) -> bool {
    cig.len() == 10 && cig.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The solution in production (state 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Production {
    /// The go-live date.
    pub live_on: NaiveDate,
    /// The version or commit deployed.
    pub version: String,
    /// The address of the deployment.
    pub address: String,
}

/// Whether `address` is an absolute `https` or `http` address with a host.
#[must_use]
pub fn web_address(address: &str) -> bool {
    url::Url::parse(address.trim())
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
}

/// How the modifications of a reused solution are released (§3.9.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "route")]
pub enum Route {
    /// Merged upstream, through these pull requests.
    Upstream {
        /// The pull requests' addresses.
        pull_requests: Vec<String>,
    },
    /// A public variant repository (`isBasedOn`, same licence).
    Variant {
        /// Its address.
        repository: String,
    },
}

impl Route {
    /// Whether every address it names is a web address, and it names at least one.
    #[must_use]
    pub fn well_formed(&self) -> bool {
        match self {
            Self::Upstream { pull_requests } => {
                !pull_requests.is_empty() && pull_requests.iter().all(|p| web_address(p))
            }
            Self::Variant { repository } => web_address(repository),
        }
    }
}

/// Why a case does not apply (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exclusion {
    /// Hardware only.
    Hardware,
    /// A framework contract whose joining is mandatory.
    MandatoryFramework,
    /// An *accordo quadro* (the specific contracts come later).
    FrameworkAgreement,
    /// Completing a project already evaluated.
    AlreadyEvaluated,
    /// Complete outsourcing of the information systems.
    Outsourcing,
    /// Public order and security, defence, elections.
    Security,
}

impl Exclusion {
    /// Every exclusion.
    pub const ALL: [Self; 6] = [
        Self::Hardware,
        Self::MandatoryFramework,
        Self::FrameworkAgreement,
        Self::AlreadyEvaluated,
        Self::Outsourcing,
        Self::Security,
    ];

    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hardware => "hardware",
            Self::MandatoryFramework => "mandatory-framework",
            Self::FrameworkAgreement => "framework-agreement",
            Self::AlreadyEvaluated => "already-evaluated",
            Self::Outsourcing => "outsourcing",
            Self::Security => "security",
        }
    }

    /// The exclusion a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs() -> Needs {
        Needs {
            context: "protocol office".to_owned(),
            objectives: String::new(),
            requirements: vec![
                Requirement {
                    text: "PEC".to_owned(),
                    indispensable: true,
                },
                Requirement {
                    text: "mobile app".to_owned(),
                    indispensable: false,
                },
            ],
            budget: 50_000,
            budget_covers: String::new(),
            days: 180,
            norms: vec![Norm::Accessibility],
            other_constraints: String::new(),
        }
    }

    fn evaluation(tco: u64, days: u32, coverage: Vec<Coverage>) -> Evaluation {
        Evaluation {
            software: 1,
            snapshot: 1,
            slug: "x".to_owned(),
            name: "X".to_owned(),
            facts: CatalogFacts {
                version: None,
                publisher: None,
                ipa: None,
                claims: vec![],
                maintenance: None,
                contracts: vec![],
                used_by: 0,
                declarations: 0,
                vitality: None,
                licence: None,
                dependencies: vec![],
                proprietary: vec![],
            },
            coverage,
            agreements: String::new(),
            skills: String::new(),
            tco: Tco {
                integration: tco,
                ..Tco::default()
            },
            days,
            blocking: String::new(),
            licence: None,
            notes: String::new(),
        }
    }

    #[test]
    fn the_eligibility_rule_is_strict_and_names_what_fails() {
        let needs = needs();
        let ok = evaluation(49_999, 179, vec![Coverage::Covered, Coverage::Missing]).assess(&needs);
        assert!(ok.eligible && ok.within_budget && ok.within_time);
        assert_eq!(ok.covered, 1);
        // Equal is not below.
        let at = evaluation(50_000, 180, vec![Coverage::Covered]).assess(&needs);
        assert!(!at.within_budget && !at.within_time && !at.eligible);
        // An indispensable requirement missing, customisation counts as covered.
        let missing = evaluation(1, 1, vec![Coverage::Missing, Coverage::Covered]).assess(&needs);
        assert_eq!(missing.missing, vec![0]);
        assert!(!missing.eligible);
        assert!(
            evaluation(1, 1, vec![Coverage::Customisation])
                .assess(&needs)
                .eligible
        );
    }

    #[test]
    fn needs_say_what_they_lack_and_tco_saturates() {
        let empty = Needs {
            context: " ".to_owned(),
            requirements: vec![],
            budget: 0,
            days: 0,
            norms: vec![],
            ..needs()
        };
        assert_eq!(
            empty.missing(),
            vec![
                NeedsField::Context,
                NeedsField::Requirements,
                NeedsField::Budget,
                NeedsField::Days,
                NeedsField::Norms
            ]
        );
        assert!(needs().missing().is_empty());
        let huge = Tco {
            cloud: u64::MAX,
            training: 5,
            ..Tco::default()
        };
        assert_eq!(huge.total(), u64::MAX);
    }

    #[test]
    fn annex_e_obligations_follow_the_kind() {
        assert!(obligations(Kind::ExNovo, false).contains(&Obligation::AnnexA));
        assert!(!obligations(Kind::PaReuse, false).contains(&Obligation::AnnexD));
        assert!(obligations(Kind::PaReuse, true).contains(&Obligation::AnnexD));
        assert!(!obligations(Kind::OpenSource, false).contains(&Obligation::Ownership));
        assert!(obligations(Kind::Proprietary, false).contains(&Obligation::Tco));
        for kind in [
            Kind::PaReuse,
            Kind::OpenSource,
            Kind::Proprietary,
            Kind::ExNovo,
        ] {
            let all = obligations(kind, true);
            assert!(all.contains(&Obligation::TechnicalEvaluation));
            for o in all {
                assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
            }
        }
        assert!(valid_cig("Z1A2B3C4D5") && !valid_cig("Z1A2B3C4D") && !valid_cig("Z1A2B3C4D-"));
        assert!(web_address("https://example.org/x") && !web_address("javascript:alert(1)"));
    }
}
