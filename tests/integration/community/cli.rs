//! The command line of the community: `riuso user role` makes the first site administrator, and
//! `riuso mail list` shows what waits in the outbox (the links of a demo without SMTP).

use std::process::Command;

use riuso::community::accounts::{self, SignUp};
use riuso::community::entities::users;
use riuso::i18n::Lang;
use sea_orm::EntityTrait as _;

use super::PASSWORD;
use crate::support::db::{Backend, TestDb};

fn riuso(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_riuso"))
        .args(args)
        .args(["--database", &db.url])
        .env("RIUSO_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn site_roles_and_the_outbox_from_the_command_line() {
    let db = TestDb::new(Backend::Sqlite).await;
    let user = accounts::sign_up(
        &db.conn,
        &accounts::Hashing::new(1, std::time::Duration::from_secs(60)),
        "https://riuso.example.org",
        &SignUp {
            email: "Root@Example.org".to_owned(),
            display_name: "Root".to_owned(),
            password: PASSWORD.to_owned(),
            lang: Lang::En,
        },
    )
    .await
    .unwrap()
    .unwrap();

    let out = riuso(&db, &["user", "role", "root@example.org", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = users::Entity::find_by_id(user.id)
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.site_role.as_deref(), Some("admin"));
    let out = riuso(&db, &["user", "role", "nobody@example.org", "reviewer"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody@example.org"));

    // The verification message of the sign-up waits, with its link.
    let out = riuso(&db, &["mail", "list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["to"], "root@example.org");
    assert!(
        lines[0]["text"]
            .as_str()
            .unwrap()
            .contains("https://riuso.example.org/account/verify/")
    );
    let out = riuso(&db, &["mail", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("#1 to root@example.org (waiting)"));
    db.close().await;
}
