//! The reuse cases' store on SQLite and PostgreSQL: a case walked from its opening to a PA-reuse
//! decision, each move an appended event whose fold is the case; a refused move stores nothing
//! and names its guard; evaluations keep the snapshot they were based on; evidence documents
//! keep their SHA-256, within the size limit, and belong to their case.

use chrono::{DateTime, Utc};
use riuso::cases::evidence::{
    CatalogFacts, Choice, Coverage, Decision, Delivery, Evaluation, Found, Needs, Norm,
    Requirement, Search, Tco,
};
use riuso::cases::machine::{Actor, Transition};
use riuso::cases::store::{self, MAX_DOCUMENT_BYTES};
use riuso::cases::{Case, CaseError, Guard, State};
use riuso::catalog::organisations;
use sea_orm::ConnectionTrait as _;
use sha2::{Digest as _, Sha256};

use crate::support::db::{BACKENDS, TestDb};
use crate::support::review::{member_of, person};

const IPA: &str = "c_a944";

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn needs() -> Needs {
    Needs {
        context: "L'ufficio protocollo registra 20.000 documenti l'anno".to_owned(),
        objectives: "Protocollo conforme".to_owned(),
        requirements: vec![
            Requirement {
                text: "Protocollazione PEC".to_owned(),
                indispensable: true,
            },
            Requirement {
                text: "App mobile".to_owned(),
                indispensable: false,
            },
        ],
        budget: 60_000,
        budget_covers: "migrazione e formazione".to_owned(),
        days: 180,
        norms: vec![Norm::Accessibility],
        other_constraints: String::new(),
    }
}

fn found(software: i64, snapshot: i64) -> Found {
    Found {
        software,
        snapshot,
        slug: format!("entry-{software}"),
        name: format!("Entry {software}"),
        publisher: Some("Comune di Roma".to_owned()),
        ipa: Some("c_h501".to_owned()),
        licence: Some("EUPL-1.2".to_owned()),
    }
}

fn evaluation(software: i64, snapshot: i64, days: u32) -> Evaluation {
    Evaluation {
        software,
        snapshot,
        slug: format!("entry-{software}"),
        name: format!("Entry {software}"),
        facts: CatalogFacts {
            version: Some("1.0".to_owned()),
            publisher: Some("Comune di Roma".to_owned()),
            ipa: Some("c_h501".to_owned()),
            claims: vec!["accessibility".to_owned()],
            maintenance: Some("internal".to_owned()),
            contracts: vec![],
            used_by: 2,
            declarations: 0,
            vitality: Some(60),
            licence: Some("EUPL-1.2".to_owned()),
            dependencies: vec![],
            proprietary: vec![],
        },
        coverage: vec![Coverage::Covered, Coverage::Missing],
        agreements: String::new(),
        skills: String::new(),
        tco: Tco {
            training: 4_000,
            integration: 9_000,
            ..Tco::default()
        },
        days,
        blocking: String::new(),
        licence: None,
        notes: String::new(),
    }
}

async fn count(db: &TestDb, table: &str) -> i64 {
    let row = db
        .conn
        .query_one_raw(sea_orm::Statement::from_string(
            db.conn.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_case_is_its_events_on_both_databases() {
    for backend in BACKENDS {
        let db = TestDb::new(backend).await;
        let org = organisations::get_or_create(&db.conn, IPA, "Comune di Bologna")
            .await
            .unwrap();
        let user = person(&db, "rtd@comune.bologna.it", None).await;
        member_of(&db, &user, org.id).await;
        let actor = Actor::member(user.id, IPA);
        let id = store::open(
            &db.conn,
            org.id,
            actor.clone(),
            Transition::Open {
                title: "Protocollo informatico".to_owned(),
                scope: "Il protocollo".to_owned(),
                officer: "Mario Rossi, RTD".to_owned(),
            },
            now(),
        )
        .await
        .unwrap();
        let moves = vec![
            Transition::DefineNeeds { needs: needs() },
            Transition::StartSearch,
            Transition::Search {
                search: Search {
                    query: "protocollo".to_owned(),
                    filters: vec![("scope".to_owned(), "government".to_owned())],
                    total: 2,
                    results: vec![found(1, 11), found(2, 21)],
                },
            },
            Transition::Shortlist {
                candidates: vec![1, 2],
            },
            Transition::Evaluate {
                evaluation: evaluation(1, 11, 200),
            },
            Transition::Evaluate {
                evaluation: evaluation(2, 21, 120),
            },
            // A second look at the first candidate, on a newer snapshot.
            Transition::Evaluate {
                evaluation: evaluation(1, 12, 90),
            },
        ];
        for transition in moves {
            store::transition(&db.conn, id, actor.clone(), transition, &[], now())
                .await
                .unwrap();
        }
        assert_eq!(
            store::evaluated_snapshots(&db.conn, id).await.unwrap(),
            vec![
                ("pa-reuse".to_owned(), 1, 12),
                ("pa-reuse".to_owned(), 2, 21)
            ]
        );
        // A refused move is not stored, and says which guard refused it.
        let events_before = count(&db, "case_events").await;
        let over = store::transition(
            &db.conn,
            id,
            actor.clone(),
            Transition::Select {
                decision: Decision {
                    choice: Choice::PaReuse {
                        software: 3,
                        version: "1.0".to_owned(),
                    },
                    motivation: "x".to_owned(),
                    delivery: Delivery::Saas,
                    planned_changes: false,
                },
            },
            &[],
            now(),
        )
        .await;
        match over {
            Err(CaseError::Guard(guard)) => {
                assert_eq!(guard, Guard::NotACandidate { software: 3 });
                assert_eq!(guard.name(), "not-a-candidate");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&db, "case_events").await, events_before);
        // The decision act, with its signed document attached.
        let act = store::upload(
            &db.conn,
            id,
            Some(user.id),
            "C:\\atti\\determina.pdf",
            "application/pdf",
            b"%PDF-1.7 the act",
            now(),
        )
        .await
        .unwrap();
        assert_eq!(act.name, "determina.pdf");
        assert_eq!(act.size, 16);
        let digest: String = Sha256::digest(b"%PDF-1.7 the act")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(act.sha256, digest);
        // The same bytes again are the same document.
        let again = store::upload(
            &db.conn,
            id,
            None,
            "copia.pdf",
            "application/pdf",
            b"%PDF-1.7 the act",
            now(),
        )
        .await
        .unwrap();
        assert_eq!(again.id, act.id);
        let event = store::transition(
            &db.conn,
            id,
            actor.clone(),
            Transition::Select {
                decision: Decision {
                    choice: Choice::PaReuse {
                        software: 1,
                        version: "1.0".to_owned(),
                    },
                    motivation: "the fastest within budget".to_owned(),
                    delivery: Delivery::CloudIaas,
                    planned_changes: false,
                },
            },
            &[act.id],
            now(),
        )
        .await
        .unwrap();
        assert_eq!(event.to, State::SolutionSelected);
        assert_eq!(event.documents, vec![act.clone()]);
        assert_eq!(event.actor.ipa, IPA);
        // Too large, empty, or another case's: refused.
        let too_large = vec![0u8; MAX_DOCUMENT_BYTES + 1];
        assert!(matches!(
            store::upload(
                &db.conn,
                id,
                None,
                "big.bin",
                "application/octet-stream",
                &too_large,
                now()
            )
            .await,
            Err(CaseError::TooLarge)
        ));
        assert!(matches!(
            store::upload(&db.conn, id, None, "empty.txt", "text/plain", b"", now()).await,
            Err(CaseError::Invalid(_))
        ));
        let other = store::open(
            &db.conn,
            org.id,
            actor.clone(),
            Transition::Open {
                title: "Un altro".to_owned(),
                scope: "x".to_owned(),
                officer: "y".to_owned(),
            },
            now(),
        )
        .await
        .unwrap();
        assert!(matches!(
            store::transition(
                &db.conn,
                other,
                actor.clone(),
                Transition::Withdraw {
                    motivation: "a duplicate".to_owned()
                },
                &[act.id],
                now()
            )
            .await,
            Err(CaseError::NotFound)
        ));
        assert!(
            store::document(&db.conn, other, act.id)
                .await
                .unwrap()
                .is_none()
        );
        let stored = store::document(&db.conn, id, act.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.content, b"%PDF-1.7 the act");
        // The fold of the stored events is the case; the row's state follows it.
        let loaded = store::load(&db.conn, id).await.unwrap().unwrap();
        assert_eq!(loaded.case.state, Some(State::SolutionSelected));
        assert_eq!(loaded.row.state, "solution-selected");
        assert_eq!(loaded.events.len(), 9);
        let replayed = Case::replay(loaded.events.iter().map(|(_, e)| e)).unwrap();
        assert_eq!(replayed, loaded.case);
        assert_eq!(loaded.case.evaluations.len(), 2);
        assert_eq!(loaded.case.evaluations[0].evaluation.snapshot, 12);
        // Publishing shows it among the published cases; the organisation sees both.
        assert!(
            store::published(&db.conn, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        store::transition(
            &db.conn,
            id,
            actor.clone(),
            Transition::Publish { published: true },
            &[],
            now(),
        )
        .await
        .unwrap();
        let published = store::published(&db.conn, None, 10).await.unwrap();
        assert_eq!(published.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
        assert!(
            store::published(&db.conn, Some(id), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let mine = store::of_organisations(&db.conn, &[org.id]).await.unwrap();
        assert_eq!(
            mine.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![other, id]
        );
        assert!(
            store::of_organisations(&db.conn, &[])
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store::documents(&db.conn, id).await.unwrap(), vec![act]);
        assert!(matches!(store::load(&db.conn, 9999).await, Ok(None)));
        db.close().await;
    }
}
