//! `/api`: the documentation page lists every endpoint of the OpenAPI document, in the site's
//! frame and without scripts of its own.

use axum::http::{StatusCode, header};

use crate::support::test_app::{Response, TestApp};

#[tokio::test]
async fn documentation_page_lists_every_endpoint_without_scripts() {
    let app = TestApp::new().build().await;
    let doc = app.get_json("/api/v1/openapi.json", StatusCode::OK).await;
    let Response {
        status,
        headers,
        body,
        ..
    } = app.get("/api").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    let html = body;
    // In the site's frame, with no script but the site's own file.
    assert!(html.contains("<main id=\"main\""));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script src=\"/static/riuso.js\" defer></script>"));
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(
            html.contains(&format!("<code>{path}</code>")),
            "{path} missing"
        );
    }
    assert!(html.contains("href=\"/api/v1/export.ttl\""));
    app.close().await;
}
