//! What the rules look at, gathered before they run: the file of one snapshot, the repository's
//! stored facts, the files of the repository at the snapshot's commit (from the clone the
//! vitality index keeps), the publisher, the vitality and the `usedBy` matches.
//!
//! Pure data: the worker fills it from the catalog and the clone (the `store` module),
//! the tests and the benchmark from files. [`Declared`] reads the keys the rules need from a
//! valid file's typed model, or from the YAML of an invalid one, so owners learn about their
//! licence or IPA code even while the file does not validate.

use chrono::NaiveDate;
use serde_json::Value;

use crate::catalog::vitality::VitalityFacts;
use crate::publiccode::{self, Diagnostic, Limits, PublicCode};

/// Everything one evaluation of the rules looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The day the rules are run (contract dates are compared with it).
    pub today: NaiveDate,
    /// The repository, as the crawl stored it.
    pub repository: RepositoryFacts,
    /// The `publiccode.yml` of the snapshot judged.
    pub file: FileFacts,
    /// The repository's files at the snapshot's commit; `None` when no clone is at hand.
    pub files: Option<RepoFiles>,
    /// Who publishes it.
    pub publisher: PublisherFacts,
    /// The vitality index and what it was computed from; `None` before it is computed.
    pub vitality: Option<Vitality>,
    /// The `usedBy` names of the snapshot, each with the IPA code matched to it.
    pub used_by: Vec<UsedBy>,
}

/// What the crawl stored of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryFacts {
    /// Its canonical URL in the catalog.
    pub url: String,
    /// The forge says it is archived (read-only).
    pub archived: bool,
    /// The forge says it is private.
    pub private: bool,
}

/// The `publiccode.yml` of one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFacts {
    /// It was read at the repository's root (the crawler reads nowhere else).
    pub at_root: bool,
    /// It passed validation.
    pub valid: bool,
    /// The validator's errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed content of a valid file.
    pub code: Option<PublicCode>,
    /// The YAML of an invalid file, as JSON, when it could be read at all.
    pub raw: Option<Value>,
}

impl FileFacts {
    /// Reads and validates `bytes`, found at the repository's root (offline checks).
    #[must_use]
    pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Self {
        match publiccode::parse(bytes, limits) {
            Ok(raw) => match publiccode::validate(&raw, &publiccode::Context::default()) {
                Ok(valid) => Self {
                    at_root: true,
                    valid: true,
                    diagnostics: valid.warnings().to_vec(),
                    code: Some(valid.code().clone()),
                    raw: None,
                },
                Err(rejected) => Self {
                    at_root: true,
                    valid: false,
                    diagnostics: rejected.diagnostics,
                    code: None,
                    raw: Some(raw.to_json()),
                },
            },
            Err(e) => Self {
                at_root: true,
                valid: false,
                diagnostics: vec![publiccode::parse_error_diagnostic(&e)],
                code: None,
                raw: None,
            },
        }
    }

    /// A snapshot as the catalog stored it: its verdict, its diagnostics (JSON), its typed
    /// content (the normalized JSON of a valid file) and its bytes, read again only when the
    /// file is invalid. Stored values that do not parse read as absent.
    #[must_use]
    pub fn from_stored(
        valid: bool,
        diagnostics: &str,
        normalized: Option<&str>,
        bytes: &[u8],
        limits: &Limits,
    ) -> Self {
        let code: Option<PublicCode> = normalized.and_then(|n| serde_json::from_str(n).ok());
        let raw = if code.is_none() {
            publiccode::parse(bytes, limits).ok().map(|r| r.to_json())
        } else {
            None
        };
        Self {
            at_root: true,
            valid: valid && code.is_some(),
            diagnostics: serde_json::from_str(diagnostics).unwrap_or_default(),
            code,
            raw,
        }
    }
}

/// A text file of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedText {
    /// Its path in the repository.
    pub path: String,
    /// Its content, decoded lossily from UTF-8.
    pub text: String,
}

/// The repository's files at one commit: every path, and the texts of the files the rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoFiles {
    /// The commit they were read at.
    pub commit: String,
    /// The licence file at the root (`LICENSE`, `LICENCE`, `COPYING`, with any extension).
    pub licence: Option<NamedText>,
    /// The README at the root.
    pub readme: Option<NamedText>,
    /// `SECURITY.md` (or similar) at the root or under `.github/`.
    pub security: Option<NamedText>,
    /// Every file's path (up to [`RepoFiles::MAX_PATHS`]).
    pub paths: Vec<String>,
}

impl RepoFiles {
    /// Paths kept of a tree; a larger tree is judged on its first ones (breadth first, so the
    /// root and the documentation directories come before deep source trees).
    pub const MAX_PATHS: usize = 50_000;
    /// Bytes kept of each text read.
    pub const MAX_TEXT: usize = 256 * 1024;

    /// Whether the rules read the file at `path`: the licence, README and security files.
    #[must_use]
    pub fn wants(path: &str) -> bool {
        is_licence(path) || is_readme(path) || is_security(path)
    }

    /// The facts of a tree at `commit` with `paths` (in the order the tree gives them) and the
    /// `texts` of the files [`RepoFiles::wants`].
    #[must_use]
    pub fn new(commit: String, mut paths: Vec<String>, texts: Vec<(String, Vec<u8>)>) -> Self {
        paths.truncate(Self::MAX_PATHS);
        let mut files = Self {
            commit,
            paths,
            ..Self::default()
        };
        // Shorter names first: `LICENSE` wins over `LICENSE.third-party`.
        let mut texts = texts;
        texts.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
        for (path, bytes) in texts {
            let cut = &bytes[..bytes.len().min(Self::MAX_TEXT)];
            let text = NamedText {
                path: path.clone(),
                text: String::from_utf8_lossy(cut).into_owned(),
            };
            let slot = if is_licence(&path) {
                &mut files.licence
            } else if is_readme(&path) {
                &mut files.readme
            } else if is_security(&path) {
                &mut files.security
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(text);
            }
        }
        files
    }
}

/// The stem of a root file's name, lower case: `LICENSE.md` → `license`. `None` below the root.
fn root_stem(path: &str) -> Option<String> {
    if path.contains('/') {
        return None;
    }
    let stem = path.split_once('.').map_or(path, |(stem, _)| stem);
    Some(stem.to_ascii_lowercase())
}

fn is_licence(path: &str) -> bool {
    root_stem(path).is_some_and(|s| matches!(s.as_str(), "license" | "licence" | "copying"))
}

fn is_readme(path: &str) -> bool {
    root_stem(path).is_some_and(|s| s == "readme")
}

fn is_security(path: &str) -> bool {
    let path = path.strip_prefix(".github/").unwrap_or(path);
    root_stem(path).is_some_and(|s| s == "security")
}

/// Who publishes the entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublisherFacts {
    /// The source it was crawled from confirmed the publisher the file claims
    /// (`software.publisher_verified`).
    pub verified: bool,
}

/// The vitality of the entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Vitality {
    /// The index, 0–100.
    pub index: f64,
    /// What it was computed from.
    pub facts: Option<VitalityFacts>,
}

/// A `usedBy` name and the IPA code matched to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedBy {
    /// The name as written.
    pub name: String,
    /// The administration it was matched to.
    pub ipa_code: Option<String>,
}

/// The keys the rules read, from a valid file's model or an invalid file's YAML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// `url`
    pub url: Option<String>,
    /// `isBasedOn`, always a list.
    pub is_based_on: Vec<String>,
    /// `legal.license`
    pub licence: Option<String>,
    /// The publisher's IPA code and the key it came from (`organisation.uri` or
    /// `IT.riuso.codiceIPA`, or the lower-case `it`).
    pub ipa: Option<(String, &'static str)>,
    /// `maintenance.type`
    pub maintenance: Option<String>,
    /// `maintenance.contractors[].until`, those that are dates.
    pub contractors_until: Vec<NaiveDate>,
    /// `developmentStatus`
    pub development_status: Option<String>,
    /// `description.*.documentation`
    pub documentation: Vec<String>,
}

impl Declared {
    /// What `file` declares.
    #[must_use]
    pub fn of(file: &FileFacts) -> Self {
        if let Some(code) = &file.code {
            return Self::of_code(code);
        }
        file.raw.as_ref().map(Self::of_raw).unwrap_or_default()
    }

    fn of_code(code: &PublicCode) -> Self {
        let ipa = code
            .organisation
            .as_ref()
            .and_then(|o| o.uri.as_deref())
            .and_then(publiccode::ipa_urn_code)
            .map(|c| (c.to_ascii_lowercase(), "organisation.uri"))
            .or_else(|| {
                code.it
                    .as_ref()
                    .and_then(|it| it.codice_ipa.as_deref())
                    .map(|c| (c.to_ascii_lowercase(), "IT.riuso.codiceIPA"))
            });
        Self {
            url: Some(code.url.clone()),
            is_based_on: code.is_based_on.clone(),
            licence: Some(code.legal.license.clone()),
            ipa,
            maintenance: Some(code.maintenance.kind.as_str().to_owned()),
            contractors_until: code
                .maintenance
                .contractors
                .iter()
                .map(|c| c.until)
                .collect(),
            development_status: Some(code.development_status.as_str().to_owned()),
            documentation: code
                .description
                .values()
                .filter_map(|d| d.documentation.clone())
                .collect(),
        }
    }

    fn of_raw(raw: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let at = |path: &[&str]| path.iter().try_fold(raw, |v, k| v.get(*k));
        let is_based_on = match at(&["isBasedOn"]) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let ipa = text(at(&["organisation", "uri"]))
            .and_then(|u| publiccode::ipa_urn_code(&u).map(str::to_ascii_lowercase))
            .map(|c| (c, "organisation.uri"))
            .or_else(|| {
                text(at(&["IT", "riuso", "codiceIPA"]))
                    .map(|c| (c.to_ascii_lowercase(), "IT.riuso.codiceIPA"))
            })
            .or_else(|| {
                text(at(&["it", "riuso", "codiceIPA"]))
                    .map(|c| (c.to_ascii_lowercase(), "it.riuso.codiceIPA"))
            });
        let contractors_until = at(&["maintenance", "contractors"])
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c.get("until").and_then(Value::as_str))
                    .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .collect()
            })
            .unwrap_or_default();
        let documentation = at(&["description"])
            .and_then(Value::as_object)
            .map(|langs| {
                langs
                    .values()
                    .filter_map(|d| d.get("documentation").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            url: text(at(&["url"])),
            is_based_on,
            licence: text(at(&["legal", "license"])),
            ipa,
            maintenance: text(at(&["maintenance", "type"])),
            contractors_until,
            development_status: text(at(&["developmentStatus"])),
            documentation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_the_rules_read_are_picked_by_name_at_the_root() {
        assert!(RepoFiles::wants("LICENSE"));
        assert!(RepoFiles::wants("LICENCE.md"));
        assert!(RepoFiles::wants("COPYING.txt"));
        assert!(RepoFiles::wants("README.rst"));
        assert!(RepoFiles::wants(".github/SECURITY.md"));
        assert!(!RepoFiles::wants("vendor/lib/LICENSE"));
        assert!(!RepoFiles::wants("docs/README.md"));
        let files = RepoFiles::new(
            "c0ffee".to_owned(),
            vec!["LICENSE.third-party".to_owned(), "LICENSE".to_owned()],
            vec![
                ("LICENSE.third-party".to_owned(), b"others".to_vec()),
                ("LICENSE".to_owned(), b"ours".to_vec()),
            ],
        );
        assert_eq!(files.licence.map(|l| l.text).as_deref(), Some("ours"));
    }

    #[test]
    fn an_invalid_file_still_declares_its_keys() {
        let yaml = b"publiccodeYmlVersion: '0.4'\nurl: https://example.org/x\nlegal:\n  license: EUPL-1.2\nit:\n  riuso:\n    codiceIPA: C_H501\n";
        let file = FileFacts::from_bytes(yaml, &Limits::default());
        assert!(!file.valid);
        let declared = Declared::of(&file);
        assert_eq!(declared.licence.as_deref(), Some("EUPL-1.2"));
        assert_eq!(declared.url.as_deref(), Some("https://example.org/x"));
        assert_eq!(
            declared.ipa,
            Some(("c_h501".to_owned(), "it.riuso.codiceIPA"))
        );
    }
}
