//! `/badges/{slug}/{valid,review,vitality,reuse}.svg`: shields-style SVG with an `ETag` and a
//! few minutes of caching; an unknown entry gets a grey "not found" badge with 404.

use axum::http::StatusCode;

use crate::community::slug_of;
use crate::support::review::check_all;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn badges_say_what_the_catalog_knows_and_revalidate() {
    let app = TestApp::new().demo().build().await;
    check_all(&app).await;
    let slug = slug_of(&app.db, "ComunicaPA").await;
    for (file, text) in [
        ("valid.svg", "publiccode.yml: valid"),
        ("review.svg", "review: Checked automatically"),
        ("vitality.svg", "vitality: not computed"),
        ("reuse.svg", "reuse: 0 administrations"),
    ] {
        let badge = app.get(&format!("/badges/{slug}/{file}?lang=en")).await;
        assert_eq!(badge.status, StatusCode::OK, "{file}");
        assert!(
            badge.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml")
        );
        assert_eq!(badge.headers["cache-control"], "public, max-age=300");
        assert!(badge.body.starts_with("<svg"), "{}", badge.body);
        assert!(
            badge.body.contains(&format!("aria-label=\"{text}\"")),
            "{}",
            badge.body
        );
        let etag = badge.headers["etag"].to_str().unwrap().to_owned();
        let again = app
            .get_with(
                &format!("/badges/{slug}/{file}?lang=en"),
                &[("if-none-match", &etag)],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{file}");
        assert_eq!(again.headers["cache-control"], "public, max-age=300");
    }
    let italian = app.get(&format!("/badges/{slug}/valid.svg")).await;
    assert!(
        italian.body.contains("publiccode.yml: valido"),
        "{}",
        italian.body
    );

    for path in ["/badges/no-such-entry/valid.svg", "/badges/a..b/review.svg"] {
        let missing = app.get(&format!("{path}?lang=en")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert!(missing.body.contains("not found"), "{}", missing.body);
        assert!(missing.body.contains("#9f9f9f"), "grey");
    }
    assert_eq!(
        app.get(&format!("/badges/{slug}/other.svg")).await.status,
        StatusCode::NOT_FOUND
    );
    app.close().await;
}
