//! Feeds, the sitemap and robots.txt, with absolute links.

use axum::http::StatusCode;

use crate::support::test_app::{PUBLIC_URL, TestApp};

#[tokio::test]
async fn feeds_sitemap_and_robots_are_served_with_absolute_links() {
    let app = TestApp::new().demo().synthetic(12).build().await;
    for (uri, kind, entries) in [
        ("/feeds/new.atom", "application/atom+xml", "<entry>"),
        ("/feeds/updated.atom", "application/atom+xml", "<entry>"),
        ("/sitemap.xml", "application/xml", "<url>"),
    ] {
        let it = app.get(uri).await;
        assert_eq!(it.status, StatusCode::OK, "{uri}");
        assert!(
            it.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind),
            "{uri}"
        );
        assert!(it.body.starts_with("<?xml"), "{uri}");
        // 8 demo files (one of them invalid at most) and 12 seeded entries.
        let n = it.body.matches(entries).count();
        assert!(n >= 19, "{uri}: {n} entries");
        assert!(
            it.body.contains(&format!("{}/software/", PUBLIC_URL)),
            "{uri}"
        );
        assert!(!it.body.contains("href=\"/"), "{uri}: relative link");
    }
    let feed = app.get("/feeds/new.atom").await;
    assert!(feed.body.contains("<title>riuso · Nuove soluzioni</title>"));
    let robots = app.get("/robots.txt").await;
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {}/sitemap.xml", PUBLIC_URL))
    );
    app.close().await;
}
