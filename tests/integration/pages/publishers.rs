//! `/publishers`: a publisher's page lists its solutions and their reuse by others.

use axum::http::StatusCode;

use crate::support::db::BACKENDS;
use crate::support::test_app::TestApp;

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
