//! HTTP behaviour of `/api`: strong entity tags and 304, CORS on reads, the per-client rate limit
//! with 429 and Retry-After, the OpenAPI document, and the documentation page.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};

use super::{app, call, get_json, seed};
use crate::support::db::Backend;

#[tokio::test]
async fn reads_carry_a_strong_etag_and_answer_304() {
    let (router, db) = app(Backend::Sqlite, 0).await;
    seed(&db, 5).await;
    let (status, headers, body) = call(
        &router,
        Request::get("/api/v1/stats").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    assert!(!body.is_empty());

    let again = Request::get("/api/v1/stats")
        .header(header::IF_NONE_MATCH, format!("\"other\", {etag}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = call(&router, again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG].to_str().unwrap(), etag);
    assert!(body.is_empty());

    // A change to the catalog changes the tag.
    riuso::pipeline::populate(&db.conn, 2, 1, |_| {})
        .await
        .unwrap();
    let changed = Request::get("/api/v1/stats")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&router, changed).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers[header::ETAG].to_str().unwrap(), etag);
    db.close().await;
}

#[tokio::test]
async fn reads_allow_any_origin() {
    let (router, db) = app(Backend::Sqlite, 0).await;
    let request = Request::get("/api/v1/software")
        .header(header::ORIGIN, "https://comune.example.it")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&router, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(
        headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("etag")
    );
    let preflight = Request::options("/api/v1/software")
        .header(header::ORIGIN, "https://comune.example.it")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "if-none-match")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&router, preflight).await;
    assert!(status.is_success());
    assert!(
        headers[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    db.close().await;
}

fn from(ip: [u8; 4], uri: &str) -> Request<Body> {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    request
}

#[tokio::test]
async fn each_client_has_a_rate_limit_answered_with_429_and_retry_after() {
    let (router, db) = app(Backend::Sqlite, 3).await;
    for _ in 0..3 {
        let (status, _, _) = call(&router, from([192, 0, 2, 1], "/api/v1/stats")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) = call(&router, from([192, 0, 2, 1], "/api/v1/stats")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["error"]["code"], "rate_limited");
    // The validator counts too; another client is not affected.
    let (status, _, _) = call(&router, from([192, 0, 2, 1], "/api")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = call(&router, from([192, 0, 2, 2], "/api/v1/stats")).await;
    assert_eq!(status, StatusCode::OK);
    // The rest of the site is not limited.
    let (status, _, _) = call(&router, from([192, 0, 2, 1], "/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    db.close().await;
}

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let (router, db) = app(Backend::Sqlite, 0).await;
    let doc = get_json(&router, "/api/v1/openapi.json", StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    insta::assert_json_snapshot!("openapi", doc);
    db.close().await;
}

#[tokio::test]
async fn documentation_page_lists_every_endpoint_without_scripts() {
    let (router, db) = app(Backend::Sqlite, 0).await;
    let doc = get_json(&router, "/api/v1/openapi.json", StatusCode::OK).await;
    let (status, headers, body) =
        call(&router, Request::get("/api").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    let html = String::from_utf8(body).unwrap();
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
    db.close().await;
}

#[tokio::test]
async fn validator_answers_in_the_documented_shape() {
    let (router, db) = app(Backend::Sqlite, 0).await;
    let file = std::fs::read(
        crate::support::fixtures()
            .join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
    )
    .unwrap();
    let request = Request::post("/api/v1/validate")
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(file))
        .unwrap();
    let (status, _, body) = call(&router, request).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    insta::assert_json_snapshot!("validate_invalid", report);

    let valid =
        std::fs::read(crate::support::fixtures().join("parser-go/testdata/v0/valid/valid.yml"))
            .unwrap();
    let request = Request::post("/api/v1/validate")
        .body(Body::from(valid))
        .unwrap();
    let (status, _, body) = call(&router, request).await;
    assert_eq!(status, StatusCode::OK);
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    insta::assert_json_snapshot!("validate_valid", report);
    db.close().await;
}

/// Kills the server when the test ends, whatever happens.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_served_api_limits_each_peer_address_on_its_own() {
    let db = crate::support::db::TestDb::new(Backend::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        std::process::Command::new(env!("CARGO_BIN_EXE_riuso"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &db.url)
            .env("RIUSO_API_RATE_PER_MINUTE", "2")
            .env("RIUSO_LOG", "warn")
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/v1/stats");
    let mut first = None;
    for _ in 0..100 {
        if let Ok(response) = client.get(&url).send().await {
            first = Some(response.status());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        first,
        Some(reqwest::StatusCode::OK),
        "the server did not start"
    );
    let second = client.get(&url).send().await.unwrap();
    assert_eq!(second.status(), reqwest::StatusCode::OK);
    let third = client.get(&url).send().await.unwrap();
    assert_eq!(third.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    // Another peer address (all of 127.0.0.0/8 is loopback) has its own allowance.
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let response = other.get(&url).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    db.close().await;
}
