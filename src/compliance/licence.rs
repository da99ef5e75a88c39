//! Licences as the guidelines see them (§3.5 and Annex C): SPDX expressions, OSI approval,
//! the licences recommended by the §3.5.3 decision tree, the licences fit for documentation
//! and data only, and whether a licence file holds a licence's full text.
//!
//! Built on the `spdx` crate's licence list (its `is_osi_approved` flag and expression
//! evaluation), so a new SPDX list comes with a crate update rather than a table here.

use spdx::{Expression, LicenseReq, ParseMode};

/// The licences the §3.5.3 decision tree names for new software: `EUPL-1.2` by default,
/// `AGPL-3.0-or-later` for software used over the network, `BSD-3-Clause` for libraries.
pub const RECOMMENDED: [&str; 3] = ["EUPL-1.2", "AGPL-3.0-or-later", "BSD-3-Clause"];

/// Licences Annex C accepts for documentation and data, which are not OSI software licences.
pub const DOCUMENTATION: [&str; 3] = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"];

/// A licence expression as the rules read it.
#[derive(Debug, Clone)]
pub struct Licence {
    expression: Expression,
    /// The canonical form, when the text is not written canonically (`GPL-3.0+`, `apache2`,
    /// `MIT/Apache-2.0`).
    pub canonical: Option<String>,
}

impl Licence {
    /// Parses `text` as an SPDX expression, leniently as the validator does.
    ///
    /// # Errors
    ///
    /// The parser's reason when it is not an SPDX expression at all.
    pub fn parse(text: &str) -> Result<Self, String> {
        // The canonical form when the crate can write one; else the lax reading the validator
        // accepts.
        let canonical = Expression::canonicalize(text).ok().flatten();
        let strict = canonical
            .as_deref()
            .map_or_else(|| Expression::parse(text), Expression::parse);
        let expression = match strict {
            Ok(expression) => expression,
            Err(_) => {
                Expression::parse_mode(text, ParseMode::LAX).map_err(|e| e.reason.to_string())?
            }
        };
        Ok(Self {
            expression,
            canonical,
        })
    }

    /// Whether the expression can be satisfied with OSI-approved licences, documentation
    /// licences ([`DOCUMENTATION`]) allowed beside them; and at least one term is an OSI
    /// software licence. The terms that are neither are returned otherwise.
    pub fn osi_approved(&self) -> Result<(), Vec<String>> {
        let software = self
            .expression
            .requirements()
            .any(|r| r.req.license.id().is_some_and(|id| id.is_osi_approved()));
        let satisfied = self
            .expression
            .evaluate(|req| is_osi(req) || is_documentation(req));
        if satisfied && software {
            return Ok(());
        }
        Err(self
            .expression
            .requirements()
            .filter(|r| !is_osi(&r.req))
            .map(|r| r.req.to_string())
            .collect())
    }

    /// Whether one of its terms is a [`RECOMMENDED`] licence.
    #[must_use]
    pub fn recommended(&self) -> bool {
        self.expression.requirements().any(|r| {
            r.req
                .license
                .id()
                .is_some_and(|id| RECOMMENDED.contains(&id.name))
        })
    }

    /// The ids of its licences, for matching a licence file's text.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.expression
            .requirements()
            .filter_map(|r| r.req.license.id().map(|id| id.name))
    }
}

fn is_osi(req: &LicenseReq) -> bool {
    req.license.id().is_some_and(|id| id.is_osi_approved())
}

fn is_documentation(req: &LicenseReq) -> bool {
    req.license
        .id()
        .is_some_and(|id| DOCUMENTATION.contains(&id.name))
}

/// Phrases the full text of each family of licences holds (upper-cased), by the start of
/// their SPDX ids. A file that holds one of them is the licence's text, not a pointer to it.
const TEXT_MARKS: &[(&str, &[&str])] = &[
    ("EUPL", &["EUROPEAN UNION PUBLIC LICEN"]),
    ("AGPL", &["GNU AFFERO GENERAL PUBLIC LICENSE"]),
    ("LGPL", &["GNU LESSER GENERAL PUBLIC LICENSE"]),
    ("GPL", &["GNU GENERAL PUBLIC LICENSE"]),
    ("Apache", &["APACHE LICENSE"]),
    ("MIT", &["PERMISSION IS HEREBY GRANTED, FREE OF CHARGE"]),
    (
        "BSD",
        &["REDISTRIBUTION AND USE IN SOURCE AND BINARY FORMS"],
    ),
    ("MPL", &["MOZILLA PUBLIC LICENSE"]),
    ("EPL", &["ECLIPSE PUBLIC LICENSE"]),
    ("CC-BY", &["CREATIVE COMMONS"]),
    ("CC0", &["CC0 1.0 UNIVERSAL", "CREATIVE COMMONS"]),
    ("ISC", &["PERMISSION TO USE, COPY, MODIFY"]),
];

/// A licence file shorter than this that names no licence is a pointer, not the text.
pub const MIN_TEXT_BYTES: usize = 600;

/// What a licence file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMatch {
    /// The full text of one of the declared licences (its SPDX id).
    Declared(&'static str),
    /// A long text that is not recognisably one of the declared licences.
    Other,
    /// Too short to be a licence's full text.
    Stub,
}

/// Whether `text` is the full text of one of the licences `ids` names.
#[must_use]
pub fn match_text<'a>(text: &str, ids: impl IntoIterator<Item = &'a str>) -> TextMatch {
    let upper = text.to_uppercase();
    let upper = upper.split_whitespace().collect::<Vec<_>>().join(" ");
    for id in ids {
        let marks = TEXT_MARKS
            .iter()
            .find(|(family, _)| id.starts_with(family))
            .map(|(_, marks)| *marks);
        if marks.is_some_and(|marks| marks.iter().any(|m| upper.contains(m))) {
            return TextMatch::Declared(static_id(id));
        }
    }
    if text.trim().len() >= MIN_TEXT_BYTES {
        TextMatch::Other
    } else {
        TextMatch::Stub
    }
}

/// The `'static` name of a licence id from the SPDX list (`id` came from it).
fn static_id(id: &str) -> &'static str {
    spdx::license_id(id).map_or("licence", |l| l.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osi_approval_allows_documentation_licences_beside_software_ones() {
        assert!(Licence::parse("EUPL-1.2").unwrap().osi_approved().is_ok());
        assert!(
            Licence::parse("AGPL-3.0-or-later AND CC-BY-4.0")
                .unwrap()
                .osi_approved()
                .is_ok()
        );
        assert_eq!(
            Licence::parse("CC-BY-4.0").unwrap().osi_approved(),
            Err(vec!["CC-BY-4.0".to_owned()])
        );
        assert_eq!(
            Licence::parse("CC-BY-NC-4.0").unwrap().osi_approved(),
            Err(vec!["CC-BY-NC-4.0".to_owned()])
        );
        assert!(
            Licence::parse("MIT OR CC-BY-NC-4.0")
                .unwrap()
                .osi_approved()
                .is_ok()
        );
        assert!(Licence::parse("not a licence at all (really)").is_err());
    }

    #[test]
    fn the_recommendation_and_the_lax_spelling() {
        assert!(Licence::parse("EUPL-1.2").unwrap().recommended());
        assert!(Licence::parse("BSD-3-Clause").unwrap().recommended());
        assert!(Licence::parse("AGPL-3.0-or-later").unwrap().recommended());
        assert!(!Licence::parse("AGPL-3.0-only").unwrap().recommended());
        assert!(!Licence::parse("Apache-2.0").unwrap().recommended());
        assert!(Licence::parse("EUPL-1.2+").unwrap().recommended());
        // `-or-later` is the GNU licences' spelling only.
        assert!(Licence::parse("EUPL-1.2-or-later").is_err());
        let lax = Licence::parse("AGPL-3.0+").unwrap();
        assert_eq!(lax.canonical.as_deref(), Some("AGPL-3.0-or-later"));
        assert!(lax.recommended());
        assert_eq!(Licence::parse("EUPL-1.2").unwrap().canonical, None);
    }

    #[test]
    fn a_licence_file_is_its_text_or_a_pointer() {
        let eupl = "EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016";
        assert_eq!(
            match_text(eupl, ["EUPL-1.2"]),
            TextMatch::Declared("EUPL-1.2")
        );
        assert_eq!(
            match_text("See https://opensource.org/licenses/MIT", ["MIT"]),
            TextMatch::Stub
        );
        assert_eq!(match_text(&"x ".repeat(400), ["MIT"]), TextMatch::Other);
    }
}
