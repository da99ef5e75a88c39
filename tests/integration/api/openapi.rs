//! `/api/v1/openapi.json`: the OpenAPI document, as a snapshot.

use axum::http::StatusCode;

use crate::support::test_app::TestApp;

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let app = TestApp::new().build().await;
    let doc = app.get_json("/api/v1/openapi.json", StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    insta::assert_json_snapshot!("openapi", doc);
    app.close().await;
}
