//! `GET /api/v1/rules`: the compliance rule set, with what each rule checks and how to fix a
//! failure in both languages.

use axum::Json;

use super::answers::Reads;
use super::types::{Localized, RuleList, RuleResponse};
use crate::compliance::{RULESET_VERSION, RuleId};
use crate::i18n::Lang;

/// The message `kind.rule` in `lang`, else `fallback`.
fn text(lang: Lang, kind: &str, rule: RuleId, fallback: &str) -> String {
    lang.lookup(&format!("{kind}.{}", rule.as_str()))
        .unwrap_or(fallback)
        .to_owned()
}

/// The compliance rules every snapshot is checked against: id, severity, the section of the
/// AgID guidelines it enforces, what it checks and how to fix a failure, and the rule set's
/// version.
#[utoipa::path(
    get,
    path = "/api/v1/rules",
    operation_id = "list_rules",
    tag = "compliance",
    responses(
        (status = 200, description = "The rule set", body = RuleList, headers(("ETag" = String, description = "Strong validator of the body"))),
        Reads,
    )
)]
pub async fn list() -> Json<RuleList> {
    let localized = |kind: &str, rule: RuleId, fallback: &str| Localized {
        it: text(Lang::It, kind, rule, fallback),
        en: text(Lang::En, kind, rule, fallback),
    };
    Json(RuleList {
        ruleset_version: RULESET_VERSION,
        data: RuleId::ALL
            .iter()
            .map(|&rule| RuleResponse {
                id: rule.as_str().to_owned(),
                severity: rule.severity().as_str().to_owned(),
                section: rule.section().to_owned(),
                description: localized("rule_what", rule, rule.describe()),
                fix: localized("rule_fix", rule, ""),
            })
            .collect(),
    })
}
