//! The publisher of an entry is verified only by the source it was crawled from: the `ipa` that
//! `publishers.yml` gives that source. A file that claims another administration is shown as
//! "claimed, not verified", and that administration gets neither the owner's rights nor its
//! mails; a source without `ipa` verifies nothing; the same files crawled again from a source
//! that names the administration become verified without a change of file. On both databases.

use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use riuso::catalog::organisations;
use riuso::community::accounts::{self, SignUp};
use riuso::community::declarations::{self, NewDeclaration};
use riuso::community::entities::{memberships, users};
use riuso::crawl::http::{self, Polite};

use riuso::i18n::Lang;
use riuso::mail;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, DatabaseConnection, EntityTrait as _};

use crate::support::crawl::{publiccode, queue_and_drain, targets, test_worker};
use crate::support::db::BACKENDS;
use crate::support::forge::{Account, ForgeFixture, ForgeKind, Repo, World};
use crate::support::test_app::TestApp;

/// A valid file named `name` whose publisher is the administration `code`.
fn claiming(name: &str, code: &str) -> Vec<u8> {
    let mut text = String::from_utf8(publiccode(name)).unwrap();
    text.push_str(&format!(
        "organisation:\n  name: Comune {code}\n  uri: urn:x-italian-pa:{code}\n"
    ));
    text.into_bytes()
}

/// Bologna's account with its own file and one claiming Rome; another account claiming Rome.
fn world() -> World {
    World::new()
        .account(
            Account::org(ForgeKind::GitHub, "bologna")
                .repo(Repo::new("own").publiccode(claiming("Own", "c_a944")))
                .repo(Repo::new("rome").publiccode(claiming("Claims Rome", "c_h501"))),
        )
        .account(
            Account::org(ForgeKind::GitHub, "anyone")
                .repo(Repo::new("app").publiccode(claiming("Anyone", "c_h501"))),
        )
}

/// The sources file: Bologna's account with `ipa` (when `with_ipa`), and an account without.
fn sources(forge: &ForgeFixture, with_ipa: bool) -> String {
    let ipa = if with_ipa { "    ipa: c_a944\n" } else { "" };
    format!(
        "forges:\n  - web: {web}\n    kind: github\n    api: {api}\npublishers:\n  \
         - name: Comune di Bologna\n{ipa}    accounts: [{web}/bologna]\n  \
         - name: Anyone\n    accounts: [{web}/anyone]\n",
        web = forge.web_base(ForgeKind::GitHub),
        api = forge.api_base(ForgeKind::GitHub),
    )
}

async fn crawl(db: &DatabaseConnection, forge: &ForgeFixture, with_ipa: bool) {
    let cache = tempfile::tempdir().unwrap();
    let options = riuso::crawl::Options {
        git_cache: cache.path().to_path_buf(),
        ..riuso::crawl::Options::default()
    };
    let http = Polite::new(http::Options::default()).unwrap();
    let worker = test_worker(db, http, "w", options);
    let (targets, git) = targets(&sources(forge, with_ipa), &Default::default());
    let report = queue_and_drain(db, &worker, &targets, &git).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
}

/// The API's view of the entry named `name`: its slug, publisher IPA code and verification.
async fn entry(app: &TestApp, name: &str) -> (String, Option<String>, bool) {
    let slug = super::super::community::slug_of(&app.db, name).await;
    let json = app
        .get_json(&format!("/api/v1/software/{slug}"), StatusCode::OK)
        .await;
    let code = json["publisher"]["ipaCode"].as_str().map(str::to_owned);
    let verified = json["publisherVerified"].as_bool().unwrap();
    (slug, code, verified)
}

/// A verified account with a verified membership of `org`.
async fn member(db: &DatabaseConnection, email: &str, org: i64) -> users::Model {
    let user = accounts::sign_up(
        db,
        &accounts::Hashing::new(1, std::time::Duration::from_secs(60)),
        "https://riuso.example.org",
        &SignUp {
            email: email.to_owned(),
            display_name: "CED".to_owned(),
            password: "correct horse battery staple".to_owned(),
            lang: Lang::En,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let mut verified: users::ActiveModel = user.clone().into();
    verified.email_verified_at = Set(Some(Utc::now().fixed_offset()));
    let user = verified.update(db).await.unwrap();
    memberships::ActiveModel {
        user_id: Set(user.id),
        organisation_id: Set(org),
        role: Set("admin".to_owned()),
        status: Set("verified".to_owned()),
        requested_at: Set(Utc::now().fixed_offset()),
        verified_at: Set(Some(Utc::now().fixed_offset())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    user
}

/// Milan declares reusing the entry `slug` (by `user`); answers the declaration's id.
async fn declare(db: &DatabaseConnection, slug: &str, milan: i64, user: i64) -> i64 {
    let entry = riuso::catalog::read::software(db, slug)
        .await
        .unwrap()
        .unwrap();
    declarations::declare(
        db,
        "https://riuso.example.org",
        entry.software.id,
        user,
        &NewDeclaration {
            organisation_id: milan,
            version: "main".to_owned(),
            since: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            modified: false,
            variant_url: None,
            note: String::new(),
            contact: "ced@comune.milano.example.it".to_owned(),
        },
    )
    .await
    .unwrap()
}

/// How many mails wait for `to`.
async fn mails_to(db: &DatabaseConnection, to: &str) -> usize {
    mail::outbox::Entity::find()
        .all(db)
        .await
        .unwrap()
        .iter()
        .filter(|m| format!("{m:?}").contains(to))
        .count()
}

#[tokio::test]
async fn only_the_source_ipa_verifies_a_publisher_and_gives_it_rights_and_mails() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).build().await;
        let db = app.db.conn.clone();
        let forge = ForgeFixture::start(world()).await;

        // Crawled from sources without `ipa`: every claim stays a claim.
        crawl(&db, &forge, false).await;
        for name in ["Own", "Claims Rome", "Anyone"] {
            let (_, code, verified) = entry(&app, name).await;
            assert!(code.is_some(), "{backend:?}: {name} keeps its claim");
            assert!(
                !verified,
                "{backend:?}: {name} verified without a source ipa"
            );
        }

        // Bologna's account given its `ipa`; nothing changed in the repositories.
        crawl(&db, &forge, true).await;
        let (own, code, verified) = entry(&app, "Own").await;
        assert_eq!(
            (code.as_deref(), verified),
            (Some("c_a944"), true),
            "{backend:?}"
        );
        let (rome, code, verified) = entry(&app, "Claims Rome").await;
        assert_eq!(
            (code.as_deref(), verified),
            (Some("c_h501"), false),
            "{backend:?}: claimed, recorded, not verified"
        );
        let (anyone, _, verified) = entry(&app, "Anyone").await;
        assert!(!verified, "{backend:?}");
        // Crawled again (nothing moved): the verification stays as the sources say.
        crawl(&db, &forge, true).await;
        assert!(entry(&app, "Own").await.2, "{backend:?}");
        assert!(!entry(&app, "Claims Rome").await.2, "{backend:?}");
        // A new file from the source is verified as it is ingested.
        for (repo, name, code) in [
            ("bologna/own", "Own", "c_a944"),
            ("bologna/rome", "Claims Rome", "c_h501"),
        ] {
            let mut file = String::from_utf8(claiming(name, code)).unwrap();
            file.push_str("usedBy:\n  - Comune di Nessuno\n");
            forge.set_file(ForgeKind::GitHub, repo, "publiccode.yml", file);
        }
        crawl(&db, &forge, true).await;
        assert!(entry(&app, "Own").await.2, "{backend:?}");
        assert!(!entry(&app, "Claims Rome").await.2, "{backend:?}");

        // Shown: next to the publisher on the entry's page, in search and on Rome's page.
        let page = app.get(&format!("/software/{rome}")).await;
        assert_eq!(page.all(".publisher-unverified").len(), 1, "{backend:?}");
        let page = app.get(&format!("/software/{own}")).await;
        assert!(page.all(".publisher-unverified").is_empty(), "{backend:?}");
        let page = app.get("/software?q=Rome").await;
        assert_eq!(page.all(".publisher-unverified").len(), 1, "{backend:?}");
        let page = app.get("/publishers/c_h501").await;
        assert_eq!(
            page.all(".publisher-unverified").len(),
            2,
            "{backend:?}: {}",
            page.body
        );
        let page = app.get("/publishers/c_a944").await;
        assert!(page.all(".publisher-unverified").is_empty(), "{backend:?}");
        let list = app
            .get_json("/api/v1/organisations/c_h501/software", StatusCode::OK)
            .await;
        assert!(
            list["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["publisherVerified"] == false),
            "{backend:?}: {list}"
        );

        // Rights and mails: Rome's member owns nothing; Bologna's owns its own entry.
        let rome_org = organisations::by_ipa(&db, "c_h501").await.unwrap().unwrap();
        let bologna = organisations::by_ipa(&db, "c_a944").await.unwrap().unwrap();
        let milan = organisations::for_ipa(&db, "c_f205", "Comune di Milano")
            .await
            .unwrap();
        member(&db, "ced@comune.roma.example.it", rome_org.id).await;
        member(&db, "ced@comune.bologna.example.it", bologna.id).await;
        let declarer = member(&db, "ced@comune.milano.example.it", milan.id).await;
        // The mails signing up sent are not the ones counted.
        mail::outbox::Entity::delete_many().exec(&db).await.unwrap();
        for slug in [&rome, &anyone] {
            let id = declare(&db, slug, milan.id, declarer.id).await;
            let d = declarations::get(&db, id).await.unwrap();
            assert_eq!(d.owner_id, None, "{backend:?}: {slug} owned by a claim");
        }
        assert_eq!(
            mails_to(&db, "ced@comune.roma.example.it").await,
            0,
            "{backend:?}: a claimed publisher is mailed"
        );
        assert!(
            declarations::pending_for_owner(&db, rome_org.id)
                .await
                .unwrap()
                .is_empty(),
            "{backend:?}: a claimed publisher sees declarations to acknowledge"
        );
        assert!(
            declarations::received_by(&db, rome_org.id)
                .await
                .unwrap()
                .is_empty(),
            "{backend:?}"
        );
        let id = declare(&db, &own, milan.id, declarer.id).await;
        let d = declarations::get(&db, id).await.unwrap();
        assert_eq!(d.owner_id, Some(bologna.id), "{backend:?}");
        assert_eq!(
            mails_to(&db, "ced@comune.bologna.example.it").await,
            1,
            "{backend:?}: the verified publisher is mailed"
        );
        assert_eq!(
            declarations::pending_for_owner(&db, bologna.id)
                .await
                .unwrap()
                .len(),
            1,
            "{backend:?}"
        );
        app.close().await;
    }
}
