//! The motivation document: its JSON and the PDF, read back with a PDF reader: tagged (a
//! structure tree, `/MarkInfo /Marked true`), in the case's language, with XMP metadata and a
//! title, its text holding the needs, each candidate, the guards' values and the decision;
//! reproducible from the same events but for its creation date.

use chrono::{DateTime, Utc};
use lopdf::{Document as Pdf, Object};
use riuso::cases::document::{Administration, Document};
use riuso::cases::evidence::{
    CatalogFacts, Choice, Coverage, Decision, Delivery, Evaluation, Found, Needs, Norm,
    Requirement, Search, Tco,
};
use riuso::cases::machine::{Actor, Case, Event, Transition};
use riuso::cases::pdf;
use riuso::i18n::Lang;

const IPA: &str = "c_a944";

fn at(minute: u32) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-12-10T10:{minute:02}:00Z"))
        .unwrap()
        .with_timezone(&Utc)
}

fn evaluation(software: i64, name: &str, integration: u64, days: u32) -> Evaluation {
    Evaluation {
        software,
        snapshot: software * 10,
        slug: name.to_lowercase().replace(' ', "-"),
        name: name.to_owned(),
        facts: CatalogFacts {
            version: Some("2.3.1".to_owned()),
            publisher: Some("Comune di Roma".to_owned()),
            ipa: Some("c_h501".to_owned()),
            claims: vec!["accessibility".to_owned(), "gdpr".to_owned()],
            maintenance: Some("contract".to_owned()),
            contracts: vec![],
            used_by: 4,
            declarations: 1,
            vitality: Some(72),
            licence: Some("EUPL-1.2".to_owned()),
            dependencies: vec!["PostgreSQL".to_owned()],
            proprietary: vec![],
        },
        coverage: vec![Coverage::Covered, Coverage::Customisation],
        agreements: String::new(),
        skills: "Java, PostgreSQL".to_owned(),
        tco: Tco {
            training: 5_000,
            integration,
            ..Tco::default()
        },
        days,
        blocking: String::new(),
        licence: None,
        notes: String::new(),
    }
}

/// A case walked from its opening to a PA-reuse decision, with two candidates.
fn events() -> Vec<(i64, Event)> {
    let moves = vec![
        Transition::Open {
            title: "Protocollo informatico".to_owned(),
            scope: "Il protocollo dell'ente".to_owned(),
            officer: "Mario Rossi, RTD".to_owned(),
        },
        Transition::DefineNeeds {
            needs: Needs {
                context: "Ufficio protocollo con ventimila documenti l'anno".to_owned(),
                objectives: "Protocollo conforme alle regole tecniche".to_owned(),
                requirements: vec![
                    Requirement {
                        text: "Protocollazione delle PEC in arrivo".to_owned(),
                        indispensable: true,
                    },
                    Requirement {
                        text: "Conservazione a norma".to_owned(),
                        indispensable: false,
                    },
                ],
                budget: 60_000,
                budget_covers: "migrazione, installazione, formazione".to_owned(),
                days: 180,
                norms: vec![Norm::Accessibility, Norm::Interoperability],
                other_constraints: String::new(),
            },
        },
        Transition::StartSearch,
        Transition::Search {
            search: Search {
                query: "protocollo".to_owned(),
                filters: vec![("category".to_owned(), "document-management".to_owned())],
                total: 2,
                results: [(1, "Prot Aperto"), (2, "DocuPA")]
                    .into_iter()
                    .map(|(software, name)| Found {
                        software,
                        snapshot: software * 10,
                        slug: name.to_lowercase().replace(' ', "-"),
                        name: name.to_owned(),
                        publisher: Some("Comune di Roma".to_owned()),
                        ipa: Some("c_h501".to_owned()),
                        licence: Some("EUPL-1.2".to_owned()),
                    })
                    .collect(),
            },
        },
        Transition::Shortlist {
            candidates: vec![1, 2],
        },
        Transition::Evaluate {
            evaluation: evaluation(1, "Prot Aperto", 20_000, 120),
        },
        Transition::Evaluate {
            evaluation: evaluation(2, "DocuPA", 70_000, 200),
        },
        Transition::Select {
            decision: Decision {
                choice: Choice::PaReuse {
                    software: 1,
                    version: "2.3.1".to_owned(),
                },
                motivation: "Copre i requisiti indispensabili entro budget e tempi".to_owned(),
                delivery: Delivery::CloudIaas,
                planned_changes: true,
            },
        },
    ];
    let mut case = Case::default();
    let mut events = Vec::new();
    for (i, transition) in moves.into_iter().enumerate() {
        let event = case
            .apply(
                Actor::member(7, IPA),
                transition,
                vec![],
                at(u32::try_from(i).unwrap()),
            )
            .unwrap();
        events.push((i64::try_from(i).unwrap() + 1, event));
        case = Case::replay(events.iter().map(|(_, e)| e)).unwrap();
    }
    events
}

fn document() -> Document {
    let events = events();
    let case = Case::replay(events.iter().map(|(_, e)| e)).unwrap();
    Document::of(
        5,
        Administration {
            ipa: IPA.to_owned(),
            name: "Comune di Bologna".to_owned(),
        },
        &case,
        &events,
    )
}

#[test]
fn the_json_holds_the_evidence_and_the_guards() {
    let doc = document();
    let json = serde_json::to_value(&doc).unwrap();
    assert_eq!(json["state"], "solution-selected");
    assert_eq!(json["kind"], "pa-reuse");
    assert_eq!(json["administration"]["ipa"], IPA);
    let assessments = json["assessments"].as_array().unwrap();
    assert_eq!(assessments.len(), 2);
    assert_eq!(assessments[0]["assessment"]["s_tco"], 25_000);
    assert_eq!(assessments[0]["assessment"]["eligible"], true);
    assert_eq!(assessments[1]["assessment"]["within_budget"], false);
    assert_eq!(json["events"].as_array().unwrap().len(), 8);
    assert!(
        json["obligations"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("annex-d"))
    );
    // The same events give the same JSON.
    assert_eq!(
        serde_json::to_string(&doc).unwrap(),
        serde_json::to_string(&document()).unwrap()
    );
}

/// The object `reference` points to, resolved.
fn resolve<'a>(pdf: &'a Pdf, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => pdf.get_object(*id).unwrap(),
        other => other,
    }
}

#[test]
fn the_pdf_is_tagged_and_holds_the_evaluation() {
    for lang in [Lang::It, Lang::En] {
        let bytes = pdf::render(&document(), lang, at(30)).unwrap();
        assert!(bytes.starts_with(b"%PDF-1.7"));
        let doc = Pdf::load_mem(&bytes).unwrap();
        let catalog = doc.catalog().unwrap();
        // Tagged: a structure tree, marked content.
        let root = resolve(&doc, catalog.get(b"StructTreeRoot").unwrap())
            .as_dict()
            .unwrap();
        assert_eq!(
            root.get(b"Type").unwrap().as_name().unwrap(),
            b"StructTreeRoot"
        );
        assert!(root.get(b"K").is_ok(), "the structure tree has children");
        let mark = resolve(&doc, catalog.get(b"MarkInfo").unwrap())
            .as_dict()
            .unwrap();
        assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
        // The language and the XMP metadata with the PDF/UA and PDF/A identifications.
        let language = catalog.get(b"Lang").unwrap().as_str().unwrap();
        assert_eq!(language, lang.code().as_bytes());
        let metadata = resolve(&doc, catalog.get(b"Metadata").unwrap())
            .as_stream()
            .unwrap();
        let xmp = String::from_utf8_lossy(&metadata.content).into_owned();
        assert!(xmp.contains("pdfuaid:part"), "{xmp}");
        assert!(xmp.contains("pdfaid:part"), "{xmp}");
        assert!(
            xmp.contains("Protocollo informatico"),
            "the title is in the XMP"
        );
        let prefs = resolve(&doc, catalog.get(b"ViewerPreferences").unwrap())
            .as_dict()
            .unwrap();
        assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
        // The text: the needs, each candidate, the guards' values, the decision.
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = doc.extract_text(&pages).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "Protocollazione delle PEC in arrivo",
            "Conservazione a norma",
            "Prot Aperto",
            "DocuPA",
            "€ 25",
            "€ 60",
            "S_TCO",
            "T_bilancio",
            "S_tempi",
            "T_tempi",
            "Copre i requisiti indispensabili entro budget e tempi",
        ] {
            assert!(flat.contains(needle), "{lang:?}: {needle} not in {flat}");
        }
        let decision = match lang {
            Lang::It => "Riuso di una soluzione PA",
            Lang::En => "Reuse of a PA solution",
        };
        assert!(flat.contains(decision), "{lang:?}: {flat}");
    }
}

#[test]
fn the_pdf_is_reproducible_but_for_its_date() {
    let one = pdf::render(&document(), Lang::It, at(30)).unwrap();
    let two = pdf::render(&document(), Lang::It, at(30)).unwrap();
    assert_eq!(one, two, "the same events and date give the same bytes");
    let later = pdf::render(&document(), Lang::It, at(45)).unwrap();
    assert_ne!(one, later);
    assert_eq!(
        one.len(),
        later.len(),
        "only the date (and the ids it changes) differs"
    );
}
