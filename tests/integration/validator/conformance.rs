//! Conformance with the reference validator (`italia/publiccode-parser-go`) on its own test
//! files: the same verdict for every file, and every expected error reported on the same key.
//!
//! The reference's expectations come from `tests/fixtures/parser-go/EXPECTED.tsv`. Where riuso
//! deliberately differs, the case is listed below with its reason (and in the README); the test
//! also checks that each listed difference still holds, so the lists cannot go stale.

use std::collections::BTreeSet;

use riuso::publiccode::{Outcome, Severity};

use crate::support::{check_file, fixtures, read_tsv};

/// Messages only the reference's network mode produces; riuso runs them under `--network`.
const NETWORK_ONLY: &[&str] = &[
    "not reachable: missing URL scheme",
    "is not a valid code repository",
    "HTTP GET failed",
];

/// Files whose offline verdict differs because their only error needs the network.
const OFFLINE_VALID: &[&str] = &["v0/invalid/logo_missing_url.yml"];

/// Errors the reference reports only because its decoder drops a whole section after a type
/// error elsewhere in it (e.g. "type is a required field" when `type` is present). riuso reports
/// the type error alone, on the key that is wrong.
const CASCADES: &[(&str, &str)] = &[
    (
        "v0/invalid/description_en_apiDocumentation_wrong_type.yml",
        "description",
    ),
    (
        "v0/invalid/description_en_awards_wrong_type.yml",
        "description",
    ),
    (
        "v0/invalid/description_en_documentation_wrong_type.yml",
        "description",
    ),
    (
        "v0/invalid/description_en_localisedName_wrong_type.yml",
        "description",
    ),
    (
        "v0/invalid/maintenance_contractors_invalid_type.yml",
        "maintenance.type",
    ),
    (
        "v0/invalid/no-network/localisation_localisationReady_yaml11_no.yml",
        "localisation.availableLanguages",
    ),
    (
        "v0/invalid/no-network/localisation_localisationReady_yaml11_off.yml",
        "localisation.availableLanguages",
    ),
    (
        "v0/invalid/no-network/localisation_localisationReady_yaml11_on.yml",
        "localisation.availableLanguages",
    ),
    (
        "v0/invalid/no-network/localisation_localisationReady_yaml11_yes.yml",
        "localisation.availableLanguages",
    ),
];

/// Type errors that the reference attributes to the first key or item *inside* the wrong value
/// (the line its decoder stopped on); riuso names the key whose value has the wrong type.
const TYPE_ERROR_KEYS: &[(&str, &str, &str)] = &[
    (
        "v0/invalid/fundedBy_wrong_type.yml",
        "fundedBy.name",
        "fundedBy",
    ),
    (
        "v0/invalid/organisation_wrong_type.yml",
        "organisation[0]",
        "organisation",
    ),
    (
        "v0/invalid/isBasedOn_wrong_type.yml",
        "isBasedOn.foobar",
        "isBasedOn",
    ),
    (
        "v0/invalid/dependsOn_open_name_wrong_type.yml",
        "dependsOn.open[0]",
        "dependsOn.open[0].name",
    ),
];

#[derive(Debug)]
struct Expected {
    severity: Severity,
    key: String,
    message: String,
}

fn parse_messages(cell: &str) -> Vec<Expected> {
    cell.split(" | ")
        .filter(|m| !m.is_empty())
        .map(|m| {
            let (severity, rest) = m.split_once(": ").unwrap();
            let (key, message) = rest
                .split_once(": ")
                .unwrap_or(("", rest.trim_start_matches(": ")));
            let key = if rest.starts_with(": ") { "" } else { key };
            Expected {
                severity: if severity == "error" {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                key: dotted_language_keys(key),
                message: message.to_owned(),
            }
        })
        .collect()
}

/// `description[en-US].features` → `description.en-US.features`: riuso always writes map keys
/// with dots; brackets are kept for list indexes only.
fn dotted_language_keys(key: &str) -> String {
    let mut out = String::new();
    let mut rest = key;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
        let inner = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if inner.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&rest[open..=close]);
        } else {
            out.push('.');
            out.push_str(inner);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether `ours` reports on `expected` or on a more precise key beneath it.
fn same_key(ours: &str, expected: &str) -> bool {
    ours == expected
        || ours
            .strip_prefix(expected)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

#[test]
fn reference_test_files_get_the_reference_verdicts_and_keys() {
    let root = fixtures().join("parser-go");
    let rows = read_tsv(&root.join("EXPECTED.tsv"));
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut used_cascades = BTreeSet::new();
    let mut used_keys = BTreeSet::new();
    for row in &rows {
        let file = row["relative_path"].as_str();
        let verdict = row["expected"].as_str();
        if verdict == "unreferenced" {
            continue;
        }
        checked += 1;
        let outcome = check_file(&root.join("testdata").join(file));
        let diagnostics = outcome.diagnostics();
        let expect_valid = verdict != "invalid" || OFFLINE_VALID.contains(&file);
        if outcome.is_valid() != expect_valid {
            failures.push(format!("{file}: expected {verdict}, got {diagnostics:#?}"));
            continue;
        }
        if verdict == "valid" && !diagnostics.is_empty() {
            failures.push(format!(
                "{file}: expected no warnings, got {diagnostics:#?}"
            ));
        }
        if verdict == "valid-with-warnings"
            && !matches!(&outcome, Outcome::Valid(v) if !v.warnings().is_empty())
        {
            failures.push(format!("{file}: expected warnings, got none"));
        }
        for exp in parse_messages(&row["messages"]) {
            if NETWORK_ONLY.iter().any(|n| exp.message.contains(n)) {
                continue;
            }
            if CASCADES.contains(&(file, exp.key.as_str())) {
                used_cascades.insert((file, exp.key.clone()));
                if diagnostics.iter().any(|d| d.is_error() && d.key == exp.key) {
                    failures.push(format!(
                        "{file}: listed as a cascade, but riuso reports {}",
                        exp.key
                    ));
                }
                continue;
            }
            let key = match TYPE_ERROR_KEYS
                .iter()
                .find(|(f, k, _)| *f == file && *k == exp.key)
            {
                Some((_, _, ours)) => {
                    used_keys.insert(file);
                    (*ours).to_owned()
                }
                None => exp.key.clone(),
            };
            let found = diagnostics
                .iter()
                .any(|d| d.severity == exp.severity && same_key(&d.key, &key));
            if !found {
                failures.push(format!(
                    "{file}: expected {:?} on `{key}` ({}), got {:#?}",
                    exp.severity, exp.message, diagnostics
                ));
            }
        }
    }
    assert_eq!(
        used_cascades.len(),
        CASCADES.len(),
        "a listed cascade no longer occurs"
    );
    assert_eq!(
        used_keys.len(),
        TYPE_ERROR_KEYS.len(),
        "a listed key difference no longer occurs"
    );
    assert!(checked > 300, "only {checked} files checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} files differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
