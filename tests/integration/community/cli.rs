//! The command line of the community: `riuso user role` makes the first site administrator,
//! `riuso mail list` shows what waits in the outbox (the links of a demo without SMTP), and the
//! links `riuso serve --bind` writes (mail, feeds, sitemap) lead to that server.

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

/// Kills the server when the test ends, whatever happens.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn mailed_links_feeds_and_the_sitemap_lead_to_the_address_serve_listens_on() {
    let db = TestDb::new(Backend::Sqlite).await;
    // Port 0: the links must name the port the system chose, which only the log tells.
    let mut child = Command::new(env!("CARGO_BIN_EXE_riuso"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.url)
        .env("RIUSO_EMBEDDED_WORKER", "false")
        .env("RIUSO_CRAWL_EVERY_HOURS", "0")
        .env("RIUSO_LOG", "info")
        .env("RIUSO_LOG_FORMAT", "json")
        .env_remove("RIUSO_PUBLIC_URL")
        .env_remove("RIUSO_BIND")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _server = Server(child);
    // Read the log to its end (a full pipe would stop the server), telling where it listens.
    let (said, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let line: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(address) = line["fields"]["address"].as_str() {
                let _ = said.send(format!("http://{address}"));
            }
        }
    });
    let base = heard
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the server did not say where it listens");
    assert!(!base.ends_with(":0") && !base.ends_with(":8080"), "{base}");
    let client = reqwest::Client::new();
    let mut form = None;
    for _ in 0..100 {
        if let Ok(response) = client.get(format!("{base}/account/sign-up")).send().await {
            form = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let form = form.expect("the server did not start");
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = form.text().await.unwrap();
    let pattern = "name=\"csrf\" value=\"";
    let start = html.find(pattern).unwrap() + pattern.len();
    let csrf = &html[start..start + 64];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("csrf", csrf),
            ("name", "Lin"),
            ("email", "lin@example.org"),
            ("password", PASSWORD),
        ])
        .finish();
    let answer = client
        .post(format!("{base}/account/sign-up"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let messages = riuso::mail::outbox::Entity::find()
        .all(&db.conn)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .body_text
            .contains(&format!("{base}/account/verify/")),
        "{}",
        messages[0].body_text
    );
    for (path, expected) in [
        ("/sitemap.xml", format!("<loc>{base}/software</loc>")),
        ("/feeds/new.atom", format!("<id>{base}/feeds/new.atom</id>")),
        ("/feeds/updated.atom", format!("href=\"{base}/\"")),
        ("/robots.txt", format!("Sitemap: {base}/sitemap.xml")),
    ] {
        let body = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains(&expected), "{path}: {body}");
        assert!(!body.contains(":8080"), "{path}: {body}");
    }
    db.close().await;
}
