//! The JSON Schemas in `publiccode-schemas/`: each is a valid draft 2020-12 schema, there is one
//! per supported `publiccodeYmlVersion`, every file the validator accepts validates against the
//! schema of its version, files breaking a rule a schema can express are refused, and the
//! schemas' closed vocabularies are the validator's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use riuso::publiccode::{self, Context, Limits};
use serde_json::Value;

use crate::support::fixtures;

/// The `$schema` every file declares.
const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of the latest version, which `"0"` means.
const LATEST: &str = "0.7";

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("publiccode-schemas")
}

/// The schema version (`"0.2"` … `"0.7"`) that serves a declared `publiccodeYmlVersion`:
/// `"0"` is the latest, otherwise the first two components (`"0.2.1"` → `"0.2"`).
fn schema_version(declared: &str) -> String {
    if declared == "0" {
        return LATEST.to_owned();
    }
    let mut parts = declared.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => declared.to_owned(),
    }
}

/// Every `publiccode-<version>.json` in `publiccode-schemas/`, by version, parsed.
fn schema_files() -> BTreeMap<String, Value> {
    let mut schemas = BTreeMap::new();
    for entry in std::fs::read_dir(schemas_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let version = name
            .strip_prefix("publiccode-")
            .and_then(|n| n.strip_suffix(".json"))
            .unwrap_or_else(|| panic!("{name}: expected the name publiccode-<version>.json"))
            .to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let schema: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"));
        schemas.insert(version, schema);
    }
    schemas
}

/// A compiled validator for every schema file, by version. `format` is asserted (`date`,
/// `email`, `uri`), as editors do, not only annotated as draft 2020-12 has it by default.
fn validators() -> BTreeMap<String, Validator> {
    schema_files()
        .into_iter()
        .map(|(version, schema)| {
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| panic!("publiccode-{version}.json does not compile: {e}"));
            (version, validator)
        })
        .collect()
}

/// A publiccode.yml file as JSON, read by riuso's own YAML reader (YAML 1.2 core schema).
fn yaml_to_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    publiccode::parse(&bytes, &Limits::default())
        .unwrap_or_else(|e| panic!("{}: not readable YAML: {e}", path.display()))
        .to_json()
}

/// The schema errors of `instance` against `validator`, each with its instance path.
fn schema_errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            // Messages quote the whole value, which can be a 10,000-character text.
            let message: String = e.to_string().chars().take(300).collect();
            format!(
                "  at {:?} [{}]: {message}",
                e.instance_path().as_str(),
                e.kind().keyword()
            )
        })
        .collect()
}

/// The `publiccodeYmlVersion` a JSON document declares, if it is a string.
fn declared_version(instance: &Value) -> Option<&str> {
    instance.get("publiccodeYmlVersion")?.as_str()
}

/// Every `*.yml` under `dir`, recursively, sorted.
fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().and_then(|e| e.to_str()) == Some("yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The values of a file in `publiccode-schemas/vocabularies/`, one per non-empty line.
fn vocabulary(name: &str) -> Vec<String> {
    let path = schemas_dir().join("vocabularies").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn schemas_are_valid_draft_2020_12_one_per_version() {
    let schemas = schema_files();
    let mut problems = Vec::new();
    for (version, schema) in &schemas {
        let name = format!("publiccode-{version}.json");
        if schema.get("$schema").and_then(Value::as_str) != Some(DRAFT_2020_12) {
            problems.push(format!(
                "{name}: $schema is {:?}, expected {DRAFT_2020_12:?}",
                schema.get("$schema")
            ));
        }
        if let Err(e) = jsonschema::meta::validate(schema) {
            problems.push(format!(
                "{name}: not a valid JSON Schema: at {:?}: {e}",
                e.instance_path().as_str()
            ));
        }
        if !jsonschema::draft202012::meta::is_valid(schema) {
            problems.push(format!("{name}: refused by the draft 2020-12 meta-schema"));
        }
        if let Err(e) = jsonschema::validator_for(schema) {
            problems.push(format!("{name}: does not compile: {e}"));
        }
        if schema.get("$id").and_then(Value::as_str) != Some(name.as_str()) {
            problems.push(format!(
                "{name}: $id is {:?}, expected {name:?}",
                schema.get("$id")
            ));
        }
    }

    // One schema per version the validator supports, and no schema for anything else.
    let supported = publiccode::supported_versions();
    let wanted: BTreeSet<String> = supported.iter().map(|v| schema_version(v)).collect();
    let present: BTreeSet<String> = schemas.keys().cloned().collect();
    for missing in wanted.difference(&present) {
        problems.push(format!(
            "no publiccode-{missing}.json for a supported version"
        ));
    }
    for extra in present.difference(&wanted) {
        problems.push(format!(
            "publiccode-{extra}.json matches no supported version"
        ));
    }

    // Each schema accepts exactly the declared versions it serves.
    for (version, schema) in &schemas {
        let accepted: BTreeSet<&str> = schema
            .pointer("/properties/publiccodeYmlVersion/enum")
            .and_then(Value::as_array)
            .map(|values| values.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let served: BTreeSet<&str> = supported
            .iter()
            .copied()
            .filter(|v| schema_version(v) == *version)
            .collect();
        if accepted != served {
            problems.push(format!(
                "publiccode-{version}.json accepts publiccodeYmlVersion {accepted:?}, \
                 expected {served:?}"
            ));
        }
    }

    assert_eq!(present.len(), 5, "schema files: {present:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn accepted_files_validate_against_their_schema() {
    let validators = validators();
    let mut files: Vec<PathBuf> = Vec::new();
    let testdata = fixtures().join("parser-go/testdata/v0");
    files.extend(yml_files(&testdata.join("valid")));
    files.extend(yml_files(&testdata.join("valid_with_warnings")));
    let reference_files = files.len();

    let mut real = yml_files(&fixtures().join("real"));
    let real_total = real.len();
    real.retain(|path| {
        let bytes = std::fs::read(path).unwrap();
        publiccode::check(&bytes, &Limits::default(), &Context::default()).is_valid()
    });
    let real_valid = real.len();
    files.extend(real);

    let mut per_schema: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &files {
        let instance = yaml_to_json(path);
        let Some(declared) = declared_version(&instance) else {
            failures.push(format!(
                "{}: publiccodeYmlVersion is not a string",
                path.display()
            ));
            continue;
        };
        let version = schema_version(declared);
        let Some(validator) = validators.get(&version) else {
            failures.push(format!(
                "{}: no schema for publiccodeYmlVersion {declared:?}",
                path.display()
            ));
            continue;
        };
        *per_schema.entry(version.clone()).or_default() += 1;
        let errors = schema_errors(validator, &instance);
        if !errors.is_empty() {
            failures.push(format!(
                "{} (publiccode-{version}.json):\n{}",
                path.display(),
                errors.join("\n")
            ));
        }
    }

    eprintln!(
        "checked {} files: {reference_files} reference valid files, {real_valid} of {real_total} \
         real files the validator accepts; per schema: {per_schema:?}",
        files.len()
    );
    assert!(
        reference_files >= 40,
        "only {reference_files} reference files"
    );
    assert!(real_valid >= 100, "only {real_valid} valid real files");
    assert!(
        failures.is_empty(),
        "{} accepted file(s) fail their schema:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Reference test files in `v0/invalid/` that each break a rule a JSON Schema can express, with
/// where the schema must object: the instance path (`""` is the root) and the keyword, followed
/// for `required` and `additionalProperties` by the key concerned. Left out are the files whose
/// only fault needs data or the network (unregistered iPA codes or language subtags, oEmbed
/// providers, missing or broken image files), unreadable YAML, and length limits counted in
/// user-perceived characters.
const SCHEMA_INVALID: &[(&str, &str, &str)] = &[
    // Wrong types.
    (
        "applicationSuite_wrong_type.yml",
        "/applicationSuite",
        "type",
    ),
    (
        "dependsOn_open_name_wrong_type.yml",
        "/dependsOn/open/0/name",
        "type",
    ),
    (
        "dependsOn_open_optional_wrong_type.yml",
        "/dependsOn/open/0/optional",
        "type",
    ),
    (
        "dependsOn_open_version_wrong_type.yml",
        "/dependsOn/open/0/version",
        "type",
    ),
    (
        "description_en_awards_wrong_type.yml",
        "/description/en/awards",
        "type",
    ),
    (
        "description_en_localisedName_wrong_type.yml",
        "/description/en/localisedName",
        "type",
    ),
    (
        "developmentStatus_wrong_type.yml",
        "/developmentStatus",
        "type",
    ),
    ("fundedBy_wrong_type.yml", "/fundedBy", "type"),
    ("inputTypes_wrong_type.yml", "/inputTypes", "type"),
    (
        "intendedAudience_wrong_type.yml",
        "/intendedAudience",
        "type",
    ),
    (
        "intendedAudience_scope_wrong_type.yml",
        "/intendedAudience/scope",
        "type",
    ),
    ("legal_wrong_type.yml", "/legal", "type"),
    (
        "maintenance_contractors_invalid_type.yml",
        "/maintenance/contractors",
        "type",
    ),
    ("name_nil.yml", "/name", "type"),
    ("name_wrong_type.yml", "/name", "type"),
    ("platforms_wrong_type.yml", "/platforms", "type"),
    (
        "publiccodeYmlVersion_wrong_type.yml",
        "/publiccodeYmlVersion",
        "type",
    ),
    ("softwareVersion_wrong_type.yml", "/softwareVersion", "type"),
    ("url_wrong_type.yml", "/url", "type"),
    ("usedBy_wrong_type.yml", "/usedBy", "type"),
    ("logo_wrong_type.yml", "/logo", "anyOf"),
    ("organisation_wrong_type.yml", "/organisation", "anyOf"),
    // YAML 1.1 booleans are strings under YAML 1.2.
    (
        "no-network/localisation_localisationReady_yaml11_no.yml",
        "/localisation/localisationReady",
        "type",
    ),
    (
        "no-network/localisation_localisationReady_yaml11_yes.yml",
        "/localisation/localisationReady",
        "type",
    ),
    (
        "no-network/localisation_localisationReady_yaml11_on.yml",
        "/localisation/localisationReady",
        "type",
    ),
    (
        "no-network/localisation_localisationReady_yaml11_off.yml",
        "/localisation/localisationReady",
        "type",
    ),
    // Values outside a closed vocabulary.
    ("categories_invalid.yml", "/categories/0", "enum"),
    (
        "developmentStatus_invalid.yml",
        "/developmentStatus",
        "enum",
    ),
    ("softwareType_invalid.yml", "/softwareType", "enum"),
    ("maintenance_type_invalid.yml", "/maintenance/type", "enum"),
    (
        "intendedAudience_scope_invalid_scope.yml",
        "/intendedAudience/scope/0",
        "enum",
    ),
    (
        "intendedAudience_countries_invalid_country.yml",
        "/intendedAudience/countries/2",
        "enum",
    ),
    (
        "intendedAudience_countries_invalid_iso_3166_1_alpha_2.yml",
        "/intendedAudience/countries/2",
        "enum",
    ),
    (
        "intendedAudience_unsupportedCountries_invalid_country.yml",
        "/intendedAudience/unsupportedCountries/0",
        "enum",
    ),
    (
        "publiccodeYmlVersion_invalid.yml",
        "/publiccodeYmlVersion",
        "enum",
    ),
    ("it_countryExtensionVersion_invalid.yml", "/IT", "anyOf"),
    (
        "no-network/supports_unknown_alias.yml",
        "/supports/0/id",
        "anyOf",
    ),
    // Unknown keys.
    ("unknown_field.yml", "", "additionalProperties foobar"),
    ("it_wrong_case.yml", "", "additionalProperties It"),
    ("it_IT_duplicated.yml", "", "not"),
    // Missing required keys.
    ("name_missing.yml", "", "required name"),
    ("url_missing.yml", "", "required url"),
    ("platforms_missing.yml", "", "required platforms"),
    (
        "developmentStatus_missing.yml",
        "",
        "required developmentStatus",
    ),
    ("softwareType_missing.yml", "", "required softwareType"),
    (
        "publiccodeYmlVersion_missing.yml",
        "",
        "required publiccodeYmlVersion",
    ),
    ("legal_missing.yml", "", "required legal"),
    ("legal_license_missing.yml", "/legal", "required license"),
    (
        "maintenance_type_missing.yml",
        "/maintenance",
        "required type",
    ),
    (
        "description_en_features_missing.yml",
        "/description/en",
        "required features",
    ),
    (
        "description_en_longDescription_missing.yml",
        "/description/en",
        "required longDescription",
    ),
    (
        "description_en_shortDescription_missing.yml",
        "/description/en",
        "required shortDescription",
    ),
    (
        "localisation_availableLanguages_missing.yml",
        "/localisation",
        "required availableLanguages",
    ),
    (
        "localisation_localisationReady_missing.yml",
        "/localisation",
        "required localisationReady",
    ),
    ("fundedBy_uri_missing.yml", "/fundedBy/0", "required uri"),
    (
        "maintenance_contacts_name_missing.yml",
        "/maintenance/contacts/0",
        "required name",
    ),
    (
        "maintenance_contractors_name_missing.yml",
        "/maintenance/contractors/0",
        "required name",
    ),
    (
        "maintenance_contractors_until_missing.yml",
        "/maintenance/contractors/0",
        "required until",
    ),
    ("mostly_empty.yml", "/maintenance", "required type"),
    // The maintenance.type rules for contacts and contractors.
    (
        "maintenance_contacts_missing_with_type_internal.yml",
        "/maintenance",
        "required contacts",
    ),
    (
        "maintenance_contacts_missing_with_type_community.yml",
        "/maintenance",
        "required contacts",
    ),
    (
        "maintenance_contractors_missing_with_type_contract.yml",
        "/maintenance",
        "required contractors",
    ),
    (
        "maintenance_contractors_when_type_is_internal.yml",
        "/maintenance/contractors",
        "type",
    ),
    (
        "maintenance_contractors_when_type_is_community.yml",
        "/maintenance/contractors",
        "type",
    ),
    (
        "maintenance_contractors_when_type_is_none.yml",
        "/maintenance/contractors",
        "type",
    ),
    // Lengths and sizes.
    (
        "description_en_genericName_too_long.yml",
        "/description/en/genericName",
        "maxLength",
    ),
    (
        "description_en_longDescription_too_long.yml",
        "/description/en/longDescription",
        "maxLength",
    ),
    (
        "description_en_longDescription_too_short.yml",
        "/description/en/longDescription",
        "minLength",
    ),
    (
        "description_en_features_empty.yml",
        "/description/en/features",
        "minItems",
    ),
    (
        "localisation_availableLanguages_empty.yml",
        "/localisation/availableLanguages",
        "minItems",
    ),
    // Dates.
    ("releaseDate_invalid.yml", "/releaseDate", "anyOf"),
    ("releaseDate_datetime.yml", "/releaseDate", "anyOf"),
    ("releaseDate_empty.yml", "/releaseDate", "anyOf"),
    (
        "maintenance_contractors_until_invalid.yml",
        "/maintenance/contractors/0/until",
        "pattern",
    ),
    // URLs, paths and URIs.
    ("url_invalid.yml", "/url", "pattern"),
    ("landingURL_invalid.yml", "/landingURL", "anyOf"),
    ("roadmap_invalid.yml", "/roadmap", "anyOf"),
    ("isBasedOn_bad_url_string.yml", "/isBasedOn", "anyOf"),
    ("isBasedOn_bad_url_array.yml", "/isBasedOn", "anyOf"),
    (
        "description_en_apiDocumentation_invalid.yml",
        "/description/en/apiDocumentation",
        "anyOf",
    ),
    (
        "description_en_documentation_invalid.yml",
        "/description/en/documentation",
        "anyOf",
    ),
    (
        "description_en_videos_invalid.yml",
        "/description/en/videos/0",
        "pattern",
    ),
    (
        "maintenance_contractors_website_invalid.yml",
        "/maintenance/contractors/0/website",
        "anyOf",
    ),
    ("logo_absolute_path.yml", "/logo", "anyOf"),
    ("logo_file_scheme.yml", "/logo", "anyOf"),
    ("logo_unsupported_extension.yml", "/logo", "anyOf"),
    (
        "monochromeLogo_unsupported_extension.yml",
        "/monochromeLogo",
        "anyOf",
    ),
    ("organisation_uri_missing.yml", "/organisation", "anyOf"),
    ("organisation_wrong_uri.yml", "/organisation", "anyOf"),
    ("fundedBy_wrong_uri.yml", "/fundedBy/0/uri", "pattern"),
    (
        "fundedBy_uri_wrong_italian_pa.yml",
        "/fundedBy/0/uri",
        "pattern",
    ),
    // Other shapes: language tags, SPDX expressions, MIME types, e-mail addresses.
    (
        "description_en_gb_invalid_bcp47.yml",
        "/description",
        "propertyNames",
    ),
    (
        "localisation_availableLanguages_invalid_bcp47.yml",
        "/localisation/availableLanguages/0",
        "pattern",
    ),
    (
        "localisation_availableLanguages_invalid.yml",
        "/localisation/availableLanguages/0",
        "pattern",
    ),
    ("legal_license_invalid.yml", "/legal/license", "pattern"),
    ("inputTypes_invalid.yml", "/inputTypes/1", "pattern"),
    ("outputTypes_invalid.yml", "/outputTypes/1", "pattern"),
    (
        "maintenance_contacts_email_invalid.yml",
        "/maintenance/contacts/0/email",
        "format",
    ),
    (
        "maintenance_contractors_email_invalid.yml",
        "/maintenance/contractors/0/email",
        "format",
    ),
];

/// Whether `error` is the objection `rule` (`"keyword"` or `"keyword key"`) expects.
fn is_objection(error: &jsonschema::ValidationError<'_>, rule: &str) -> bool {
    let (keyword, key) = rule.split_once(' ').unwrap_or((rule, ""));
    let message = error.to_string();
    error.kind().keyword() == keyword
        && (key.is_empty()
            || message.contains(&format!("\"{key}\""))
            || message.contains(&format!("'{key}'")))
}

#[test]
fn files_breaking_schema_rules_fail_against_the_schema() {
    let validators = validators();
    let dir = fixtures().join("parser-go/testdata/v0/invalid");
    assert!(SCHEMA_INVALID.len() >= 25, "only {}", SCHEMA_INVALID.len());
    let mut problems = Vec::new();
    for (name, at, rule) in SCHEMA_INVALID {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !publiccode::check(&bytes, &Limits::default(), &Context::default()).is_valid(),
            "{name}: the validator accepts it, so it does not belong in this list"
        );
        let instance = yaml_to_json(&path);
        // An unknown or missing version is judged by the latest schema, which refuses it.
        let version = declared_version(&instance)
            .map(schema_version)
            .filter(|v| validators.contains_key(v))
            .unwrap_or_else(|| LATEST.to_owned());
        let validator = &validators[&version];
        let found = validator
            .iter_errors(&instance)
            .any(|e| e.instance_path().as_str() == *at && is_objection(&e, rule));
        if !found {
            let errors = schema_errors(validator, &instance);
            problems.push(format!(
                "{name} (publiccode-{version}.json): expected {rule} at {at:?}, got {}",
                if errors.is_empty() {
                    " no error: the schema accepts it".to_owned()
                } else {
                    format!("\n{}", errors.join("\n"))
                }
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A closed vocabulary: where its enum sits in the schema, and the file that lists it.
const VOCABULARIES: &[(&str, &[&str], &str)] = &[
    (
        "developmentStatus",
        &["properties", "developmentStatus"],
        "development-statuses.txt",
    ),
    (
        "softwareType",
        &["properties", "softwareType"],
        "software-types.txt",
    ),
    (
        "maintenance.type",
        &["properties", "maintenance", "properties", "type"],
        "maintenance-types.txt",
    ),
    (
        "categories",
        &["properties", "categories", "items"],
        "categories.txt",
    ),
    (
        "intendedAudience.scope",
        &[
            "properties",
            "intendedAudience",
            "properties",
            "scope",
            "items",
        ],
        "scopes.txt",
    ),
];

#[test]
fn schema_enums_match_the_validator_vocabularies() {
    let schemas = schema_files();
    let mut problems = Vec::new();
    for (version, schema) in &schemas {
        for (key, path, file) in VOCABULARIES {
            let node = path.iter().try_fold(schema, |node, step| node.get(*step));
            let Some(values) = node.and_then(|n| n.get("enum")).and_then(Value::as_array) else {
                problems.push(format!(
                    "publiccode-{version}.json: no enum for {key} at /{}",
                    path.join("/")
                ));
                continue;
            };
            let in_schema: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            let listed = vocabulary(file);
            if in_schema.len() != values.len() {
                problems.push(format!(
                    "publiccode-{version}.json: {key} enum has non-string values"
                ));
            }
            if in_schema != listed {
                let schema_set: BTreeSet<&str> = in_schema.iter().copied().collect();
                let file_set: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
                problems.push(format!(
                    "publiccode-{version}.json: {key} enum differs from vocabularies/{file}: \
                     only in the schema {:?}, only in the file {:?}{}",
                    schema_set.difference(&file_set).collect::<Vec<_>>(),
                    file_set.difference(&schema_set).collect::<Vec<_>>(),
                    if schema_set == file_set {
                        " (same values, different order)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    assert!(schemas.contains_key(LATEST));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
