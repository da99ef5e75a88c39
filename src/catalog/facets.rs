//! The facet values of a valid entry: what the search filters and counts on.

use crate::publiccode::{ClaimKind, ClaimValue, Validated};

/// `(facet, value)` pairs of `v`, without duplicates. Facet names are the filter keys of search.
#[must_use]
pub fn of(v: &Validated, publisher: Option<&str>) -> Vec<(&'static str, String)> {
    let code = v.code();
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut push = |facet: &'static str, value: String| {
        if !value.is_empty() && !out.iter().any(|(f, x)| *f == facet && *x == value) {
            out.push((facet, value));
        }
    };
    for c in &code.categories {
        push("category", c.clone());
    }
    for s in &code.intended_audience.scope {
        push("scope", s.clone());
    }
    for c in &code.intended_audience.countries {
        push("country", c.clone());
    }
    push("type", json_name(&code.software_type));
    push("status", json_name(&code.development_status));
    push("maintenance", json_name(&code.maintenance.kind));
    for licence in licence_ids(&code.legal.license) {
        push("licence", licence);
    }
    // The language, not the region: `it-IT` and `it` are both Italian to someone filtering.
    for lang in &code.localisation.available_languages {
        let primary = lang.split(['-', '_']).next().unwrap_or(lang);
        push("language", primary.to_ascii_lowercase());
    }
    for claim in v.claims() {
        if claim.kind != ClaimKind::PublisherIpa && claim.value == ClaimValue::Declared(true) {
            push("claim", claim.kind.as_str().to_owned());
        }
    }
    if let Some(p) = publisher {
        push("publisher", p.to_owned());
    }
    out
}

/// The serde name of an enum value (`standalone/web`, `stable`, ...).
fn json_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The licence identifiers named by an SPDX expression (`EUPL-1.2 OR MIT` → both).
fn licence_ids(expression: &str) -> Vec<String> {
    match spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) {
        Ok(parsed) => parsed
            .requirements()
            .map(|r| r.req.license.to_string())
            .collect(),
        Err(_) => vec![expression.to_owned()],
    }
}
