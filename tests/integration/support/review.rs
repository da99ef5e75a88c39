//! Reviews under test: people with a site role and a session, and the automatic checks run on
//! every entry of a test app as the `check-compliance` job runs them (without a clone: the
//! rules that read the repository's files say `unknown`).

use chrono::Utc;
use riuso::community::accounts::{self, SignUp, SiteRole};
use riuso::community::entities::{memberships, users};
use riuso::community::sessions;
use riuso::compliance::{evaluate, store};
use riuso::i18n::Lang;
use riuso::publiccode::Limits;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, EntityTrait as _};

use super::db::TestDb;
use super::test_app::{Client, TestApp};

/// A verified account `email` with `site_role`.
pub async fn person(db: &TestDb, email: &str, site_role: Option<SiteRole>) -> users::Model {
    let user = accounts::sign_up(
        &db.conn,
        &accounts::Hashing::new(1, std::time::Duration::from_secs(60)),
        "https://riuso.example.org",
        &SignUp {
            email: email.to_owned(),
            display_name: email.split('@').next().unwrap_or_default().to_owned(),
            password: "correct horse battery staple".to_owned(),
            lang: Lang::En,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let mut verified: users::ActiveModel = user.into();
    verified.email_verified_at = Set(Some(Utc::now().fixed_offset()));
    verified.site_role = Set(site_role.map(|r| r.as_str().to_owned()));
    verified.update(&db.conn).await.unwrap()
}

/// Makes `user` a verified member of organisation `org`.
pub async fn member_of(db: &TestDb, user: &users::Model, org: i64) {
    memberships::ActiveModel {
        user_id: Set(user.id),
        organisation_id: Set(org),
        role: Set("member".to_owned()),
        status: Set("verified".to_owned()),
        requested_at: Set(Utc::now().fixed_offset()),
        verified_at: Set(Some(Utc::now().fixed_offset())),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .unwrap();
}

/// A client signed in as `user`, holding its CSRF token.
pub async fn signed_in(app: &TestApp, user: &users::Model) -> Client {
    let mut client = app.client();
    let (token, session) = sessions::start(&app.db.conn, user, None).await.unwrap();
    client.set_cookie("riuso_session", &token);
    client.set_csrf(session.csrf);
    client
}

/// Runs the rules on every entry with a file and stores the results, as the job does.
pub async fn check_all(app: &TestApp) {
    let all = riuso::catalog::entities::software::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    for entry in all {
        let Some(loaded) = store::load(&app.db.conn, entry.id).await.unwrap() else {
            continue;
        };
        let now = Utc::now();
        let facts = store::facts(
            &app.db.conn,
            &loaded,
            None,
            now.date_naive(),
            &Limits::default(),
        )
        .await
        .unwrap();
        store::record_check(&app.db.conn, &loaded, &evaluate(&facts), now)
            .await
            .unwrap();
    }
}
