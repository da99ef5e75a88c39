//! `/api/v1/validate`: the validator answers like the command line, in the documented shape.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::fixtures;
use crate::support::test_app::{Response, TestApp};
use crate::web::post;

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
    let Response { status, body, .. } = app.send(post("/api/v1/validate", invalid.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["valid"], false);
    let d = &report["diagnostics"][0];
    assert_eq!(d["key"], "developmentStatus");
    assert_eq!(d["code"], "invalid-value");
    assert_eq!(d["line"], 16);

    // The same verdict whatever text type the file is sent as.
    let request = Request::post("/api/v1/validate")
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(invalid))
        .unwrap();
    let Response { status, body, .. } = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let as_text: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(as_text, report);

    let Response { status, body, .. } = app.send(post("/api/v1/validate", Body::empty())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"]["code"],
        "bad_request"
    );
    app.close().await;
}

#[tokio::test]
async fn validator_answers_in_the_documented_shape() {
    let app = TestApp::new().build().await;
    let file = std::fs::read(
        crate::support::fixtures()
            .join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
    )
    .unwrap();
    let request = Request::post("/api/v1/validate")
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(file))
        .unwrap();
    let Response { status, body, .. } = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    insta::assert_json_snapshot!("validate_invalid", report);

    let valid =
        std::fs::read(crate::support::fixtures().join("parser-go/testdata/v0/valid/valid.yml"))
            .unwrap();
    let request = Request::post("/api/v1/validate")
        .body(Body::from(valid))
        .unwrap();
    let Response { status, body, .. } = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    insta::assert_json_snapshot!("validate_valid", report);
    app.close().await;
}
