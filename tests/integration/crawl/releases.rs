//! A crawl that stores a new `softwareVersion` of an entry with a community opens its release
//! thread there, once: an unchanged re-crawl opens none, and two crawl runs worked by two
//! workers at once over the same new version open one between them. On both databases.

use std::collections::BTreeMap;
use std::time::Duration;

use riuso::community::entities::{communities, community_software, releases, threads};
use riuso::crawl::http::{self, Polite};
use riuso::crawl::{self};
use riuso::worker::enqueue_crawl;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _,
};

use crate::support::crawl::{one_account, publiccode, queue_and_drain, targets, test_worker};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::forge::{Account, ForgeFixture, ForgeKind, Repo, World};

fn file(version: Option<&str>) -> Vec<u8> {
    let mut text = String::from_utf8(publiccode("Protocollo")).unwrap();
    if let Some(v) = version {
        text.push_str(&format!(
            "\nsoftwareVersion: \"{v}\"\nreleaseDate: \"2026-11-30\"\n"
        ));
    }
    text.into_bytes()
}

fn worker(
    db: &sea_orm::DatabaseConnection,
    name: &str,
    cache: &std::path::Path,
) -> riuso::worker::Worker {
    let http = Polite::new(http::Options {
        timeout: Duration::from_secs(2),
        ..http::Options::default()
    })
    .unwrap();
    test_worker(
        db,
        http,
        name,
        crawl::Options {
            git_cache: cache.to_path_buf(),
            ..crawl::Options::default()
        },
    )
}

async fn release_threads(db: &TestDb) -> Vec<String> {
    let mut titles: Vec<String> = threads::Entity::find()
        .filter(threads::Column::Kind.eq("release"))
        .all(&db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn a_new_version_opens_one_release_thread_across_crawls_and_workers() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let forge = ForgeFixture::start(
            World::new().account(
                Account::org(ForgeKind::GitHub, "ente")
                    .repo(Repo::new("protocollo").publiccode(file(None))),
            ),
        )
        .await;
        let cache = tempfile::tempdir().unwrap();
        let (targets, git) = targets(&one_account(&forge, "Ente", "ente"), &BTreeMap::new());
        let w = worker(&db.conn, "w", cache.path());
        queue_and_drain(&db.conn, &w, &targets, &git).await;
        let entry = riuso::catalog::entities::software::Entity::find()
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        // Without a community, a new version opens nothing.
        forge.set_file(
            ForgeKind::GitHub,
            "ente/protocollo",
            "publiccode.yml",
            file(Some("0.9")),
        );
        queue_and_drain(&db.conn, &w, &targets, &git).await;
        assert!(release_threads(&db).await.is_empty(), "{backend:?}");
        assert_eq!(releases::Entity::find().count(&db.conn).await.unwrap(), 0);

        let now = chrono::Utc::now().fixed_offset();
        let community = communities::ActiveModel {
            slug: Set("protocollo".into()),
            name: Set("Protocollo".into()),
            description: Set(String::new()),
            kind: Set("solution".into()),
            visibility: Set("public".into()),
            join_policy: Set("open".into()),
            organisation_id: Set(None),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .unwrap();
        community_software::ActiveModel {
            community_id: Set(community.id),
            software_id: Set(entry.id),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .unwrap();

        // The version changes: one thread.
        forge.set_file(
            ForgeKind::GitHub,
            "ente/protocollo",
            "publiccode.yml",
            file(Some("1.0.0")),
        );
        queue_and_drain(&db.conn, &w, &targets, &git).await;
        assert_eq!(release_threads(&db).await, ["1.0.0"], "{backend:?}");
        // An unchanged re-crawl: none.
        queue_and_drain(&db.conn, &w, &targets, &git).await;
        assert_eq!(release_threads(&db).await, ["1.0.0"], "{backend:?}");

        // Two runs worked by two workers at once, over the same new version: one thread.
        forge.set_file(
            ForgeKind::GitHub,
            "ente/protocollo",
            "publiccode.yml",
            file(Some("1.1.0")),
        );
        let first = enqueue_crawl(&db.conn, &targets, &git, "test")
            .await
            .unwrap();
        let second = enqueue_crawl(&db.conn, &targets, &git, "test")
            .await
            .unwrap();
        let other = riuso::db::connect(&db.url).await.unwrap();
        let (w1, w2) = (
            worker(&db.conn, "w1", cache.path()),
            worker(&other, "w2", cache.path()),
        );
        let (a, b) = tokio::join!(w1.drain(first, || {}), w2.drain(second, || {}));
        a.unwrap();
        b.unwrap();
        assert_eq!(
            release_threads(&db).await,
            ["1.0.0", "1.1.0"],
            "{backend:?}"
        );
        let versions = releases::Entity::find()
            .filter(releases::Column::Version.eq("1.1.0"))
            .count(&db.conn)
            .await
            .unwrap();
        assert_eq!(versions, 1, "{backend:?}");
        db.close().await;
    }
}
