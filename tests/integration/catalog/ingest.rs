//! `catalog::ingest` on both databases: idempotent, keeps history, records invalid files,
//! respects manual deactivation, normalizes claims and matches `usedBy` to IPA codes.

use chrono::Utc;
use riuso::catalog::entities::{
    claims, repositories, snapshots, software, software_facets, used_by,
};
use riuso::catalog::{Facts, Fetched, IngestOutcome, Ingested, Origin, ValidityChange};
use riuso::pipeline;
use riuso::publiccode::{self, Context, Limits, Outcome};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
};

use crate::support::db::{BACKENDS, TestDb};
use crate::support::fixtures;

const REPO: &str = "https://github.com/example/medusa";

fn minimal() -> String {
    std::fs::read_to_string(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"))
        .unwrap()
}

async fn ingest(db: &DatabaseConnection, bytes: &str) -> Ingested {
    let origin = Origin {
        repository_url: REPO,
        forge: "github",
        facts: None,
        source_ipa: None,
    };
    let fetched = Fetched {
        bytes: bytes.as_bytes(),
        commit: Some("abc123"),
        fetched_at: Utc::now(),
    };
    let inspected = publiccode::inspect(bytes.as_bytes(), &Limits::default(), &Context::default());
    pipeline::ingest(
        db,
        origin,
        fetched,
        &inspected,
        &pipeline::Upkeep::default(),
    )
    .await
    .unwrap()
}

async fn snapshot_count(db: &DatabaseConnection) -> u64 {
    snapshots::Entity::find().count(db).await.unwrap()
}

async fn entry(db: &DatabaseConnection, id: i64) -> software::Model {
    software::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn same_file_twice_changes_nothing() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let first = ingest(&db.conn, &minimal()).await;
        assert_eq!(first.outcome, IngestOutcome::New, "{backend:?}");
        assert_eq!(first.slug, "example-medusa");
        let before = entry(&db.conn, first.software_id).await;
        let second = ingest(&db.conn, &minimal()).await;
        assert_eq!(second.outcome, IngestOutcome::Unchanged, "{backend:?}");
        assert_eq!(snapshot_count(&db.conn).await, 1);
        assert_eq!(
            entry(&db.conn, first.software_id).await,
            before,
            "{backend:?}"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn history_is_kept_and_a_revert_reuses_the_old_snapshot() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let v1 = minimal();
        let v2 = v1.replace("name: Medusa", "name: Medusa Two");
        let first = ingest(&db.conn, &v1).await;
        let first_snapshot = entry(&db.conn, first.software_id).await.current_snapshot_id;
        assert_eq!(ingest(&db.conn, &v2).await.outcome, IngestOutcome::Updated);
        let e = entry(&db.conn, first.software_id).await;
        assert_eq!(e.name, "Medusa Two", "{backend:?}");
        assert_ne!(e.current_snapshot_id, first_snapshot);
        assert_eq!(snapshot_count(&db.conn).await, 2);
        assert_eq!(ingest(&db.conn, &v1).await.outcome, IngestOutcome::Updated);
        let e = entry(&db.conn, first.software_id).await;
        assert_eq!(e.current_snapshot_id, first_snapshot, "{backend:?}");
        assert_eq!(e.name, "Medusa");
        assert_eq!(
            snapshot_count(&db.conn).await,
            2,
            "history is never duplicated"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn an_invalid_file_is_kept_beside_the_last_valid_one_which_stays_current() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let ok = ingest(&db.conn, &minimal()).await;
        let valid_snapshot = entry(&db.conn, ok.software_id).await.current_snapshot_id;
        assert!(entry(&db.conn, ok.software_id).await.active);
        let broken = minimal().replace(
            "developmentStatus: development",
            "developmentStatus: stabel",
        );
        let bad = ingest(&db.conn, &broken).await;
        assert_eq!(bad.outcome, IngestOutcome::Invalid, "{backend:?}");
        assert_eq!(bad.change, Some(ValidityChange::TurnedInvalid));
        let e = entry(&db.conn, ok.software_id).await;
        assert!(e.active, "{backend:?}: active through its grace");
        assert_eq!(
            e.current_snapshot_id, valid_snapshot,
            "the valid file stays current"
        );
        assert!(e.invalid_since.is_some());
        assert_eq!(e.invalid_snapshot_id, Some(bad.snapshot_id));
        let snapshot = snapshots::Entity::find_by_id(bad.snapshot_id)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        assert!(!snapshot.valid);
        assert_eq!(snapshot.raw, broken.as_bytes());
        let diagnostics: serde_json::Value = serde_json::from_str(&snapshot.diagnostics).unwrap();
        assert_eq!(diagnostics[0]["key"], "developmentStatus");
        assert_eq!(diagnostics[0]["code"], "invalid-value");
        // The same invalid file again: no new state, no new snapshot.
        let again = ingest(&db.conn, &broken).await;
        assert_eq!(again.outcome, IngestOutcome::Invalid);
        assert_eq!(again.change, None, "{backend:?}");
        assert_eq!(entry(&db.conn, ok.software_id).await, e);
        // The search facets still describe the last valid file.
        let facets = software_facets::Entity::find()
            .filter(software_facets::Column::SoftwareId.eq(ok.software_id))
            .filter(software_facets::Column::Facet.eq("status"))
            .all(&db.conn)
            .await
            .unwrap();
        assert_eq!(facets[0].value, "development");
        // Fixed again (the same valid file as before): valid again, nothing invalid left.
        let fixed = ingest(&db.conn, &minimal()).await;
        assert_eq!(fixed.outcome, IngestOutcome::Updated);
        assert_eq!(fixed.change, Some(ValidityChange::ValidAgain));
        let e = entry(&db.conn, ok.software_id).await;
        assert!(e.active, "{backend:?}");
        assert_eq!((e.invalid_since, e.invalid_snapshot_id), (None, None));
        assert_eq!(e.current_snapshot_id, valid_snapshot);
        db.close().await;
    }
}

#[tokio::test]
async fn a_file_never_valid_titles_its_entry_by_its_name_or_its_repository() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let broken = minimal()
            .replace("name: Medusa", "name: Medusa Rotta")
            .replace(
                "developmentStatus: development",
                "developmentStatus: stabel",
            );
        let bad = ingest(&db.conn, &broken).await;
        assert_eq!((bad.outcome, bad.change), (IngestOutcome::Invalid, None));
        let e = entry(&db.conn, bad.software_id).await;
        assert!(!e.active, "{backend:?}: never valid, never active");
        assert_eq!(e.name, "Medusa Rotta", "{backend:?}");
        assert_eq!(e.current_snapshot_id, Some(bad.snapshot_id));
        assert_eq!(e.invalid_snapshot_id, Some(bad.snapshot_id));
        // Not YAML at all: the repository's name.
        let origin = Origin {
            repository_url: "https://github.com/example/unreadable",
            forge: "github",
            facts: None,
            source_ipa: None,
        };
        let garbage = b"name: [unclosed";
        let inspected = publiccode::inspect(garbage, &Limits::default(), &Context::default());
        let fetched = Fetched {
            bytes: garbage,
            commit: None,
            fetched_at: Utc::now(),
        };
        let unread = pipeline::ingest(
            &db.conn,
            origin,
            fetched,
            &inspected,
            &pipeline::Upkeep::default(),
        )
        .await
        .unwrap();
        assert_eq!(entry(&db.conn, unread.software_id).await.name, "unreadable");
        // Valid at last: titled by its file, active, and no owner is told "valid again".
        let good = ingest(&db.conn, &minimal()).await;
        assert_eq!((good.outcome, good.change), (IngestOutcome::Updated, None));
        let e = entry(&db.conn, bad.software_id).await;
        assert!(e.active && e.invalid_since.is_none(), "{backend:?}");
        assert_eq!(e.name, "Medusa");
        db.close().await;
    }
}

#[tokio::test]
async fn a_manual_deactivation_is_never_undone_by_ingest() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let ok = ingest(&db.conn, &minimal()).await;
        software::ActiveModel {
            id: Set(ok.software_id),
            active: Set(false),
            deactivated_manually: Set(true),
            deactivation_reason: Set(Some("duplicate entry".to_owned())),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        let changed = minimal().replace("name: Medusa", "name: Medusa Again");
        assert_eq!(
            ingest(&db.conn, &changed).await.outcome,
            IngestOutcome::Updated
        );
        let e = entry(&db.conn, ok.software_id).await;
        assert!(!e.active, "{backend:?}");
        assert!(e.deactivated_manually);
        assert_eq!(e.name, "Medusa Again");
        db.close().await;
    }
}

#[tokio::test]
async fn claims_from_old_and_new_keys_and_used_by_matches() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let old = minimal()
            + "usedBy:\n  - c_f205\n  - Comune di Nessuno\nit:\n  piattaforme:\n    spid: true\n  riuso:\n    codiceIPA: c_h501\n";
        let first = ingest(&db.conn, &old).await;
        let stored = |snapshot: i64| {
            let conn = db.conn.clone();
            async move {
                let mut rows: Vec<(String, String, String)> = claims::Entity::find()
                    .filter(claims::Column::SnapshotId.eq(snapshot))
                    .all(&conn)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| (c.kind, c.value, c.source_key))
                    .collect();
                rows.sort();
                rows
            }
        };
        let e = entry(&db.conn, first.software_id).await;
        assert_eq!(
            stored(e.current_snapshot_id.unwrap()).await,
            vec![
                (
                    "publisher_ipa".into(),
                    "c_h501".into(),
                    "it.riuso.codiceIPA".into()
                ),
                ("spid".into(), "true".into(), "it.piattaforme.spid".into()),
            ],
            "{backend:?}"
        );
        let users: Vec<(String, Option<String>)> = used_by::Entity::find()
            .filter(used_by::Column::SnapshotId.eq(e.current_snapshot_id.unwrap()))
            .all(&db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.name, u.ipa_code))
            .collect();
        assert_eq!(
            users,
            vec![
                ("c_f205".into(), Some("c_f205".into())),
                ("Comune di Nessuno".into(), None)
            ]
        );
        assert!(
            e.organisation_id.is_some(),
            "publisher created from the IPA code"
        );

        let new = minimal()
            + "organisation:\n  name: Roma Capitale\n  uri: urn:x-italian-pa:c_h501\nsupports:\n  - id: alias:spid\n";
        ingest(&db.conn, &new).await;
        let e2 = entry(&db.conn, first.software_id).await;
        assert_eq!(
            e2.organisation_id, e.organisation_id,
            "same publisher by IPA code"
        );
        assert_eq!(
            stored(e2.current_snapshot_id.unwrap()).await,
            vec![
                (
                    "publisher_ipa".into(),
                    "c_h501".into(),
                    "organisation.uri".into()
                ),
                ("spid".into(), "true".into(), "supports[0].id".into()),
            ],
            "{backend:?}"
        );
        db.close().await;
    }
}

/// Ingests `bytes` with the forge's `facts`, as the crawler does.
async fn ingest_with(db: &DatabaseConnection, bytes: &str, facts: Facts<'_>) -> Ingested {
    let origin = Origin {
        repository_url: REPO,
        forge: "github",
        facts: Some(facts),
        source_ipa: None,
    };
    let fetched = Fetched {
        bytes: bytes.as_bytes(),
        commit: None,
        fetched_at: Utc::now(),
    };
    let Outcome::Valid(v) =
        publiccode::check(bytes.as_bytes(), &Limits::default(), &Context::default())
    else {
        panic!("the fixture is valid")
    };
    pipeline::ingest_valid(db, origin, fetched, &v, &pipeline::Upkeep::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn forge_facts_are_written_with_the_file_even_when_unseen_was_wrong() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let facts = Facts {
            default_branch: Some("main"),
            stars: Some(5),
            activity: Some("2026-11-01T00:00:00Z"),
            etag: Some(Some("\"v1\"")),
            unseen: true,
            ..Facts::default()
        };
        let first = ingest_with(&db.conn, &minimal(), facts).await;
        assert_eq!(first.outcome, IngestOutcome::New, "{backend:?}");
        // Another crawl inserted the row in between: `unseen` is stale, nothing is lost.
        let changed = minimal().replace("name: Medusa", "name: Medusa 2");
        let second = ingest_with(
            &db.conn,
            &changed,
            Facts {
                stars: Some(6),
                archived: true,
                etag: Some(Some("\"v2\"")),
                ..facts
            },
        )
        .await;
        assert_eq!(second.outcome, IngestOutcome::Updated, "{backend:?}");
        assert_eq!(second.repository_id, first.repository_id);
        let rows = repositories::Entity::find().all(&db.conn).await.unwrap();
        assert_eq!(rows.len(), 1, "{backend:?}");
        let row = &rows[0];
        assert_eq!(
            (
                row.default_branch.as_deref(),
                row.stars,
                row.archived,
                row.etag.as_deref(),
                row.last_modified.as_deref()
            ),
            (
                Some("main"),
                Some(6),
                true,
                Some("\"v2\""),
                Some("2026-11-01T00:00:00Z")
            ),
            "{backend:?}"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn an_invalid_file_is_read_once_under_the_limits_it_was_checked_with() {
    let broken = minimal().replace(
        "developmentStatus: development",
        "developmentStatus: stabel",
    );
    let declared = |limits: Limits| {
        let inspected = publiccode::inspect(broken.as_bytes(), &limits, &Context::default());
        assert!(!inspected.outcome.is_valid());
        inspected
    };
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let fetched = Fetched {
            bytes: broken.as_bytes(),
            commit: None,
            fetched_at: Utc::now(),
        };
        let origin = |url| Origin {
            repository_url: url,
            forge: "github",
            facts: None,
            source_ipa: None,
        };
        let version = async |id: i64| {
            let e = entry(&db.conn, id).await;
            snapshots::Entity::find_by_id(e.current_snapshot_id.unwrap())
                .one(&db.conn)
                .await
                .unwrap()
                .unwrap()
                .declared_version
        };
        // Read under the defaults, the file says its version.
        let read = pipeline::ingest(
            &db.conn,
            origin(REPO),
            fetched,
            &declared(Limits::default()),
            &pipeline::Upkeep::default(),
        )
        .await
        .unwrap();
        assert_eq!(read.outcome, IngestOutcome::Invalid);
        assert_eq!(
            version(read.software_id).await.as_deref(),
            Some("0"),
            "{backend:?}"
        );
        // Under limits that refuse it, nothing of it is read: ingest does not parse it again
        // under other limits to find the version.
        let tight = Limits {
            max_bytes: 16,
            ..Limits::default()
        };
        let refused = pipeline::ingest(
            &db.conn,
            origin("https://github.com/example/other"),
            fetched,
            &declared(tight),
            &pipeline::Upkeep::default(),
        )
        .await
        .unwrap();
        assert_eq!(refused.outcome, IngestOutcome::Invalid);
        assert_eq!(version(refused.software_id).await, None, "{backend:?}");
        db.close().await;
    }
}
