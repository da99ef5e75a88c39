//! One way to build the application under test, and one client to talk to it.
//!
//! [`TestApp::new`] starts a builder: the backend (SQLite unless told), the test configuration
//! (changed by a closure where a test needs to), the catalog the test starts from (empty, the
//! demo, synthetic entries, or the demo and synthetic entries) and the IPA registry. Its
//! [`TestAppBuilder::build`] answers the router, the database and the configuration together.
//!
//! Requests go through the router with `oneshot` (no socket). A [`Client`] keeps the cookies it
//! is given and the CSRF token of the last page it saw, as a browser does; [`TestApp`]'s own
//! `get`, `get_with`, `get_json` and `send` use a fresh client each time, so nothing carries
//! over from one request to the next.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::Utc;
use riuso::app::{App, AppState};
use riuso::catalog::{Fetched, Origin};
use riuso::config::Config;
use riuso::publiccode::{self, ClaimKind, ClaimValue, Context, Limits, Outcome};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use tower::ServiceExt as _;

use super::db::{Backend, TestDb};

/// The public address the tests configure (it shows in links, mail and export IRIs).
pub const PUBLIC_URL: &str = "https://riuso.example.org";

/// The host of [`PUBLIC_URL`], which form posts name as theirs unless a test says otherwise.
const PUBLIC_HOST: &str = "riuso.example.org";

/// The repository's `demo` directory: the demo catalog and its IPA registry.
fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}

/// The application on a fresh database, ready for requests.
pub struct TestApp {
    /// The router, with the application state.
    pub router: axum::Router,
    /// The database, holding what the builder seeded.
    pub db: TestDb,
    /// The configuration the application runs with.
    pub config: Config,
    /// The application state behind the router (its counters, its search index).
    pub state: AppState,
}

/// What [`TestApp::new`] answers; [`TestAppBuilder::build`] makes the app.
pub struct TestAppBuilder {
    backend: Backend,
    config: Config,
    demo: bool,
    synthetic: u64,
}

impl TestApp {
    /// A builder for an app on SQLite with an empty catalog and the test configuration: the
    /// public address [`PUBLIC_URL`], no API rate limit, files up to 64 KiB, no IPA registry.
    #[expect(
        clippy::new_ret_no_self,
        reason = "the builder is how a test app is made"
    )]
    pub fn new() -> TestAppBuilder {
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.public_url = PUBLIC_URL.to_owned();
        config.api_rate_per_minute = 0;
        config.max_file_bytes = 64 * 1024;
        TestAppBuilder {
            backend: Backend::Sqlite,
            config,
            demo: false,
            synthetic: 0,
        }
    }

    /// A client with no cookie yet.
    pub fn client(&self) -> Client {
        Client::for_router(&self.router)
    }

    /// Sends `request` as it is.
    pub async fn send(&self, request: Request<Body>) -> Response {
        self.client().send(request).await
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> Response {
        self.client().get(uri).await
    }

    /// `GET uri` with `headers`.
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Response {
        self.client().get_with(uri, headers).await
    }

    /// `GET uri`, expecting `status` and a JSON body.
    pub async fn get_json(&self, uri: &str, status: StatusCode) -> Value {
        self.client().get_json(uri, status).await
    }

    /// Ingests `bytes` as the file of the repository at `url`, valid or not, with the grace
    /// and the public address of the app's configuration.
    pub async fn ingest(&self, url: &str, bytes: &[u8]) {
        ingest_with(
            &self.db,
            url,
            bytes,
            &riuso::pipeline::Upkeep::of(&self.config),
        )
        .await;
    }

    /// Closes the database (dropping a PostgreSQL schema).
    pub async fn close(self) {
        self.db.close().await;
    }
}

impl TestAppBuilder {
    /// Runs on `backend`.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Changes the configuration with `tweak` (after the test defaults).
    pub fn config(mut self, tweak: impl FnOnce(&mut Config)) -> Self {
        tweak(&mut self.config);
        self
    }

    /// Starts from the demo: the catalog of `demo/*.yml` (as crawled from GitHub) and the IPA
    /// registry `demo/ipa-registry.tsv`.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self.ipa_registry()
    }

    /// Adds `count` synthetic entries (seed 1, as `riuso dev seed` does), after the demo if any.
    pub fn synthetic(mut self, count: u64) -> Self {
        self.synthetic = count;
        self
    }

    /// Loads the demo's IPA registry (names and addresses of administrations).
    pub fn ipa_registry(mut self) -> Self {
        self.config.ipa_registry = Some(demo_dir().join("ipa-registry.tsv"));
        self
    }

    /// A fresh database with the catalog asked for, and the router over it.
    pub async fn build(self) -> TestApp {
        let db = TestDb::new(self.backend).await;
        if self.demo {
            for entry in std::fs::read_dir(demo_dir()).unwrap() {
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
        }
        if self.synthetic > 0 {
            riuso::pipeline::populate(&db.conn, 1, self.synthetic, |_| {})
                .await
                .unwrap();
        }
        let app = App::with_registry(self.config.clone(), db.conn.clone()).unwrap();
        let state = AppState(Arc::new(app));
        TestApp {
            router: riuso::web::router(state.clone()),
            db,
            config: self.config,
            state,
        }
    }
}

/// Ingests `bytes` as the file of the repository at `url`, valid or not, as if crawled from the
/// source of the administration the file claims as its publisher (which is then verified: its
/// members own the entry).
pub async fn ingest(db: &TestDb, url: &str, bytes: &[u8]) {
    ingest_with(db, url, bytes, &riuso::pipeline::Upkeep::default()).await;
}

/// [`ingest`] with the grace and public address of `upkeep`.
pub async fn ingest_with(db: &TestDb, url: &str, bytes: &[u8], upkeep: &riuso::pipeline::Upkeep) {
    let fetched = Fetched {
        bytes,
        commit: Some("0123456789abcdef0123"),
        fetched_at: Utc::now(),
    };
    let inspected = publiccode::inspect(bytes, &Limits::default(), &Context::default());
    let claimed = match &inspected.outcome {
        Outcome::Valid(v) => v.claims().iter().find_map(|c| match &c.value {
            ClaimValue::Ipa(code) if c.kind == ClaimKind::PublisherIpa => Some(code.clone()),
            _ => None,
        }),
        Outcome::Invalid(_) => None,
    };
    let origin = Origin {
        repository_url: url,
        forge: "github",
        facts: None,
        source_ipa: claimed.as_deref(),
    };
    riuso::pipeline::ingest(&db.conn, origin, fetched, &inspected, upkeep)
        .await
        .unwrap();
}

/// An answer: status, headers and body, the body read as HTML when asked.
pub struct Response {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (every answer of this application is text).
    pub body: String,
    /// The body as sent.
    pub bytes: Vec<u8>,
    html: OnceCell<Html>,
}

impl Response {
    /// The body parsed as an HTML document.
    pub fn html(&self) -> &Html {
        self.html.get_or_init(|| Html::parse_document(&self.body))
    }

    /// The elements matching `selector`.
    pub fn all(&self, selector: &str) -> Vec<ElementRef<'_>> {
        let s = Selector::parse(selector).unwrap();
        self.html().select(&s).collect()
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

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Where the answer redirects.
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .unwrap_or_else(|| panic!("{} without Location: {}", self.status, self.body))
            .to_str()
            .unwrap()
            .to_owned()
    }
}

/// A client that keeps cookies and the last CSRF token it saw, as a browser does.
pub struct Client {
    router: axum::Router,
    cookies: BTreeMap<String, String>,
    csrf: Option<String>,
    /// The address requests come from, as the server sees it (none: unspecified).
    peer: Option<SocketAddr>,
}

impl Client {
    /// A client of a router built by hand (a test that needs its own database connection).
    pub fn for_router(router: &axum::Router) -> Self {
        Self {
            router: router.clone(),
            cookies: BTreeMap::new(),
            csrf: None,
            peer: None,
        }
    }

    /// From now on, requests come from `ip` (the rate limits key on it).
    pub fn set_peer(&mut self, ip: &str) {
        self.peer = Some(SocketAddr::new(ip.parse().unwrap(), 40000));
    }

    /// Sends `request`, with the cookies kept unless it names its own; keeps what the answer
    /// sets.
    pub async fn send(&mut self, mut request: Request<Body>) -> Response {
        if !self.cookies.is_empty() && !request.headers().contains_key("cookie") {
            request
                .headers_mut()
                .insert("cookie", self.cookie_header().parse().unwrap());
        }
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let answer = Response {
            status,
            headers,
            // A binary answer (a PDF) is read as bytes; its text is for messages only.
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
            html: OnceCell::new(),
        };
        self.keep(&answer);
        answer
    }

    /// `GET uri`.
    pub async fn get(&mut self, uri: &str) -> Response {
        self.get_with(uri, &[]).await
    }

    /// `GET uri` with `headers`.
    pub async fn get_with(&mut self, uri: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = Request::get(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `GET uri`, expecting `status` and a JSON body.
    pub async fn get_json(&mut self, uri: &str, status: StatusCode) -> Value {
        let answer = self.get(uri).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.body);
        assert_eq!(answer.headers["content-type"], "application/json", "{uri}");
        answer.json()
    }

    /// Posts the form `fields` with the CSRF token of the last page seen.
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            all.push(("csrf", &csrf));
        }
        self.post_raw(uri, &all, &[]).await
    }

    /// Starts a thread in `community` (its address) through its form, as a person does: the
    /// form's page, then its post. The answer is the post's (a redirect to the thread).
    pub async fn start_thread(
        &mut self,
        community: &str,
        kind: &str,
        title: &str,
        body: &str,
    ) -> Response {
        self.get(&format!("{community}/threads/new")).await;
        self.post_form(
            &format!("{community}/threads"),
            &[("kind", kind), ("title", title), ("body", body)],
        )
        .await
    }

    /// Posts exactly the form `fields`, with `headers` (and this site as `Host` unless they
    /// name another).
    pub async fn post_raw(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request =
            Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            request = request.header("host", PUBLIC_HOST);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Posts the multipart form `fields` (the CSRF token of the last page seen first) with the
    /// file `file` as field `document`: (file name, media type, content).
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Response {
        const BOUNDARY: &str = "----riuso-test-boundary-7c1e";
        let mut body: Vec<u8> = Vec::new();
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut part = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        part("csrf", &csrf);
        for (k, v) in fields {
            part(k, v);
        }
        if let Some((name, media_type, content)) = file {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"document\"; filename=\"{name}\"\r\ncontent-type: {media_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = Request::post(uri)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header("host", PUBLIC_HOST)
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Whether the client holds the cookie `name`.
    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    /// Sets the cookie `name` as if the server had.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    /// The CSRF token of the last page seen.
    pub fn csrf(&self) -> Option<String> {
        self.csrf.clone()
    }

    /// Holds `token` as the CSRF token of the last page seen.
    pub fn set_csrf(&mut self, token: String) {
        self.csrf = Some(token);
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, answer: &Response) {
        for value in answer.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let html = answer
            .headers
            .get("content-type")
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        if html && let Some(input) = answer.all("input[name=csrf]").first() {
            self.csrf = input.value().attr("value").map(str::to_owned);
        }
    }
}
