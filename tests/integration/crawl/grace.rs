//! The grace of an invalid file through real crawls of the fixture forge, on both databases: a
//! push that breaks the file leaves the entry active with its last valid file; crawls that find
//! nothing new send nothing; a crawl that finds the repository quiet after the grace deactivates
//! the entry; a push that fixes the file brings it back. The owner's member who asked for it gets
//! one message per change, whatever the number of crawls.

use chrono::Utc;
use riuso::catalog::entities::software;
use riuso::catalog::organisations;
use riuso::community::entities::{memberships, users};
use riuso::crawl::http::{self, Polite};
use riuso::mail;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection,
    EntityTrait as _, QueryFilter as _,
};

use crate::support::crawl::{publiccode, queue_and_drain, targets, test_worker};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::forge::{Account, ForgeFixture, ForgeKind, Repo, World};

const MEMBER: &str = "ced@comune.bologna.example.it";

/// A valid file of Bologna (`c_a944`), and the same file with a development status the
/// standard does not know.
fn files() -> (String, String) {
    let mut valid = String::from_utf8(publiccode("Protocollo")).unwrap();
    valid.push_str("organisation:\n  name: Comune di Bologna\n  uri: urn:x-italian-pa:c_a944\n");
    let broken = valid.replace(
        "developmentStatus: development",
        "developmentStatus: stabel",
    );
    assert_ne!(valid, broken);
    (valid, broken)
}

fn sources(forge: &ForgeFixture) -> String {
    format!(
        "forges:\n  - web: {web}\n    kind: github\n    api: {api}\npublishers:\n  \
         - name: Comune di Bologna\n    ipa: c_a944\n    accounts: [{web}/bologna]\n",
        web = forge.web_base(ForgeKind::GitHub),
        api = forge.api_base(ForgeKind::GitHub),
    )
}

async fn crawl(db: &DatabaseConnection, forge: &ForgeFixture) {
    let cache = tempfile::tempdir().unwrap();
    let options = riuso::crawl::Options {
        git_cache: cache.path().to_path_buf(),
        ..riuso::crawl::Options::default()
    };
    let http = Polite::new(http::Options::default()).unwrap();
    let worker = test_worker(db, http, "w", options);
    let (targets, git) = targets(&sources(forge), &Default::default());
    let report = queue_and_drain(db, &worker, &targets, &git).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
}

async fn entry(db: &DatabaseConnection) -> software::Model {
    software::Entity::find()
        .filter(software::Column::Name.eq("Protocollo"))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// The subjects of the messages queued for the member, in order.
async fn subjects(db: &DatabaseConnection) -> Vec<String> {
    mail::outbox::Entity::find()
        .filter(mail::outbox::Column::Recipient.eq(MEMBER))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

#[tokio::test]
async fn crawls_keep_an_entry_through_its_grace_and_mail_once_per_change() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let (valid, broken) = files();
        let forge = ForgeFixture::start(
            World::new().account(
                Account::org(ForgeKind::GitHub, "bologna")
                    .repo(Repo::new("own").publiccode(valid.clone())),
            ),
        )
        .await;
        crawl(&db.conn, &forge).await;
        let e = entry(&db.conn).await;
        assert!(e.active && e.publisher_verified, "{backend:?}");
        // A member of Bologna who asked for the mails.
        let org = organisations::by_ipa(&db.conn, "c_a944")
            .await
            .unwrap()
            .unwrap()
            .id;
        let now = Utc::now().fixed_offset();
        let user = users::ActiveModel {
            email: Set(Some(MEMBER.to_owned())),
            display_name: Set("CED".to_owned()),
            email_verified_at: Set(Some(now)),
            lang: Set("en".to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .unwrap();
        memberships::ActiveModel {
            user_id: Set(user.id),
            organisation_id: Set(org),
            role: Set("member".to_owned()),
            status: Set("verified".to_owned()),
            requested_at: Set(now),
            verified_at: Set(Some(now)),
            notify_invalid: Set(true),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .unwrap();

        // A push breaks the file; the crawl reads it, the next one finds nothing new.
        forge.set_file(ForgeKind::GitHub, "bologna/own", "publiccode.yml", broken);
        crawl(&db.conn, &forge).await;
        crawl(&db.conn, &forge).await;
        let e = entry(&db.conn).await;
        assert!(e.active, "{backend:?}: active through its grace");
        assert!(e.invalid_since.is_some() && e.invalid_snapshot_id.is_some());
        assert_eq!(
            subjects(&db.conn).await,
            ["The publiccode.yml of Protocollo is no longer valid"],
            "{backend:?}"
        );

        // The grace runs out; the repository is quiet: the crawl that finds it so deactivates.
        software::ActiveModel {
            id: Set(e.id),
            invalid_since: Set(e.invalid_since.map(|d| d - chrono::TimeDelta::days(15))),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        crawl(&db.conn, &forge).await;
        assert!(!entry(&db.conn).await.active, "{backend:?}");
        crawl(&db.conn, &forge).await;
        assert_eq!(subjects(&db.conn).await.len(), 2, "{backend:?}");
        assert_eq!(
            subjects(&db.conn).await[1],
            "Protocollo was deactivated: invalid publiccode.yml"
        );

        // A push fixes it.
        forge.set_file(ForgeKind::GitHub, "bologna/own", "publiccode.yml", valid);
        crawl(&db.conn, &forge).await;
        let e = entry(&db.conn).await;
        assert!(e.active && e.invalid_since.is_none(), "{backend:?}");
        assert_eq!(
            subjects(&db.conn).await[2..],
            ["The publiccode.yml of Protocollo is valid again"],
            "{backend:?}"
        );
        db.close().await;
    }
}
