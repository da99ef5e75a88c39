//! `validate`: from the raw YAML tree to a [`Validated`] value, or the diagnostics that stop it.
//!
//! Every accepted `publiccodeYmlVersion` is read with the rules of the latest standard, as the
//! reference validator does; older versions and deprecated keys draw warnings, not errors.

mod sections;

use std::collections::BTreeMap;

use super::Context;
use super::check::{Checker, Text, find, join};
use super::claims::{self, Claim};
use super::diagnostic::{Code, Diagnostic, Severity};
use super::model::{Italian, PublicCode};
use super::raw::RawPublicCode;
use super::vocab;
use super::yaml::{Pos, ScalarKind};

/// A publiccode.yml that passed validation. Only [`validate`] can make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    code: PublicCode,
    claims: Vec<Claim>,
    warnings: Vec<Diagnostic>,
    version: String,
}

impl Validated {
    /// The typed content.
    #[must_use]
    pub fn code(&self) -> &PublicCode {
        &self.code
    }

    /// The normalized compliance claims, each with the key it came from.
    #[must_use]
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// Warnings (deprecated keys, old version): the file is valid nonetheless.
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The standard version the file was checked against (after any override).
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// Why a file was not accepted: at least one error, plus any warnings, in source order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("publiccode.yml is invalid ({} errors)", self.errors().count())]
pub struct Rejected {
    /// Every finding, errors and warnings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Rejected {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Top-level keys of the latest standard.
const TOP_LEVEL: &[&str] = &[
    "publiccodeYmlVersion",
    "name",
    "applicationSuite",
    "url",
    "landingURL",
    "isBasedOn",
    "softwareVersion",
    "releaseDate",
    "logo",
    "monochromeLogo",
    "inputTypes",
    "outputTypes",
    "platforms",
    "categories",
    "usedBy",
    "roadmap",
    "developmentStatus",
    "softwareType",
    "intendedAudience",
    "description",
    "legal",
    "maintenance",
    "localisation",
    "dependsOn",
    "organisation",
    "fundedBy",
    "supports",
    "IT",
    "it",
];

/// Checks a parsed file against the standard.
///
/// # Errors
///
/// Returns [`Rejected`] with every error and warning when the file breaks any rule.
pub fn validate(raw: &RawPublicCode, ctx: &Context<'_>) -> Result<Validated, Rejected> {
    let mut ck = Checker::default();
    for dup in &raw.document.duplicate_keys {
        let mut d = Diagnostic::error(
            Code::DuplicateKey,
            dup.path.clone(),
            dup.second,
            format!(
                "duplicate key: \"{}\" is already set at line {}; remove one of them",
                super::check::leaf(&dup.path),
                dup.first.line
            ),
        );
        d.related = Some(super::diagnostic::Related {
            line: dup.first.line,
            column: dup.first.column,
            message: "first set here".to_owned(),
        });
        ck.diagnostics.push(d);
    }
    let root = &raw.document.root;
    ck.control_characters("", root);
    let Some(entries) = root.as_map() else {
        let found = root.type_name();
        ck.error(
            Code::NotAMapping,
            "",
            root.pos,
            format!(
                "the file must be a YAML mapping of keys such as name and url, but it is {found}"
            ),
        );
        return Err(reject(ck));
    };

    let version = match check_version(&mut ck, entries, ctx) {
        VersionCheck::Unsupported => return Err(reject(ck)),
        VersionCheck::Version(v) => v,
    };

    ck.known_keys("", entries, TOP_LEVEL);
    let code = sections::read(&mut ck, entries, root.pos, ctx, &version);
    let italian = read_italian(&mut ck, entries);
    let claims = code
        .as_ref()
        .map(|c| claims::normalize(c, italian.as_ref(), entries))
        .unwrap_or_default();

    match code {
        Some(mut code) if !ck.has_errors() => {
            code.it = italian.map(|(it, _)| it);
            let mut warnings = ck.diagnostics;
            sort(&mut warnings);
            Ok(Validated {
                code,
                claims,
                warnings,
                version,
            })
        }
        _ => {
            if !ck.has_errors() {
                // A required value went missing without an error: a bug in this module.
                ck.error(
                    Code::Required,
                    "",
                    Pos::FILE,
                    "the file is incomplete (internal validator inconsistency)",
                );
            }
            Err(reject(ck))
        }
    }
}

fn reject(ck: Checker) -> Rejected {
    let mut diagnostics = ck.diagnostics;
    sort(&mut diagnostics);
    Rejected { diagnostics }
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.line, a.column, a.severity != Severity::Error).cmp(&(
            b.line,
            b.column,
            b.severity != Severity::Error,
        ))
    });
}

enum VersionCheck {
    Unsupported,
    Version(String),
}

/// The latest version, under which every accepted version is read.
const LATEST: &str = "0.7";

fn check_version(
    ck: &mut Checker,
    entries: &[super::yaml::Entry],
    ctx: &Context<'_>,
) -> VersionCheck {
    let declared = declared_version(ck, entries);
    let version = match (ctx.version_override, declared) {
        (Some(over), _) => Text {
            value: over.to_owned(),
            pos: Pos::FILE,
            path: "publiccodeYmlVersion".to_owned(),
        },
        (None, Some(v)) => v,
        (None, None) => {
            // A version of the wrong type was reported already; a missing or empty one is reported
            // here. Either way the rest of the file is still checked, as the latest version.
            match find(entries, "publiccodeYmlVersion") {
                Some(entry) if !entry.value.is_null() => {}
                Some(entry) => ck.required("publiccodeYmlVersion", entry.key_pos),
                None => ck.required("publiccodeYmlVersion", Pos::FILE),
            }
            return VersionCheck::Version(LATEST.to_owned());
        }
    };
    if !vocab::VERSIONS.contains(&version.value.as_str()) {
        ck.error(
            Code::UnsupportedVersion,
            "publiccodeYmlVersion",
            version.pos,
            format!(
                "unsupported version: '{}'. Supported versions: {}",
                version.value,
                vocab::VERSIONS.join(", ")
            ),
        );
        return VersionCheck::Unsupported;
    }
    let latest = matches!(version.value.as_str(), "0" | "0.7" | "0.7.0");
    if !latest {
        ck.warning(
            Code::OldVersion,
            "publiccodeYmlVersion",
            version.pos,
            format!(
                "v{} is not the latest version, use '0'. Parsing this file as v{LATEST}.",
                version.value
            ),
        );
    }
    VersionCheck::Version(version.value)
}

/// Reads `publiccodeYmlVersion`, which must be a string: an unquoted `0.2` is a number in YAML
/// and is rejected, as the reference validator does, with a hint to quote it.
fn declared_version(ck: &mut Checker, entries: &[super::yaml::Entry]) -> Option<Text> {
    let entry = find(entries, "publiccodeYmlVersion")?;
    let scalar = entry.value.as_scalar();
    match scalar.map(|s| s.kind) {
        Some(ScalarKind::Str) => ck.text("", entries, "publiccodeYmlVersion"),
        Some(ScalarKind::Int | ScalarKind::Float) => {
            let text = scalar.map(|s| s.text.as_str()).unwrap_or_default();
            ck.error(
                Code::WrongType,
                "publiccodeYmlVersion",
                entry.key_pos,
                format!("wrong type for this field: expected a string, found a number; write it in quotes: publiccodeYmlVersion: \"{text}\""),
            );
            None
        }
        _ => ck.text("", entries, "publiccodeYmlVersion"),
    }
}

/// Reads `IT` (or the deprecated `it`); returns the section and the key it was found under.
fn read_italian(
    ck: &mut Checker,
    entries: &[super::yaml::Entry],
) -> Option<(Italian, &'static str)> {
    let upper = find(entries, "IT");
    let lower = find(entries, "it");
    if let Some(lower) = lower {
        ck.warning(
            Code::Deprecated,
            "it",
            lower.key_pos,
            "lowercase country codes are deprecated and will be removed in the future. Use 'IT' instead",
        );
        if upper.is_some() {
            ck.error(
                Code::SectionConflict,
                "it",
                lower.key_pos,
                "'IT' key already present. Remove this key",
            );
        }
    }
    let (entry, name) = match (upper, lower) {
        (Some(e), _) => (e, "IT"),
        (None, Some(e)) => (e, "it"),
        (None, None) => return None,
    };
    let fields = ck.map(name, &entry.value, entry.key_pos)?;
    ck.known_keys(
        name,
        fields,
        &[
            "countryExtensionVersion",
            "conforme",
            "piattaforme",
            "riuso",
        ],
    );
    let mut it = Italian::default();
    if let Some(v) = ck.text(name, fields, "countryExtensionVersion") {
        if !matches!(v.value.as_str(), "0.2" | "1.0") {
            ck.error(
                Code::InvalidValue,
                &v.path,
                v.pos,
                "countryExtensionVersion must be one of the following: \"0.2\" or \"1.0\"",
            );
        }
        it.country_extension_version = Some(v.value);
    }
    it.conforme = read_flags(
        ck,
        name,
        fields,
        "conforme",
        &[
            "lineeGuidaDesign",
            "modelloInteroperabilita",
            "misureMinimeSicurezza",
            "gdpr",
        ],
    );
    if let Some(e) = find(fields, "conforme") {
        ck.deprecated(&join(name, "conforme"), e.key_pos, "It's safe to drop it");
    }
    it.piattaforme = read_flags(
        ck,
        name,
        fields,
        "piattaforme",
        &["spid", "cie", "anpr", "pagopa", "io"],
    );
    if let Some(riuso) = find(fields, "riuso") {
        let path = join(name, "riuso");
        if let Some(r) = ck.map(&path, &riuso.value, riuso.key_pos) {
            ck.known_keys(&path, r, &["codiceIPA"]);
            if let Some(code) = ck.text(&path, r, "codiceIPA") {
                if vocab::is_ipa_code(&code.value) {
                    ck.deprecated(
                        &code.path,
                        code.pos,
                        &format!(
                            "Use 'organisation.uri' and set it to 'urn:x-italian-pa:{}' instead",
                            code.value
                        ),
                    );
                    it.codice_ipa = Some(code.value);
                } else {
                    ck.error(
                        Code::InvalidIpaCode,
                        &code.path,
                        code.pos,
                        format!(
                            "codiceIPA must be a valid Italian Public Administration Code (iPA): \"{}\" is not in the IPA list (see https://indicepa.gov.it)",
                            code.value
                        ),
                    );
                }
            }
        }
    }
    Some((it, name))
}

fn read_flags(
    ck: &mut Checker,
    section: &str,
    fields: &[super::yaml::Entry],
    key: &str,
    known: &[&str],
) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    let Some(entry) = find(fields, key) else {
        return out;
    };
    let path = join(section, key);
    let Some(flags) = ck.map(&path, &entry.value, entry.key_pos) else {
        return out;
    };
    ck.known_keys(&path, flags, known);
    for name in known {
        if let Some((value, _)) = ck.boolean(&path, flags, name) {
            out.insert((*name).to_owned(), value);
        }
    }
    out
}
