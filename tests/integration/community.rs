//! Accounts, administrations and reuse declarations through the router, with the test app's
//! client (which keeps its cookies and the CSRF token of the last page), and mail read from a
//! real SMTP sink on loopback.

mod cli;
pub mod forum;
mod grace;
mod journey;
mod leaks;
pub mod matrix;
mod passwords;
mod search;
mod security;

use std::time::Duration;

use riuso::mail::{self, Mailer, SmtpConfig, SmtpTls};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

use crate::support::db::{Backend, TestDb};
use crate::support::smtp::SmtpSink;
use crate::support::test_app::TestApp;

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery staple";

/// The demo catalog on `backend`, with no limit on the account forms: the tests use them more
/// often than a person would.
pub async fn demo_app(backend: Backend) -> TestApp {
    TestApp::new()
        .backend(backend)
        .demo()
        .config(|c| c.auth_rate_per_minute = 0)
        .build()
        .await
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
    for _ in 0..3000 {
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
