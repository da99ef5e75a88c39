//! The owning administration's release case (§8.2; art. 69 CAD and Annex A): typed states,
//! transitions with their evidence and guards, and the checklist an owner sees for an entry,
//! derived from the latest rule results ([`checklist`]).
//!
//! Pure, like [`super::review`]: the events that will store a case's history come with the
//! owners' pages; what is here decides which moves are allowed and what the crawl already
//! shows.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::licence::Licence;
use super::rules::{Outcome, RuleId, RuleResult, Severity};

/// Where a release case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    /// The software is in the administration's inventory.
    Identified,
    /// Its ownership is established.
    OwnershipAssessed,
    /// Exempt from release (public order and security, defence, elections; or out of use);
    /// terminal.
    Exempt,
    /// A code-hosting platform is chosen.
    CodeHostingChosen,
    /// A licence is chosen.
    LicenceChosen,
    /// The repository is prepared (licence, README, documentation, publiccode.yml).
    RepositoryPrepared,
    /// The repository is public.
    Published,
    /// The organisation is onboarded on the catalog.
    OrganisationOnboarded,
    /// The catalog indexed a valid file.
    Indexed,
    /// Maintained.
    Maintained,
    /// No longer maintained (contract ended, `type: none`).
    Unmaintained,
    /// Obsolete; terminal.
    Obsolete,
}

/// The grounds of an exemption from release (art. 69 c. 1; §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExemptionGround {
    /// Public order and security.
    PublicSecurity,
    /// Defence.
    Defence,
    /// Elections.
    Elections,
    /// Not in use for more than five years.
    OutOfUse,
}

/// The eight features a code-hosting platform must offer (§2.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformFeatures {
    /// Anonymous read access.
    pub anonymous_read: bool,
    /// Free, open registration.
    pub open_registration: bool,
    /// A web interface for code and documentation.
    pub web_ui: bool,
    /// Version control with branches.
    pub branches: bool,
    /// A public issue tracker.
    pub issue_tracker: bool,
    /// Public change submission, review and merge.
    pub merge_requests: bool,
    /// Release management.
    pub releases: bool,
    /// An API to its data.
    pub api: bool,
}

impl PlatformFeatures {
    fn missing(&self) -> Vec<&'static str> {
        [
            (self.anonymous_read, "anonymous read access"),
            (self.open_registration, "open registration"),
            (self.web_ui, "web interface"),
            (self.branches, "branches"),
            (self.issue_tracker, "issue tracker"),
            (self.merge_requests, "merge requests"),
            (self.releases, "releases"),
            (self.api, "API"),
        ]
        .into_iter()
        .filter(|(has, _)| !has)
        .map(|(_, name)| name)
        .collect()
    }
}

/// A move of a release case, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "step")]
pub enum Step {
    /// Ownership established: a contract clause or internal development.
    AssessOwnership {
        /// The clause's excerpt, or how it was developed internally.
        basis: String,
    },
    /// Exempt from release.
    Exempt {
        /// On which ground.
        ground: ExemptionGround,
        /// The motivation.
        motivation: String,
    },
    /// A platform chosen.
    ChooseHosting {
        /// The organisation's URL on it.
        url: String,
        /// What it offers.
        features: PlatformFeatures,
    },
    /// A licence chosen.
    ChooseLicence {
        /// The SPDX expression.
        spdx: String,
        /// Why, when it is not one the decision tree recommends.
        motivation: Option<String>,
    },
    /// The repository prepared, as the rules found it.
    Prepare {
        /// The rule results of the prepared repository.
        report: Vec<RuleResult>,
    },
    /// Published.
    Publish {
        /// The public repository.
        url: String,
        /// The first release.
        first_release: NaiveDate,
    },
    /// The organisation onboarded.
    Onboard {
        /// The IPA code it was onboarded with.
        ipa: String,
    },
    /// The catalog indexed the file of a snapshot.
    Index {
        /// The snapshot.
        snapshot: i64,
        /// Whether it is valid.
        valid: bool,
    },
    /// The catalog found the file invalid: back to preparing the repository.
    IndexingFailed {
        /// The snapshot.
        snapshot: i64,
    },
    /// Maintained (again).
    Maintain {
        /// `maintenance.type`
        kind: String,
        /// The end of the current contract, for `contract`.
        until: Option<NaiveDate>,
        /// The day it is recorded.
        today: NaiveDate,
    },
    /// Maintenance lapsed.
    Lapse {
        /// Why.
        reason: String,
    },
    /// Declared obsolete.
    Retire,
}

impl Step {
    /// The step's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::AssessOwnership { .. } => "assess-ownership",
            Self::Exempt { .. } => "exempt",
            Self::ChooseHosting { .. } => "choose-hosting",
            Self::ChooseLicence { .. } => "choose-licence",
            Self::Prepare { .. } => "prepare",
            Self::Publish { .. } => "publish",
            Self::Onboard { .. } => "onboard",
            Self::Index { .. } => "index",
            Self::IndexingFailed { .. } => "indexing-failed",
            Self::Maintain { .. } => "maintain",
            Self::Lapse { .. } => "lapse",
            Self::Retire => "retire",
        }
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Guard {
    /// The step does not leave this state.
    #[error("{step} is not possible from {from:?}")]
    NotFrom {
        /// The current state.
        from: State,
        /// The step asked for.
        step: &'static str,
    },
    /// Evidence that must be given is empty.
    #[error("{0} must be given")]
    Missing(&'static str),
    /// The platform lacks required features.
    #[error("the platform lacks: {}", .0.join(", "))]
    PlatformFeatures(Vec<&'static str>),
    /// The licence is not a valid, OSI-approved SPDX expression.
    #[error("the licence is not an OSI-approved SPDX expression: {0}")]
    Licence(String),
    /// A licence the decision tree does not recommend needs a motivation.
    #[error("a licence other than EUPL-1.2, AGPL-3.0-or-later or BSD-3-Clause needs a motivation")]
    NeedsMotivation,
    /// The prepared repository still fails rules of error severity.
    #[error("the repository still fails: {}", .0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))]
    NotPrepared(Vec<RuleId>),
    /// The IPA code is not in the registry.
    #[error("{0} is not an IPA code")]
    IpaCode(String),
    /// An invalid file is not indexed.
    #[error("the file is invalid")]
    InvalidFile,
    /// The maintenance declared is not current.
    #[error("the maintenance declared is not current")]
    NotMaintained,
}

/// The rules whose failure keeps a repository from being prepared (Annex A's MUSTs).
pub const PREPARED_BY: [RuleId; 5] = [
    RuleId::FileValid,
    RuleId::LicenceSpdx,
    RuleId::LicenceOsi,
    RuleId::LicenceFile,
    RuleId::IpaValid,
];

impl State {
    /// The state `step` leads to from this one, or the guard that refuses it.
    ///
    /// # Errors
    ///
    /// The [`Guard`] that refused it.
    pub fn next(self, step: &Step) -> Result<Self, Guard> {
        use State::{
            CodeHostingChosen, Exempt, Identified, Indexed, LicenceChosen, Maintained, Obsolete,
            OrganisationOnboarded, OwnershipAssessed, Published, RepositoryPrepared, Unmaintained,
        };
        let not_from = || Guard::NotFrom {
            from: self,
            step: step.name(),
        };
        let required = |text: &str, what: &'static str| {
            if text.trim().is_empty() {
                Err(Guard::Missing(what))
            } else {
                Ok(())
            }
        };
        match (self, step) {
            (Identified, Step::AssessOwnership { basis }) => {
                required(basis, "the ownership basis")?;
                Ok(OwnershipAssessed)
            }
            (OwnershipAssessed, Step::Exempt { motivation, .. }) => {
                required(motivation, "the motivation")?;
                Ok(Exempt)
            }
            (OwnershipAssessed, Step::ChooseHosting { url, features }) => {
                required(url, "the platform's URL")?;
                let missing = features.missing();
                if missing.is_empty() {
                    Ok(CodeHostingChosen)
                } else {
                    Err(Guard::PlatformFeatures(missing))
                }
            }
            (CodeHostingChosen, Step::ChooseLicence { spdx, motivation }) => {
                let licence = Licence::parse(spdx).map_err(Guard::Licence)?;
                licence
                    .osi_approved()
                    .map_err(|terms| Guard::Licence(terms.join(", ")))?;
                if !licence.recommended()
                    && motivation.as_deref().is_none_or(|m| m.trim().is_empty())
                {
                    return Err(Guard::NeedsMotivation);
                }
                Ok(LicenceChosen)
            }
            (LicenceChosen | RepositoryPrepared, Step::Prepare { report }) => {
                let failing: Vec<RuleId> = report
                    .iter()
                    .filter(|r| {
                        PREPARED_BY.contains(&r.rule)
                            && r.severity == Severity::Error
                            && r.outcome == Outcome::Fail
                    })
                    .map(|r| r.rule)
                    .collect();
                if failing.is_empty() {
                    Ok(RepositoryPrepared)
                } else {
                    Err(Guard::NotPrepared(failing))
                }
            }
            (RepositoryPrepared, Step::Publish { url, .. }) => {
                required(url, "the repository's URL")?;
                Ok(Published)
            }
            (Published, Step::Onboard { ipa }) => {
                if crate::publiccode::is_ipa_code(ipa) {
                    Ok(OrganisationOnboarded)
                } else {
                    Err(Guard::IpaCode(ipa.clone()))
                }
            }
            (Published | OrganisationOnboarded, Step::Index { valid, .. }) => {
                if *valid {
                    Ok(Indexed)
                } else {
                    Err(Guard::InvalidFile)
                }
            }
            (Published | OrganisationOnboarded | Indexed, Step::IndexingFailed { .. }) => {
                Ok(RepositoryPrepared)
            }
            (Indexed | Unmaintained, Step::Maintain { kind, until, today }) => {
                let current = match kind.as_str() {
                    "none" | "" => false,
                    "contract" => until.is_some_and(|u| u >= *today),
                    _ => true,
                };
                if current {
                    Ok(Maintained)
                } else {
                    Err(Guard::NotMaintained)
                }
            }
            (Maintained, Step::Lapse { reason }) => {
                required(reason, "the reason")?;
                Ok(Unmaintained)
            }
            (Maintained | Unmaintained, Step::Retire) => Ok(Obsolete),
            _ => Err(not_from()),
        }
    }
}

/// Where an item of the owner's checklist stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    /// The latest crawl shows it done.
    Done,
    /// The latest crawl shows it is not.
    ToDo,
    /// Only a person can confirm it.
    ToConfirm,
    /// The crawl does not know yet (no clone, no index).
    Unknown,
}

/// An item of the owner's release checklist (§8.2, Annex A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Item {
    /// Ownership of the code is established.
    Ownership,
    /// The repository is public and not archived.
    PublicRepository,
    /// The platform offers the features of §2.3.
    HostingFeatures,
    /// An OSI licence, recommended or motivated.
    Licence,
    /// LICENSE, README, documentation, a valid publiccode.yml with the own IPA code.
    RepositoryPrepared,
    /// The publiccode.yml was found at the root and read.
    Published,
    /// The organisation is onboarded: the source confirms the publisher.
    OrganisationOnboarded,
    /// The catalog indexed a valid file.
    Indexed,
    /// Maintenance is current.
    Maintained,
}

/// One line of the owner's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistLine {
    /// The item.
    pub item: Item,
    /// Where it stands.
    pub status: ItemStatus,
    /// The rules it was derived from, those that failed first.
    pub rules: Vec<RuleId>,
    /// What to do next, or what was found.
    pub detail: String,
}

/// The owner's release checklist of an entry, from the latest rule `results`, in the order of
/// the release case's states.
#[must_use]
pub fn checklist(results: &[RuleResult]) -> Vec<ChecklistLine> {
    let of = |rules: &[RuleId]| -> Vec<&RuleResult> {
        rules
            .iter()
            .filter_map(|id| results.iter().find(|r| r.rule == *id))
            .collect()
    };
    let derive = |item: Item, rules: &[RuleId], done: &str| -> ChecklistLine {
        let found = of(rules);
        let failed: Vec<&&RuleResult> = found
            .iter()
            .filter(|r| r.outcome == Outcome::Fail && r.severity != Severity::Info)
            .collect();
        let unknown = found.iter().any(|r| r.outcome == Outcome::Unknown);
        let (status, detail) = if let Some(first) = failed.first() {
            (
                ItemStatus::ToDo,
                format!("{}: {}", first.rule, first.detail),
            )
        } else if unknown || found.is_empty() {
            (
                ItemStatus::Unknown,
                "the crawl has not seen it yet".to_owned(),
            )
        } else {
            (ItemStatus::Done, done.to_owned())
        };
        let mut rules: Vec<RuleId> = failed.iter().map(|r| r.rule).collect();
        for r in &found {
            if !rules.contains(&r.rule) {
                rules.push(r.rule);
            }
        }
        ChecklistLine {
            item,
            status,
            rules,
            detail,
        }
    };
    let person = |item: Item, detail: &str| ChecklistLine {
        item,
        status: ItemStatus::ToConfirm,
        rules: Vec::new(),
        detail: detail.to_owned(),
    };
    let mut licence = derive(
        Item::Licence,
        &[RuleId::LicenceSpdx, RuleId::LicenceOsi],
        "an OSI-approved SPDX licence",
    );
    if licence.status == ItemStatus::Done
        && of(&[RuleId::LicenceRecommended])
            .first()
            .is_some_and(|r| r.outcome == Outcome::Fail)
    {
        licence.status = ItemStatus::ToConfirm;
        licence.rules.push(RuleId::LicenceRecommended);
        licence.detail =
            "not a recommended licence: record the motivation with its compatibility analysis"
                .to_owned();
    }
    vec![
        person(
            Item::Ownership,
            "confirm the contract clause or the internal development that makes the administration the owner",
        ),
        derive(
            Item::PublicRepository,
            &[RuleId::RepoPublic, RuleId::RepoNotArchived],
            "public and not archived",
        ),
        person(
            Item::HostingFeatures,
            "confirm the platform offers issues, merge requests, releases and an API to everyone",
        ),
        licence,
        derive(
            Item::RepositoryPrepared,
            &[
                RuleId::LicenceFile,
                RuleId::ReadmeEssentials,
                RuleId::DocsOpenFormat,
                RuleId::KeysDeprecated,
                RuleId::IpaValid,
            ],
            "LICENSE, README and documentation in order",
        ),
        derive(
            Item::Published,
            &[RuleId::UrlMatchesRepository],
            "publiccode.yml found at the root of its own repository",
        ),
        derive(
            Item::OrganisationOnboarded,
            &[RuleId::IpaMatchesPublisher],
            "the onboarded organisation confirms the publisher",
        ),
        derive(
            Item::Indexed,
            &[RuleId::FileValid],
            "indexed with a valid file",
        ),
        derive(
            Item::Maintained,
            &[
                RuleId::MaintenanceCurrent,
                RuleId::VitalityThreshold,
                RuleId::ActivityThreshold,
            ],
            "maintained and active",
        ),
    ]
}

/// The first item of `checklist` that is not done: what the owner should do next.
#[must_use]
pub fn next_item(checklist: &[ChecklistLine]) -> Option<&ChecklistLine> {
    checklist
        .iter()
        .find(|line| matches!(line.status, ItemStatus::ToDo))
        .or_else(|| {
            checklist
                .iter()
                .find(|line| line.status == ItemStatus::ToConfirm)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn result(rule: RuleId, outcome: Outcome) -> RuleResult {
        RuleResult {
            rule,
            outcome,
            severity: rule.severity(),
            key_path: String::new(),
            detail: format!("{rule} {}", outcome.as_str()),
        }
    }

    fn all_features() -> PlatformFeatures {
        PlatformFeatures {
            anonymous_read: true,
            open_registration: true,
            web_ui: true,
            branches: true,
            issue_tracker: true,
            merge_requests: true,
            releases: true,
            api: true,
        }
    }

    /// Every step with a valid evidence.
    fn steps() -> Vec<Step> {
        vec![
            Step::AssessOwnership {
                basis: "art. 5 of the contract".to_owned(),
            },
            Step::Exempt {
                ground: ExemptionGround::Defence,
                motivation: "classified".to_owned(),
            },
            Step::ChooseHosting {
                url: "https://github.com/comune".to_owned(),
                features: all_features(),
            },
            Step::ChooseLicence {
                spdx: "EUPL-1.2".to_owned(),
                motivation: None,
            },
            Step::Prepare {
                report: vec![result(RuleId::LicenceFile, Outcome::Pass)],
            },
            Step::Publish {
                url: "https://github.com/comune/app".to_owned(),
                first_release: day(1),
            },
            Step::Onboard {
                ipa: "c_h501".to_owned(),
            },
            Step::Index {
                snapshot: 1,
                valid: true,
            },
            Step::IndexingFailed { snapshot: 1 },
            Step::Maintain {
                kind: "internal".to_owned(),
                until: None,
                today: day(6),
            },
            Step::Lapse {
                reason: "the contract ended".to_owned(),
            },
            Step::Retire,
        ]
    }

    #[test]
    fn every_allowed_step_succeeds_and_every_other_is_refused() {
        use State::*;
        let allowed: &[(State, &str, State)] = &[
            (Identified, "assess-ownership", OwnershipAssessed),
            (OwnershipAssessed, "exempt", Exempt),
            (OwnershipAssessed, "choose-hosting", CodeHostingChosen),
            (CodeHostingChosen, "choose-licence", LicenceChosen),
            (LicenceChosen, "prepare", RepositoryPrepared),
            (RepositoryPrepared, "prepare", RepositoryPrepared),
            (RepositoryPrepared, "publish", Published),
            (Published, "onboard", OrganisationOnboarded),
            (Published, "index", Indexed),
            (OrganisationOnboarded, "index", Indexed),
            (Published, "indexing-failed", RepositoryPrepared),
            (OrganisationOnboarded, "indexing-failed", RepositoryPrepared),
            (Indexed, "indexing-failed", RepositoryPrepared),
            (Indexed, "maintain", Maintained),
            (Unmaintained, "maintain", Maintained),
            (Maintained, "lapse", Unmaintained),
            (Maintained, "retire", Obsolete),
            (Unmaintained, "retire", Obsolete),
        ];
        let states = [
            Identified,
            OwnershipAssessed,
            Exempt,
            CodeHostingChosen,
            LicenceChosen,
            RepositoryPrepared,
            Published,
            OrganisationOnboarded,
            Indexed,
            Maintained,
            Unmaintained,
            Obsolete,
        ];
        let mut seen = 0;
        for from in states {
            for step in steps() {
                let expected = allowed
                    .iter()
                    .find(|(f, s, _)| *f == from && *s == step.name())
                    .map(|(_, _, to)| *to);
                match expected {
                    Some(to) => {
                        assert_eq!(from.next(&step), Ok(to), "{} from {from:?}", step.name());
                        seen += 1;
                    }
                    None => assert_eq!(
                        from.next(&step),
                        Err(Guard::NotFrom {
                            from,
                            step: step.name()
                        })
                    ),
                }
            }
        }
        assert_eq!(seen, allowed.len());
    }

    #[test]
    fn the_guards_say_which_one_failed() {
        use State::*;
        let cases = [
            (
                Identified,
                Step::AssessOwnership {
                    basis: " ".to_owned(),
                },
                Guard::Missing("the ownership basis"),
            ),
            (
                OwnershipAssessed,
                Step::ChooseHosting {
                    url: "https://git.comune.it".to_owned(),
                    features: PlatformFeatures {
                        issue_tracker: false,
                        ..all_features()
                    },
                },
                Guard::PlatformFeatures(vec!["issue tracker"]),
            ),
            (
                CodeHostingChosen,
                Step::ChooseLicence {
                    spdx: "CC-BY-NC-4.0".to_owned(),
                    motivation: Some("why not".to_owned()),
                },
                Guard::Licence("CC-BY-NC-4.0".to_owned()),
            ),
            (
                CodeHostingChosen,
                Step::ChooseLicence {
                    spdx: "Apache-2.0".to_owned(),
                    motivation: None,
                },
                Guard::NeedsMotivation,
            ),
            (
                LicenceChosen,
                Step::Prepare {
                    report: vec![
                        result(RuleId::LicenceFile, Outcome::Fail),
                        result(RuleId::ReadmeEssentials, Outcome::Fail),
                    ],
                },
                Guard::NotPrepared(vec![RuleId::LicenceFile]),
            ),
            (
                Published,
                Step::Onboard {
                    ipa: "not_a_code_at_all".to_owned(),
                },
                Guard::IpaCode("not_a_code_at_all".to_owned()),
            ),
            (
                Published,
                Step::Index {
                    snapshot: 2,
                    valid: false,
                },
                Guard::InvalidFile,
            ),
            (
                Indexed,
                Step::Maintain {
                    kind: "contract".to_owned(),
                    until: Some(day(5)),
                    today: day(6),
                },
                Guard::NotMaintained,
            ),
        ];
        for (from, step, guard) in cases {
            assert_eq!(from.next(&step), Err(guard), "{}", step.name());
        }
        // A motivated licence outside the recommendation is accepted.
        assert_eq!(
            CodeHostingChosen.next(&Step::ChooseLicence {
                spdx: "Apache-2.0".to_owned(),
                motivation: Some("compatibility with the upstream library".to_owned()),
            }),
            Ok(LicenceChosen)
        );
    }

    #[test]
    fn the_checklist_comes_from_the_rule_results() {
        let mut results: Vec<RuleResult> = RuleId::ALL
            .iter()
            .map(|r| result(*r, Outcome::Pass))
            .collect();
        let all_done = checklist(&results);
        assert_eq!(all_done.len(), 9);
        assert!(
            all_done
                .iter()
                .all(|l| l.status == ItemStatus::Done || l.status == ItemStatus::ToConfirm)
        );
        assert_eq!(next_item(&all_done).map(|l| l.item), Some(Item::Ownership));
        for r in &mut results {
            match r.rule {
                RuleId::LicenceFile => r.outcome = Outcome::Fail,
                RuleId::LicenceRecommended => r.outcome = Outcome::Fail,
                RuleId::VitalityThreshold => r.outcome = Outcome::Unknown,
                _ => {}
            }
        }
        let lines = checklist(&results);
        let line = |item| lines.iter().find(|l| l.item == item).unwrap();
        assert_eq!(line(Item::RepositoryPrepared).status, ItemStatus::ToDo);
        assert_eq!(line(Item::RepositoryPrepared).rules[0], RuleId::LicenceFile);
        assert_eq!(line(Item::Licence).status, ItemStatus::ToConfirm);
        assert_eq!(line(Item::Maintained).status, ItemStatus::Unknown);
        assert_eq!(line(Item::PublicRepository).status, ItemStatus::Done);
        assert_eq!(
            next_item(&lines).map(|l| l.item),
            Some(Item::RepositoryPrepared)
        );
    }
}
