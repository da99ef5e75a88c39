//! The HTTP server through its router (no socket): health, JSON Schemas, the validator API,
//! errors as JSON, security headers; the bounds on work per request (`limits`) and the
//! connection limits of `riuso serve` on a real socket (`server`).

mod limits;
mod server;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use riuso::app::{App, AppState};
use riuso::config::Config;
use tower::ServiceExt as _;

use crate::support::db::{Backend, TestDb};
use crate::support::fixtures;

async fn app() -> (axum::Router, TestDb) {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.max_file_bytes = 64 * 1024;
    let state = AppState(Arc::new(App::new(config, db.conn.clone())));
    (riuso::web::router(state), db)
}

async fn call(
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/yaml")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn health_and_security_headers() {
    let (router, db) = app().await;
    let (status, headers, body) = call(&router, get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["status"],
        "ok"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    db.close().await;
}

#[tokio::test]
async fn schemas_are_served_for_editors() {
    let (router, db) = app().await;
    for version in ["0.2", "0.3", "0.4", "0.5", "0.7"] {
        let (status, headers, body) =
            call(&router, get(&format!("/schemas/publiccode-{version}.json"))).await;
        assert_eq!(status, StatusCode::OK, "{version}");
        assert_eq!(headers["content-type"], "application/schema+json");
        let schema: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(schema["$schema"].as_str().unwrap().contains("2020-12"));
    }
    let (status, _, body) = call(&router, get("/schemas/publiccode-0.6.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["error"]["code"], "not_found");
    db.close().await;
}

#[tokio::test]
async fn validate_api_answers_like_the_cli() {
    let (router, db) = app().await;
    let valid =
        std::fs::read(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml")).unwrap();
    let (status, _, body) = call(&router, post("/api/v1/validate", valid)).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["publiccodeYmlVersion"], "0");

    let invalid = std::fs::read(
        fixtures().join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
    )
    .unwrap();
    let (status, _, body) = call(&router, post("/api/v1/validate", invalid)).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["valid"], false);
    let d = &report["diagnostics"][0];
    assert_eq!(d["key"], "developmentStatus");
    assert_eq!(d["code"], "invalid-value");
    assert_eq!(d["line"], 16);

    let (status, _, body) = call(&router, post("/api/v1/validate", Body::empty())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"]["code"],
        "bad_request"
    );
    db.close().await;
}

#[tokio::test]
async fn oversized_bodies_and_unknown_routes_are_refused() {
    let (router, db) = app().await;
    let (status, _, _) = call(&router, post("/api/v1/validate", vec![b'#'; 200 * 1024])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, headers, body) = call(&router, get("/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&body).contains("Pagina non trovata"));
    let (status, _, body) = call(&router, get("/api/v1/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"]["code"],
        "not_found"
    );
    db.close().await;
}
