//! The web pages through the router (no browser): every route in both languages, the language
//! choice, the security headers, error pages for bad input (never a 500), and what each page
//! shows, checked with CSS selectors on the parsed HTML.

mod routes;
mod views;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::Utc;
use riuso::app::{App, AppState};
use riuso::catalog::{Fetched, Origin};
use riuso::config::Config;
use riuso::pipeline;
use riuso::publiccode::{self, Context, Limits};
use scraper::{Html, Selector};
use tower::ServiceExt as _;

use crate::support::db::{Backend, TestDb};

/// The public address the tests configure.
pub const PUBLIC_URL: &str = "https://riuso.example.org";

/// A router on a fresh SQLite database holding the demo catalog and `seeded` synthetic entries.
pub async fn app(seeded: u64) -> (axum::Router, TestDb) {
    app_on(Backend::Sqlite, seeded).await
}

/// [`app`] on `backend`.
pub async fn app_on(backend: Backend, seeded: u64) -> (axum::Router, TestDb) {
    app_with(backend, seeded, |_| {}).await
}

/// [`app_on`] with the configuration changed by `tweak`.
pub async fn app_with(
    backend: Backend,
    seeded: u64,
    tweak: impl FnOnce(&mut Config),
) -> (axum::Router, TestDb) {
    let db = TestDb::new(backend).await;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/demo")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml") {
            let name = path
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .replace("__", "/");
            ingest(
                &db,
                &format!("https://github.com/{name}"),
                &std::fs::read(&path).unwrap(),
            )
            .await;
        }
    }
    if seeded > 0 {
        riuso::pipeline::populate(&db.conn, 1, seeded, |_| {})
            .await
            .unwrap();
    }
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.public_url = PUBLIC_URL.to_owned();
    config.api_rate_per_minute = 0;
    config.max_file_bytes = 64 * 1024;
    config.ipa_registry =
        Some(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/ipa-registry.tsv").into());
    tweak(&mut config);
    let state = AppState(Arc::new(
        App::with_registry(config, db.conn.clone()).unwrap(),
    ));
    (riuso::web::router(state), db)
}

/// Ingests `bytes` as the file of the repository at `url`, valid or not.
pub async fn ingest(db: &TestDb, url: &str, bytes: &[u8]) {
    let origin = Origin {
        repository_url: url,
        forge: "github",
        facts: None,
    };
    let fetched = Fetched {
        bytes,
        commit: Some("0123456789abcdef0123"),
        fetched_at: Utc::now(),
    };
    let inspected = publiccode::inspect(bytes, &Limits::default(), &Context::default());
    pipeline::ingest(&db.conn, origin, fetched, &inspected)
        .await
        .unwrap();
}

/// An answer, with its body parsed as HTML.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub html: Html,
}

impl Page {
    /// The elements matching `selector`.
    pub fn all(&self, selector: &str) -> Vec<scraper::ElementRef<'_>> {
        let s = Selector::parse(selector).unwrap();
        self.html.select(&s).collect()
    }

    /// The text of the first element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        self.all(selector)
            .first()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_else(|| panic!("no {selector} in {}", self.body))
    }

    /// The `lang` of the document.
    pub fn lang(&self) -> String {
        self.all("html")[0].value().attr("lang").unwrap().to_owned()
    }
}

/// Sends `request`.
pub async fn send(router: &axum::Router, request: Request<Body>) -> Page {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = String::from_utf8(bytes.to_vec()).unwrap();
    Page {
        status,
        headers,
        html: Html::parse_document(&body),
        body,
    }
}

/// `GET uri`.
pub async fn get(router: &axum::Router, uri: &str) -> Page {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// `GET uri` with `header: value`.
pub async fn get_with(router: &axum::Router, uri: &str, header: &str, value: &str) -> Page {
    send(
        router,
        Request::get(uri)
            .header(header, value)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The slug of the first result of the search `query`.
pub async fn first_slug(router: &axum::Router, query: &str) -> String {
    let page = get(router, &format!("/software?{query}")).await;
    let link = page.all("a.result-link")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    link.trim_start_matches("/software/").to_owned()
}
