//! What every `/api` read goes through: strong entity tags and 304, CORS, and the per-client
//! rate limit with 429 and Retry-After (through the router, and on a served socket).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};

use crate::support::db::Backend;
use crate::support::test_app::{Response, TestApp};

#[tokio::test]
async fn reads_carry_a_strong_etag_and_answer_304() {
    let app = TestApp::new().synthetic(5).build().await;
    let Response {
        status,
        headers,
        body,
        ..
    } = app.get("/api/v1/stats").await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    assert!(!body.is_empty());

    let again = Request::get("/api/v1/stats")
        .header(header::IF_NONE_MATCH, format!("\"other\", {etag}"))
        .body(Body::empty())
        .unwrap();
    let Response {
        status,
        headers,
        body,
        ..
    } = app.send(again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG].to_str().unwrap(), etag);
    assert!(body.is_empty());

    // A change to the catalog changes the tag.
    riuso::pipeline::populate(&app.db.conn, 2, 1, |_| {})
        .await
        .unwrap();
    let changed = Request::get("/api/v1/stats")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let Response {
        status, headers, ..
    } = app.send(changed).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers[header::ETAG].to_str().unwrap(), etag);
    app.close().await;
}

#[tokio::test]
async fn reads_allow_any_origin() {
    let app = TestApp::new().build().await;
    let request = Request::get("/api/v1/software")
        .header(header::ORIGIN, "https://comune.example.it")
        .body(Body::empty())
        .unwrap();
    let Response {
        status, headers, ..
    } = app.send(request).await;
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
    let Response {
        status, headers, ..
    } = app.send(preflight).await;
    assert!(status.is_success());
    assert!(
        headers[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    app.close().await;
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
    let app = TestApp::new()
        .config(|c| c.api_rate_per_minute = 3)
        .build()
        .await;
    for _ in 0..3 {
        let Response { status, .. } = app.send(from([192, 0, 2, 1], "/api/v1/stats")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let Response {
        status,
        headers,
        body,
        ..
    } = app.send(from([192, 0, 2, 1], "/api/v1/stats")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "rate_limited");
    // The validator counts too; another client is not affected.
    let Response { status, .. } = app.send(from([192, 0, 2, 1], "/api")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let Response { status, .. } = app.send(from([192, 0, 2, 2], "/api/v1/stats")).await;
    assert_eq!(status, StatusCode::OK);
    // The rest of the site is not limited.
    let Response { status, .. } = app.send(from([192, 0, 2, 1], "/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    app.close().await;
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
