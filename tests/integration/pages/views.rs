//! What each page shows: search facets, chips, pagination and the empty state; the software
//! page's claims, users, history and diff; diagnostics of an invalid entry; the publisher's
//! reuse; the comparison; the online validator.

use axum::http::StatusCode;
use std::collections::BTreeSet;

use super::first_slug;
use super::routes::multipart;
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
async fn software_page_shows_claims_users_history_and_a_diff_between_snapshots() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let url = "https://github.com/Comune-di-Montesilvano/GovPay-Interaction-Layer";
        let original = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
        ))
        .unwrap();
        let changed = String::from_utf8(original.clone())
            .unwrap()
            .replace("softwareVersion: 1.5.47", "softwareVersion: 1.6.0");
        app.ingest(url, changed.as_bytes()).await;
        let slug = first_slug(&app, "q=govpay").await;

        let page = app.get(&format!("/software/{slug}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text("h1"), "GovPay Interaction Layer");
        assert!(
            page.text("#description-title + p, .lead")
                .contains("pagoPA")
                || page.body.contains("Piattaforma containerizzata")
        );
        assert!(
            page.all("#claims-title ~ table code")
                .iter()
                .any(|c| c.text().collect::<String>().contains("publisher"))
                || page.body.contains("organisation.uri")
        );
        assert!(page.body.contains("Provincia di Pescara"));
        assert!(!page.all("a[href='/publishers/c_f646']").is_empty());
        assert_eq!(
            page.all("input[name=from]").len(),
            2,
            "two snapshots in the history"
        );
        assert!(page.body.contains("EUPL-1.2"));

        // The default diff is the previous snapshot against the current one.
        let diff = app.get(&format!("/software/{slug}/diff")).await;
        assert_eq!(diff.status, StatusCode::OK);
        let removed: Vec<String> = diff
            .all("tr.diff-removed pre")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        let added: Vec<String> = diff
            .all("tr.diff-added pre")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(removed, ["softwareVersion: 1.5.47"]);
        assert_eq!(added, ["softwareVersion: 1.6.0"]);

        // English page: English labels, the Italian description with a note saying so.
        let en = app.get(&format!("/software/{slug}?lang=en")).await;
        assert!(en.body.contains("Compliance and integrations"));
        assert!(en.body.contains("No description in this language"));
        app.close().await;
    }
}

#[tokio::test]
async fn an_invalid_entry_shows_its_diagnostics_in_the_readers_language() {
    let app = TestApp::new().demo().build().await;
    let broken = "publiccodeYmlVersion: '0.4'\nname: Broken\nurl: https://github.com/x/broken\ndevelopmentStatus: nearly\n";
    app.ingest("https://github.com/x/broken", broken.as_bytes())
        .await;
    let page = app.get("/software/x-broken").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text(".alert-warning").contains("Non attiva"));
    let diagnostics = page.all("#diagnostics li.diagnostic-error");
    assert!(!diagnostics.is_empty());
    assert!(
        page.body.contains("non è tra quelli ammessi"),
        "Italian help"
    );
    let en = app
        .get_with("/software/x-broken", &[("cookie", "riuso_lang=en")])
        .await;
    assert!(en.body.contains("is not one of those the standard allows"));
    app.close().await;
}

#[tokio::test]
async fn publisher_page_lists_its_solutions_and_their_reuse_by_others() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let page = app.get("/publishers/c_f646").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("c_f646"));
        assert_eq!(page.text("#ipa-name"), "Comune di Montesilvano");
        // An organisation the files name only by code reads with its registry name.
        let milano = app.get("/publishers/c_f205").await;
        assert_eq!(milano.text("h1"), "Comune di Milano");
        assert!(
            page.all("a[href^='/software/']").len() >= 2,
            "{}",
            page.body
        );
        let reuse = page.text("#reuse-title ~ table");
        assert!(reuse.contains("Provincia di Pescara"), "{reuse}");
        let list = app.get("/publishers").await;
        assert!(
            list.all("table#publishers a[href='/publishers/c_f646']")
                .len()
                == 1
        );
        app.close().await;
    }
}

#[tokio::test]
async fn compare_puts_the_art_68_criteria_side_by_side() {
    let app = TestApp::new().demo().build().await;
    let a = first_slug(&app, "q=govpay").await;
    let b = first_slug(&app, "q=whistleblowing").await;
    let page = app.get(&format!("/compare?id={a}&id={b}&id={a}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.all("table#compare-table thead th").len(),
        3,
        "criterion + two solutions"
    );
    let rows: Vec<String> = page
        .all("table#compare-table tbody th")
        .iter()
        .map(|t| t.text().collect())
        .collect();
    for criterion in [
        "Licenza",
        "Manutenzione",
        "Dipendenze proprietarie",
        "Vitalità",
        "SPID",
        "Lingue",
        "Piattaforme",
    ] {
        assert!(
            rows.iter().any(|r| r == criterion),
            "{criterion} in {rows:?}"
        );
    }
    assert!(page.body.contains("EUPL-1.2"));
    let one = app.get(&format!("/compare?id={a}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("almeno due"));
    app.close().await;
}

#[tokio::test]
async fn validator_page_lists_diagnostics_and_marks_the_offending_lines() {
    let app = TestApp::new().demo().build().await;
    let broken = "publiccodeYmlVersion: '0.4'\nname: Test\nurl: https://github.com/x/y\ndevelopmentStatus: nearly\nsoftwareType: standalone/web\n";
    let page = app.send(multipart(&[("publiccode", broken)])).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text(".alert-danger").contains("Non valido"));
    assert!(!page.all("#diagnostics li").is_empty());
    // Line 4 holds the bad status and is marked; its diagnostic links to it.
    assert_eq!(page.all("li#line-4.source-error").len(), 1, "{}", page.body);
    assert!(page.all("#diagnostics a[href='#line-4']").len() == 1);
    // The pasted text stays in the form.
    assert!(
        page.text("textarea#publiccode")
            .contains("developmentStatus: nearly")
    );

    // An uploaded file wins over the text area; English by cookie.
    let valid = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
    ))
    .unwrap();
    let mut request = multipart(&[
        ("publiccode", broken),
        ("file", std::str::from_utf8(&valid).unwrap()),
    ]);
    request
        .headers_mut()
        .insert("cookie", "riuso_lang=en".parse().unwrap());
    let ok = app.send(request).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.text("[role=status]").contains("Valid"), "{}", ok.body);
    assert_eq!(ok.lang(), "en");
    let form = app.get("/validator").await;
    assert_eq!(
        form.all("form#validator-form[method=post][enctype='multipart/form-data']")
            .len(),
        1
    );
    assert!(form.all("a[href^='/schemas/publiccode-']").len() == 1);
    app.close().await;
}
