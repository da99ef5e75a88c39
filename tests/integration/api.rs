//! The JSON API v1 through the router, on SQLite and PostgreSQL: every endpoint's JSON as a
//! snapshot (the contract), pagination, entity tags, CORS, rate limits, the OpenAPI document, the
//! documentation page, and the open-data exports (DCAT-AP_IT read back with an RDF parser).

mod catalog;
mod export;
mod http;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use riuso::app::{App, AppState};
use riuso::config::Config;
use serde_json::Value;
use tower::ServiceExt as _;

use crate::support::db::{Backend, TestDb};

/// The public address the tests configure (it shows in export IRIs).
pub const PUBLIC_URL: &str = "https://riuso.example.org";

/// A router on a fresh database of `backend`, with `rate` API requests a minute per client.
pub async fn app(backend: Backend, rate: u32) -> (axum::Router, TestDb) {
    let db = TestDb::new(backend).await;
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.public_url = PUBLIC_URL.to_owned();
    config.api_rate_per_minute = rate;
    let state = AppState(Arc::new(App::new(config, db.conn.clone())));
    (riuso::web::router(state), db)
}

/// Seeds `count` synthetic entries (seed 1, as `riuso dev seed` does).
pub async fn seed(db: &TestDb, count: u64) {
    riuso::pipeline::populate(&db.conn, 1, count, |_| {})
        .await
        .unwrap();
}

/// Sends `request`; answers the status, headers and body.
pub async fn call(
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

/// `GET uri`, expecting `status` and a JSON body.
pub async fn get_json(router: &axum::Router, uri: &str, status: StatusCode) -> Value {
    let (got, headers, body) = call(router, Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(got, status, "{uri}: {}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], "application/json", "{uri}");
    serde_json::from_slice(&body).unwrap()
}

/// `value` with every timestamp (which changes from run to run) replaced by a marker, and
/// search-engine scores (which differ between SQLite's BM25 and PostgreSQL's ranking) too.
pub fn redact(mut value: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match k.as_str() {
                        "createdAt" | "updatedAt" | "fetchedAt" | "at" | "startedAt"
                        | "finishedAt"
                            if !v.is_null() =>
                        {
                            *v = Value::String("[timestamp]".to_owned());
                        }
                        "score" => *v = Value::String("[score]".to_owned()),
                        _ => walk(v),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}
