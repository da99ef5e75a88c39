//! Crawls against the fixture forge, on both databases: three forge kinds in one run, an
//! unchanged re-crawl answered by 304s, changes and disappearances, and faults that lose nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use riuso::catalog::crawl_log::{self, Report};
use riuso::crawl;
use riuso::crawl::http::{self, Polite};
use riuso::worker::{self, enqueue_crawl};
use sea_orm::DatabaseConnection;

use crate::support::crawl::{
    count, many_repos, one_account, publiccode, queue_and_drain, targets, test_worker,
    test_worker_with_tokens,
};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::forge::{
    Account, Fault, FaultKind, ForgeFixture, ForgeKind, Match, Repo, World,
};

pub(super) fn world() -> World {
    World::new()
        .account(
            Account::org(ForgeKind::GitHub, "acme")
                .repo(Repo::new("alpha").publiccode(publiccode("Alpha")))
                .repo(Repo::new("no-file"))
                .repo(Repo::new("broken").publiccode(b"name: [unclosed".to_vec()))
                .repo(
                    Repo::new("beta")
                        .branch("develop")
                        .publiccode(publiccode("Beta")),
                ),
        )
        .account(
            Account::user(ForgeKind::GitHub, "solo")
                .repo(Repo::new("tool").publiccode(publiccode("Solo tool"))),
        )
        .account(Account::group("ente").subgroup(
            Account::group("servizi").repo(Repo::new("gamma").publiccode(publiccode("Gamma"))),
        ))
        .account(
            Account::user(ForgeKind::Gitea, "comune")
                .repo(Repo::new("delta").publiccode(publiccode("Delta"))),
        )
        .git_repo(Repo::new("plain").publiccode(publiccode("Plain")))
}

fn sources_for(forge: &ForgeFixture) -> String {
    format!(
        "{forges}publishers:\n\
         \x20 - name: Acme\n    accounts:\n      - {gh}/acme\n      - {gl}/ente\n      - {gt}/comune\n    repositories:\n      - {gh}/solo/tool\n      - {git}\n",
        forges = forge.forges_section(&[]),
        gh = forge.web_base(ForgeKind::GitHub),
        gl = forge.web_base(ForgeKind::GitLab),
        gt = forge.web_base(ForgeKind::Gitea),
        git = forge.git_url("plain"),
    )
}

fn client() -> Polite {
    Polite::new(http::Options {
        timeout: Duration::from_secs(2),
        first_retry: Duration::from_millis(20),
        max_wait: Duration::from_secs(3),
        ..http::Options::default()
    })
    .unwrap()
}

/// One crawl run, as `riuso crawl` does it: queued as jobs, worked until done.
pub(super) async fn crawl(
    db: &DatabaseConnection,
    forge: &ForgeFixture,
    cache: &std::path::Path,
) -> Report {
    let (targets, git) = targets(&sources_for(forge), &BTreeMap::new());
    assert_eq!(git.len(), 1);
    let options = crawl::Options {
        git_cache: cache.to_path_buf(),
        git_timeout: Duration::from_secs(5),
        ..crawl::Options::default()
    };
    let worker = test_worker(db, client(), "test", options);
    queue_and_drain(db, &worker, &targets, &git).await
}

fn outcomes(report: &Report) -> Vec<(&str, u64)> {
    report
        .outcomes
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect()
}

#[tokio::test]
async fn three_forges_in_one_crawl_then_an_unchanged_recrawl_costs_only_304s() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let forge = ForgeFixture::start(world()).await;
        let cache = tempfile::tempdir().unwrap();
        let first = crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            outcomes(&first),
            vec![("invalid", 1), ("new", 6), ("no-publiccode", 1)],
            "{backend:?}: {first:?}"
        );
        assert!(first.failures.is_empty(), "{:?}", first.failures);
        let active = count(&db.conn, "SELECT COUNT(*) AS n FROM software WHERE active").await;
        assert_eq!(active, 6, "{backend:?}");
        let snapshots = count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await;
        // The file on a non-default branch was read from that branch.
        let beta = count(
            &db.conn,
            "SELECT COUNT(*) AS n FROM software WHERE name = 'Beta'",
        )
        .await;
        assert_eq!(beta, 1);
        // Every API request named the product (git's own transport names gix).
        let api = forge.requests();
        let mut api = api.iter().filter(|r| !r.path_and_query.contains(".git/"));
        assert!(api.all(|r| {
            r.user_agent
                .as_deref()
                .is_some_and(|ua| ua.starts_with("riuso/"))
        }));
        // GitHub was asked through octocrab, which names the REST API version it speaks.
        let github: Vec<_> = forge
            .requests()
            .into_iter()
            .filter(|r| r.path_and_query.starts_with("/github/api/v3/"))
            .collect();
        assert!(!github.is_empty());
        assert!(
            github
                .iter()
                .all(|r| r.api_version.as_deref() == Some("2022-11-28")),
            "{github:#?}"
        );

        forge.clear_requests();
        let second = crawl(&db.conn, &forge, cache.path()).await;
        let requests = forge.requests();
        assert!(
            requests.len() <= 8,
            "{backend:?}: at most one request per repository, got {requests:#?}"
        );
        // Forge APIs answer 304; the plain git repository costs its ref advertisement only.
        let (git, api): (Vec<_>, Vec<_>) = requests
            .iter()
            .partition(|r| r.path_and_query.starts_with("/git/"));
        assert!(api.iter().all(|r| r.status == 304), "{backend:?}: {api:#?}");
        assert_eq!(git.len(), 1, "{git:#?}");
        assert!(
            git[0]
                .path_and_query
                .ends_with("/info/refs?service=git-upload-pack")
        );
        assert_eq!(
            count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await,
            snapshots,
            "{backend:?}: an unchanged crawl stores no snapshot"
        );
        assert_eq!(second.repositories, 8);
        assert_eq!(second.outcomes.get("unchanged"), Some(&8), "{second:?}");

        // A changed file is read again; a repository that leaves its account is marked gone.
        forge.set_file(
            ForgeKind::GitLab,
            "ente/servizi/gamma",
            "publiccode.yml",
            publiccode("Gamma 2"),
        );
        forge.remove_repo(ForgeKind::Gitea, "comune/delta");
        let third = crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            third.outcomes.get("updated"),
            Some(&1),
            "{backend:?}: {third:?}"
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM software WHERE name = 'Gamma 2' AND active"
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM repositories WHERE gone_at IS NOT NULL"
            )
            .await,
            1,
            "{backend:?}"
        );
        assert_eq!(
            count(&db.conn, "SELECT COUNT(*) AS n FROM software WHERE active").await,
            5,
            "{backend:?}: the gone repository's entry is inactive, not deleted"
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM crawl_events WHERE outcome = 'gone'"
            )
            .await,
            1
        );

        // A single repository whose default branch was renamed is described afresh and read
        // from its new branch on the next crawl.
        forge.update_repo(ForgeKind::GitHub, "solo/tool", |r| {
            r.default_branch = "trunk".to_owned();
        });
        crawl(&db.conn, &forge, cache.path()).await;
        crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM software WHERE name = 'Solo tool' AND active"
            )
            .await,
            1,
            "{backend:?}"
        );

        // It comes back unchanged: its entry is active again.
        forge.add_repo(
            ForgeKind::Gitea,
            "comune",
            Repo::new("delta").publiccode(publiccode("Delta")),
        );
        crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM software WHERE name = 'Delta' AND active"
            )
            .await,
            1,
            "{backend:?}"
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM repositories WHERE gone_at IS NOT NULL"
            )
            .await,
            0
        );
        db.close().await;
    }
}

#[tokio::test]
async fn faults_lose_nothing_and_every_other_repository_is_still_crawled() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let forge = ForgeFixture::start(world()).await;
        let cache = tempfile::tempdir().unwrap();
        crawl(&db.conn, &forge, cache.path()).await;
        let snapshots = count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await;

        // Every file changes, and each repository's file request meets another fault.
        for (kind, repo, name) in [
            (ForgeKind::GitHub, "acme/alpha", "Alpha 2"),
            (ForgeKind::GitHub, "acme/beta", "Beta 2"),
            (ForgeKind::GitHub, "solo/tool", "Solo tool 2"),
            (ForgeKind::GitLab, "ente/servizi/gamma", "Gamma 2"),
            (ForgeKind::Gitea, "comune/delta", "Delta 2"),
        ] {
            forge.set_file(kind, repo, "publiccode.yml", publiccode(name));
        }
        let fault = |repo: &str, kind: FaultKind, times: Option<u32>| Fault {
            target: Match::Path(format!("{repo}/contents/publiccode.yml")),
            kind,
            times,
        };
        forge.inject(fault("acme/alpha", FaultKind::Status(503), None));
        forge.inject(fault("acme/beta", FaultKind::Truncated, None));
        forge.inject(fault("solo/tool", FaultKind::Hang, None));
        // A short rate limit is sat out, then the request succeeds.
        forge.inject(Fault {
            target: Match::Path("comune/delta/raw".to_owned()),
            kind: FaultKind::TooMany429 {
                retry_after: Duration::from_secs(1),
            },
            times: Some(1),
        });
        forge.inject(Fault {
            target: Match::Path("servizi%2Fgamma".to_owned()),
            kind: FaultKind::Status(500),
            times: Some(1),
        });
        // GitHub's rate-limit refusal with a reset a second away is sat out; a slow answer is
        // waited for.
        forge.inject(Fault {
            target: Match::Path("/orgs/acme/repos".to_owned()),
            kind: FaultKind::RateLimited403 {
                reset_in: Duration::from_secs(1),
            },
            times: Some(1),
        });
        forge.inject(Fault {
            target: Match::Path("/users/comune/repos".to_owned()),
            kind: FaultKind::Delay(Duration::from_millis(800)),
            times: Some(1),
        });
        let report = crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(
            report.outcomes.get("failed"),
            Some(&3),
            "{backend:?}: {report:?}"
        );
        assert_eq!(
            report.outcomes.get("updated"),
            Some(&2),
            "{backend:?}: {report:?}"
        );
        // The failed repositories keep their last good snapshot, active.
        for name in ["Alpha", "Beta", "Solo tool", "Gamma 2", "Delta 2"] {
            assert_eq!(
                count(
                    &db.conn,
                    &format!("SELECT COUNT(*) AS n FROM software WHERE name = '{name}' AND active")
                )
                .await,
                1,
                "{backend:?}: {name}"
            );
        }
        assert_eq!(
            count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await,
            snapshots + 2
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM crawl_events WHERE outcome = 'failed'"
            )
            .await,
            3,
            "{backend:?}"
        );

        // A listing that lies (malformed JSON) fails that account only.
        forge.clear_faults();
        forge.inject(Fault {
            target: Match::Path("/orgs/acme/repos".to_owned()),
            kind: FaultKind::MalformedJson,
            times: None,
        });
        let report = crawl(&db.conn, &forge, cache.path()).await;
        assert_eq!(report.failures.len(), 1, "{backend:?}: {report:?}");
        assert!(
            report.failures[0].contains("malformed JSON"),
            "{:?}",
            report.failures
        );
        assert_eq!(
            count(
                &db.conn,
                "SELECT COUNT(*) AS n FROM software WHERE name = 'Alpha' AND active"
            )
            .await,
            1,
            "{backend:?}: nothing is marked gone when a listing fails"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn the_database_going_away_mid_crawl_loses_nothing() {
    let db = crate::support::db::TestDb::new(crate::support::db::Backend::Postgres).await;
    // The crawl's own connections carry a name, so only they are cut.
    let name = format!("riuso_gone_{}", std::process::id());
    let crawler = riuso::db::connect(&format!("{}&application_name={name}", db.url))
        .await
        .unwrap();
    let forge = ForgeFixture::start(many_repos("big", 120)).await;
    forge.set_latency(Duration::from_millis(15));
    let (targets, _) = targets(&one_account(&forge, "Big", "big"), &BTreeMap::new());
    let first = enqueue_crawl(&crawler, &targets, &[], "test")
        .await
        .unwrap();
    // A short lease: the jobs the cut connections held are taken again soon after.
    let lease = Duration::from_secs(2);
    let crawl = {
        let crawler = crawler.clone();
        tokio::spawn(async move {
            let env = worker::Environment::new(crawler.clone(), client());
            let worker = worker::Worker::new(env, "cut", lease);
            worker.drain(first, || {}).await
        })
    };
    while count(&db.conn, "SELECT COUNT(*) AS n FROM software").await < 30 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cut = count(
        &db.conn,
        &format!(
            "SELECT COUNT(*) AS n FROM (SELECT pg_terminate_backend(pid) AS cut \
             FROM pg_stat_activity WHERE application_name = '{name}') t WHERE cut"
        ),
    )
    .await;
    assert!(cut >= 1, "the crawl's connections were cut");
    // The crawl may stop with a database error, or finish on new connections: either way every
    // entry written is whole, and a second crawl completes the catalog.
    let _ = crawl.await.unwrap();
    let orphans = count(
        &db.conn,
        "SELECT COUNT(*) AS n FROM software s WHERE s.current_snapshot_id IS NULL \
         OR NOT EXISTS (SELECT 1 FROM snapshots p WHERE p.id = s.current_snapshot_id)",
    )
    .await;
    assert_eq!(orphans, 0, "an entry without its snapshot");
    // The interrupted run's jobs are worked to the end by another worker, then a second crawl
    // runs.
    let worker = worker::Worker::new(
        worker::Environment::new(db.conn.clone(), client()),
        "again",
        lease,
    );
    worker.drain(first, || {}).await.unwrap();
    let second = enqueue_crawl(&db.conn, &targets, &[], "test")
        .await
        .unwrap();
    worker.drain(second, || {}).await.unwrap();
    let report = crawl_log::report(&db.conn, second).await.unwrap();
    assert!(report.failures.is_empty(), "{report:?}");
    assert_eq!(
        count(&db.conn, "SELECT COUNT(*) AS n FROM software WHERE active").await,
        120
    );
    assert_eq!(
        count(&db.conn, "SELECT COUNT(*) AS n FROM snapshots").await,
        120
    );
    crawler.close().await.unwrap();
    db.close().await;
}

#[tokio::test]
async fn each_forge_gets_its_own_token_and_private_repositories_need_one() {
    let world = World::new()
        .account(
            Account::org(ForgeKind::GitHub, "acme")
                .repo(Repo::new("open").publiccode(publiccode("GitHub open")))
                .repo(
                    Repo::new("closed")
                        .private()
                        .publiccode(publiccode("GitHub closed")),
                ),
        )
        .account(
            Account::group("ente").repo(
                Repo::new("closed")
                    .private()
                    .publiccode(publiccode("GitLab closed")),
            ),
        )
        .account(
            Account::org(ForgeKind::Gitea, "comune")
                .repo(Repo::new("open").publiccode(publiccode("Gitea open")))
                .repo(
                    Repo::new("closed")
                        .private()
                        .publiccode(publiccode("Gitea closed")),
                ),
        );
    let forge = ForgeFixture::start(world).await;
    let sources = format!(
        "{forges}publishers:\n\
         \x20 - name: Acme\n    accounts: [{gh}/acme, {gl}/ente, {gt}/comune]\n",
        forges = forge.forges_section(&[
            (ForgeKind::GitHub, "RIUSO_TOKEN_GH"),
            (ForgeKind::GitLab, "RIUSO_TOKEN_GL"),
        ]),
        gh = forge.web_base(ForgeKind::GitHub),
        gl = forge.web_base(ForgeKind::GitLab),
        gt = forge.web_base(ForgeKind::Gitea),
    );
    let tokens: BTreeMap<String, String> = [
        ("RIUSO_TOKEN_GH", "gh-s3cret"),
        ("RIUSO_TOKEN_GL", "gl-s3cret"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let (targets, git) = targets(&sources, &tokens);
    let db = TestDb::new(BACKENDS[0]).await;
    let worker = test_worker_with_tokens(
        &db.conn,
        client(),
        "tokens",
        crawl::Options::default(),
        tokens,
    );
    let report = queue_and_drain(&db.conn, &worker, &targets, &git).await;
    assert!(report.failures.is_empty(), "{report:?}");

    let requests = forge.requests();
    for (prefix, expected) in [
        ("/github/api/v3/", Some("Bearer gh-s3cret")),
        ("/gitlab/api/v4/", Some("PRIVATE-TOKEN gl-s3cret")),
        ("/gitea/api/v1/", None),
    ] {
        let asked: Vec<_> = requests
            .iter()
            .filter(|r| r.path_and_query.starts_with(prefix))
            .collect();
        assert!(!asked.is_empty(), "{prefix}");
        assert!(
            asked.iter().all(|r| r.authorization.as_deref() == expected),
            "{prefix}: {asked:#?}"
        );
    }
    let mut names = Vec::new();
    for name in [
        "GitHub open",
        "GitHub closed",
        "GitLab closed",
        "Gitea open",
        "Gitea closed",
    ] {
        let n = count(
            &db.conn,
            &format!("SELECT COUNT(*) AS n FROM software WHERE name = '{name}'"),
        )
        .await;
        if n == 1 {
            names.push(name);
        }
    }
    // Without a token the Gitea organisation lists its public repository only.
    assert_eq!(
        names,
        [
            "GitHub open",
            "GitHub closed",
            "GitLab closed",
            "Gitea open"
        ]
    );
    db.close().await;
}
