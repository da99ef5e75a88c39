//! `/software/{slug}`: claims, users, history and the diff between snapshots; an invalid
//! entry's diagnostics in the reader's language.

use axum::http::StatusCode;

use super::first_slug;
use crate::support::db::BACKENDS;
use crate::support::test_app::TestApp;

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
