//! `/software`: search keeps its state in the URL (facets, chips, sort), pages through every
//! result once, and shows an empty state with ways out.

use std::collections::BTreeSet;

use axum::http::StatusCode;

use crate::support::db::BACKENDS;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn search_keeps_its_state_in_the_url_and_pages_through_every_result() {
    for backend in BACKENDS {
        let app = TestApp::new()
            .backend(backend)
            .demo()
            .synthetic(40)
            .build()
            .await;
        let page = app.get("/software?claim=spid&sort=name").await;
        assert_eq!(page.status, StatusCode::OK);
        // The ticked facet, the chosen sort and a chip that removes the filter.
        assert_eq!(page.all("input[name=claim][value=spid][checked]").len(), 1);
        assert_eq!(
            page.all("select#sort option[value=name][selected]").len(),
            1
        );
        let chips: Vec<_> = page
            .all("a.chip-link")
            .iter()
            .map(|a| a.value().attr("href").unwrap().to_owned())
            .collect();
        assert_eq!(chips, ["/software?sort=name"]);
        // Facet counts respect the filter: every claim count is at most the total.
        let total: u64 = page
            .text(".results-count")
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(total > 0);

        // Following "next page" visits every match once.
        let mut seen = BTreeSet::new();
        let mut listed = 0;
        let mut next = Some("/software?claim=spid&sort=name".to_owned());
        while let Some(uri) = next {
            let p = app.get(&uri).await;
            assert_eq!(p.status, StatusCode::OK, "{uri}");
            for a in p.all("ol#results a.result-link") {
                listed += 1;
                seen.insert(a.value().attr("href").unwrap().to_owned());
            }
            next = p
                .all("a[rel=next]")
                .first()
                .map(|a| a.value().attr("href").unwrap().replace("&amp;", "&"));
        }
        assert_eq!(listed, total);
        assert_eq!(seen.len() as u64, total, "a page repeated an entry");

        // Compare checkboxes belong to the compare form, outside the search form's submission.
        let first = app.get("/software").await;
        assert!(
            first
                .all("ol#results input[name=id][form=compare-form]")
                .len()
                > 1
        );
        assert_eq!(
            first.all("form#compare-form button#compare-button").len(),
            1
        );

        // Nothing matches: an empty state with ways out.
        let empty = app.get("/software?q=zzzqqqxxx&claim=spid").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert_eq!(empty.all("ol#results").len(), 0);
        assert!(empty.text(".empty-state h2").contains("Nessuna soluzione"));
        let ways: Vec<_> = empty
            .all(".empty-state a")
            .iter()
            .map(|a| a.value().attr("href").unwrap().to_owned())
            .collect();
        assert!(
            ways.contains(&"/software?claim=spid".to_owned()),
            "{ways:?}"
        );
        assert!(
            ways.contains(&"/software?q=zzzqqqxxx".to_owned()),
            "{ways:?}"
        );
        assert!(
            ways.iter().any(|w| w.starts_with("/software?category=")),
            "{ways:?}"
        );
        app.close().await;
    }
}

#[tokio::test]
async fn pages_ignore_parameters_they_do_not_know_and_the_api_refuses_them() {
    let app = TestApp::new().demo().build().await;
    let slug = super::first_slug(&app, "q=govpay").await;
    let tracking = "utm_source=newsletter&utm_medium=email&fbclid=IwAR0abc&gclid=Cj0K&anything=1";
    for uri in [
        format!("/?{tracking}"),
        format!("/software?q=govpay&{tracking}"),
        format!("/software/{slug}?{tracking}"),
        format!("/compare?id={slug}&{tracking}"),
        format!("/publishers?{tracking}"),
    ] {
        let page = app.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
    }
    let search = app.get(&format!("/software?q=govpay&{tracking}")).await;
    assert!(!search.all("a.result-link").is_empty());
    assert!(
        search
            .all("a.chip-link")
            .iter()
            .all(|a| !a.value().attr("href").unwrap().contains("utm_")),
        "links built from the page's parameters leave the unknown ones out"
    );
    let api = app.get(&format!("/api/v1/software?{tracking}")).await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert!(
        api.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("utm_source")
    );
    app.close().await;
}

#[tokio::test]
async fn errors_are_in_the_readers_language() {
    let app = TestApp::new().demo().build().await;
    for (uri, italian, english) in [
        (
            "/software?sort=random",
            "L'ordinamento \"random\" non esiste",
            "unknown sort \"random\"",
        ),
        (
            "/software?q=a&q=b",
            "una sola volta",
            "may be given only once",
        ),
        ("/software?active=maybe", "true o false", "true or false"),
    ] {
        let it = app.get(uri).await;
        assert_eq!(it.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            it.text(".alert").contains(italian),
            "{uri}: {}",
            it.text(".alert")
        );
        let en = app.get(&format!("{uri}&lang=en")).await;
        assert!(
            en.text(".alert").contains(english),
            "{uri}: {}",
            en.text(".alert")
        );
    }
    app.close().await;
}

#[tokio::test]
async fn vocabulary_labels_in_both_languages_and_search_finds_them() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let file = "publiccodeYmlVersion: \"0.4.0\"
name: Registro Elettronico
url: https://github.com/scuola-prova/registro-elettronico
platforms:
  - web
categories:
  - learning-management-system
developmentStatus: beta
softwareType: standalone/web
intendedAudience:
  scope:
    - education
description:
  it:
    shortDescription: Il registro delle lezioni.
    longDescription: Un registro delle lezioni per gli istituti, con voti, assenze e comunicazioni alle famiglie, consultabile sul web da docenti e genitori, con la gestione degli scrutini e delle pagelle di fine anno.
    features:
      - voti
legal:
  license: AGPL-3.0-or-later
maintenance:
  type: community
  contacts:
    - name: Gruppo di lavoro
localisation:
  localisationReady: true
  availableLanguages:
    - it
";
        app.ingest(
            "https://github.com/scuola-prova/registro-elettronico",
            file.as_bytes(),
        )
        .await;
        for q in ["scuola", "school", "schools", "istruzione", "formazione"] {
            let page = app.get(&format!("/software?q={q}")).await;
            let names: Vec<String> = page
                .all("a.result-link")
                .iter()
                .map(|a| a.text().collect())
                .collect();
            assert!(
                names.iter().any(|n| n == "Registro Elettronico"),
                "{backend:?} {q}: {names:?}"
            );
        }
        let facets = |page: &crate::support::test_app::Response| -> String {
            page.all("fieldset.facet label")
                .iter()
                .map(|l| l.text().collect::<String>())
                .collect()
        };
        let it = app.get("/software?scope=education").await;
        assert!(facets(&it).contains("Istruzione e scuola"), "facet label");
        assert!(
            it.text("ul.chips").contains("Ambito: Istruzione e scuola"),
            "chip label"
        );
        assert!(it.text("ol#results").contains("Beta"));
        let en = app.get("/software?scope=education&lang=en").await;
        assert!(facets(&en).contains("Education and schools"));
        assert!(facets(&en).contains("Learning management system (LMS)"));
        app.close().await;
    }
}

#[tokio::test]
async fn a_typo_gets_a_did_you_mean_from_the_catalogs_own_words() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let page = app.get("/software?q=whistlebloving").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.all("ol#results").len(),
            0,
            "{backend:?}: the typo finds nothing"
        );
        let link = page.all("#did-you-mean a");
        assert_eq!(link.len(), 1, "{backend:?}: {}", page.text(".empty-state"));
        assert_eq!(link[0].text().collect::<String>(), "whistleblowing");
        let href = link[0].value().attr("href").unwrap().replace("&amp;", "&");
        let fixed = app.get(&href).await;
        assert!(!fixed.all("a.result-link").is_empty(), "{href}");
        // A label word is part of the vocabulary too.
        let label = app.get("/software?q=contabilta").await;
        assert!(
            label.text("#did-you-mean").contains("contabilita"),
            "{}",
            label.text(".empty-state")
        );
        // Nothing near: no suggestion.
        let none = app.get("/software?q=zzzqqqxxx").await;
        assert!(none.all("#did-you-mean").is_empty());
        app.close().await;
    }
}
