//! What the account forms must not let through to others: a membership claim repeated does not
//! fill the administration's mailbox, and a display name (which travels in mail to
//! administrations) cannot be read as a web address.

use axum::http::StatusCode;
use riuso::mail;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

use super::security::signed_in;
use super::{PASSWORD, demo_app};
use crate::support::db::{BACKENDS, Backend, TestDb};
use crate::support::smtp::SmtpSink;

const BOLOGNA_PEC: &str = "protocollo@pec.bologna.example.invalid";

async fn mails_to(db: &TestDb, to: &str) -> usize {
    mail::outbox::Entity::find()
        .filter(mail::outbox::Column::Recipient.eq(to))
        .all(&db.conn)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_repeated_claim_mails_the_administration_once_a_day() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let sink = SmtpSink::start().await;
        let mut ada = signed_in(&app, &sink, "ada@example.org").await;
        ada.get("/account").await;
        let claim = [("code", "c_a944"), ("role", "member")];
        let page = ada.post_form("/account/memberships", &claim).await;
        assert_eq!(page.location(), "/account?notice=claim_sent", "{backend:?}");
        assert_eq!(mails_to(&app.db, BOLOGNA_PEC).await, 1, "{backend:?}");

        // The same claim again, however written: nothing new is sent, and the person is told.
        for code in ["c_a944", "C_A944", "urn:x-italian-pa:c_a944"] {
            let page = ada
                .post_form(
                    "/account/memberships",
                    &[("code", code), ("role", "member")],
                )
                .await;
            assert_eq!(
                page.location(),
                "/account?notice=claim_recent",
                "{backend:?} {code}"
            );
        }
        assert_eq!(mails_to(&app.db, BOLOGNA_PEC).await, 1, "{backend:?}");
        let page = ada.get("/account?notice=claim_recent").await;
        assert!(
            page.body.contains("ultime 24 ore"),
            "{backend:?}: {}",
            page.body
        );
        let page = ada.get("/account?notice=claim_recent&lang=en").await;
        assert!(page.body.contains("last 24 hours"), "{backend:?}");

        // Another request (to be its admin) is a new question for the administration.
        let page = ada
            .post_form(
                "/account/memberships",
                &[("code", "c_a944"), ("role", "admin")],
            )
            .await;
        assert_eq!(page.location(), "/account?notice=claim_sent", "{backend:?}");
        assert_eq!(mails_to(&app.db, BOLOGNA_PEC).await, 2, "{backend:?}");
        sink.stop();
        app.close().await;
    }
}

#[tokio::test]
async fn display_names_that_read_as_web_addresses_are_refused_in_both_languages() {
    let app = demo_app(Backend::Sqlite).await;
    let mut client = app.client();
    client.get("/account/sign-up").await;
    for (i, name) in [
        "example.com",
        "Visit evil.example",
        "http://x",
        "mailto:office@example.org",
        "www.x",
        "ｅｘａｍｐｌｅ．ｃｏｍ",
        "example。com",
        "ex\u{200B}ample\u{2024}com",
        "ｈｔｔｐｓ：／／x",
    ]
    .into_iter()
    .enumerate()
    {
        for (lang, says) in [("it", "indirizzo web"), ("en", "web address")] {
            let email = format!("p{i}{lang}@example.org");
            let page = client
                .post_form(
                    &format!("/account/sign-up?lang={lang}"),
                    &[("name", name), ("email", &email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{name:?}");
            assert!(page.body.contains(says), "{name:?} {lang}: {}", page.body);
        }
    }
    assert_eq!(
        mail::outbox::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .len(),
        0,
        "no account, no mail"
    );
    // Initials and ordinary punctuation stay allowed.
    let page = client
        .post_form(
            "/account/sign-up",
            &[
                ("name", "J.R.R. Tolkien"),
                ("email", "jrr@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    app.close().await;
}
