//! A crawl that brings the declaring administration into `usedBy` acknowledges its reuse
//! declaration (Annex D), on both databases; a crawl that does not, leaves it pending.

use chrono::{NaiveDate, Utc};
use riuso::community::accounts::{self, SignUp};
use riuso::community::declarations::{self, NewDeclaration, Status};
use riuso::community::entities::users;
use riuso::i18n::Lang;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};

use super::run::{crawl, world};
use crate::support::crawl::publiccode;
use crate::support::db::{BACKENDS, TestDb};
use crate::support::forge::{ForgeFixture, ForgeKind};

async fn declaration_on(db: &TestDb, software: &str) -> i64 {
    let bologna = riuso::catalog::organisations::for_ipa(&db.conn, "c_a944", "Comune di Bologna")
        .await
        .unwrap();
    let user = accounts::sign_up(
        &db.conn,
        &accounts::Hashing::new(1, std::time::Duration::from_secs(60)),
        "https://riuso.example.org",
        &SignUp {
            email: "ced@comune.bologna.example.it".to_owned(),
            display_name: "CED Bologna".to_owned(),
            password: "correct horse battery staple".to_owned(),
            lang: Lang::It,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let mut verified: users::ActiveModel = user.clone().into();
    verified.email_verified_at = Set(Some(Utc::now().fixed_offset()));
    verified.update(&db.conn).await.unwrap();
    let slug = super::super::community::slug_of(db, software).await;
    let entry = riuso::catalog::read::software(&db.conn, &slug)
        .await
        .unwrap()
        .unwrap();
    declarations::declare(
        &db.conn,
        "https://riuso.example.org",
        entry.software.id,
        user.id,
        &NewDeclaration {
            organisation_id: bologna.id,
            version: "main".to_owned(),
            since: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            modified: false,
            variant_url: None,
            note: String::new(),
            contact: "ced@comune.bologna.example.it".to_owned(),
        },
    )
    .await
    .unwrap()
}

async fn status(db: &TestDb, id: i64) -> (Status, Option<String>) {
    let d = declarations::get(&db.conn, id).await.unwrap();
    (d.status, d.row.acknowledged_via)
}

#[tokio::test]
async fn a_crawl_that_lists_the_administration_in_used_by_acknowledges_its_declaration() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let forge = ForgeFixture::start(world()).await;
        let cache = tempfile::tempdir().unwrap();
        crawl(&db.conn, &forge, cache.path()).await;
        let alpha = declaration_on(&db, "Alpha").await;
        assert_eq!(
            status(&db, alpha).await,
            (Status::Declared, None),
            "{backend:?}"
        );

        // Another administration added: still pending.
        let mut file = String::from_utf8(publiccode("Alpha")).unwrap();
        file.push_str("\nusedBy:\n  - Comune di Milano\n");
        forge.set_file(
            ForgeKind::GitHub,
            "acme/alpha",
            "publiccode.yml",
            file.clone(),
        );
        crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            status(&db, alpha).await,
            (Status::Declared, None),
            "{backend:?}"
        );

        // The owner lists Bologna by its official name: acknowledged by the crawl.
        file.push_str("  - comune di bologna\n");
        forge.set_file(ForgeKind::GitHub, "acme/alpha", "publiccode.yml", file);
        crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            status(&db, alpha).await,
            (Status::Acknowledged, Some("crawl".to_owned())),
            "{backend:?}"
        );
        db.close().await;
    }
}
