//! The open-data exports on both databases, over HTTP and from the command line: DCAT-AP_IT read
//! back with RDF parsers (one `dcatapit:Dataset` per active entry, each with the profile's
//! mandatory properties), the same graph in Turtle and JSON-LD, CSV and JSON Lines row counts.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{StatusCode, header};
use chrono::Utc;
use riuso::catalog::{Fetched, Origin};
use riuso::pipeline;
use riuso::publiccode::{self, Context, Limits};

use crate::support::db::{BACKENDS, TestDb};
use crate::support::fixtures;
use crate::support::test_app::{PUBLIC_URL, Response, TestApp};

const ENTRIES: u64 = 25;

async fn export(app: &TestApp, ext: &str) -> (String, Vec<u8>) {
    let Response {
        status,
        headers,
        body,
        ..
    } = app.get(&format!("/api/v1/export.{ext}")).await;
    assert_eq!(status, StatusCode::OK, "{ext}");
    (
        headers[header::CONTENT_TYPE].to_str().unwrap().to_owned(),
        body.into_bytes(),
    )
}

/// Triples as N-Triples strings.
fn turtle(bytes: &[u8]) -> BTreeSet<String> {
    oxttl::TurtleParser::new()
        .for_slice(bytes)
        .map(|t| t.unwrap().to_string())
        .collect()
}

fn jsonld(bytes: &[u8]) -> BTreeSet<String> {
    oxjsonld::JsonLdParser::new()
        .for_slice(bytes)
        .map(|q| {
            let q = q.unwrap();
            format!("{} {} {}", q.subject, q.predicate, q.object)
        })
        .collect()
}

const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCATAPIT: &str = "http://dati.gov.it/onto/dcatapit#";
const DCT: &str = "http://purl.org/dc/terms/";

/// Subject → predicate → objects.
fn by_subject(triples: &BTreeSet<String>) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for t in triples {
        let mut parts = t.splitn(3, ' ');
        let (s, p, o) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        out.entry(s.to_owned())
            .or_default()
            .entry(p.to_owned())
            .or_default()
            .push(o.to_owned());
    }
    out
}

async fn add_inactive(db: &TestDb) {
    let bytes = std::fs::read(
        fixtures().join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
    )
    .unwrap();
    let inspected = publiccode::inspect(&bytes, &Limits::default(), &Context::default());
    assert!(!inspected.outcome.is_valid(), "the fixture is invalid");
    let origin = Origin {
        repository_url: "https://github.com/example/broken",
        forge: "github",
        facts: None,
        source_ipa: None,
    };
    let fetched = Fetched {
        bytes: &bytes,
        commit: None,
        fetched_at: Utc::now(),
    };
    pipeline::ingest(
        &db.conn,
        origin,
        fetched,
        &inspected,
        &pipeline::Upkeep::default(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn dcat_ap_it_holds_one_dataset_per_active_entry_with_the_mandatory_properties() {
    for backend in BACKENDS {
        let app = TestApp::new()
            .backend(backend)
            .synthetic(ENTRIES)
            .build()
            .await;
        add_inactive(&app.db).await;

        let (media, ttl) = export(&app, "ttl").await;
        assert_eq!(media, "text/turtle; charset=utf-8");
        let triples = turtle(&ttl);
        let (media, ld) = export(&app, "jsonld").await;
        assert_eq!(media, "application/ld+json");
        assert_eq!(
            jsonld(&ld),
            triples,
            "{backend:?}: Turtle and JSON-LD differ"
        );

        let graph = by_subject(&triples);
        let is_a = |node: &BTreeMap<String, Vec<String>>, class: &str| {
            node.get(RDF_TYPE)
                .is_some_and(|types| types.iter().any(|t| *t == format!("<{class}>")))
        };
        let catalogs: Vec<_> = graph
            .values()
            .filter(|n| is_a(n, &format!("{DCATAPIT}Catalog")))
            .collect();
        assert_eq!(catalogs.len(), 1);
        for p in ["title", "description", "publisher", "modified"] {
            assert!(
                catalogs[0].contains_key(&format!("<{DCT}{p}>")),
                "catalog {p}"
            );
        }
        assert_eq!(
            catalogs[0][&format!("<{DCAT}dataset>")].len() as u64,
            ENTRIES
        );

        let datasets: Vec<(&String, _)> = graph
            .iter()
            .filter(|(_, n)| is_a(n, &format!("{DCATAPIT}Dataset")))
            .collect();
        assert_eq!(
            datasets.len() as u64,
            ENTRIES,
            "{backend:?}: the inactive entry is left out"
        );
        for (iri, node) in &datasets {
            assert!(
                iri.starts_with(&format!("<{PUBLIC_URL}/software/")),
                "{iri}"
            );
            assert!(is_a(node, &format!("{DCAT}Dataset")));
            for p in [
                format!("{DCT}identifier"),
                format!("{DCT}title"),
                format!("{DCT}description"),
                format!("{DCT}modified"),
                format!("{DCAT}theme"),
                format!("{DCT}accrualPeriodicity"),
                format!("{DCT}rightsHolder"),
                format!("{DCT}publisher"),
                format!("{DCAT}contactPoint"),
                format!("{DCAT}distribution"),
            ] {
                assert!(node.contains_key(&format!("<{p}>")), "{iri} lacks {p}");
            }
            assert!(
                node[&format!("<{DCT}modified>")][0]
                    .ends_with("^^<http://www.w3.org/2001/XMLSchema#date>")
            );
            let holder = &graph[&node[&format!("<{DCT}rightsHolder>")][0]];
            assert!(is_a(holder, &format!("{DCATAPIT}Agent")));
            // Seeded publishers are administrations: the agent's identifier is the IPA code.
            let code = &holder[&format!("<{DCT}identifier>")][0];
            assert!(
                node[&format!("<{DCT}identifier>")][0].starts_with(&code[..code.len() - 1]),
                "{code}"
            );
            let distribution = &graph[&node[&format!("<{DCAT}distribution>")][0]];
            assert!(is_a(distribution, &format!("{DCATAPIT}Distribution")));
            for p in [
                format!("{DCT}format"),
                format!("{DCAT}accessURL"),
                format!("{DCT}license"),
            ] {
                assert!(
                    distribution.contains_key(&format!("<{p}>")),
                    "distribution lacks {p}"
                );
            }
            let contact = &graph[&node[&format!("<{DCAT}contactPoint>")][0]];
            assert!(contact.contains_key("<http://www.w3.org/2006/vcard/ns#fn>"));
        }
        app.close().await;
    }
}

#[tokio::test]
async fn csv_and_json_lines_hold_one_row_per_active_entry() {
    for backend in BACKENDS {
        let app = TestApp::new()
            .backend(backend)
            .synthetic(ENTRIES)
            .build()
            .await;
        add_inactive(&app.db).await;

        let (media, csv) = export(&app, "csv").await;
        assert_eq!(media, "text/csv; charset=utf-8");
        let csv = String::from_utf8(csv).unwrap();
        let mut lines = csv.split_terminator("\r\n");
        assert_eq!(
            lines.next().unwrap(),
            riuso::export::CSV_COLUMNS.join(","),
            "header"
        );
        assert_eq!(lines.count() as u64, ENTRIES, "{backend:?}");

        let (media, jsonl) = export(&app, "jsonl").await;
        assert_eq!(media, "application/jsonl; charset=utf-8");
        let rows: Vec<serde_json::Value> = String::from_utf8(jsonl)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len() as u64, ENTRIES);
        let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "id order");
        assert!(rows.iter().all(|r| r["publiccode"]["name"] == r["name"]));
        assert!(rows.iter().all(|r| r["slug"] != "example-broken"));
        app.close().await;
    }
}

#[tokio::test]
async fn the_command_line_writes_the_same_export_as_the_api() {
    let app = TestApp::new().synthetic(8).build().await;
    let dir = tempfile::tempdir().unwrap();
    for format in riuso::export::Format::ALL {
        let ext = format.extension();
        let file = dir.path().join(format!("catalog.{ext}"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_riuso"))
            .args(["export", "--format", ext, "--output"])
            .arg(&file)
            .env("DATABASE_URL", &app.db.url)
            .env("RIUSO_PUBLIC_URL", &app.config.public_url)
            .status()
            .unwrap();
        assert!(status.success(), "{ext}");
        let (_, over_http) = export(&app, ext).await;
        assert_eq!(std::fs::read(&file).unwrap(), over_http, "{ext}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_riuso"))
        .args(["export", "--format", "xml"])
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("csv, jsonl, ttl, jsonld"));
    app.close().await;
}
