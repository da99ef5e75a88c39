//! A forge named in `publishers.yml` cannot rewrite an entry that is not its own: every
//! repository it answers with (in a listing or a description) is checked against the source
//! that named it, on GitHub, GitLab and Gitea alike; a mismatch is a `failed` event and nothing
//! is written.

use std::collections::BTreeMap;

use riuso::crawl::http::{self, Polite};
use riuso::crawl::run::Target;
use riuso::crawl::{self, sources};
use sea_orm::{ConnectionTrait as _, Statement};

use crate::support::crawl::{count, publiccode, queue_and_drain, test_worker};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::forge::{Account, ForgeFixture, ForgeKind, Repo, World};

const KINDS: [ForgeKind; 3] = [ForgeKind::GitHub, ForgeKind::GitLab, ForgeKind::Gitea];

/// The web URLs a hostile account `evil` on `kind` claims, each for one of its repositories:
/// every way of not being `{web}/evil/<name>`.
fn claims(forge: &ForgeFixture, kind: ForgeKind) -> Vec<(&'static str, String)> {
    let web = forge.web_base(kind);
    let base = forge.base().to_owned();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let other_port = if port == 65535 { port - 1 } else { port + 1 };
    let prefix = web.trim_start_matches(&base).to_owned();
    vec![
        ("other-host", "https://github.com/italia/app".to_owned()),
        ("victim-url", format!("{web}/victim/app")),
        ("other-account", format!("{web}/victim/other-account")),
        (
            "other-scheme",
            format!(
                "{}/evil/other-scheme",
                web.replacen("http://", "https://", 1)
            ),
        ),
        (
            "outside-prefix",
            format!("{base}/elsewhere/evil/outside-prefix"),
        ),
        ("no-prefix", format!("{base}/evil/no-prefix")),
        (
            "javascript",
            "javascript:alert(document.domain)//".to_owned(),
        ),
        (
            "user-info",
            format!(
                "{}/evil/user-info",
                web.replacen("http://", "http://victim@", 1)
            ),
        ),
        (
            "other-port",
            format!("http://127.0.0.1:{other_port}{prefix}/evil/other-port"),
        ),
        ("query", format!("{web}/evil/query?x=1")),
        ("deeper", format!("{web}/evil/sub/deeper")),
    ]
}

/// On each forge: `victim/app`, `evil/honest`, and an empty account `single` (the hostile
/// repositories are added once the fixture's address is known).
fn world() -> World {
    let mut world = World::new();
    for kind in KINDS {
        let account = |name: &str| match kind {
            ForgeKind::GitLab => Account::group(name),
            other => Account::org(other, name),
        };
        world = world
            .account(account("victim").repo(Repo::new("app").publiccode(publiccode("Victim"))))
            .account(account("evil").repo(Repo::new("honest").publiccode(publiccode("Honest"))))
            .account(account("single"));
    }
    world
}

fn targets(forge: &ForgeFixture, accounts: &[&str], repos: &[&str]) -> Vec<Target> {
    let mut text = format!(
        "{}publishers:\n  - name: Test\n    accounts:\n",
        forge.forges_section(&[])
    );
    for kind in KINDS {
        for a in accounts {
            text.push_str(&format!("      - {}/{a}\n", forge.web_base(kind)));
        }
    }
    if !repos.is_empty() {
        text.push_str("    repositories:\n");
        for kind in KINDS {
            for r in repos {
                text.push_str(&format!("      - {}/{r}\n", forge.web_base(kind)));
            }
        }
    }
    let parsed = sources::parse(text.as_bytes()).unwrap();
    Target::from_sources(&parsed, &BTreeMap::new()).0
}

#[tokio::test]
async fn a_forge_cannot_answer_with_a_repository_outside_its_source() {
    let forge = ForgeFixture::start(world()).await;
    // Repositories whose claims are built from the fixture's own address.
    for kind in KINDS {
        for (name, url) in claims(&forge, kind) {
            if kind == ForgeKind::GitLab && name == "deeper" {
                continue;
            }
            forge.add_repo(
                kind,
                "evil",
                Repo::new(name)
                    .publiccode(publiccode("Evil"))
                    .claims_web_url(&url),
            );
        }
        // A clone URL off the forge: the repository is crawled, its clone is of its own URL.
        forge.add_repo(
            kind,
            "evil",
            Repo::new("foreign-clone")
                .publiccode(publiccode("Honest"))
                .claims_clone_url("http://169.254.169.254/latest/evil.git"),
        );
        forge.add_repo(
            kind,
            "single",
            Repo::new("one")
                .publiccode(publiccode("Evil"))
                .claims_web_url(&format!("{}/victim/app", forge.web_base(kind))),
        );
    }
    let http = Polite::new(http::Options::default()).unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let cache = tempfile::tempdir().unwrap();
        let options = crawl::Options {
            git_cache: cache.path().to_path_buf(),
            ..crawl::Options::default()
        };
        // The vitality jobs are left queued, to be read: where would they clone from?
        let worker =
            test_worker(&db.conn, http.clone(), "identity", options).skipping(&["vitality"]);
        let victims = targets(&forge, &["victim"], &[]);
        let first = queue_and_drain(&db.conn, &worker, &victims, &[]).await;
        assert_eq!(
            first.outcomes.get("new"),
            Some(&3),
            "{backend:?}: {first:?}"
        );
        let hostile = targets(&forge, &["evil"], &["single/one"]);
        let report = queue_and_drain(&db.conn, &worker, &hostile, &[]).await;
        // Only the honest repositories of each forge are crawled.
        assert_eq!(
            report.outcomes.get("new"),
            Some(&6),
            "{backend:?}: {report:?}"
        );
        assert_eq!(report.repositories, 6, "{backend:?}: {report:?}");
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM jobs WHERE payload LIKE '%169.254%'"
            )
            .await,
            0,
            "{backend:?}: no vitality job clones from the foreign URL"
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM jobs WHERE payload LIKE '%evil/foreign-clone.git%'"
            )
            .await,
            3,
            "{backend:?}: it clones from its own address"
        );
        let refused = claims(&forge, ForgeKind::GitHub).len() * 3 - 1 + 3;
        // Every refusal is a failure of the run's report, the three single targets among them.
        assert_eq!(report.failures.len(), refused, "{backend:?}: {report:?}");
        assert_eq!(
            report
                .failures
                .iter()
                .filter(|f| f.starts_with("single/one: "))
                .count(),
            3,
            "{backend:?}: the single targets: {report:?}"
        );
        let events = count(
            &db.conn,
            "SELECT COUNT(*) AS n FROM crawl_events WHERE outcome = 'failed' \
             AND message LIKE '%nothing was stored%'",
        )
        .await;
        assert_eq!(events, refused as i64, "{backend:?}");
        // Nothing of the hostile files reached the catalog, and the victims are untouched.
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM software WHERE name = 'Evil'"
            )
            .await,
            0,
            "{backend:?}"
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM software WHERE name = 'Victim'"
            )
            .await,
            3,
            "{backend:?}"
        );
        assert_eq!(
            count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await,
            9,
            "{backend:?}: three victims, six honest repositories"
        );
        let urls = db
            .conn
            .query_all_raw(Statement::from_string(
                db.conn.get_database_backend(),
                "SELECT url FROM repositories",
            ))
            .await
            .unwrap();
        for row in urls {
            let url: String = row.try_get("", "url").unwrap();
            assert!(
                url.contains("/victim/app")
                    || url.contains("/evil/honest")
                    || url.contains("/evil/foreign-clone"),
                "{backend:?}: {url}"
            );
        }
        db.close().await;
    }
}
