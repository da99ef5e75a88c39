//! One bad push never hides a known solution, on both databases: a valid file, then an invalid
//! one (the entry stays listed with a banner; one mail to the owner's member who asked for it),
//! the same invalid file again (no mail), the grace over (deactivated, one mail), and a valid
//! file again (active, one mail). The mails are read from a real SMTP sink; the grace is made to
//! run out by moving the time the file turned invalid into the past, through the store.

use axum::http::StatusCode;
use chrono::Utc;
use riuso::catalog::entities::software;
use riuso::community::entities::{memberships, users};
use riuso::community::{memberships as ms, sessions};
use riuso::i18n::Lang;
use riuso::pipeline::{self, Upkeep};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
};

use super::{decoded, deliver};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::smtp::{Received, SmtpSink};
use crate::support::test_app::{Client, PUBLIC_URL, TestApp};

const REPO: &str = "https://github.com/Comune-di-Montesilvano/GovPay-Interaction-Layer";
const SLUG: &str = "comune-di-montesilvano-govpay-interaction-layer";
const ADA: &str = "ada@montesilvano.example.it";
const BRUNO: &str = "bruno@montesilvano.example.it";

/// The demo's `GovPay Interaction Layer`, published by Montesilvano (`c_f646`), and the same file
/// with a development status the standard does not know.
fn files() -> (String, String) {
    let valid = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
    ))
    .unwrap();
    let broken = valid.replace("developmentStatus: stable", "developmentStatus: stabile");
    assert_ne!(valid, broken);
    (valid, broken)
}

/// A verified account in `lang` (made in the store: its sign-up mail is not this test's),
/// member of the administration `org`; answers it with its membership's id.
async fn member(db: &TestDb, email: &str, lang: Lang, org: i64) -> (users::Model, i64) {
    let now = Utc::now().fixed_offset();
    let user = users::ActiveModel {
        email: Set(Some(email.to_owned())),
        display_name: Set(email.split('@').next().unwrap_or_default().to_owned()),
        email_verified_at: Set(Some(now)),
        lang: Set(lang.code().to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .unwrap();
    let membership = memberships::ActiveModel {
        user_id: Set(user.id),
        organisation_id: Set(org),
        role: Set(ms::OrgRole::Member.as_str().to_owned()),
        status: Set("verified".to_owned()),
        requested_at: Set(now),
        verified_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .unwrap();
    (user, membership.id)
}

/// A client signed in as `user`.
async fn signed_in(app: &TestApp, user: &users::Model) -> Client {
    let mut client = app.client();
    let (token, session) = sessions::start(&app.db.conn, user, None).await.unwrap();
    client.set_cookie("riuso_session", &token);
    client.set_csrf(session.csrf);
    client
}

async fn entry(db: &TestDb) -> software::Model {
    software::Entity::find()
        .filter(software::Column::Slug.eq(SLUG))
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap()
}

/// Delivers the outbox and answers every message the sink holds, bodies decoded (the sink keeps
/// a message before it accepts it, so all are there once delivery returns).
async fn mails(app: &TestApp, sink: &SmtpSink) -> Vec<Received> {
    deliver(&app.db, sink).await;
    sink.received()
        .into_iter()
        .map(|m| Received {
            data: decoded(&m.data),
            ..m
        })
        .collect()
}

/// Moves the time the entry's file turned invalid `days` days back.
async fn backdate(db: &TestDb, days: i64) {
    let e = entry(db).await;
    let since = e.invalid_since.unwrap() - chrono::TimeDelta::days(days);
    software::ActiveModel {
        id: Set(e.id),
        invalid_since: Set(Some(since)),
        ..Default::default()
    }
    .update(&db.conn)
    .await
    .unwrap();
}

/// Whether a search of `query` lists the entry.
async fn listed(app: &TestApp, query: &str) -> bool {
    let page = app.get(&format!("/software?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.all("a.result-link")
        .iter()
        .any(|a| a.value().attr("href") == Some(&format!("/software/{SLUG}")))
}

#[tokio::test]
async fn valid_invalid_grace_deactivated_valid_with_one_mail_per_change() {
    for backend in BACKENDS {
        let app = TestApp::new()
            .backend(backend)
            .ipa_registry()
            .config(|c| c.auth_rate_per_minute = 0)
            .build()
            .await;
        let upkeep = Upkeep::of(&app.config);
        assert_eq!(upkeep.grace_days, 14, "the default grace");
        let sink = SmtpSink::start().await;
        let (valid, broken) = files();

        // Valid: listed, no banner. Montesilvano owns it (its source said so).
        app.ingest(REPO, valid.as_bytes()).await;
        let org = riuso::catalog::organisations::by_ipa(&app.db.conn, "c_f646")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert!(entry(&app.db).await.publisher_verified);
        // Ada asks for the mails on her account page; Bruno, also a member, does not (and cannot
        // ask in her name).
        let (ada, ada_membership) = member(&app.db, ADA, Lang::En, org).await;
        let (bruno, _) = member(&app.db, BRUNO, Lang::It, org).await;
        let mut other = signed_in(&app, &bruno).await;
        let refused = other
            .post_form(
                &format!("/account/memberships/{ada_membership}/notices"),
                &[("notify", "on")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{backend:?}");
        let anonymous = app
            .client()
            .post_form(
                &format!("/account/memberships/{ada_membership}/notices"),
                &[("notify", "on")],
            )
            .await;
        assert_ne!(anonymous.status, StatusCode::SEE_OTHER, "{backend:?}");
        let mut client = signed_in(&app, &ada).await;
        let page = client.get("/account").await;
        let checkbox = format!("#notify-{ada_membership}");
        assert_eq!(page.all(&checkbox).len(), 1, "{}", page.body);
        assert!(
            page.all(&format!("{checkbox}[checked]")).is_empty(),
            "off until asked"
        );
        let saved = client
            .post_form(
                &format!("/account/memberships/{ada_membership}/notices"),
                &[("notify", "on")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = client.get(&saved.location()).await;
        assert_eq!(page.all(&format!("{checkbox}[checked]")).len(), 1);
        assert!(listed(&app, "q=govpay").await, "{backend:?}");
        assert!(mails(&app, &sink).await.is_empty());

        // Invalid: still listed and active, the valid file shown under a banner, one mail.
        app.ingest(REPO, broken.as_bytes()).await;
        let e = entry(&app.db).await;
        assert!(e.active && e.invalid_since.is_some(), "{backend:?}");
        assert!(listed(&app, "q=govpay").await, "{backend:?}: still found");
        let results = app.get("/software?q=govpay&lang=en").await;
        assert!(
            results
                .text(".result-invalid")
                .starts_with("publiccode.yml invalid since"),
            "{backend:?}: the result says so"
        );
        let page = app.get(&format!("/software/{SLUG}?lang=en")).await;
        assert!(
            page.text("#invalid-title")
                .starts_with("publiccode.yml invalid since")
        );
        assert_eq!(page.text("h1"), "GovPay Interaction Layer");
        let got = mails(&app, &sink).await;
        assert_eq!(got.len(), 1, "{backend:?}: {got:#?}");
        assert_eq!(got[0].to, [ADA]);
        assert!(
            got[0].data.contains("has been invalid since"),
            "{}",
            got[0].data
        );
        assert!(
            got[0]
                .data
                .contains(&format!("{PUBLIC_URL}/software/{SLUG}")),
            "{}",
            got[0].data
        );
        let page = app.get("/publishers/c_f646").await;
        assert!(
            page.text("#publisher-problems")
                .contains("GovPay Interaction Layer")
        );

        // The same invalid file again (a second crawl): nothing new, no mail.
        app.ingest(REPO, broken.as_bytes()).await;
        assert_eq!(
            mails(&app, &sink).await.len(),
            1,
            "{backend:?}: no mail per crawl"
        );
        // Within the grace the periodic check leaves it alone.
        backdate(&app.db, 13).await;
        assert_eq!(
            pipeline::expire_invalid(&app.db.conn, &upkeep, Utc::now(), None)
                .await
                .unwrap(),
            0
        );
        assert!(entry(&app.db).await.active);

        // Past the grace: the periodic check deactivates it, once, with one mail.
        backdate(&app.db, 2).await;
        assert_eq!(
            pipeline::expire_invalid(&app.db.conn, &upkeep, Utc::now(), None)
                .await
                .unwrap(),
            1,
            "{backend:?}"
        );
        assert_eq!(
            pipeline::expire_invalid(&app.db.conn, &upkeep, Utc::now(), None)
                .await
                .unwrap(),
            0,
            "{backend:?}: deactivated once"
        );
        assert!(!entry(&app.db).await.active, "{backend:?}");
        assert!(
            !listed(&app, "q=govpay").await,
            "{backend:?}: not among active entries"
        );
        assert!(listed(&app, "q=govpay&active=false").await, "{backend:?}");
        let got = mails(&app, &sink).await;
        assert_eq!(got.len(), 2, "{backend:?}: {got:#?}");
        assert_eq!(got[1].to, [ADA]);
        assert!(got[1].data.contains("was deactivated"), "{}", got[1].data);
        let page = app.get(&format!("/software/{SLUG}?lang=en")).await;
        assert!(page.text("#invalid-note").contains("deactivated"));
        // A crawl of the same invalid file changes nothing more.
        app.ingest(REPO, broken.as_bytes()).await;
        assert_eq!(mails(&app, &sink).await.len(), 2, "{backend:?}");

        // Valid again: active, listed, no banner, one mail.
        app.ingest(REPO, valid.as_bytes()).await;
        let e = entry(&app.db).await;
        assert!(e.active && e.invalid_since.is_none(), "{backend:?}");
        assert!(listed(&app, "q=govpay").await, "{backend:?}");
        assert!(
            app.get("/software?q=govpay")
                .await
                .all(".result-invalid")
                .is_empty()
        );
        let page = app.get(&format!("/software/{SLUG}")).await;
        assert!(page.all("#invalid-banner").is_empty());
        let got = mails(&app, &sink).await;
        assert_eq!(got.len(), 3, "{backend:?}: {got:#?}");
        assert_eq!(got[2].to, [ADA]);
        assert!(got[2].data.contains("is valid again"), "{}", got[2].data);
        assert!(got.iter().all(|m| m.to != [BRUNO]), "Bruno did not ask");
        app.close().await;
    }
}

#[tokio::test]
async fn a_crawl_past_the_grace_deactivates_and_a_member_hears_it_in_italian() {
    for backend in BACKENDS {
        let app = TestApp::new()
            .backend(backend)
            .ipa_registry()
            .config(|c| c.invalid_grace_days = 3)
            .build()
            .await;
        let sink = SmtpSink::start().await;
        let (valid, broken) = files();
        app.ingest(REPO, valid.as_bytes()).await;
        let org = riuso::catalog::organisations::by_ipa(&app.db.conn, "c_f646")
            .await
            .unwrap()
            .unwrap()
            .id;
        let (_, membership) = member(&app.db, BRUNO, Lang::It, org).await;
        memberships::ActiveModel {
            id: Set(membership),
            notify_invalid: Set(true),
            ..Default::default()
        }
        .update(&app.db.conn)
        .await
        .unwrap();
        app.ingest(REPO, broken.as_bytes()).await;
        let page = app.get(&format!("/software/{SLUG}")).await;
        let until = (entry(&app.db).await.invalid_since.unwrap() + chrono::TimeDelta::days(3))
            .format("%Y-%m-%d")
            .to_string();
        assert!(
            page.text("#invalid-note").contains(&until),
            "the grace of 3 days"
        );
        backdate(&app.db, 4).await;
        // The next crawl reads the same invalid file: past the grace, it deactivates.
        app.ingest(REPO, broken.as_bytes()).await;
        assert!(!entry(&app.db).await.active, "{backend:?}");
        let got = mails(&app, &sink).await;
        assert_eq!(got.len(), 2, "{backend:?}: {got:#?}");
        assert!(got[0].data.contains("non è valido dal"), "{}", got[0].data);
        assert!(
            got[1].data.contains("è stata disattivata"),
            "{}",
            got[1].data
        );
        assert!(got[1].data.contains("più di 3 giorni"), "{}", got[1].data);
        app.close().await;
    }
}
