//! The guards: CSRF tokens on every form, the session cookie's attributes, sessions that end,
//! rate limits on sign-in, and answers that do not tell whether an address has an account.

use axum::http::StatusCode;
use riuso::mail;
use sea_orm::EntityTrait as _;

use super::{PASSWORD, deliver, link_in_mail};
use crate::support::db::TestDb;
use crate::support::smtp::SmtpSink;
use crate::support::test_app::{Client, Response, TestApp};

/// Signs up `email`, verifies it through the mail, and signs in `client`.
pub async fn signed_in(app: &TestApp, sink: &SmtpSink, email: &str) -> Client {
    let mut client = app.client();
    client.get("/account/sign-up").await;
    let page = client
        .post_form(
            "/account/sign-up",
            &[
                ("name", "Grace Hopper"),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    deliver(&app.db, sink).await;
    let verify = link_in_mail(sink, email, "/account/verify/").await;
    assert_eq!(client.get(&verify).await.status, StatusCode::OK);
    sign_in(&mut client, email).await;
    client
}

async fn sign_in(client: &mut Client, email: &str) -> Response {
    client.get("/account/sign-in").await;
    let page = client
        .post_form(
            "/account/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page
}

#[tokio::test]
async fn every_form_needs_its_token_and_this_site_as_origin() {
    let app = TestApp::new().demo().build().await;
    let sink = SmtpSink::start().await;
    let mut grace = signed_in(&app, &sink, "grace@example.org").await;
    grace.get("/account").await;
    let token = grace.csrf().unwrap();

    // No token, a wrong one, another client's anonymous one: refused, and nothing happens.
    let mut stranger = app.client();
    stranger.get("/account/sign-in").await;
    let foreign = stranger.csrf().unwrap();
    assert_ne!(foreign, token);
    for fields in [
        vec![],
        vec![("csrf", "0".repeat(64))],
        vec![("csrf", foreign)],
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = grace
            .post_raw("/account/sign-out-everywhere", &fields, &[])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(
            page.body.contains("modulo"),
            "an explanation in Italian: {}",
            page.body
        );
    }
    // The right token from another site.
    let page = grace
        .post_raw(
            "/account/sign-out-everywhere",
            &[("csrf", &token)],
            &[("origin", "https://evil.example.net")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        grace.get("/account").await.status,
        StatusCode::OK,
        "still signed in"
    );

    // Before sign-in too: the token must match the visitor's own cookie.
    let mut anonymous = app.client();
    let page = anonymous
        .post_raw(
            "/account/sign-in",
            &[("email", "grace@example.org"), ("password", PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    anonymous.set_cookie("riuso_csrf", &"a".repeat(64));
    let page = anonymous
        .post_raw(
            "/account/sign-in",
            &[
                ("email", "grace@example.org"),
                ("password", PASSWORD),
                ("csrf", &"b".repeat(64)),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = anonymous
        .post_raw(
            "/account/sign-in",
            &[
                ("email", "grace@example.org"),
                ("password", PASSWORD),
                ("csrf", &"a".repeat(64)),
            ],
            &[("origin", "https://riuso.example.org")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // The right token from this site works, also behind a proxy that sends its own Host.
    let page = grace
        .post_raw(
            "/account/sign-out-everywhere",
            &[("csrf", &token)],
            &[
                ("host", "10.0.0.5:8080"),
                ("origin", "https://riuso.example.org"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(grace.get("/account").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.get("/account").await.status,
        StatusCode::UNAUTHORIZED,
        "everywhere"
    );
    sink.stop();
    app.close().await;
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_and_secure_behind_https() {
    for (public_url, secure) in [
        ("https://riuso.example.org", true),
        ("http://127.0.0.1:8080", false),
    ] {
        let app = TestApp::new()
            .demo()
            .config(|c| c.public_url = public_url.to_owned())
            .build()
            .await;
        let sink = SmtpSink::start().await;
        let mut client = app.client();
        client.get("/account/sign-up").await;
        client
            .post_form(
                "/account/sign-up",
                &[
                    ("name", "Lin"),
                    ("email", "lin@example.org"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        deliver(&app.db, &sink).await;
        let received = sink.wait_for(1, std::time::Duration::from_secs(5)).await;
        let text = super::decoded(&received[0].data);
        let start = text.find("/account/verify/").unwrap();
        let verify: String = text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        client.get(&verify).await;
        let page = sign_in(&mut client, "lin@example.org").await;
        let cookie = page
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("riuso_session="))
            .unwrap();
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("; Path=/"), "{cookie}");
        assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
        let value = cookie
            .trim_start_matches("riuso_session=")
            .split(';')
            .next()
            .unwrap();
        assert_eq!(value.len(), 64);
        // The database keeps a hash, never the token.
        let rows = riuso::community::entities::sessions::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].id, value);
        let page = client.get("/account").await;
        assert_eq!(page.headers["cache-control"], "private, no-store");
        sink.stop();
        app.close().await;
    }
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = TestApp::new()
        .demo()
        .config(|c| c.auth_rate_per_minute = 3)
        .build()
        .await;
    let mut client = app.client();
    client.get("/account/sign-in").await;
    for _ in 0..3 {
        let page = client
            .post_form(
                "/account/sign-in",
                &[("email", "x@example.org"), ("password", "nope nope nope")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = client
        .post_form(
            "/account/sign-in",
            &[("email", "x@example.org"), ("password", "nope nope nope")],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));
    // The pages themselves are not limited.
    assert_eq!(client.get("/account/sign-in").await.status, StatusCode::OK);
    app.close().await;
}

#[tokio::test]
async fn answers_never_tell_whether_an_address_has_an_account() {
    let app = TestApp::new().demo().build().await;
    let sink = SmtpSink::start().await;
    let mut first = signed_in(&app, &sink, "ken@example.org").await;
    let mut other = app.client();
    other.get("/account/sign-up").await;
    let again = other
        .post_form(
            "/account/sign-up",
            &[
                ("name", "Someone"),
                ("email", "ken@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let fresh = other
        .post_form(
            "/account/sign-up",
            &[
                ("name", "Someone"),
                ("email", "new@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, fresh.status);
    assert_eq!(again.text("main"), fresh.text("main"));
    // The owner of the address is told instead, with a way back in.
    deliver(&app.db, &sink).await;
    let reset = link_in_mail(&sink, "ken@example.org", "/account/reset/").await;

    // Reset: a new password ends every session, and signs this browser in.
    let mut browser = app.client();
    let page = browser.get(&reset).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = browser.post_form(&reset, &[("password", "short")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = browser
        .post_form(&reset, &[("password", "an entirely new passphrase")])
        .await;
    assert_eq!(page.location(), "/account?notice=password_changed");
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);
    assert_eq!(first.get("/account").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        browser.get(&reset).await.status,
        StatusCode::BAD_REQUEST,
        "single use"
    );

    // A reset for an unknown address answers the same and sends nothing.
    let before = mail::outbox::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap()
        .len();
    let mut anyone = app.client();
    anyone.get("/account/reset").await;
    let unknown = anyone
        .post_form("/account/reset", &[("email", "nobody@example.org")])
        .await;
    let known = anyone
        .post_form("/account/reset", &[("email", "ken@example.org")])
        .await;
    assert_eq!(unknown.text("main"), known.text("main"));
    // The message is queued after the answer.
    let mut after = 0;
    for _ in 0..3000 {
        after = mail::outbox::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .len();
        if after > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(after, before + 1);
    sink.stop();
    app.close().await;
}

#[tokio::test]
async fn expired_sessions_and_links_are_purged_and_live_ones_kept() {
    use riuso::community::accounts::{self, SignUp};
    use riuso::community::entities::{sessions as session_rows, user_tokens};
    use riuso::community::sessions::{self, Purged, purge_expired};
    use sea_orm::PaginatorTrait as _;

    for backend in crate::support::db::BACKENDS {
        let db = TestDb::new(backend).await;
        let user = accounts::sign_up(
            &db.conn,
            &accounts::Hashing::new(1, std::time::Duration::from_secs(60)),
            "https://riuso.example.org",
            &SignUp {
                email: "ada@example.org".to_owned(),
                display_name: "Ada".to_owned(),
                password: PASSWORD.to_owned(),
                lang: riuso::i18n::Lang::En,
            },
        )
        .await
        .unwrap()
        .unwrap();
        sessions::start(&db.conn, &user, None).await.unwrap();
        let now = chrono::Utc::now().fixed_offset();
        // Nothing has ended yet: the session and the verification link stay.
        assert_eq!(
            purge_expired(&db.conn, now).await.unwrap(),
            Purged {
                sessions: 0,
                links: 0
            },
            "{backend:?}"
        );
        // A month and a day later both have ended.
        let later = now + chrono::Duration::days(sessions::IDLE_DAYS + 1);
        assert_eq!(
            purge_expired(&db.conn, later).await.unwrap(),
            Purged {
                sessions: 1,
                links: 1
            },
            "{backend:?}"
        );
        assert_eq!(
            session_rows::Entity::find().count(&db.conn).await.unwrap(),
            0
        );
        assert_eq!(
            user_tokens::Entity::find().count(&db.conn).await.unwrap(),
            0
        );
        db.close().await;
    }
}
