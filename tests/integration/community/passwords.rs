//! Password hashing is never free for a stranger: links are checked before a new password is
//! hashed, every form that hashes or checks a password is rate limited per client and per
//! account, and no more hashes run at once than the server allows.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use riuso::app::{App, AppState};
use riuso::community::accounts::{self, MAX_PASSWORD, SignUp};
use riuso::config::Config;
use riuso::mail;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use tokio::task::JoinSet;

use super::security::signed_in;
use super::{PASSWORD, deliver, demo_app, link_in_mail};
use crate::support::db::{BACKENDS, Backend, TestDb};
use crate::support::smtp::SmtpSink;
use crate::support::test_app::{Client, PUBLIC_URL, TestApp};

#[tokio::test]
async fn a_reset_with_a_link_that_does_not_work_hashes_nothing() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let sink = SmtpSink::start().await;
        let mut stranger = app.client();
        stranger.get("/account/sign-in").await;
        let unknown = format!("/account/reset/{}", "ab".repeat(32));
        for password in [
            "a".repeat(MAX_PASSWORD),
            "an entirely new passphrase".to_owned(),
            "x".repeat(60_000),
            String::new(),
        ] {
            let page = stranger
                .post_form(&unknown, &[("password", &password)])
                .await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{backend:?}");
        }
        assert_eq!(
            app.state.hashing.started(),
            0,
            "{backend:?}: no hash without a link"
        );

        // With a link that works: a password of the wrong length costs nothing, a good one one
        // hash.
        let mut owner = app.client();
        owner.get("/account/sign-up").await;
        owner
            .post_form(
                "/account/sign-up",
                &[
                    ("name", "Ada"),
                    ("email", "ada@example.org"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(app.state.hashing.started(), 1, "{backend:?}");
        deliver(&app.db, &sink).await;
        owner.get("/account/reset").await;
        owner
            .post_form("/account/reset", &[("email", "ada@example.org")])
            .await;
        super::reset_mail_queued(&app.db, "ada@example.org").await;
        deliver(&app.db, &sink).await;
        let link = link_in_mail(&sink, "ada@example.org", "/account/reset/").await;
        owner.get(&link).await;
        for short in ["short", &"y".repeat(MAX_PASSWORD + 1)] {
            let page = owner.post_form(&link, &[("password", short)]).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{backend:?}");
        }
        assert_eq!(app.state.hashing.started(), 1, "{backend:?}");
        let page = owner
            .post_form(&link, &[("password", "an entirely new passphrase")])
            .await;
        assert_eq!(page.location(), "/account?notice=password_changed");
        assert_eq!(app.state.hashing.started(), 2, "{backend:?}");
        sink.stop();
        app.close().await;
    }
}

#[tokio::test]
async fn every_password_form_is_limited_per_client_and_per_account() {
    let app = TestApp::new()
        .backend(Backend::Sqlite)
        .demo()
        .config(|c| c.auth_rate_per_minute = 3)
        .build()
        .await;
    let sink = SmtpSink::start().await;
    let mut grace = signed_in(&app, &sink, "grace@example.org").await;

    // Deleting the account: three wrong passwords, then 429 with no hash, from this client and
    // from any other.
    grace.set_peer("10.0.0.2");
    grace.get("/account").await;
    let hashed = app.state.hashing.started();
    for _ in 0..3 {
        let page = grace
            .post_form("/account/delete", &[("password", "not the password")])
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    }
    assert_eq!(app.state.hashing.started(), hashed + 3);
    let page = grace
        .post_form("/account/delete", &[("password", "not the password")])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));
    grace.set_peer("10.0.0.3");
    let page = grace
        .post_form("/account/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(
        page.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account's allowance is spent, whatever the client"
    );
    assert_eq!(app.state.hashing.started(), hashed + 3);
    assert_eq!(grace.get("/account").await.status, StatusCode::OK);

    // Signing in to one account from many addresses, the address written any way.
    for (i, email) in [
        "ada@example.org",
        "ADA@example.org",
        " Ada@Example.org ",
        "ada@example.org",
    ]
    .into_iter()
    .enumerate()
    {
        let mut client = app.client();
        client.set_peer(&format!("10.0.1.{i}"));
        client.get("/account/sign-in").await;
        let page = client
            .post_form(
                "/account/sign-in",
                &[("email", email), ("password", "not the password")],
            )
            .await;
        let expected = if i < 3 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(page.status, expected, "attempt {i}");
    }

    // A reset link, good or not, from one client.
    let mut client = app.client();
    client.set_peer("10.0.2.1");
    client.get("/account/sign-in").await;
    for i in 0..4 {
        let link = format!("/account/reset/{i:064}");
        let page = client
            .post_form(&link, &[("password", "an entirely new passphrase")])
            .await;
        let expected = if i < 3 {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(page.status, expected, "attempt {i}");
    }
    sink.stop();
    app.close().await;
}

/// What came back: the status, whether it says when to try again, the body.
type Answer = (StatusCode, bool, String);

/// `n` sign-ups at once, as `n` browsers.
async fn sign_ups_at_once(app: &TestApp, n: usize) -> Vec<Answer> {
    let mut clients = Vec::new();
    for _ in 0..n {
        let mut client = app.client();
        client.get("/account/sign-up").await;
        clients.push(client);
    }
    let mut running = JoinSet::new();
    for (i, mut client) in clients.into_iter().enumerate() {
        running.spawn(async move {
            let email = format!("person{i}@example.org");
            let page = client
                .post_form(
                    "/account/sign-up",
                    &[
                        ("name", "Someone"),
                        ("email", &email),
                        ("password", PASSWORD),
                    ],
                )
                .await;
            let retry = page.headers.contains_key("retry-after");
            (page.status, retry, page.body)
        });
    }
    let mut pages = Vec::new();
    while let Some(page) = running.join_next().await {
        pages.push(page.unwrap());
    }
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_hashes_never_exceed_the_bound() {
    for backend in BACKENDS {
        let app = TestApp::new()
            .backend(backend)
            .demo()
            .config(|c| {
                c.auth_rate_per_minute = 0;
                c.max_hashes = 2;
                c.hash_wait = Duration::from_secs(300);
            })
            .build()
            .await;
        let pages = sign_ups_at_once(&app, 8).await;
        let peak = app.state.hashing.peak();
        assert!(
            (1..=2).contains(&peak),
            "{backend:?}: {peak} hashes at once"
        );
        // Each waited its turn (none was turned away), and each was hashed once.
        for (_, retry, body) in &pages {
            assert!(!retry, "{backend:?}: {body}");
        }
        assert_eq!(app.state.hashing.started(), 8, "{backend:?}");
        app.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hash_that_cannot_start_in_time_is_a_503_page() {
    let app = TestApp::new()
        .backend(Backend::Sqlite)
        .demo()
        .config(|c| {
            c.auth_rate_per_minute = 0;
            c.max_hashes = 1;
            c.hash_wait = Duration::ZERO;
        })
        .build()
        .await;
    let pages = sign_ups_at_once(&app, 6).await;
    // Turned away: 503 with the error page and when to try again.
    let busy: Vec<_> = pages.iter().filter(|(_, retry, _)| *retry).collect();
    assert!(!busy.is_empty(), "six hashes at once with room for one");
    for (status, _, body) in &busy {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            body.contains("momentaneamente non disponibile"),
            "the error page: {body}"
        );
    }
    assert_eq!(app.state.hashing.started(), (6 - busy.len()) as u64);
    assert_eq!(app.state.hashing.peak(), 1);
    app.close().await;
}

tokio::task_local! {
    /// Counts the statements a request runs while the server answers it (work it leaves for
    /// later runs in another task, outside the count).
    static STATEMENTS: Arc<AtomicUsize>;
}

#[tokio::test]
async fn a_reset_request_answers_alike_and_as_fast_for_known_and_unknown_addresses() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let mut conn = db.conn.clone();
        conn.set_metric_callback(|_| {
            let _ = STATEMENTS.try_with(|n| n.fetch_add(1, Ordering::SeqCst));
        });
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.public_url = PUBLIC_URL.to_owned();
        config.auth_rate_per_minute = 0;
        let state = AppState(Arc::new(App::new(config, conn)));
        let router = riuso::web::router(state.clone());
        accounts::sign_up(
            &db.conn,
            &state.hashing,
            PUBLIC_URL,
            &SignUp {
                email: "ken@example.org".to_owned(),
                display_name: "Ken".to_owned(),
                password: PASSWORD.to_owned(),
                lang: riuso::i18n::Lang::En,
            },
        )
        .await
        .unwrap()
        .unwrap();

        let mut client = Client::for_router(&router);
        client.get("/account/reset").await;
        let mut answers = Vec::new();
        for email in [
            "ken@example.org",
            "nobody@example.org",
            " Ken@Example.org ",
            "not an address",
            "",
        ] {
            let statements = Arc::new(AtomicUsize::new(0));
            let page = STATEMENTS
                .scope(
                    statements.clone(),
                    client.post_form("/account/reset", &[("email", email)]),
                )
                .await;
            answers.push((
                email,
                page.status,
                page.body,
                statements.load(Ordering::SeqCst),
            ));
        }
        let (_, status, body, statements) = &answers[0];
        assert_eq!(*status, StatusCode::OK);
        for (email, other_status, other_body, other_statements) in &answers[1..] {
            assert_eq!(other_status, status, "{backend:?} {email:?}");
            assert_eq!(other_body, body, "{backend:?} {email:?}: byte for byte");
            assert_eq!(
                other_statements, statements,
                "{backend:?} {email:?}: the same database work before the answer"
            );
        }

        // The work done after the answer: two links for Ken (and his verification), nothing
        // for anyone else.
        let to = |address: &'static str| {
            let conn = db.conn.clone();
            async move {
                mail::outbox::Entity::find()
                    .filter(mail::outbox::Column::Recipient.eq(address))
                    .all(&conn)
                    .await
                    .unwrap()
                    .len()
            }
        };
        for _ in 0..3000 {
            if to("ken@example.org").await == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(to("ken@example.org").await, 3, "{backend:?}");
        assert_eq!(
            mail::outbox::Entity::find()
                .all(&db.conn)
                .await
                .unwrap()
                .len(),
            3,
            "{backend:?}"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn a_sign_in_costs_one_hash_whatever_the_address() {
    let app = demo_app(Backend::Sqlite).await;
    let sink = SmtpSink::start().await;
    signed_in(&app, &sink, "ken@example.org").await;
    let mut client = app.client();
    client.get("/account/sign-in").await;
    for email in ["ken@example.org", "nobody@example.org", "not an address"] {
        let before = app.state.hashing.started();
        let page = client
            .post_form(
                "/account/sign-in",
                &[("email", email), ("password", "not the password")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(app.state.hashing.started(), before + 1, "{email}");
    }
    // A password nobody can have costs nothing, whatever the address.
    for email in ["ken@example.org", "nobody@example.org"] {
        let before = app.state.hashing.started();
        for password in [String::new(), "p".repeat(MAX_PASSWORD + 1)] {
            let page = client
                .post_form(
                    "/account/sign-in",
                    &[("email", email), ("password", &password)],
                )
                .await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{email}");
        }
        assert_eq!(app.state.hashing.started(), before, "{email}");
    }
    sink.stop();
    app.close().await;
}
