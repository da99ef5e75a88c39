//! Normalized compliance claims: one vocabulary for what the old Italian section (`IT.conforme`,
//! `IT.piattaforme`, `IT.riuso.codiceIPA`) and the newer keys (`supports`, `organisation.uri`)
//! declare, each claim keeping the key it came from.

use serde::Serialize;

use super::check::ipa_urn_code;
use super::model::{Italian, PublicCode};
use super::yaml::Entry;

/// What a claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimKind {
    /// Respects the GDPR.
    Gdpr,
    /// Integrates SPID.
    Spid,
    /// Integrates CIE.
    Cie,
    /// Integrates ANPR.
    Anpr,
    /// Integrates pagoPA.
    Pagopa,
    /// Integrates the IO app.
    Io,
    /// Follows the AgID design (accessibility) guidelines.
    Accessibility,
    /// Follows the interoperability model.
    Interoperability,
    /// Implements the minimum ICT security measures.
    MinimumSecurity,
    /// The publisher's IPA code.
    #[serde(rename = "publisher_ipa")]
    PublisherIpa,
}

impl ClaimKind {
    /// The stable name, as stored and shown.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gdpr => "gdpr",
            Self::Spid => "spid",
            Self::Cie => "cie",
            Self::Anpr => "anpr",
            Self::Pagopa => "pagopa",
            Self::Io => "io",
            Self::Accessibility => "accessibility",
            Self::Interoperability => "interoperability",
            Self::MinimumSecurity => "minimum-security",
            Self::PublisherIpa => "publisher_ipa",
        }
    }
}

/// The value a claim declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ClaimValue {
    /// A yes/no self-declaration (`false` is a declared "no", distinct from absence).
    Declared(bool),
    /// An IPA code, lower-cased.
    Ipa(String),
}

/// One normalized claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// What it is about.
    pub kind: ClaimKind,
    /// What it says.
    pub value: ClaimValue,
    /// The key it came from, e.g. `supports[1].id` or `IT.piattaforme.spid`.
    pub source: String,
}

const PLATFORMS: &[(ClaimKind, &str)] = &[
    (ClaimKind::Spid, "spid"),
    (ClaimKind::Cie, "cie"),
    (ClaimKind::Anpr, "anpr"),
    (ClaimKind::Pagopa, "pagopa"),
    (ClaimKind::Io, "io"),
];

const CONFORME: &[(ClaimKind, &str)] = &[
    (ClaimKind::Gdpr, "gdpr"),
    (ClaimKind::Accessibility, "lineeGuidaDesign"),
    (ClaimKind::Interoperability, "modelloInteroperabilita"),
    (ClaimKind::MinimumSecurity, "misureMinimeSicurezza"),
];

/// Builds the claims of a file. The newer keys win over the old Italian section when both say
/// something about the same claim; the claim then names the newer key.
pub(crate) fn normalize(
    code: &PublicCode,
    italian: Option<&(Italian, &'static str)>,
    top: &[Entry],
) -> Vec<Claim> {
    let mut claims: Vec<Claim> = Vec::new();
    let mut push = |kind: ClaimKind, value: ClaimValue, source: String| {
        if !claims.iter().any(|c| c.kind == kind) {
            claims.push(Claim {
                kind,
                value,
                source,
            });
        }
    };

    // The position of each id in the source list (invalid ids were dropped from `supports`).
    let support_sources = supports_sources(top);
    for (i, id) in &support_sources {
        let Some(alias) = id.strip_prefix("alias:") else {
            continue;
        };
        let kind = match alias {
            "gdpr" => ClaimKind::Gdpr,
            "spid" => ClaimKind::Spid,
            "cie" => ClaimKind::Cie,
            "anpr" => ClaimKind::Anpr,
            "pagopa" => ClaimKind::Pagopa,
            "io" => ClaimKind::Io,
            _ => continue,
        };
        if code.supports.iter().any(|s| s == id) {
            push(
                kind,
                ClaimValue::Declared(true),
                format!("supports[{i}].id"),
            );
        }
    }
    if let Some(uri) = code.organisation.as_ref().and_then(|o| o.uri.as_deref())
        && let Some(ipa) = ipa_urn_code(uri)
    {
        push(
            ClaimKind::PublisherIpa,
            ClaimValue::Ipa(ipa.to_ascii_lowercase()),
            "organisation.uri".to_owned(),
        );
    }
    if let Some((it, section)) = italian {
        for (kind, key) in PLATFORMS {
            if let Some(v) = it.piattaforme.get(*key) {
                push(
                    *kind,
                    ClaimValue::Declared(*v),
                    format!("{section}.piattaforme.{key}"),
                );
            }
        }
        for (kind, key) in CONFORME {
            if let Some(v) = it.conforme.get(*key) {
                push(
                    *kind,
                    ClaimValue::Declared(*v),
                    format!("{section}.conforme.{key}"),
                );
            }
        }
        if let Some(ipa) = &it.codice_ipa {
            push(
                ClaimKind::PublisherIpa,
                ClaimValue::Ipa(ipa.to_ascii_lowercase()),
                format!("{section}.riuso.codiceIPA"),
            );
        }
    }
    claims.sort_by_key(|c| c.kind);
    claims
}

fn supports_sources(top: &[Entry]) -> Vec<(usize, String)> {
    let Some(items) = top
        .iter()
        .find(|e| e.key == "supports")
        .and_then(|e| match &e.value.value {
            super::yaml::Value::Seq(items) => Some(items),
            _ => None,
        })
    else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let id = item.get("id")?.value.as_scalar()?.text.clone();
            Some((i, id))
        })
        .collect()
}
