//! Search on both databases: words in any language with plurals and accents, ranking, facet
//! counts that respect the other filters, sorts and cursor pagination.

use std::collections::BTreeSet;

use chrono::Utc;
use riuso::catalog::search::{self, Facet, Query, SearchError, Sort};
use riuso::catalog::{Fetched, Origin};
use riuso::pipeline;
use riuso::publiccode::{self, Context, Limits, Outcome};
use sea_orm::DatabaseConnection;

use crate::support::db::{BACKENDS, TestDb};
use crate::support::fixtures;

fn minimal() -> String {
    std::fs::read_to_string(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"))
        .unwrap()
}

/// A valid file named `name`, whose Italian long description holds `italian`, with `extra` keys.
fn entry(name: &str, italian: &str, extra: &str) -> String {
    let padding = " Questo testo serve soltanto a raggiungere la lunghezza minima richiesta \
                   dallo standard per la descrizione lunga di un software pubblico riusabile.";
    minimal().replace("name: Medusa", &format!("name: {name}"))
        .replace(
            "description:\n",
            &format!(
                "description:\n  it:\n    shortDescription: Breve descrizione\n    longDescription: >\n      {italian}{padding}\n    features:\n      - Una funzione\n"
            ),
        )
        .replace("categories:\n  - cloud-management\n", "")
        + extra
}

async fn add(db: &DatabaseConnection, repo: &str, yaml: &str) {
    let Outcome::Valid(v) =
        publiccode::check(yaml.as_bytes(), &Limits::default(), &Context::default())
    else {
        panic!(
            "fixture must be valid: {yaml}\n{:?}",
            publiccode::check(yaml.as_bytes(), &Limits::default(), &Context::default())
                .diagnostics()
        )
    };
    let origin = Origin {
        repository_url: repo,
        forge: "github",
        facts: None,
        source_ipa: None,
    };
    let fetched = Fetched {
        bytes: yaml.as_bytes(),
        commit: None,
        fetched_at: Utc::now(),
    };
    pipeline::ingest_valid(db, origin, fetched, &v, &pipeline::Upkeep::default())
        .await
        .unwrap();
}

async fn seed(db: &DatabaseConnection) {
    add(
        db,
        "https://github.com/a/edilizia",
        &entry(
            "Sportello edilizia",
            "Gestione delle pratiche edilizie dei comuni.",
            "categories:\n  - document-management\nit:\n  piattaforme:\n    spid: true\n",
        ),
    )
    .await;
    add(
        db,
        "https://github.com/a/universita",
        &entry(
            "Portale",
            "Servizi per l'Università e gli studenti.",
            "categories:\n  - document-management\n  - educational-content\n",
        ),
    )
    .await;
    add(
        db,
        "https://github.com/a/pratica",
        &entry(
            "Pratica",
            "Un software generico.",
            "categories:\n  - educational-content\nsupports:\n  - id: alias:spid\n",
        ),
    )
    .await;
    add(
        db,
        "https://github.com/a/altro",
        &entry(
            "Altro",
            "Nulla a che vedere.",
            "categories:\n  - accounting\n",
        ),
    )
    .await;
}

fn q(text: Option<&str>) -> Query {
    Query {
        text: text.map(str::to_owned),
        limit: 20,
        ..Query::default()
    }
}

fn slugs(results: &search::Results) -> Vec<String> {
    results.hits.iter().map(|h| h.slug.clone()).collect()
}

#[tokio::test]
async fn words_match_across_plurals_and_accents_and_names_rank_first() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        seed(&db.conn).await;
        // "pratica" (singular) finds "pratiche" in a description; the entry named "Pratica"
        // ranks first because the word is its name.
        let r = search::Searcher::new(db.conn.clone())
            .search(&q(Some("pratica")))
            .await
            .unwrap();
        assert_eq!(slugs(&r), vec!["a-pratica", "a-edilizia"], "{backend:?}");
        let r = search::Searcher::new(db.conn.clone())
            .search(&q(Some("universita")))
            .await
            .unwrap();
        assert_eq!(slugs(&r), vec!["a-universita"], "{backend:?}");
        let r = search::Searcher::new(db.conn.clone())
            .search(&q(Some("comune edilizia")))
            .await
            .unwrap();
        assert_eq!(
            slugs(&r),
            vec!["a-edilizia"],
            "{backend:?}: every word must match"
        );
        let r = search::Searcher::new(db.conn.clone())
            .search(&q(Some("inesistente")))
            .await
            .unwrap();
        assert_eq!(r.total, 0);
        db.close().await;
    }
}

#[tokio::test]
async fn an_entry_never_valid_is_found_among_inactive_ones_by_title_slug_and_repository() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        seed(&db.conn).await;
        let broken = entry("Gestore Tributi Locali", "Tributi.", "").replace(
            "developmentStatus: development",
            "developmentStatus: stabel",
        );
        let inspected =
            publiccode::inspect(broken.as_bytes(), &Limits::default(), &Context::default());
        assert!(!inspected.outcome.is_valid());
        let origin = Origin {
            repository_url: "https://gitlab.example.org/ente-x/tributi-locali",
            forge: "gitlab",
            facts: None,
            source_ipa: None,
        };
        let fetched = Fetched {
            bytes: broken.as_bytes(),
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
        let searcher = search::Searcher::new(db.conn.clone());
        let inactive = |text: &str| {
            let mut query = q(Some(text));
            query
                .filters
                .insert(Facet::Active, vec!["false".to_owned()]);
            query
        };
        for text in [
            "gestore tributi",
            "ente-x-tributi-locali",
            "https://gitlab.example.org/ente-x/tributi-locali",
        ] {
            let r = searcher.search(&inactive(text)).await.unwrap();
            assert_eq!(slugs(&r), ["ente-x-tributi-locali"], "{backend:?}: {text}");
            assert_eq!(r.hits[0].name, "Gestore Tributi Locali");
            // Not among the active entries, which search shows unless asked.
            let r = searcher.search(&q(Some(text))).await.unwrap();
            assert_eq!(r.total, 0, "{backend:?}: {text}");
        }
        db.close().await;
    }
}

#[tokio::test]
async fn facet_counts_respect_the_other_filters() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        seed(&db.conn).await;
        let mut query = q(None);
        query.filters.insert(Facet::Claim, vec!["spid".into()]);
        let r = search::Searcher::new(db.conn.clone())
            .search(&query)
            .await
            .unwrap();
        assert_eq!(r.total, 2, "{backend:?}");
        // Categories are counted among the spid entries only...
        assert_eq!(
            r.facets[&Facet::Category],
            vec![
                ("document-management".into(), 1),
                ("educational-content".into(), 1)
            ],
            "{backend:?}"
        );
        // ...while the claim facet ignores its own filter, so other choices stay visible.
        query
            .filters
            .insert(Facet::Category, vec!["educational-content".into()]);
        let r = search::Searcher::new(db.conn.clone())
            .search(&query)
            .await
            .unwrap();
        assert_eq!(slugs(&r), vec!["a-pratica"]);
        assert_eq!(
            r.facets[&Facet::Claim],
            vec![("spid".into(), 1)],
            "{backend:?}"
        );
        assert_eq!(
            r.facets[&Facet::Category],
            vec![
                ("document-management".into(), 1),
                ("educational-content".into(), 1)
            ],
            "{backend:?}"
        );
        // Two values of one facet are alternatives.
        let mut either = q(None);
        either.filters.insert(
            Facet::Category,
            vec!["accounting".into(), "educational-content".into()],
        );
        assert_eq!(
            search::Searcher::new(db.conn.clone())
                .search(&either)
                .await
                .unwrap()
                .total,
            3,
            "{backend:?}"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn pages_cover_every_entry_once_in_every_sort() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        seed(&db.conn).await;
        for sort in [Sort::Name, Sort::Updated, Sort::Vitality, Sort::Relevance] {
            let mut seen = Vec::new();
            let mut query = Query {
                limit: 3,
                sort,
                ..Query::default()
            };
            loop {
                let r = search::Searcher::new(db.conn.clone())
                    .search(&query)
                    .await
                    .unwrap();
                assert_eq!(r.total, 4);
                seen.extend(slugs(&r));
                match r.next {
                    Some(next) => query.after = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 4, "{backend:?} {sort:?}: {seen:?}");
            assert_eq!(
                seen.iter().collect::<BTreeSet<_>>().len(),
                4,
                "{backend:?} {sort:?}"
            );
            if sort == Sort::Name {
                assert_eq!(
                    seen,
                    vec!["a-altro", "a-universita", "a-pratica", "a-edilizia"]
                );
            }
        }
        let bad = Query {
            after: Some("zz".into()),
            limit: 3,
            ..Query::default()
        };
        assert!(matches!(
            search::Searcher::new(db.conn.clone()).search(&bad).await,
            Err(SearchError::BadCursor)
        ));
        db.close().await;
    }
}

#[test]
fn unknown_facets_are_refused_by_name() {
    let err = "colour".parse::<Facet>().unwrap_err();
    assert!(err.to_string().contains("colour") && err.to_string().contains("category"));
}

#[tokio::test]
async fn one_searcher_sees_every_later_write() {
    use riuso::catalog::entities::software;
    use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};

    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        seed(&db.conn).await;
        let searcher = search::Searcher::new(db.conn.clone());
        let r = searcher.search(&q(Some("pratica"))).await.unwrap();
        assert_eq!(r.total, 2, "{backend:?}");

        // A new entry is found by the same searcher, with its facets counted; a language with
        // a region counts as the language.
        add(
            &db.conn,
            "https://github.com/b/pratiche",
            &entry(
                "Registro pratiche",
                "Registro delle pratiche comunali.",
                "categories:\n  - accounting\n",
            )
            .replace(
                "availableLanguages:\n    - en",
                "availableLanguages:\n    - it-IT\n    - en",
            ),
        )
        .await;
        let r = searcher.search(&q(Some("pratica"))).await.unwrap();
        assert_eq!(r.total, 3, "{backend:?}");
        assert_eq!(
            r.facets[&Facet::Language],
            vec![("en".into(), 3), ("it".into(), 1)],
            "{backend:?}"
        );
        assert!(
            r.facets[&Facet::Category].contains(&("accounting".into(), 1)),
            "{backend:?}: {:?}",
            r.facets[&Facet::Category]
        );

        // An entry that changes category moves between the counts.
        add(
            &db.conn,
            "https://github.com/b/pratiche",
            &entry(
                "Registro pratiche",
                "Registro delle pratiche comunali.",
                "categories:\n  - document-management\n",
            ),
        )
        .await;
        let r = searcher.search(&q(None)).await.unwrap();
        assert_eq!(
            r.facets[&Facet::Category],
            vec![
                ("document-management".into(), 3),
                ("educational-content".into(), 2),
                ("accounting".into(), 1),
            ],
            "{backend:?}"
        );

        // A deactivated entry leaves the default results and is counted as inactive.
        let id = r.hits.iter().find(|h| h.slug == "b-pratiche").unwrap().id;
        software::ActiveModel {
            id: Set(id),
            active: Set(false),
            deactivated_manually: Set(true),
            changed_at_us: Set(riuso::catalog::change_stamp()),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        let r = searcher.search(&q(None)).await.unwrap();
        assert_eq!(r.total, 4, "{backend:?}");
        assert!(!slugs(&r).contains(&"b-pratiche".to_owned()));
        assert_eq!(
            r.facets[&Facet::Active],
            vec![("true".into(), 4), ("false".into(), 1)],
            "{backend:?}"
        );
        db.close().await;
    }
}
