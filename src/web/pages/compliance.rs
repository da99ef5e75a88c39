//! What the pages show of compliance: a rule's result, a finding and a review's outcome in the
//! reader's language, and the compliance section of a software page (the review's state and
//! outcome, the findings with the fixes requested, the automatic checks with how to fix each),
//! which the reviewers' page builds on.

use crate::compliance::entities::rule_results;
use crate::compliance::queue::Overview;
use crate::compliance::review::{ChecklistItem, Finding, State, Subject, Transition, Verdict};
use crate::compliance::rules::{RuleId, Severity};
use crate::compliance::store;
use crate::i18n::Lang;

/// The message key of a review state.
#[must_use]
pub fn state_key(state: State) -> String {
    format!("review.state.{}", state.as_str())
}

/// The stored form of a checklist item (`declared-compliance`).
#[must_use]
pub fn item_str(item: ChecklistItem) -> &'static str {
    match item {
        ChecklistItem::DeclaredCompliance => "declared-compliance",
        ChecklistItem::Ownership => "ownership",
        ChecklistItem::LicenceMotivation => "licence-motivation",
        ChecklistItem::AccessibilityDeclaration => "accessibility-declaration",
        ChecklistItem::CopyrightHolder => "copyright-holder",
    }
}

/// The stored form of a verdict.
#[must_use]
pub fn verdict_str(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Confirmed => "confirmed",
        Verdict::Problem => "problem",
        Verdict::NotApplicable => "not-applicable",
    }
}

/// The CSS class of a state's badge (colour is never the only sign: the label says it).
#[must_use]
pub fn state_class(state: State) -> &'static str {
    match state {
        State::Compliant => "bg-success",
        State::CompliantWithRemarks => "bg-info text-dark",
        State::NonCompliant => "bg-danger",
        State::UnderReview => "bg-primary",
        State::Deactivated => "bg-dark",
        State::Discovered | State::AutoChecked => "bg-secondary",
    }
}

/// What a rule checks, in `lang`.
#[must_use]
pub fn rule_what(lang: Lang, rule: RuleId) -> String {
    lang.lookup(&format!("rule_what.{}", rule.as_str()))
        .unwrap_or(rule.describe())
        .to_owned()
}

/// How to fix a rule's failure, in `lang`.
#[must_use]
pub fn rule_fix(lang: Lang, rule: RuleId) -> String {
    lang.lookup(&format!("rule_fix.{}", rule.as_str()))
        .unwrap_or_default()
        .to_owned()
}

/// One result of a rule, as shown.
pub struct ResultView {
    /// The rule's id (`licence.osi`).
    pub rule: &'static str,
    /// What it checks.
    pub what: String,
    /// How to fix a failure.
    pub fix: String,
    /// The message key of its outcome.
    pub outcome: String,
    /// Whether it counts against the entry (a failed error or warning).
    pub failed: bool,
    /// Whether a failure is of error severity.
    pub required: bool,
    /// The message key of its severity.
    pub severity: String,
    /// The guideline section.
    pub section: &'static str,
    /// The key path or repository fact.
    pub key_path: String,
    /// What it saw (English, as the rules say it).
    pub detail: String,
}

/// The results of the latest check, in rule order, failures first; unknown rules (of another
/// rule set) are left out.
#[must_use]
pub fn results(lang: Lang, rows: &[rule_results::Model]) -> Vec<ResultView> {
    let mut out: Vec<ResultView> = rows
        .iter()
        .filter_map(store::result_of)
        .map(|r| ResultView {
            rule: r.rule.as_str(),
            what: rule_what(lang, r.rule),
            fix: rule_fix(lang, r.rule),
            outcome: format!("review.result.{}", r.outcome.as_str()),
            failed: r.is_finding(),
            required: r.severity == Severity::Error,
            severity: format!("review.severity.{}", r.severity.as_str()),
            section: r.rule.section(),
            key_path: r.key_path,
            detail: r.detail,
        })
        .collect();
    out.sort_by_key(|r| !r.failed);
    out
}

/// A finding of a recorded outcome, as shown.
pub struct FindingView {
    /// What it is about: a rule's description or a checklist item's label.
    pub subject: String,
    /// The guideline section.
    pub section: String,
    /// The key path or fact.
    pub key_path: String,
    /// What is wrong.
    pub message: String,
    /// The fix requested.
    pub fix: String,
}

impl FindingView {
    /// `f` in `lang`.
    #[must_use]
    pub fn of(lang: Lang, f: &Finding) -> Self {
        Self {
            subject: match f.subject {
                Subject::Rule(rule) => format!("{} ({rule})", rule_what(lang, rule)),
                Subject::Checklist(item) => lang
                    .t(&format!("review.checklist.{}", item_str(item)))
                    .to_owned(),
            },
            section: f.section.clone(),
            key_path: f.key_path.clone(),
            message: f.message.clone(),
            fix: f.fix.clone(),
        }
    }
}

/// A recorded outcome, as shown.
pub struct OutcomeView {
    /// The message key of the state it led to.
    pub state: String,
    /// "Recorded on D", in the reader's language.
    pub recorded_on: String,
    /// "Fixes due by D", in the reader's language.
    pub deadline: Option<String>,
    /// The findings.
    pub findings: Vec<FindingView>,
}

/// The compliance section of a software page.
pub struct Section {
    /// The entry's slug.
    pub slug: String,
    /// The message key of the review's state.
    pub state: String,
    /// The CSS class of its badge.
    pub state_class: &'static str,
    /// The latest outcome, unless a change undid it.
    pub outcome: Option<OutcomeView>,
    /// Whether any check ran.
    pub checked: bool,
    /// The failed checks.
    pub failing: Vec<ResultView>,
    /// The others.
    pub passing: Vec<ResultView>,
    /// "Rule set N, checked on D".
    pub ruleset: Option<String>,
    /// The summary of the passed checks' disclosure.
    pub passed_summary: String,
    /// This site's public address, for the badges' snippet.
    pub base: String,
    /// Whether the reader may review it (a link to the reviewers' page).
    pub may_review: bool,
    /// Whether the reader may see the owner's release checklist.
    pub may_release: bool,
}

impl Section {
    /// The section of `overview` for a reader of `lang`.
    #[must_use]
    pub fn new(
        lang: Lang,
        base: &str,
        overview: &Overview,
        may_review: bool,
        may_release: bool,
    ) -> Self {
        let state = overview.review.state;
        let (failing, passing): (Vec<ResultView>, Vec<ResultView>) =
            results(lang, &overview.results)
                .into_iter()
                .partition(|r| r.failed);
        let ruleset = overview.results.first().map(|r| {
            lang.tf(
                "compliance.ruleset",
                &[
                    ("version", &r.ruleset_version),
                    ("date", &r.checked_at.format("%Y-%m-%d")),
                ],
            )
        });
        Self {
            passed_summary: lang.tf("compliance.passed", &[("n", &passing.len())]),
            base: base.trim_end_matches('/').to_owned(),
            slug: overview.loaded.software.slug.clone(),
            state: state_key(state),
            state_class: state_class(state),
            outcome: outcome(lang, overview),
            checked: !overview.results.is_empty(),
            failing,
            passing,
            ruleset,
            may_review,
            may_release,
        }
    }
}

/// The latest outcome of `overview` in `lang`, unless the review moved on since.
#[must_use]
pub fn outcome(lang: Lang, overview: &Overview) -> Option<OutcomeView> {
    let event = overview.outcome()?;
    let Transition::Record {
        outcome,
        findings,
        deadline,
        ..
    } = &event.evidence
    else {
        return None;
    };
    Some(OutcomeView {
        state: state_key(outcome.state()),
        recorded_on: lang.tf(
            "compliance.recorded_on",
            &[("date", &event.at.format("%Y-%m-%d"))],
        ),
        deadline: deadline.map(|d| lang.tf("compliance.deadline", &[("date", &d)])),
        findings: findings.iter().map(|f| FindingView::of(lang, f)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_and_item_reads_in_both_languages() {
        for lang in Lang::ALL {
            for rule in RuleId::ALL {
                for kind in ["rule_what", "rule_fix"] {
                    let key = format!("{kind}.{}", rule.as_str());
                    assert!(lang.lookup(&key).is_some(), "{key} missing in {lang:?}");
                }
            }
            for item in ChecklistItem::ALL {
                for kind in ["review.checklist", "review.checklist_help"] {
                    let key = format!("{kind}.{}", item_str(item));
                    assert!(lang.lookup(&key).is_some(), "{key} missing in {lang:?}");
                }
            }
            for state in State::ALL {
                let key = state_key(state);
                assert!(lang.lookup(&key).is_some(), "{key} missing in {lang:?}");
            }
            for verdict in [Verdict::Confirmed, Verdict::Problem, Verdict::NotApplicable] {
                let key = format!("review.verdict.{}", verdict_str(verdict));
                assert!(lang.lookup(&key).is_some(), "{key} missing in {lang:?}");
            }
        }
    }
}
