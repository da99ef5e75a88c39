//! The HTTP server through its router (no socket): health, JSON Schemas, the validator API,
//! errors as JSON, security headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::fixtures;
use crate::support::test_app::{Response, TestApp};

fn post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/yaml")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn health_and_security_headers() {
    let app = TestApp::new().build().await;
    let Response {
        status,
        headers,
        body,
        ..
    } = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["status"],
        "ok"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    app.close().await;
}

#[tokio::test]
async fn schemas_are_served_for_editors() {
    let app = TestApp::new().build().await;
    for version in ["0.2", "0.3", "0.4", "0.5", "0.7"] {
        let Response {
            status,
            headers,
            body,
            ..
        } = app
            .get(&format!("/schemas/publiccode-{version}.json"))
            .await;
        assert_eq!(status, StatusCode::OK, "{version}");
        assert_eq!(headers["content-type"], "application/schema+json");
        let schema: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(schema["$schema"].as_str().unwrap().contains("2020-12"));
    }
    let Response { status, body, .. } = app.get("/schemas/publiccode-0.6.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "not_found");
    app.close().await;
}

#[tokio::test]
async fn validate_api_answers_like_the_cli() {
    let app = TestApp::new().build().await;
    let valid =
        std::fs::read(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml")).unwrap();
    let Response { status, body, .. } = app.send(post("/api/v1/validate", valid)).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["publiccodeYmlVersion"], "0");

    let invalid = std::fs::read(
        fixtures().join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
    )
    .unwrap();
    let Response { status, body, .. } = app.send(post("/api/v1/validate", invalid)).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["valid"], false);
    let d = &report["diagnostics"][0];
    assert_eq!(d["key"], "developmentStatus");
    assert_eq!(d["code"], "invalid-value");
    assert_eq!(d["line"], 16);

    let Response { status, body, .. } = app.send(post("/api/v1/validate", Body::empty())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"]["code"],
        "bad_request"
    );
    app.close().await;
}

#[tokio::test]
async fn oversized_bodies_and_unknown_routes_are_refused() {
    let app = TestApp::new().build().await;
    let Response { status, .. } = app
        .send(post("/api/v1/validate", vec![b'#'; 200 * 1024]))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let Response {
        status,
        headers,
        body,
        ..
    } = app.get("/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(body.contains("Pagina non trovata"));
    let Response { status, body, .. } = app.get("/api/v1/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"]["code"],
        "not_found"
    );
    app.close().await;
}
