//! The compliance check as the crawl runs it, against fixture-forge repositories on both
//! databases: the rules that read the repository's files judge the clone the vitality job
//! keeps (an archived repository without LICENSE and with DOCX-only documentation fails them,
//! a prepared one passes); a new file or licence text sends a compliant entry back to
//! `AutoChecked` with new results; a deactivated entry stays deactivated; entries a new rule set
//! has not judged are checked again as jobs.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{Days, Utc};
use riuso::catalog::entities::{organisations, software};
use riuso::compliance::entities::rule_results;
use riuso::compliance::review::{
    Actor, Change, Checked, ChecklistItem, Outcome as ReviewOutcome, State, Transition, Verdict,
};
use riuso::compliance::rules::Outcome;
use riuso::compliance::{RULESET_VERSION, RuleId, store};
use riuso::crawl::http::{self, Polite};
use riuso::crawl::{self, run::Target};
use riuso::worker::{self, check_compliance};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait as _,
    DatabaseConnection, EntityTrait as _, QueryFilter as _, Statement,
};

use crate::support::crawl::{one_account, publiccode, queue_and_drain, targets, test_worker};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::fixtures;
use crate::support::forge::{Account, Commit, ForgeFixture, ForgeKind, Repo, World};

const REVIEWER: i64 = 42;
const URL: &str = "https://riuso.example.org";

/// Midnight (UTC) `days` days before today, in seconds.
fn day(days: u64) -> i64 {
    (Utc::now().date_naive() - Days::new(days))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// A history with recent work: a first commit two years ago, then ten by three people.
fn active() -> Vec<Commit> {
    let mut commits = vec![Commit::new(day(800), "founder@example.it")];
    commits
        .extend((0..10).map(|i| Commit::new(day(5) + i * 60, &format!("dev{}@example.it", i % 3))));
    commits
}

/// The full text of the licence the fixture files declare (AGPL-3.0-or-later), as far as the
/// rules read it.
fn agpl(extra: &str) -> String {
    format!(
        "                    GNU AFFERO GENERAL PUBLIC LICENSE\n                       Version 3, 19 November 2007\n\n{}\n{extra}\n",
        "Everyone is permitted to copy and distribute verbatim copies of this license document, but changing it is not allowed.\n".repeat(8)
    )
}

const README: &str = "# App\n\nGestione delle pratiche del comune.\n\n## Installazione\n\n`make install`\n\n\
## Stato del progetto\n\nStabile.\n\n## Manutenzione\n\nComune di Esempio, ufficio ICT.\n\n\
## Copyright\n\nCopyright (c) 2026 Comune di Esempio\n\n## Sicurezza\n\n\
Segnalare le vulnerabilità a sicurezza@comune.esempio.it e mai sul tracker pubblico.\n";

fn world() -> World {
    World::new().account(
        Account::org(ForgeKind::GitHub, "comune")
            .repo(
                Repo::new("app")
                    .publiccode(publiccode("App"))
                    .file("LICENSE", agpl(""))
                    .file("README.md", README)
                    .file("docs/index.md", "# Guida\n")
                    .history(active()),
            )
            .repo(
                Repo::new("vecchio")
                    .publiccode(publiccode("Vecchio"))
                    .file("README.md", "Vecchio\n=======\n\nUn programma.\n")
                    .file(
                        "docs/manuale.docx",
                        b"PK\x03\x04 not really a document".to_vec(),
                    )
                    .history(vec![Commit::new(day(800), "founder@example.it")])
                    .archived(),
            ),
    )
}

fn client() -> Polite {
    Polite::new(http::Options {
        timeout: Duration::from_secs(5),
        ..http::Options::default()
    })
    .unwrap()
}

fn worker(db: &DatabaseConnection, cache: &Path) -> worker::Worker {
    let options = crawl::Options {
        git_cache: cache.to_path_buf(),
        git_timeout: Duration::from_secs(20),
        ..crawl::Options::default()
    };
    let mut worker =
        test_worker(db, client(), "test", options).with_backoff(Duration::from_millis(10));
    // One job at a time: the check reads the clone its repository's vitality job made.
    worker.concurrency = 1;
    worker
}

fn sources(forge: &ForgeFixture) -> Vec<Target> {
    targets(&one_account(forge, "Comune", "comune"), &BTreeMap::new()).0
}

async fn crawl(db: &DatabaseConnection, forge: &ForgeFixture, cache: &Path) {
    queue_and_drain(db, &worker(db, cache), &sources(forge), &[]).await;
}

async fn entry(db: &DatabaseConnection, name: &str) -> software::Model {
    software::Entity::find()
        .filter(software::Column::Name.eq(name))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no entry {name}"))
}

/// The latest results of entry `name`, by rule.
async fn results(db: &DatabaseConnection, name: &str) -> BTreeMap<RuleId, rule_results::Model> {
    let id = entry(db, name).await.id;
    store::latest(db, id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.rule_id.parse().unwrap(), r))
        .collect()
}

async fn outcome(db: &DatabaseConnection, name: &str, rule: RuleId) -> Outcome {
    let results = results(db, name).await;
    Outcome::parse(&results[&rule].outcome).unwrap()
}

async fn state(db: &DatabaseConnection, name: &str) -> State {
    store::review(db, entry(db, name).await.id)
        .await
        .unwrap()
        .state
}

/// A reviewer claims entry `name` and records it compliant.
async fn review_compliant(db: &DatabaseConnection, name: &str) {
    let loaded = store::load(db, entry(db, name).await.id)
        .await
        .unwrap()
        .unwrap();
    let id = loaded.software.id;
    let actor = Actor::reviewer(REVIEWER);
    store::transition(db, id, actor, Transition::Claim, Utc::now(), URL)
        .await
        .unwrap();
    let checklist = ChecklistItem::ALL
        .into_iter()
        .map(|item| Checked {
            item,
            verdict: Verdict::Confirmed,
            note: "seen".to_owned(),
        })
        .collect();
    let record = Transition::Record {
        outcome: ReviewOutcome::Compliant,
        snapshot: loaded.snapshot.id,
        checklist,
        findings: vec![],
        deadline: None,
    };
    let event = store::transition(db, id, actor, record, Utc::now(), URL)
        .await
        .unwrap();
    assert_eq!(event.to, State::Compliant);
}

/// Runs every due job that is in no crawl run.
async fn work_all(worker: &worker::Worker) -> usize {
    let mut done = 0;
    while worker.step().await.unwrap() {
        done += 1;
    }
    done
}

#[tokio::test]
async fn the_repository_files_are_judged_from_the_clone_of_the_vitality_job() {
    let db = TestDb::new(crate::support::db::Backend::Sqlite).await;
    let forge = ForgeFixture::start(world()).await;
    let cache = tempfile::tempdir().unwrap();
    crawl(&db.conn, &forge, cache.path()).await;
    let db = &db.conn;
    for (rule, app, old) in [
        (RuleId::LicenceFile, Outcome::Pass, Outcome::Fail),
        (RuleId::ReadmeEssentials, Outcome::Pass, Outcome::Fail),
        (RuleId::DocsOpenFormat, Outcome::Pass, Outcome::Fail),
        (RuleId::RepoNotArchived, Outcome::Pass, Outcome::Fail),
        (RuleId::RepoPublic, Outcome::Pass, Outcome::Pass),
        (RuleId::ActivityThreshold, Outcome::Pass, Outcome::Fail),
        (RuleId::VitalityThreshold, Outcome::Pass, Outcome::Pass),
    ] {
        assert_eq!(outcome(db, "App", rule).await, app, "App {rule}");
        assert_eq!(outcome(db, "Vecchio", rule).await, old, "Vecchio {rule}");
    }
    let old = results(db, "Vecchio").await;
    assert!(
        old[&RuleId::DocsOpenFormat]
            .key_path
            .ends_with("docs/manuale.docx"),
        "{:?}",
        old[&RuleId::DocsOpenFormat]
    );
    assert!(
        old[&RuleId::ReadmeEssentials]
            .detail
            .contains("installation instructions")
    );
    let app = results(db, "App").await;
    assert!(
        app[&RuleId::LicenceFile]
            .detail
            .contains("AGPL-3.0-or-later"),
        "{:?}",
        app[&RuleId::LicenceFile]
    );
    assert!(
        app.values()
            .all(|r| r.ruleset_version == i32::try_from(RULESET_VERSION).unwrap())
    );
    assert_eq!(state(db, "App").await, State::AutoChecked);
    assert_eq!(state(db, "Vecchio").await, State::AutoChecked);
}

#[tokio::test]
async fn changes_send_compliant_entries_back_and_deactivation_sticks_on_both_databases() {
    for backend in BACKENDS {
        let tdb = TestDb::new(backend).await;
        let db = &tdb.conn;
        let forge = ForgeFixture::start(world()).await;
        let cache = tempfile::tempdir().unwrap();
        crawl(db, &forge, cache.path()).await;
        let first = entry(db, "App").await;
        assert_eq!(state(db, "App").await, State::AutoChecked, "{backend:?}");
        let events = store::events(db, first.id).await.unwrap();
        assert_eq!(events.len(), 1, "{backend:?}: {events:?}");
        assert_eq!(events[0].actor, Actor::SYSTEM);
        // The same crawl again finds nothing new: no results, no event.
        let rows = count_results(db).await;
        crawl(db, &forge, cache.path()).await;
        assert_eq!(count_results(db).await, rows, "{backend:?}");

        // Compliant, then a changed publiccode.yml: back to AutoChecked with new results.
        review_compliant(db, "App").await;
        let changed = String::from_utf8(publiccode("App"))
            .unwrap()
            .replace("A rather short description", "A changed short description");
        forge.set_file(ForgeKind::GitHub, "comune/app", "publiccode.yml", changed);
        crawl(db, &forge, cache.path()).await;
        let now = entry(db, "App").await;
        assert_ne!(now.current_snapshot_id, first.current_snapshot_id);
        assert_eq!(state(db, "App").await, State::AutoChecked, "{backend:?}");
        let events = store::events(db, now.id).await.unwrap();
        let last = events.last().unwrap();
        assert!(
            matches!(
                last.evidence,
                Transition::Changed {
                    change: Change::File,
                    ..
                }
            ),
            "{backend:?}: {last:?}"
        );
        let latest = results(db, "App").await;
        assert!(
            latest
                .values()
                .all(|r| Some(r.snapshot_id) == now.current_snapshot_id),
            "{backend:?}"
        );
        // The whole history folds into the state, and the outcome kept its snapshot.
        assert_eq!(
            events.iter().map(|e| e.to).collect::<Vec<_>>(),
            vec![
                State::AutoChecked,
                State::UnderReview,
                State::Compliant,
                State::AutoChecked
            ]
        );

        // Compliant again, then only the licence text changes.
        review_compliant(db, "App").await;
        forge.set_file(
            ForgeKind::GitHub,
            "comune/app",
            "LICENSE",
            agpl("Copyright 2027"),
        );
        crawl(db, &forge, cache.path()).await;
        assert_eq!(state(db, "App").await, State::AutoChecked, "{backend:?}");
        let events = store::events(db, now.id).await.unwrap();
        assert!(
            matches!(
                events.last().unwrap().evidence,
                Transition::Changed {
                    change: Change::Licence,
                    ..
                }
            ),
            "{backend:?}: {:?}",
            events.last()
        );

        // A manual deactivation: the next check mirrors it, and nothing moves it again.
        let mut manual: software::ActiveModel = entry(db, "Vecchio").await.into();
        manual.deactivated_manually = Set(true);
        manual.active = Set(false);
        manual.deactivation_reason = Set(Some("the owner withdrew it".to_owned()));
        manual.update(db).await.unwrap();
        forge.set_file(
            ForgeKind::GitHub,
            "comune/vecchio",
            "publiccode.yml",
            publiccode("Vecchio")
                .into_iter()
                .chain(b"\n# changed\n".iter().copied())
                .collect::<Vec<u8>>(),
        );
        crawl(db, &forge, cache.path()).await;
        assert_eq!(
            state(db, "Vecchio").await,
            State::Deactivated,
            "{backend:?}"
        );
        let vecchio = entry(db, "Vecchio").await;
        let before = store::events(db, vecchio.id).await.unwrap().len();
        forge.set_file(
            ForgeKind::GitHub,
            "comune/vecchio",
            "publiccode.yml",
            publiccode("Vecchio")
                .into_iter()
                .chain(b"\n# again\n".iter().copied())
                .collect::<Vec<u8>>(),
        );
        crawl(db, &forge, cache.path()).await;
        let vecchio = entry(db, "Vecchio").await;
        assert!(!vecchio.active && vecchio.deactivated_manually);
        assert_eq!(
            state(db, "Vecchio").await,
            State::Deactivated,
            "{backend:?}"
        );
        assert_eq!(
            store::events(db, vecchio.id).await.unwrap().len(),
            before,
            "{backend:?}: no move out of Deactivated"
        );
        tdb.close().await;
    }
}

async fn count_results(db: &DatabaseConnection) -> i64 {
    crate::support::crawl::count(db, "SELECT COUNT(*) AS n FROM rule_results").await
}

#[tokio::test]
async fn a_new_rule_set_checks_every_active_entry_again_as_jobs() {
    for backend in BACKENDS {
        let tdb = TestDb::new(backend).await;
        let db = &tdb.conn;
        let forge = ForgeFixture::start(world()).await;
        let cache = tempfile::tempdir().unwrap();
        crawl(db, &forge, cache.path()).await;
        // A third entry, inactive: a new rule set does not check it.
        let mut gone: software::ActiveModel = entry(db, "Vecchio").await.into();
        gone.active = Set(false);
        gone.update(db).await.unwrap();
        assert_eq!(store::stale(db).await.unwrap(), Vec::<i64>::new());
        // As if every result had been stored by the previous rule set.
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "UPDATE rule_results SET ruleset_version = {}",
                RULESET_VERSION - 1
            ),
        ))
        .await
        .unwrap();
        let app = entry(db, "App").await;
        assert_eq!(store::stale(db).await.unwrap(), vec![app.id], "{backend:?}");
        // `riuso serve` queues them as its schedule starts (stopped at once here).
        let (_stop, stopped) = tokio::sync::watch::channel(true);
        let env = worker::Environment::new(db.clone(), client());
        worker::schedule::run(&env, URL, stopped).await;
        // Queued once, however often asked.
        assert_eq!(check_compliance::enqueue_stale(db).await.unwrap(), 0);
        let queued = crate::support::crawl::count(
            db,
            "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'check-compliance'",
        )
        .await;
        assert_eq!(queued, 1, "{backend:?}");
        assert_eq!(work_all(&worker(db, cache.path())).await, 1);
        assert_eq!(store::stale(db).await.unwrap(), Vec::<i64>::new());
        let latest = results(db, "App").await;
        assert!(
            latest
                .values()
                .all(|r| r.ruleset_version == i32::try_from(RULESET_VERSION).unwrap()),
            "{backend:?}"
        );
        // The clone was found from the repository's URL alone: the files were judged.
        assert_eq!(
            outcome(db, "App", RuleId::LicenceFile).await,
            Outcome::Pass,
            "{backend:?}"
        );
        tdb.close().await;
    }
}

#[tokio::test]
async fn used_by_names_are_matched_by_the_catalog_on_both_databases() {
    for backend in BACKENDS {
        let tdb = TestDb::new(backend).await;
        let db = &tdb.conn;
        // The catalog knows the administration by name.
        organisations::ActiveModel {
            ipa_code: Set(Some("agid".to_owned())),
            name: Set("Agenzia per l'Italia Digitale".to_owned()),
            created_at: Set(Utc::now().fixed_offset()),
            updated_at: Set(Utc::now().fixed_offset()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let world = World::new().account(
            Account::org(ForgeKind::GitHub, "comune")
                .repo(Repo::new("wai-portal").publiccode(
                    std::fs::read(fixtures().join("real/AgID__wai-portal.yml")).unwrap(),
                ))
                .repo(Repo::new("signals-frontend").publiccode(
                    std::fs::read(fixtures().join("real/Amsterdam__signals-frontend.yml")).unwrap(),
                )),
        );
        let forge = ForgeFixture::start(world).await;
        let cache = tempfile::tempdir().unwrap();
        crawl(db, &forge, cache.path()).await;
        let by_url = |part: &'static str| async move {
            let id = software::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .find(|s| s.slug.contains(part))
                .unwrap()
                .id;
            store::latest(db, id)
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.rule_id == RuleId::UsedByIpa.as_str())
                .unwrap()
        };
        assert_eq!(by_url("wai-portal").await.outcome, "pass", "{backend:?}");
        let foreign = by_url("signals-frontend").await;
        assert_eq!(foreign.outcome, "fail", "{backend:?}");
        assert!(foreign.detail.contains("Gemeente Amsterdam"), "{foreign:?}");
        tdb.close().await;
    }
}

#[tokio::test]
async fn riuso_compliance_recheck_queues_what_the_rule_set_has_not_judged() {
    let app = crate::support::test_app::TestApp::new()
        .demo()
        .build()
        .await;
    let recheck = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_riuso"))
            .args(["compliance", "recheck", "--database", &app.db.url])
            .env("RIUSO_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = recheck();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("rule set {RULESET_VERSION}: 8 entries queued")),
        "{said}"
    );
    let queued = crate::support::crawl::count(
        &app.db.conn,
        "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'check-compliance'",
    )
    .await;
    assert_eq!(queued, 8, "one check per demo entry");
    let again = recheck();
    assert!(String::from_utf8_lossy(&again.stdout).contains(": 0 entries queued"));
    app.close().await;
}
