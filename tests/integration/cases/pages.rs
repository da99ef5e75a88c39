//! The reuse cases on the pages, with the demonstration cases of `riuso dev demo-cases` on the
//! demo catalog: the list, a published case's motivation document (printable page, PDF and
//! JSON) for anyone, an unpublished one for its administration's members only, and the notice
//! that a candidate's entry changed since its evaluation, with the diff.

use axum::http::StatusCode;
use chrono::Utc;
use riuso::cases::machine::{Actor, Transition};
use riuso::cases::{State, demo, store};
use riuso::catalog::organisations;

use crate::community::demo_app;
use crate::support::db::BACKENDS;
use crate::support::review::{member_of, person, signed_in};

#[tokio::test]
async fn the_demo_cases_are_read_by_anyone_and_a_draft_by_its_members_only() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let loaded = demo::load(&app.db.conn, "https://riuso.example.org", Utc::now())
            .await
            .unwrap()
            .expect("the demo catalog has the demo entries");
        assert_eq!(
            demo::load(&app.db.conn, "https://riuso.example.org", Utc::now())
                .await
                .unwrap(),
            None,
            "loading twice adds nothing"
        );
        let finished = store::load(&app.db.conn, loaded.finished)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(finished.case.state, Some(State::Closed));
        assert_eq!(finished.case.acknowledged_via.as_deref(), Some("owner"));
        let declaration = finished.case.declaration.unwrap();
        let progress = store::load(&app.db.conn, loaded.in_progress)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(progress.case.state, Some(State::EvaluatingPaReuse));

        // Anyone reads the published cases.
        let list = app.get("/cases").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Pagamenti pagoPA dei servizi comunali"));
        assert!(list.body.contains("Segnalazioni di illeciti"));
        let page = app.get(&format!("/cases/{}", loaded.finished)).await;
        assert_eq!(page.status, StatusCode::OK);
        for needle in [
            "Integrazione con la piattaforma pagoPA",
            "GovPay Interaction Layer",
            "S_TCO € 29.000 &#60; T_bilancio € 40.000: rispettato",
            "Riuso di una soluzione PA",
            "Dichiarare il riuso al titolare (Allegato D)",
            &format!("#{declaration}"),
        ] {
            assert!(page.body.contains(needle), "{backend:?}: {needle}");
        }
        let english = app
            .get(&format!("/cases/{}?lang=en", loaded.finished))
            .await;
        assert!(
            english
                .body
                .contains("S_TCO € 29,000 &#60; T_bilancio € 40,000: met")
        );
        let pdf = app
            .get(&format!("/cases/{}/document.pdf", loaded.finished))
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.bytes.starts_with(b"%PDF-1.7"));
        assert!(lopdf::Document::load_mem(&pdf.bytes).is_ok());
        let json = app
            .get(&format!("/cases/{}/document.json", loaded.finished))
            .await;
        assert_eq!(json.status, StatusCode::OK);
        let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(value["state"], "closed");
        assert_eq!(value["kind"], "pa-reuse");
        assert_eq!(value["assessments"][0]["assessment"]["eligible"], true);

        // A new file of the candidate under evaluation: the case says so, with the diff.
        let demo_file = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("demo/Comune-Milano__Whistleblowing.yml"),
        )
        .unwrap();
        let changed =
            demo_file.replace("developmentStatus: development", "developmentStatus: beta");
        assert_ne!(changed, demo_file);
        app.ingest(
            "https://github.com/Comune-Milano/Whistleblowing",
            changed.as_bytes(),
        )
        .await;
        let page = app.get(&format!("/cases/{}", loaded.in_progress)).await;
        let notice = page.all(".changed-notice a");
        assert_eq!(notice.len(), 1, "{backend:?}: {}", page.body);
        let evaluated = progress.case.evaluations[0].evaluation.snapshot;
        let slug = &progress.case.evaluations[0].evaluation.slug;
        assert!(
            notice[0]
                .value()
                .attr("href")
                .unwrap()
                .starts_with(&format!("/software/{slug}/diff?from={evaluated}&to=")),
        );
        assert!(
            app.get(&format!("/cases/{}", loaded.finished))
                .await
                .all(".changed-notice")
                .is_empty()
        );

        // A draft: its administration's members read it; nobody else.
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let milano = organisations::for_ipa(&app.db.conn, "c_f205", "Comune di Milano")
            .await
            .unwrap();
        let member = person(&app.db, "ufficio@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let stranger = person(&app.db, "ufficio@comune.milano.example", None).await;
        member_of(&app.db, &stranger, milano.id).await;
        let draft = store::open(
            &app.db.conn,
            bologna.id,
            Actor::member(member.id, "c_a944"),
            Transition::Open {
                title: "Bozza riservata".to_owned(),
                scope: "x".to_owned(),
                officer: "y".to_owned(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let act = store::upload(
            &app.db.conn,
            draft,
            Some(member.id),
            "needs.html",
            "text/html",
            b"<script>alert(1)</script>",
            Utc::now(),
        )
        .await
        .unwrap();
        let pdf_doc = store::upload(
            &app.db.conn,
            draft,
            Some(member.id),
            "esigenze \"finali\".pdf",
            "application/pdf",
            b"%PDF-1.7 needs",
            Utc::now(),
        )
        .await
        .unwrap();
        for path in [
            format!("/cases/{draft}"),
            format!("/cases/{draft}/document.pdf"),
            format!("/cases/{draft}/document.json"),
            format!("/cases/{draft}/documents/{}", act.id),
        ] {
            assert_eq!(
                app.get(&path).await.status,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
            let mut other = signed_in(&app, &stranger).await;
            assert_eq!(
                other.get(&path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
            let mut mine = signed_in(&app, &member).await;
            assert_eq!(mine.get(&path).await.status, StatusCode::OK, "{path}");
        }
        // Documents go back as attachments; an uploaded page is never served as HTML.
        let mut mine = signed_in(&app, &member).await;
        let html = mine
            .get(&format!("/cases/{draft}/documents/{}", act.id))
            .await;
        assert_eq!(html.headers["content-type"], "application/octet-stream");
        assert!(
            html.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert_eq!(html.bytes, b"<script>alert(1)</script>");
        let pdf = mine
            .get(&format!("/cases/{draft}/documents/{}", pdf_doc.id))
            .await;
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert_eq!(
            pdf.headers["content-disposition"],
            "attachment; filename=\"esigenze _finali_.pdf\""
        );
        let page = mine.get(&format!("/cases/{draft}")).await;
        assert_eq!(page.all("#case-documents li").len(), 2);
        // Another case's document is not this case's.
        assert_eq!(
            mine.get(&format!("/cases/{}/documents/{}", loaded.finished, act.id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(!app.get("/cases").await.body.contains("Bozza riservata"));
        let mut mine = signed_in(&app, &member).await;
        assert!(mine.get("/cases").await.body.contains("Bozza riservata"));
        let mut other = signed_in(&app, &stranger).await;
        assert!(!other.get("/cases").await.body.contains("Bozza riservata"));
        assert_eq!(app.get("/cases/999999").await.status, StatusCode::NOT_FOUND);
        app.close().await;
    }
}

#[tokio::test]
async fn the_api_answers_the_published_cases_and_a_members_drafts() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let loaded = demo::load(&app.db.conn, "https://riuso.example.org", Utc::now())
            .await
            .unwrap()
            .unwrap();
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let member = person(&app.db, "ufficio@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let draft = store::open(
            &app.db.conn,
            bologna.id,
            Actor::member(member.id, "c_a944"),
            Transition::Open {
                title: "Bozza riservata".to_owned(),
                scope: "x".to_owned(),
                officer: "y".to_owned(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let list = app.get_json("/api/v1/cases", StatusCode::OK).await;
        let ids: Vec<i64> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![loaded.in_progress, loaded.finished]);
        let mut mine = signed_in(&app, &member).await;
        let list = mine.get_json("/api/v1/cases", StatusCode::OK).await;
        assert_eq!(list["data"][0]["id"], draft);
        assert_eq!(list["data"][0]["published"], false);
        // Paged, newest first.
        let page = app
            .get_json("/api/v1/cases?page[size]=1", StatusCode::OK)
            .await;
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
        let next = page["links"]["next"].as_str().unwrap().to_owned();
        let second = app.get_json(&next, StatusCode::OK).await;
        assert_eq!(second["data"][0]["id"], loaded.finished);
        assert!(second["links"]["next"].is_null());
        let case = app
            .get_json(
                &format!("/api/v1/cases/{}", loaded.finished),
                StatusCode::OK,
            )
            .await;
        assert_eq!(case["state"], "closed");
        assert_eq!(case["administration"]["ipaCode"], "c_a944");
        assert_eq!(case["budget"], 40_000);
        assert_eq!(case["candidates"][0]["sTco"], 29_000);
        assert_eq!(case["candidates"][0]["withinBudget"], true);
        assert_eq!(case["decision"]["kind"], "pa-reuse");
        assert!(
            case["decision"]["obligations"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("declare-reuse"))
        );
        assert!(case["declarationId"].is_i64());
        assert_eq!(case["events"][0]["transition"], "open");
        // The draft: 401, 403 to another administration, 200 to its member; 404 when unknown.
        let path = format!("/api/v1/cases/{draft}");
        app.get_json(&path, StatusCode::UNAUTHORIZED).await;
        let milano = organisations::for_ipa(&app.db.conn, "c_f205", "Comune di Milano")
            .await
            .unwrap();
        let stranger = person(&app.db, "ufficio@comune.milano.example", None).await;
        member_of(&app.db, &stranger, milano.id).await;
        let mut other = signed_in(&app, &stranger).await;
        other.get_json(&path, StatusCode::FORBIDDEN).await;
        let shown = mine.get_json(&path, StatusCode::OK).await;
        assert_eq!(shown["title"], "Bozza riservata");
        app.get_json("/api/v1/cases/999999", StatusCode::NOT_FOUND)
            .await;
        app.get_json("/api/v1/cases?nope=1", StatusCode::BAD_REQUEST)
            .await;
        app.close().await;
    }
}

#[tokio::test]
async fn the_owners_acknowledgement_closes_the_case_the_declaration_came_from() {
    use riuso::cases::evidence::{
        Choice, Coverage, Decision, Delivery, Evaluation, Needs, Norm, Procurement, Production,
        Requirement, Search, Tco,
    };
    use riuso::community::declarations::{self, NewDeclaration};

    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let owner = organisations::for_ipa(&app.db.conn, "c_f646", "Comune di Montesilvano")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let owner_member = person(&app.db, "ced@comune.montesilvano.example", None).await;
        member_of(&app.db, &owner_member, owner.id).await;
        let slug = crate::community::slug_of(&app.db, "ComunicaPA").await;
        let (found, facts) = riuso::cases::prefill::candidate(&app.db.conn, &slug)
            .await
            .unwrap()
            .unwrap();
        let actor = Actor::member(member.id, "c_a944");
        let now = Utc::now();
        let id = store::open(
            &app.db.conn,
            bologna.id,
            actor.clone(),
            Transition::Open {
                title: "Comunicazione".to_owned(),
                scope: "x".to_owned(),
                officer: "y".to_owned(),
            },
            now,
        )
        .await
        .unwrap();
        let moves = vec![
            Transition::DefineNeeds {
                needs: Needs {
                    context: "c".to_owned(),
                    objectives: String::new(),
                    requirements: vec![Requirement {
                        text: "r".to_owned(),
                        indispensable: true,
                    }],
                    budget: 10_000,
                    budget_covers: String::new(),
                    days: 100,
                    norms: vec![Norm::Accessibility],
                    other_constraints: String::new(),
                },
            },
            Transition::StartSearch,
            Transition::Search {
                search: Search {
                    query: "comunica".to_owned(),
                    filters: vec![],
                    total: 1,
                    results: vec![found.clone()],
                },
            },
            Transition::Shortlist {
                candidates: vec![found.software],
            },
            Transition::Evaluate {
                evaluation: Evaluation {
                    software: found.software,
                    snapshot: found.snapshot,
                    slug: found.slug.clone(),
                    name: found.name.clone(),
                    facts,
                    coverage: vec![Coverage::Covered],
                    agreements: String::new(),
                    skills: String::new(),
                    tco: Tco {
                        training: 1_000,
                        ..Tco::default()
                    },
                    days: 30,
                    blocking: String::new(),
                    licence: None,
                    notes: String::new(),
                },
            },
            Transition::Select {
                decision: Decision {
                    choice: Choice::PaReuse {
                        software: found.software,
                        version: "1".to_owned(),
                    },
                    motivation: "m".to_owned(),
                    delivery: Delivery::Saas,
                    planned_changes: false,
                },
            },
            Transition::Procure {
                procurement: Procurement {
                    cig: String::new(),
                    award_act: "a".to_owned(),
                    services: String::new(),
                    annexes: vec![],
                },
            },
            Transition::GoLive {
                production: Production {
                    live_on: now.date_naive(),
                    version: "1".to_owned(),
                    address: "https://example.org".to_owned(),
                },
            },
        ];
        for transition in moves {
            store::transition(&app.db.conn, id, actor.clone(), transition, &[], now)
                .await
                .unwrap();
        }
        let declaration = declarations::declare(
            &app.db.conn,
            "https://riuso.example.org",
            found.software,
            member.id,
            &NewDeclaration {
                organisation_id: bologna.id,
                version: "1".to_owned(),
                since: now.date_naive(),
                modified: false,
                variant_url: None,
                note: String::new(),
                contact: "rtd@comune.bologna.example".to_owned(),
            },
        )
        .await
        .unwrap();
        store::transition(
            &app.db.conn,
            id,
            actor.clone(),
            Transition::DeclareReuse { declaration },
            &[],
            now,
        )
        .await
        .unwrap();
        // The owner's member confirms on the declaration's page: the case closes.
        let mut owner_client = signed_in(&app, &owner_member).await;
        let answer = owner_client
            .post_form(&format!("/declarations/{declaration}/acknowledge"), &[])
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{backend:?}");
        let stored = store::load(&app.db.conn, id).await.unwrap().unwrap();
        assert_eq!(stored.case.state, Some(State::Closed), "{backend:?}");
        assert_eq!(stored.case.acknowledged_via.as_deref(), Some("owner"));
        let (_, last) = stored.events.last().unwrap();
        assert_eq!(last.actor.user, None, "the system closes it");
        assert_eq!(stored.row.state, "closed");
        app.close().await;
    }
}
