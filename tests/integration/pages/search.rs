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
