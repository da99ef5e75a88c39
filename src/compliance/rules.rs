//! The rules: every automatic (✅, and the automatable part of ⚠️) check of §5.3 as a named
//! rule with a stable id, a severity and the guideline section it enforces, and [`evaluate`],
//! which runs them all over [`Facts`] gathered beforehand.
//!
//! A rule's id never changes once released: stored results, filters and translations key on
//! it. Changing what a rule decides changes [`super::RULESET_VERSION`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::facts::{Declared, Facts};
use super::licence::{self, Licence, TextMatch};
use super::repository::{self, ReadmeItem};
use crate::publiccode::{self, Code, Severity as DiagnosticSeverity};

/// The vitality index below which an entry is flagged (0–100).
pub const VITALITY_MIN: f64 = 20.0;

/// Commits in the vitality window (60 days) below which an entry is flagged as inactive.
pub const ACTIVITY_MIN_COMMITS: u32 = 1;

/// How much a failed rule weighs in a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A requirement of the law or of Annex A (MUST): the entry cannot be compliant.
    Error,
    /// A recommendation (SHOULD) or a heuristic: a remark for the reviewer.
    Warning,
    /// Worth knowing, never a reason to refuse.
    Info,
}

impl Severity {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }

    /// The severity a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Error, Self::Warning, Self::Info]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What a rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The requirement is met.
    Pass,
    /// It is not.
    Fail,
    /// It does not apply to this entry (no `isBasedOn`, no `usedBy`, no IPA code claimed).
    NotApplicable,
    /// A fact it needs is missing (no clone of the repository yet, no vitality index).
    Unknown,
}

impl Outcome {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotApplicable => "not-applicable",
            Self::Unknown => "unknown",
        }
    }

    /// The outcome a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pass, Self::Fail, Self::NotApplicable, Self::Unknown]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

macro_rules! rules {
    ($($variant:ident => $id:literal, $severity:ident, $section:literal, $what:literal;)*) => {
        /// A rule of the rule set.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $(#[doc = $what] $variant,)*
        }

        impl RuleId {
            /// Every rule, in the order they run and are shown.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The stable id (`licence.osi`).
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $id,)* }
            }

            /// How much a failure weighs.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $(Self::$variant => Severity::$severity,)* }
            }

            /// The section of the guidelines' notes (`reference/agid-guidelines.md`) it enforces.
            #[must_use]
            pub fn section(self) -> &'static str {
                match self { $(Self::$variant => $section,)* }
            }

            /// What it checks, in one English line.
            #[must_use]
            pub fn describe(self) -> &'static str {
                match self { $(Self::$variant => $what,)* }
            }
        }
    };
}

rules! {
    FileValid => "file.valid", Error, "§2.6, §5.3",
        "publiccode.yml is at the repository root and passes validation.";
    KeysDeprecated => "keys.deprecated", Warning, "§5.1, §5.3",
        "publiccode.yml uses no deprecated key (IT/it sections, conforme, codiceIPA, repoOwner) and the current version.";
    UrlMatchesRepository => "url.matches-repository", Error, "§2.8, §5.3",
        "`url` is the repository the file was found in (otherwise the file is a technical fork).";
    VariantIsBasedOn => "variant.is-based-on", Warning, "§4, §5.3",
        "A variant names what it is based on in `isBasedOn`, and not itself.";
    RepoPublic => "repo.public", Error, "§2.3, §5.3",
        "The repository is public: anyone may read it without an account.";
    RepoNotArchived => "repo.not-archived", Error, "§2.8, §5.3",
        "The repository is not archived (read-only), which the catalog skips.";
    LicenceSpdx => "licence.spdx", Error, "§2.4, §5.3",
        "`legal.license` is a valid SPDX licence expression.";
    LicenceOsi => "licence.osi", Error, "§2.4, §5.3",
        "The licence is OSI-approved (documentation licences CC-BY-4.0, CC-BY-SA-4.0 and CC0-1.0 allowed beside it).";
    LicenceRecommended => "licence.recommended", Warning, "§2.4 (§3.5.3), §5.3",
        "The licence is one the decision tree recommends (EUPL-1.2, AGPL-3.0-or-later, BSD-3-Clause); any other needs a motivation.";
    LicenceFile => "licence.file", Error, "§2.5 (Annex A), §5.3",
        "A LICENSE file at the root holds the licence's full text.";
    ReadmeEssentials => "readme.essentials", Warning, "§2.5 (Annex A), §5.3",
        "The README has Annex A's MUST items: title, installation, status, copyright holder, maintainers, security e-mail.";
    DocsOpenFormat => "docs.open-format", Warning, "§2.5 (Annex A), §5.3",
        "Documentation is not only in DOCX, ODT or PDF.";
    IpaValid => "ipa.valid", Error, "§6, §5.3",
        "The publisher's IPA code (`organisation.uri` or `IT.riuso.codiceIPA`) is in the IPA registry.";
    IpaMatchesPublisher => "ipa.matches-publisher", Warning, "§2.8, §5.3",
        "The publisher's IPA code is the one of the onboarded organisation the entry was crawled from.";
    MaintenanceCurrent => "maintenance.current", Error, "§5.2, §8.2, §5.3",
        "Maintenance is current: `maintenance.type` is not `none`, a contract has not ended, `developmentStatus` is not `obsolete`.";
    VitalityThreshold => "vitality.threshold", Warning, "§1.4, §5.3",
        "The vitality index is at least 20 of 100.";
    ActivityThreshold => "activity.threshold", Warning, "§1.4, §5.3",
        "The repository had at least one commit in the vitality window (60 days).";
    UsedByIpa => "usedby.ipa", Info, "§4, §5.3",
        "Every `usedBy` name is matched to an administration of the IPA registry.";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RuleId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown rule {s:?}"))
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What one rule said of one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule.
    pub rule: RuleId,
    /// What it found.
    pub outcome: Outcome,
    /// Its severity (the rule's).
    pub severity: Severity,
    /// The key path (`legal.license`) or repository fact (`repository.archived`,
    /// `files:LICENSE`) it looked at.
    pub key_path: String,
    /// What it saw, in English, for the finding.
    pub detail: String,
}

impl RuleResult {
    /// Whether it counts against the entry: a failure of an error or a warning.
    #[must_use]
    pub fn is_finding(&self) -> bool {
        self.outcome == Outcome::Fail && self.severity != Severity::Info
    }
}

/// Runs every rule of the rule set over `facts`, in [`RuleId::ALL`]'s order.
#[must_use]
pub fn evaluate(facts: &Facts) -> Vec<RuleResult> {
    let declared = Declared::of(&facts.file);
    let licence = declared.licence.as_deref().map(Licence::parse);
    let cx = Cx {
        facts,
        declared: &declared,
        licence: licence.as_ref(),
    };
    RuleId::ALL.iter().map(|&rule| cx.run(rule)).collect()
}

/// What every rule shares in one evaluation.
struct Cx<'a> {
    facts: &'a Facts,
    declared: &'a Declared,
    licence: Option<&'a Result<Licence, String>>,
}

/// A rule's verdict before it is labelled with the rule.
struct Verdict {
    outcome: Outcome,
    key_path: String,
    detail: String,
}

fn verdict(outcome: Outcome, key_path: impl Into<String>, detail: impl Into<String>) -> Verdict {
    Verdict {
        outcome,
        key_path: key_path.into(),
        detail: detail.into(),
    }
}

const FILE: &str = "publiccode.yml";
const NO_CLONE: &str = "the repository's files are not at hand yet (no clone of it)";
const UNREADABLE: &str = "the file could not be read";

impl Cx<'_> {
    fn run(&self, rule: RuleId) -> RuleResult {
        let v = match rule {
            RuleId::FileValid => self.file_valid(),
            RuleId::KeysDeprecated => self.keys_deprecated(),
            RuleId::UrlMatchesRepository => self.url_matches(),
            RuleId::VariantIsBasedOn => self.variant(),
            RuleId::RepoPublic => self.repo_public(),
            RuleId::RepoNotArchived => self.repo_not_archived(),
            RuleId::LicenceSpdx => self.licence_spdx(),
            RuleId::LicenceOsi => self.licence_osi(),
            RuleId::LicenceRecommended => self.licence_recommended(),
            RuleId::LicenceFile => self.licence_file(),
            RuleId::ReadmeEssentials => self.readme(),
            RuleId::DocsOpenFormat => self.docs(),
            RuleId::IpaValid => self.ipa_valid(),
            RuleId::IpaMatchesPublisher => self.ipa_publisher(),
            RuleId::MaintenanceCurrent => self.maintenance(),
            RuleId::VitalityThreshold => self.vitality(),
            RuleId::ActivityThreshold => self.activity(),
            RuleId::UsedByIpa => self.used_by(),
        };
        RuleResult {
            rule,
            outcome: v.outcome,
            severity: rule.severity(),
            key_path: v.key_path,
            detail: v.detail,
        }
    }

    fn file_valid(&self) -> Verdict {
        let file = &self.facts.file;
        if !file.at_root {
            return verdict(
                Outcome::Fail,
                FILE,
                "publiccode.yml is not at the repository root",
            );
        }
        if file.valid {
            return verdict(Outcome::Pass, FILE, "valid");
        }
        let errors: Vec<_> = file.diagnostics.iter().filter(|d| d.is_error()).collect();
        let first = errors.first().map_or(String::new(), |d| {
            format!(": {}:{}: {} ({})", d.line, d.column, d.message, d.code)
        });
        let key = errors.first().map_or(FILE, |d| d.key.as_str());
        verdict(
            Outcome::Fail,
            if key.is_empty() { FILE } else { key },
            format!("{} error(s){first}", errors.len()),
        )
    }

    fn keys_deprecated(&self) -> Verdict {
        let file = &self.facts.file;
        if !file.valid && file.raw.is_none() {
            return verdict(Outcome::Unknown, FILE, UNREADABLE);
        }
        let old: Vec<_> = file
            .diagnostics
            .iter()
            .filter(|d| {
                d.severity == DiagnosticSeverity::Warning
                    && matches!(d.code, Code::Deprecated | Code::OldVersion)
            })
            .collect();
        match old.first() {
            None => verdict(Outcome::Pass, FILE, "no deprecated key"),
            Some(first) => {
                let mut keys: Vec<&str> = old.iter().map(|d| d.key.as_str()).collect();
                keys.dedup();
                verdict(
                    Outcome::Fail,
                    first.key.clone(),
                    format!("deprecated: {}", keys.join(", ")),
                )
            }
        }
    }

    fn url_matches(&self) -> Verdict {
        let Some(url) = &self.declared.url else {
            return verdict(Outcome::Unknown, "url", "no `url` could be read");
        };
        let repo = &self.facts.repository.url;
        if same_repository(url, repo) {
            verdict(Outcome::Pass, "url", format!("{url} is the repository"))
        } else {
            verdict(
                Outcome::Fail,
                "url",
                format!("`url` is {url}, but the file was found in {repo}: a technical fork"),
            )
        }
    }

    fn variant(&self) -> Verdict {
        let repo = &self.facts.repository.url;
        let based = &self.declared.is_based_on;
        if based.iter().any(|b| same_repository(b, repo)) {
            return verdict(
                Outcome::Fail,
                "isBasedOn",
                "`isBasedOn` names the repository itself; it names the upstream a variant derives from",
            );
        }
        let own_url = self
            .declared
            .url
            .as_deref()
            .is_some_and(|u| same_repository(u, repo));
        match (based.is_empty(), own_url) {
            (true, true) => verdict(Outcome::NotApplicable, "isBasedOn", "not a variant"),
            (false, true) => verdict(
                Outcome::Pass,
                "isBasedOn",
                format!("a variant of {}", based.join(", ")),
            ),
            (true, false) => verdict(
                Outcome::Fail,
                "isBasedOn",
                "the file describes another repository: a variant sets its own `url` and names the original in `isBasedOn`",
            ),
            (false, false) => verdict(
                Outcome::Fail,
                "url",
                format!(
                    "a variant of {} must set `url` to its own repository",
                    based.join(", ")
                ),
            ),
        }
    }

    fn repo_public(&self) -> Verdict {
        if self.facts.repository.private {
            verdict(
                Outcome::Fail,
                "repository.private",
                "the forge says the repository is private",
            )
        } else {
            verdict(Outcome::Pass, "repository.private", "public")
        }
    }

    fn repo_not_archived(&self) -> Verdict {
        if self.facts.repository.archived {
            verdict(
                Outcome::Fail,
                "repository.archived",
                "the forge says the repository is archived",
            )
        } else {
            verdict(Outcome::Pass, "repository.archived", "not archived")
        }
    }

    fn licence_spdx(&self) -> Verdict {
        const KEY: &str = "legal.license";
        match (self.licence, &self.declared.licence) {
            (Some(Ok(l)), Some(text)) => match &l.canonical {
                None => verdict(Outcome::Pass, KEY, text.clone()),
                Some(canonical) => {
                    verdict(Outcome::Pass, KEY, format!("{text} (write it {canonical})"))
                }
            },
            (Some(Err(reason)), Some(text)) => verdict(
                Outcome::Fail,
                KEY,
                format!("{text:?} is not an SPDX expression: {reason}"),
            ),
            _ => verdict(Outcome::Fail, KEY, "no licence is declared"),
        }
    }

    fn licence_osi(&self) -> Verdict {
        const KEY: &str = "legal.license";
        match self.licence {
            Some(Ok(l)) => match l.osi_approved() {
                Ok(()) => verdict(Outcome::Pass, KEY, "OSI-approved"),
                Err(terms) => verdict(
                    Outcome::Fail,
                    KEY,
                    format!("not OSI-approved software licences: {}", terms.join(", ")),
                ),
            },
            _ => verdict(Outcome::Unknown, KEY, "no valid licence expression"),
        }
    }

    fn licence_recommended(&self) -> Verdict {
        const KEY: &str = "legal.license";
        match self.licence {
            Some(Ok(l)) if l.recommended() => verdict(Outcome::Pass, KEY, "recommended"),
            Some(Ok(_)) => {
                let detail = if self.declared.is_based_on.is_empty() {
                    "not EUPL-1.2, AGPL-3.0-or-later or BSD-3-Clause: the choice needs a motivation with a compatibility analysis"
                } else {
                    "a variant keeps the licence of what it is based on: a reviewer compares it with the upstream's"
                };
                verdict(Outcome::Fail, KEY, detail)
            }
            _ => verdict(Outcome::Unknown, KEY, "no valid licence expression"),
        }
    }

    fn licence_file(&self) -> Verdict {
        let Some(files) = &self.facts.files else {
            return verdict(Outcome::Unknown, "files:LICENSE", NO_CLONE);
        };
        let Some(file) = &files.licence else {
            return verdict(
                Outcome::Fail,
                "files:LICENSE",
                "no LICENSE (or LICENCE, COPYING) file at the repository root",
            );
        };
        let key = format!("files:{}", file.path);
        let ids: Vec<&str> = match self.licence {
            Some(Ok(l)) => l.ids().collect(),
            _ => Vec::new(),
        };
        let digest = short_digest(file.text.as_bytes());
        match licence::match_text(&file.text, ids) {
            TextMatch::Declared(id) => verdict(
                Outcome::Pass,
                key,
                format!("the full text of {id} (sha256 {digest})"),
            ),
            TextMatch::Other => verdict(
                Outcome::Pass,
                key,
                format!(
                    "a licence text of {} bytes not recognised as the declared licence (sha256 {digest})",
                    file.text.len()
                ),
            ),
            TextMatch::Stub => verdict(
                Outcome::Fail,
                key,
                format!(
                    "{} bytes: too short for a licence's full text, which Annex A asks for (sha256 {digest})",
                    file.text.trim().len()
                ),
            ),
        }
    }

    fn readme(&self) -> Verdict {
        let Some(files) = &self.facts.files else {
            return verdict(Outcome::Unknown, "files:README", NO_CLONE);
        };
        let key = files.readme.as_ref().map_or_else(
            || "files:README".to_owned(),
            |r| format!("files:{}", r.path),
        );
        let missing = repository::readme_missing(files);
        if missing.is_empty() {
            return verdict(Outcome::Pass, key, "every item found");
        }
        if files.readme.is_none() {
            return verdict(Outcome::Fail, key, "no README at the repository root");
        }
        let names: Vec<&str> = missing.iter().map(|m: &ReadmeItem| m.as_str()).collect();
        verdict(
            Outcome::Fail,
            key,
            format!("not found: {}", names.join(", ")),
        )
    }

    fn docs(&self) -> Verdict {
        let office_link = self
            .declared
            .documentation
            .iter()
            .find(|u| repository::is_office_url(u));
        let Some(files) = &self.facts.files else {
            if let Some(link) = office_link {
                return verdict(
                    Outcome::Fail,
                    "description.documentation",
                    format!("the documentation is a document in an office format: {link}"),
                );
            }
            return verdict(Outcome::Unknown, "files:docs", NO_CLONE);
        };
        let formats = repository::doc_formats(&files.paths);
        if formats.text > 0 {
            return verdict(
                Outcome::Pass,
                "files:docs",
                format!("{} documentation file(s) in text formats", formats.text),
            );
        }
        if let Some(n) = formats.first_office {
            let first = files.paths.get(n).map_or("", String::as_str);
            return verdict(
                Outcome::Fail,
                format!("files:{first}"),
                format!(
                    "{} documentation file(s), only in DOCX, ODT or PDF: Annex A asks for a line-diffable format (Markdown, reStructuredText, HTML)",
                    formats.office
                ),
            );
        }
        if let Some(link) = office_link {
            return verdict(
                Outcome::Fail,
                "description.documentation",
                format!("the documentation is a document in an office format: {link}"),
            );
        }
        verdict(
            Outcome::NotApplicable,
            "files:docs",
            "no documentation apart from the README",
        )
    }

    fn ipa_valid(&self) -> Verdict {
        match &self.declared.ipa {
            None => verdict(
                Outcome::NotApplicable,
                "organisation.uri",
                "no IPA code is claimed (not a public administration's file)",
            ),
            Some((code, key)) if publiccode::is_ipa_code(code) => {
                verdict(Outcome::Pass, *key, code.clone())
            }
            Some((code, key)) => verdict(Outcome::Fail, *key, format!("{code} is not an IPA code")),
        }
    }

    fn ipa_publisher(&self) -> Verdict {
        match &self.declared.ipa {
            None => verdict(
                Outcome::NotApplicable,
                "organisation.uri",
                "no IPA code is claimed",
            ),
            Some((code, key)) if self.facts.publisher.verified => verdict(
                Outcome::Pass,
                *key,
                format!("{code} is the onboarded organisation's code"),
            ),
            Some((code, key)) => verdict(
                Outcome::Fail,
                *key,
                format!(
                    "the source the entry was crawled from does not confirm {code}: it is claimed, not verified"
                ),
            ),
        }
    }

    fn maintenance(&self) -> Verdict {
        let d = self.declared;
        if d.development_status.as_deref() == Some("obsolete") {
            return verdict(
                Outcome::Fail,
                "developmentStatus",
                "the software is declared obsolete",
            );
        }
        match d.maintenance.as_deref() {
            None => verdict(Outcome::Unknown, "maintenance.type", "no maintenance type"),
            Some("none") => verdict(
                Outcome::Fail,
                "maintenance.type",
                "the software is declared unmaintained (`none`)",
            ),
            Some("contract") => {
                let today = self.facts.today;
                match d.contractors_until.iter().max() {
                    Some(until) if *until >= today => verdict(
                        Outcome::Pass,
                        "maintenance.contractors",
                        format!("under contract until {until}"),
                    ),
                    Some(until) => verdict(
                        Outcome::Fail,
                        "maintenance.contractors",
                        format!("every maintenance contract has ended (the last on {until})"),
                    ),
                    None => verdict(
                        Outcome::Fail,
                        "maintenance.contractors",
                        "maintained by contract, with no contractor",
                    ),
                }
            }
            Some(kind) => verdict(Outcome::Pass, "maintenance.type", kind.to_owned()),
        }
    }

    fn vitality(&self) -> Verdict {
        const KEY: &str = "repository.vitality";
        match &self.facts.vitality {
            None => verdict(Outcome::Unknown, KEY, "not computed yet"),
            Some(v) if v.index >= VITALITY_MIN => {
                verdict(Outcome::Pass, KEY, format!("{:.0} of 100", v.index))
            }
            Some(v) => verdict(
                Outcome::Fail,
                KEY,
                format!("{:.0} of 100, below {VITALITY_MIN:.0}", v.index),
            ),
        }
    }

    fn activity(&self) -> Verdict {
        const KEY: &str = "repository.commits";
        match self.facts.vitality.as_ref().and_then(|v| v.facts.as_ref()) {
            None => verdict(Outcome::Unknown, KEY, "the history has not been read yet"),
            Some(f) if f.commits >= ACTIVITY_MIN_COMMITS => verdict(
                Outcome::Pass,
                KEY,
                format!(
                    "{} commit(s) by {} author(s) in the window",
                    f.commits, f.authors
                ),
            ),
            Some(_) => verdict(Outcome::Fail, KEY, "no commit in the last 60 days"),
        }
    }

    fn used_by(&self) -> Verdict {
        let used = &self.facts.used_by;
        if used.is_empty() {
            return verdict(Outcome::NotApplicable, "usedBy", "no `usedBy`");
        }
        let unmatched: Vec<&str> = used
            .iter()
            .filter(|u| u.ipa_code.is_none())
            .map(|u| u.name.as_str())
            .collect();
        if unmatched.is_empty() {
            verdict(
                Outcome::Pass,
                "usedBy",
                format!(
                    "{} name(s), each an administration of the registry",
                    used.len()
                ),
            )
        } else {
            verdict(
                Outcome::Fail,
                "usedBy",
                format!("not matched to the IPA registry: {}", unmatched.join(", ")),
            )
        }
    }
}

/// Whether two URLs name the same repository: scheme `http`/`https`, a `www.` prefix, the
/// case of the host and path, a trailing `/` or `.git` apart.
#[must_use]
pub fn same_repository(a: &str, b: &str) -> bool {
    fn norm(u: &str) -> String {
        let u = u.trim().to_ascii_lowercase();
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .unwrap_or(&u);
        let u = u.strip_prefix("www.").unwrap_or(u);
        let u = u.trim_end_matches('/');
        u.strip_suffix(".git").unwrap_or(u).to_owned()
    }
    norm(a) == norm(b)
}

/// The first 12 hex digits of the SHA-256 of `bytes`, so a finding says which text it saw and
/// a changed text shows in the results.
fn short_digest(bytes: &[u8]) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_id_and_a_section() {
        let mut ids: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert_eq!(count, 18);
        for rule in RuleId::ALL {
            assert!(rule.section().starts_with('§'), "{rule}");
            assert_eq!(rule.as_str().parse::<RuleId>(), Ok(*rule));
        }
    }

    #[test]
    fn repositories_compare_without_their_spelling() {
        assert!(same_repository(
            "https://github.com/Italia/App.git/",
            "http://www.github.com/italia/app"
        ));
        assert!(!same_repository(
            "https://github.com/italia/app",
            "https://github.com/fork/app"
        ));
    }
}
