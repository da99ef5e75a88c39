//! The HTTP server through its router (no socket), for what no one page or endpoint owns:
//! health, JSON Schemas, static assets, errors as JSON or pages, security headers; the bounds on
//! work per request (`limits`), compressed answers (`compression`) and the connection limits of
//! `riuso serve` on a real socket (`server`).

mod compression;
mod limits;
mod server;

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::test_app::{Response, TestApp};

/// A `POST` of `body` as YAML.
pub fn post(uri: &str, body: impl Into<Body>) -> Request<Body> {
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

#[tokio::test]
async fn static_assets_are_served_with_cache_headers_and_revalidated() {
    // Our own files are in the repository; Bootstrap Italia joins them in web/dist when built.
    let app = TestApp::new()
        .config(|c| c.assets_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/static").into())
        .build()
        .await;
    let css = app.get("/static/riuso.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(css.headers["cache-control"], "public, max-age=86400");
    let modified = css.headers["last-modified"].to_str().unwrap().to_owned();
    let again = app
        .get_with("/static/riuso.css", &[("if-modified-since", &modified)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let missing = app.get("/static/nothing.css").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let escape = app.get("/static/../Cargo.toml").await;
    assert_eq!(escape.status, StatusCode::NOT_FOUND);
    app.close().await;
}
