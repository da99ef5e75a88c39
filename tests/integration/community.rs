//! Accounts, administrations and reuse declarations through the router, with a browser-like
//! client that keeps its cookies and the CSRF token of the last page, and mail read from a real
//! SMTP sink on loopback.

mod cli;
mod journey;
mod leaks;
mod matrix;
mod passwords;
mod security;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use riuso::mail::{self, Mailer, SmtpConfig, SmtpTls};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

use crate::pages::{Page, send};
use crate::support::db::TestDb;
use crate::support::smtp::SmtpSink;

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery staple";

/// A client that keeps cookies and the last CSRF token it saw, as a browser does.
pub struct Client {
    router: axum::Router,
    cookies: BTreeMap<String, String>,
    csrf: Option<String>,
    /// The address requests come from, as the server sees it (none: unspecified).
    peer: Option<SocketAddr>,
}

impl Client {
    pub fn new(router: &axum::Router) -> Self {
        Self {
            router: router.clone(),
            cookies: BTreeMap::new(),
            csrf: None,
            peer: None,
        }
    }

    /// From now on, requests come from `ip`.
    pub fn set_peer(&mut self, ip: &str) {
        self.peer = Some(SocketAddr::new(ip.parse().unwrap(), 40000));
    }

    fn with_peer(&self, mut request: Request<Body>) -> Request<Body> {
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        request
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, page: &Page) {
        for value in page.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        if let Some(input) = page.all("input[name=csrf]").first() {
            self.csrf = input.value().attr("value").map(str::to_owned);
        }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        let request = Request::get(uri)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let page = send(&self.router, self.with_peer(request)).await;
        self.keep(&page);
        page
    }

    /// Posts `fields` with the CSRF token of the last page seen.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            all.push(("csrf", &csrf));
        }
        self.post_raw(uri, &all, &[]).await
    }

    /// Posts exactly `fields`, with `headers`.
    pub async fn post_raw(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", self.cookie_header());
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            request = request.header("host", "riuso.example.org");
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = self.with_peer(request.body(Body::from(body)).unwrap());
        let page = send(&self.router, request).await;
        self.keep(&page);
        page
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }
}

/// Where an answer redirects.
pub fn location(page: &Page) -> String {
    page.headers
        .get("location")
        .unwrap_or_else(|| panic!("{} without Location: {}", page.status, page.body))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Delivers every message waiting in the outbox to `sink`, as the worker's mail job does.
pub async fn deliver(db: &TestDb, sink: &SmtpSink) {
    let mailer = Mailer::new(&SmtpConfig {
        host: sink.addr.ip().to_string(),
        port: sink.addr.port(),
        tls: SmtpTls::None,
        credentials: None,
        from: "riuso <noreply@riuso.example.org>".to_owned(),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let waiting = mail::outbox::Entity::find()
        .filter(mail::outbox::Column::SentAt.is_null())
        .all(&db.conn)
        .await
        .unwrap();
    for row in waiting {
        mailer.deliver(&db.conn, row.id).await.unwrap();
    }
}

/// The body of a message as received, quoted-printable decoded.
pub fn decoded(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path of the first link to this server under `prefix` in the last message to `to`.
pub async fn link_in_mail(sink: &SmtpSink, to: &str, prefix: &str) -> String {
    let received = sink.wait_for(1, Duration::from_secs(5)).await;
    let message = received
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == to))
        .unwrap_or_else(|| panic!("no mail to {to} in {received:#?}"));
    let text = decoded(&message.data);
    let start = text
        .find(&format!("https://riuso.example.org{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link.trim_start_matches("https://riuso.example.org")
        .to_owned()
}

/// The slug of the catalog entry named `name`.
pub async fn slug_of(db: &TestDb, name: &str) -> String {
    riuso::catalog::entities::software::Entity::find()
        .filter(riuso::catalog::entities::software::Column::Name.eq(name))
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no software named {name}"))
        .slug
}

/// Waits until the outbox holds a message to `to` (the answer to a reset request does not wait
/// for it).
pub async fn reset_mail_queued(db: &TestDb, to: &str) {
    for _ in 0..500 {
        let queued = mail::outbox::Entity::find()
            .filter(mail::outbox::Column::Recipient.eq(to))
            .filter(mail::outbox::Column::SentAt.is_null())
            .all(&db.conn)
            .await
            .unwrap();
        if !queued.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no message to {to} was queued");
}
