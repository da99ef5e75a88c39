//! Normalized compliance claims from the old Italian section and from the newer keys.

use riuso::publiccode::{self, ClaimKind, ClaimValue, Code, Context, Limits, Outcome, Validated};

use crate::support::fixtures;

fn with(extra: &str) -> Outcome {
    let mut src =
        std::fs::read_to_string(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"))
            .unwrap();
    src.push_str(extra);
    publiccode::check(src.as_bytes(), &Limits::default(), &Context::default())
}

fn valid(extra: &str) -> Validated {
    match with(extra) {
        Outcome::Valid(v) => *v,
        Outcome::Invalid(r) => panic!("expected valid, got {:#?}", r.diagnostics),
    }
}

fn claims(v: &Validated) -> Vec<(ClaimKind, ClaimValue, String)> {
    v.claims()
        .iter()
        .map(|c| (c.kind, c.value.clone(), c.source.clone()))
        .collect()
}

fn yes(kind: ClaimKind, source: &str) -> (ClaimKind, ClaimValue, String) {
    (kind, ClaimValue::Declared(true), source.to_owned())
}

#[test]
fn old_italian_section_in_upper_case() {
    let v = valid(
        "IT:\n  countryExtensionVersion: \"1.0\"\n  conforme:\n    lineeGuidaDesign: true\n    modelloInteroperabilita: false\n    misureMinimeSicurezza: true\n    gdpr: true\n  piattaforme:\n    spid: true\n    cie: false\n    anpr: true\n    pagopa: true\n    io: true\n  riuso:\n    codiceIPA: C_H501\n",
    );
    assert_eq!(
        claims(&v),
        vec![
            yes(ClaimKind::Gdpr, "IT.conforme.gdpr"),
            yes(ClaimKind::Spid, "IT.piattaforme.spid"),
            (
                ClaimKind::Cie,
                ClaimValue::Declared(false),
                "IT.piattaforme.cie".into()
            ),
            yes(ClaimKind::Anpr, "IT.piattaforme.anpr"),
            yes(ClaimKind::Pagopa, "IT.piattaforme.pagopa"),
            yes(ClaimKind::Io, "IT.piattaforme.io"),
            yes(ClaimKind::Accessibility, "IT.conforme.lineeGuidaDesign"),
            (
                ClaimKind::Interoperability,
                ClaimValue::Declared(false),
                "IT.conforme.modelloInteroperabilita".into()
            ),
            yes(
                ClaimKind::MinimumSecurity,
                "IT.conforme.misureMinimeSicurezza"
            ),
            (
                ClaimKind::PublisherIpa,
                ClaimValue::Ipa("c_h501".into()),
                "IT.riuso.codiceIPA".into()
            ),
        ]
    );
    let deprecated: Vec<&str> = v
        .warnings()
        .iter()
        .filter(|d| d.code == Code::Deprecated)
        .map(|d| d.key.as_str())
        .collect();
    assert_eq!(deprecated, vec!["IT.conforme", "IT.riuso.codiceIPA"]);
}

#[test]
fn deprecated_lower_case_section_names_its_keys() {
    let v = valid("it:\n  piattaforme:\n    pagopa: true\n  riuso:\n    codiceIPA: pcm\n");
    assert_eq!(
        claims(&v),
        vec![
            yes(ClaimKind::Pagopa, "it.piattaforme.pagopa"),
            (
                ClaimKind::PublisherIpa,
                ClaimValue::Ipa("pcm".into()),
                "it.riuso.codiceIPA".into()
            ),
        ]
    );
    assert!(
        v.warnings()
            .iter()
            .any(|d| d.key == "it" && d.code == Code::Deprecated)
    );
}

#[test]
fn new_keys_and_their_precedence_over_old_ones() {
    let v = valid(
        "organisation:\n  name: Roma Capitale\n  uri: urn:x-italian-pa:c_h501\nsupports:\n  - id: alias:eidas\n  - id: alias:spid\n  - id: https://example.org/standard\n  - id: alias:gdpr\nIT:\n  piattaforme:\n    spid: false\n    io: true\n  riuso:\n    codiceIPA: pcm\n",
    );
    assert_eq!(
        claims(&v),
        vec![
            yes(ClaimKind::Gdpr, "supports[3].id"),
            yes(ClaimKind::Spid, "supports[1].id"),
            yes(ClaimKind::Io, "IT.piattaforme.io"),
            (
                ClaimKind::PublisherIpa,
                ClaimValue::Ipa("c_h501".into()),
                "organisation.uri".into()
            ),
        ]
    );
}

#[test]
fn ipa_codes_are_checked_in_both_forms() {
    for extra in [
        "organisation:\n  uri: urn:x-italian-pa:not_a_pa\n",
        "IT:\n  riuso:\n    codiceIPA: not_a_pa\n",
    ] {
        let Outcome::Invalid(r) = with(extra) else {
            panic!("{extra} must be invalid")
        };
        assert!(r.errors().any(|d| d.code == Code::InvalidIpaCode), "{r:#?}");
    }
    let v = valid("organisation:\n  uri: URN:X-ITALIAN-PA:AGID\n");
    assert_eq!(
        claims(&v),
        vec![(
            ClaimKind::PublisherIpa,
            ClaimValue::Ipa("agid".into()),
            "organisation.uri".into()
        )]
    );
}

#[test]
fn both_it_and_upper_it_is_an_error() {
    let Outcome::Invalid(r) =
        with("it:\n  piattaforme:\n    spid: true\nIT:\n  piattaforme:\n    spid: true\n")
    else {
        panic!("must be invalid")
    };
    assert!(
        r.errors()
            .any(|d| d.code == Code::SectionConflict && d.key == "it")
    );
}
