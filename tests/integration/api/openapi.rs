//! `/api/v1/openapi.json`: the OpenAPI document, as a snapshot, with what generated clients
//! rely on: one operation id per operation, every request type of the validator declared.

use axum::http::StatusCode;

use crate::support::test_app::TestApp;

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let app = TestApp::new().build().await;
    let doc = app.get_json("/api/v1/openapi.json", StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} is not unique");
        }
    }
    let body = &doc["paths"]["/api/v1/validate"]["post"]["requestBody"]["content"];
    assert!(body.get("application/yaml").is_some() && body.get("text/plain").is_some());
    insta::assert_json_snapshot!("openapi", doc);
    app.close().await;
}
