//! The guided case over HTTP, on both databases and the demo catalog: a member opens a case,
//! writes the needs (errors in both languages, values kept), searches the catalog from inside
//! the case (the searches recorded with each result's snapshot), evaluates two candidates, is
//! refused the one over budget with the guard named, decides for the other, procures, goes
//! live, declares the reuse from the case and sees the owner's acknowledgement close it. A
//! second case takes the other path: nothing from administrations, Developers Italia searched,
//! the impossibility motivated, a proprietary product and the ex-novo project compared. The
//! forms need their CSRF token, and another administration never reads or moves a case.

use axum::http::StatusCode;
use riuso::cases::{State, store};
use riuso::catalog::organisations;
use sea_orm::EntityTrait as _;

use crate::community::{demo_app, slug_of};
use crate::support::db::BACKENDS;
use crate::support::review::{member_of, person, signed_in};
use crate::support::test_app::{Client, Response, TestApp};

pub(super) async fn software_id(app: &TestApp, name: &str) -> i64 {
    let slug = slug_of(&app.db, name).await;
    riuso::catalog::read::software(&app.db.conn, &slug)
        .await
        .unwrap()
        .unwrap()
        .software
        .id
}

/// Posts `fields` to step `step` of case `id`, expecting a redirect back to the wizard.
pub(super) async fn step(
    client: &mut Client,
    id: i64,
    step: &str,
    fields: &[(&str, &str)],
) -> Response {
    let answer = client
        .post_form(&format!("/cases/{id}/wizard/{step}"), fields)
        .await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{step}: {}",
        answer.body
    );
    assert!(
        answer
            .location()
            .starts_with(&format!("/cases/{id}/wizard"))
    );
    answer
}

pub(super) async fn state_of(app: &TestApp, id: i64) -> State {
    store::load(&app.db.conn, id)
        .await
        .unwrap()
        .unwrap()
        .case
        .current()
}

pub(super) const NEEDS: &[(&str, &str)] = &[
    ("rows", "3"),
    ("context", "Protocollo e comunicazioni ai cittadini"),
    ("req_0_text", "Invio di comunicazioni ai cittadini"),
    ("req_0_indispensable", "on"),
    ("req_1_text", "Integrazione con l'app IO"),
    ("req_2_text", ""),
    ("budget", "10.000"),
    ("days", "120"),
    ("norm", "accessibility"),
    ("norm", "data-protection"),
];

pub(super) async fn open_case(client: &mut Client, org: i64, title: &str) -> i64 {
    let org = org.to_string();
    let answer = client
        .post_form(
            "/cases",
            &[
                ("organisation", org.as_str()),
                ("title", title),
                ("scope", "Il sistema di comunicazione"),
                ("officer", "RTD"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer
        .location()
        .trim_start_matches("/cases/")
        .trim_end_matches("/wizard")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_member_runs_a_case_from_needs_to_a_pa_reuse_decision_and_its_closing() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let milano = organisations::for_ipa(&app.db.conn, "c_f205", "Comune di Milano")
            .await
            .unwrap();
        let owner = organisations::for_ipa(&app.db.conn, "c_f646", "Comune di Montesilvano")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let stranger = person(&app.db, "ced@comune.milano.example", None).await;
        member_of(&app.db, &stranger, milano.id).await;
        let owner_member = person(&app.db, "ced@comune.montesilvano.example", None).await;
        member_of(&app.db, &owner_member, owner.id).await;
        let comunica = software_id(&app, "ComunicaPA").await;
        let govpay = software_id(&app, "GovPay Interaction Layer").await;
        let mut client = signed_in(&app, &member).await;

        // The form lists the member's administration; an empty title is refused in the
        // member's language, the values kept.
        let form = client.get("/cases/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(form.all("#organisation option").len(), 1);
        let bologna_id = bologna.id.to_string();
        let refused = client
            .post_form(
                "/cases?lang=en",
                &[
                    ("organisation", bologna_id.as_str()),
                    ("title", ""),
                    ("scope", "Lo scopo"),
                    ("officer", "RTD"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.text("#title-error"), "Fill in this field.");
        assert!(refused.body.contains("value=\"Lo scopo\""));
        // Not for another administration.
        let milano_id = milano.id.to_string();
        let other = client
            .post_form(
                "/cases",
                &[
                    ("organisation", milano_id.as_str()),
                    ("title", "x"),
                    ("scope", "x"),
                    ("officer", "x"),
                ],
            )
            .await;
        assert_eq!(other.status, StatusCode::FORBIDDEN);
        let id = open_case(&mut client, bologna.id, "Comunicazioni ai cittadini").await;
        assert_eq!(state_of(&app, id).await, State::Opened);

        // Needs: every missing field named next to it, in Italian and in English.
        let page = client.get(&format!("/cases/{id}/wizard")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.all("#needs-form .requirement-row").len(), 3);
        let bad = [
            ("rows", "3"),
            ("context", "Il contesto scritto"),
            ("budget", "tanti"),
            ("days", "0"),
        ];
        let it = client
            .post_form(&format!("/cases/{id}/wizard/needs?lang=it"), &bad)
            .await;
        assert_eq!(it.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            it.text("#f-budget-error"),
            "Scrivi un numero intero di euro, ad es. 40000."
        );
        assert_eq!(
            it.text("#f-days-error"),
            "Scrivi un numero maggiore di zero."
        );
        assert_eq!(
            it.text("#requirements-error"),
            "Scrivi almeno un requisito."
        );
        assert_eq!(
            it.text("#f-norm-error"),
            "Seleziona almeno una norma applicabile."
        );
        assert!(it.body.contains("Il contesto scritto"), "values are kept");
        let en = client
            .post_form(&format!("/cases/{id}/wizard/needs?lang=en"), &bad)
            .await;
        assert_eq!(
            en.text("#f-budget-error"),
            "Write a whole number of euros, e.g. 40000."
        );
        assert_eq!(
            en.text("#f-norm-error"),
            "Tick at least one applicable norm."
        );
        // More rows without JavaScript.
        let more = client
            .post_form(
                &format!("/cases/{id}/wizard/needs"),
                &[("rows", "3"), ("req_0_text", "Primo"), ("more", "1")],
            )
            .await;
        assert_eq!(more.status, StatusCode::OK);
        assert_eq!(more.all("#needs-form .requirement-row").len(), 6);
        assert!(more.body.contains("value=\"Primo\""));
        assert_eq!(state_of(&app, id).await, State::Opened);
        step(&mut client, id, "needs", NEEDS).await;
        let stored = store::load(&app.db.conn, id).await.unwrap().unwrap();
        let needs = stored.case.needs.unwrap();
        assert_eq!(needs.requirements.len(), 2, "the blank row is dropped");
        assert!(needs.requirements[0].indispensable && !needs.requirements[1].indispensable);
        assert_eq!((needs.budget, needs.days), (10_000, 120));
        step(&mut client, id, "start", &[]).await;
        assert_eq!(state_of(&app, id).await, State::SearchingPaReuse);

        // The search of the catalog from inside the case, recorded with the snapshots.
        step(&mut client, id, "search", &[("q", "ComunicaPA")]).await;
        step(&mut client, id, "search", &[("q", "GovPay"), ("claim", "")]).await;
        let stored = store::load(&app.db.conn, id).await.unwrap().unwrap();
        assert_eq!(stored.case.searches.len(), 2);
        let first = &stored.case.searches[0].search;
        assert_eq!(first.query, "ComunicaPA");
        let found = first
            .results
            .iter()
            .find(|f| f.software == comunica)
            .expect("the search finds ComunicaPA");
        let entry = riuso::catalog::entities::software::Entity::find_by_id(comunica)
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(Some(found.snapshot), entry.current_snapshot_id);
        let page = client.get(&format!("/cases/{id}/wizard")).await;
        assert_eq!(page.all(".recorded-search").len(), 2);
        let comunica_s = comunica.to_string();
        let govpay_s = govpay.to_string();
        step(
            &mut client,
            id,
            "shortlist",
            &[
                ("candidate", comunica_s.as_str()),
                ("candidate", govpay_s.as_str()),
            ],
        )
        .await;
        assert_eq!(state_of(&app, id).await, State::EvaluatingPaReuse);

        // The evaluation, pre-filled from the catalog, the guards computed on every submit.
        let page = client
            .get(&format!("/cases/{id}/wizard?candidate={govpay}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.all("#catalog-facts dd").is_empty());
        assert_eq!(page.all("#evaluate-form select").len(), 2);
        let answer = step(
            &mut client,
            id,
            "evaluate",
            &[
                ("software", govpay_s.as_str()),
                ("coverage_0", "covered"),
                ("coverage_1", "customisation"),
                ("tco_integration", "45000"),
                ("tco_training", "5000"),
                ("days", "90"),
            ],
        )
        .await;
        let page = client.get(&format!("{}&lang=it", answer.location())).await;
        assert!(
            page.body
                .contains("S_TCO € 50.000 &#60; T_bilancio € 10.000: non rispettato"),
            "{}",
            page.body
        );
        step(
            &mut client,
            id,
            "evaluate",
            &[
                ("software", comunica_s.as_str()),
                ("coverage_0", "covered"),
                ("coverage_1", "missing"),
                ("tco_cloud", "3.000"),
                ("tco_training", "1.500"),
                ("days", "60"),
            ],
        )
        .await;

        // The decision: the candidate over budget is refused, the guard named.
        let decision = client
            .get(&format!("/cases/{id}/wizard?page=decision&lang=it"))
            .await;
        assert_eq!(decision.all("#f-choice option").len(), 2);
        assert!(decision.body.contains("Dichiarare il riuso al titolare"));
        let refused = client
            .post_form(
                &format!("/cases/{id}/wizard/decide?lang=it"),
                &[
                    ("choice", govpay_s.as_str()),
                    ("version", "3.0"),
                    ("delivery", "saas"),
                    ("motivation", "La più completa"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.text("#guard-refused .guard-name"), "over-budget");
        assert!(
            refused
                .body
                .contains("S_TCO € 50.000 non è inferiore a T_bilancio € 10.000")
        );
        assert!(refused.body.contains("La più completa"), "values are kept");
        let refused_en = client
            .post_form(
                &format!("/cases/{id}/wizard/decide?lang=en"),
                &[
                    ("choice", govpay_s.as_str()),
                    ("version", "3.0"),
                    ("delivery", "saas"),
                    ("motivation", "m"),
                ],
            )
            .await;
        assert!(
            refused_en
                .body
                .contains("S_TCO € 50,000 is not below T_bilancio € 10,000")
        );
        assert_eq!(state_of(&app, id).await, State::EvaluatingPaReuse);

        // CSRF: a form without the session's token changes nothing.
        let forged = client
            .post_form(
                &format!("/cases/{id}/wizard/decide"),
                &[
                    ("csrf", "0000"),
                    ("choice", comunica_s.as_str()),
                    ("version", "1"),
                    ("delivery", "saas"),
                    ("motivation", "m"),
                ],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(state_of(&app, id).await, State::EvaluatingPaReuse);

        // Another administration neither reads nor moves the case; nobody signed out either.
        let mut other = signed_in(&app, &stranger).await;
        assert_eq!(
            other.get(&format!("/cases/{id}/wizard")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            other
                .post_form(
                    &format!("/cases/{id}/wizard/decide"),
                    &[
                        ("choice", comunica_s.as_str()),
                        ("version", "1"),
                        ("delivery", "saas"),
                        ("motivation", "m"),
                    ],
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("/cases/{id}/wizard")).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(state_of(&app, id).await, State::EvaluatingPaReuse);

        step(
            &mut client,
            id,
            "decide",
            &[
                ("choice", comunica_s.as_str()),
                ("version", "1.2.0"),
                ("delivery", "cloud-iaas"),
                ("motivation", "Copre i requisiti indispensabili nei vincoli"),
            ],
        )
        .await;
        assert_eq!(state_of(&app, id).await, State::SolutionSelected);
        let page = client.get(&format!("/cases/{id}/wizard?lang=it")).await;
        assert!(
            page.text("#chosen-obligations")
                .contains("Dichiarare il riuso al titolare")
        );

        // Procurement, production, the declaration from the case, the owner's acknowledgement.
        let bad_cig = client
            .post_form(
                &format!("/cases/{id}/wizard/procure"),
                &[("cig", "123"), ("award_act", "")],
            )
            .await;
        assert_eq!(bad_cig.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!bad_cig.text("#f-cig-error").is_empty());
        step(
            &mut client,
            id,
            "procure",
            &[("cig", "Z1A2B3C4D5"), ("award_act", "Determina n. 7")],
        )
        .await;
        let today = chrono::Utc::now().date_naive().to_string();
        step(
            &mut client,
            id,
            "go-live",
            &[
                ("live_on", today.as_str()),
                ("deployed_version", "1.2.0"),
                ("address", "https://comunicazioni.comune.bologna.example"),
            ],
        )
        .await;
        assert_eq!(state_of(&app, id).await, State::InProduction);
        step(
            &mut client,
            id,
            "declare",
            &[("contact", "rtd@comune.bologna.example")],
        )
        .await;
        let stored = store::load(&app.db.conn, id).await.unwrap().unwrap();
        assert_eq!(stored.case.current(), State::ReuseDeclared);
        let declaration = stored.case.declaration.unwrap();
        let page = client.get(&format!("/cases/{id}/wizard")).await;
        assert!(
            page.body
                .contains(&format!("href=\"/declarations/{declaration}\""))
        );
        let mut owner_client = signed_in(&app, &owner_member).await;
        let ack = owner_client
            .post_form(&format!("/declarations/{declaration}/acknowledge"), &[])
            .await;
        assert_eq!(ack.status, StatusCode::SEE_OTHER);
        assert_eq!(state_of(&app, id).await, State::Closed, "{backend:?}");
        let doc = client.get(&format!("/cases/{id}?lang=it")).await;
        for needle in [
            "Invio di comunicazioni ai cittadini",
            "ComunicaPA",
            "GovPay Interaction Layer",
            "Riuso di una soluzione PA",
        ] {
            assert!(doc.body.contains(needle), "{backend:?}: {needle}");
        }
        app.close().await;
    }
}

#[tokio::test]
async fn the_other_path_goes_through_open_source_impossibility_and_make_or_buy() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let mut client = signed_in(&app, &member).await;
        let id = open_case(&mut client, bologna.id, "Gestione delle sale").await;
        step(&mut client, id, "needs", NEEDS).await;
        step(&mut client, id, "start", &[]).await;
        step(
            &mut client,
            id,
            "search",
            &[("q", "prenotazione sale riunioni")],
        )
        .await;
        // Nothing fits: on to open source.
        step(&mut client, id, "shortlist", &[]).await;
        assert_eq!(state_of(&app, id).await, State::SearchingOpenSource);
        let refused = client
            .post_form(
                &format!("/cases/{id}/wizard/impossibility?lang=en"),
                &[("motivation", "Nothing")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.text("#guard-refused .guard-name"),
            "developers-italia-not-searched"
        );
        let bad = client
            .post_form(
                &format!("/cases/{id}/wizard/external"),
                &[
                    ("platform", "developers-italia"),
                    ("query", "sale"),
                    ("address", "nope"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!bad.text("#f-address-error").is_empty());
        step(
            &mut client,
            id,
            "external",
            &[
                ("platform", "developers-italia"),
                ("query", "prenotazione sale"),
                (
                    "address",
                    "https://developers.italia.it/it/search?query=prenotazione%20sale",
                ),
                ("outcome", "Nessuna soluzione adatta"),
            ],
        )
        .await;
        step(
            &mut client,
            id,
            "impossibility",
            &[(
                "motivation",
                "Nessuna soluzione PA né open source copre i requisiti",
            )],
        )
        .await;
        assert_eq!(state_of(&app, id).await, State::ImpossibilityDocumented);
        step(&mut client, id, "alternatives", &[]).await;
        let gates: Vec<(&str, &str)> = [
            "gate_interoperability",
            "gate_data-protection",
            "gate_security",
            "gate_accessibility",
            "gate_data-export",
        ]
        .into_iter()
        .map(|g| (g, "on"))
        .chain([
            ("product_name", "SaleFacili"),
            ("vendor", "Fornitore S.p.A."),
            ("tco_cloud", "6000"),
            ("product_days", "30"),
        ])
        .collect();
        step(&mut client, id, "product", &gates).await;
        // Make or buy needs the feasibility project first.
        let refused = client
            .post_form(
                &format!("/cases/{id}/wizard/make-or-buy"),
                &[("rationale", "Costa meno")],
            )
            .await;
        assert_eq!(
            refused.text("#guard-refused .guard-name"),
            "no-feasibility-project"
        );
        step(
            &mut client,
            id,
            "ex-novo",
            &[
                ("activities", "Analisi, sviluppo, collaudo"),
                ("cost", "60000"),
                ("feasibility_days", "200"),
            ],
        )
        .await;
        step(
            &mut client,
            id,
            "make-or-buy",
            &[
                ("aspect", "buy-fast"),
                ("aspect", "make-slower"),
                ("rationale", "Il prodotto costa meno ed è pronto"),
            ],
        )
        .await;
        assert_eq!(state_of(&app, id).await, State::MakeOrBuyCompared);
        let page = client.get(&format!("/cases/{id}/wizard?lang=it")).await;
        assert_eq!(
            page.all("#f-choice option").len(),
            2,
            "the product and ex novo"
        );
        assert!(
            page.text("#page-decision")
                .contains("Allegare l'Allegato A ai documenti di gara")
        );
        step(
            &mut client,
            id,
            "decide",
            &[
                ("choice", "product:SaleFacili"),
                ("delivery", "saas"),
                ("motivation", "Ammissibile ed entro il budget"),
            ],
        )
        .await;
        step(
            &mut client,
            id,
            "procure",
            &[("award_act", "Determina n. 9")],
        )
        .await;
        let today = chrono::Utc::now().date_naive().to_string();
        step(
            &mut client,
            id,
            "go-live",
            &[
                ("live_on", today.as_str()),
                ("deployed_version", "2026.1"),
                ("address", "https://sale.comune.bologna.example"),
            ],
        )
        .await;
        // A proprietary solution is not declared as reuse; the case closes.
        let refused = client
            .post_form(&format!("/cases/{id}/wizard/declare"), &[("contact", "x")])
            .await;
        assert_eq!(refused.text("#guard-refused .guard-name"), "not-reuse");
        step(&mut client, id, "close", &[("note", "In esercizio")]).await;
        assert_eq!(state_of(&app, id).await, State::Closed);
        let page = client.get(&format!("/cases/{id}/wizard")).await;
        assert_eq!(page.all("#case-done").len(), 1);
        app.close().await;
    }
}

#[tokio::test]
async fn modifications_planned_at_the_decision_are_released_before_the_case_closes() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let comunica = software_id(&app, "ComunicaPA").await.to_string();
        let mut client = signed_in(&app, &member).await;
        let id = open_case(&mut client, bologna.id, "Comunicazioni modificate").await;
        step(&mut client, id, "needs", NEEDS).await;
        step(&mut client, id, "start", &[]).await;
        step(&mut client, id, "search", &[("q", "ComunicaPA")]).await;
        step(
            &mut client,
            id,
            "shortlist",
            &[("candidate", comunica.as_str())],
        )
        .await;
        step(
            &mut client,
            id,
            "evaluate",
            &[
                ("software", comunica.as_str()),
                ("coverage_0", "customisation"),
                ("coverage_1", "covered"),
                ("tco_customisation", "6000"),
                ("days", "100"),
            ],
        )
        .await;
        step(
            &mut client,
            id,
            "decide",
            &[
                ("choice", comunica.as_str()),
                ("version", "1.2.0"),
                ("delivery", "saas"),
                ("planned_changes", "on"),
                ("motivation", "Da adattare al flusso del protocollo"),
            ],
        )
        .await;
        let page = client.get(&format!("/cases/{id}/wizard?lang=it")).await;
        assert!(
            page.text("#chosen-obligations")
                .contains("Allegare l'Allegato D ai documenti di gara"),
            "{}",
            page.text("#chosen-obligations")
        );
        step(
            &mut client,
            id,
            "procure",
            &[("award_act", "Determina n. 11")],
        )
        .await;
        let today = chrono::Utc::now().date_naive().to_string();
        let future = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
        let ahead = client
            .post_form(
                &format!("/cases/{id}/wizard/go-live?lang=en"),
                &[
                    ("live_on", future.as_str()),
                    ("deployed_version", "1.2.0-bo"),
                    ("address", "https://comunicazioni.comune.bologna.example"),
                ],
            )
            .await;
        assert_eq!(ahead.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            ahead.text("#f-live_on-error"),
            "The date lies in the future."
        );
        step(
            &mut client,
            id,
            "go-live",
            &[
                ("live_on", today.as_str()),
                ("deployed_version", "1.2.0-bo"),
                ("address", "https://comunicazioni.comune.bologna.example"),
            ],
        )
        .await;
        let refused = client
            .post_form(&format!("/cases/{id}/wizard/close"), &[])
            .await;
        assert_eq!(
            refused.text("#guard-refused .guard-name"),
            "declaration-required"
        );
        let empty = client
            .post_form(&format!("/cases/{id}/wizard/modifications"), &[])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        step(
            &mut client,
            id,
            "modifications",
            &[("ownership", "Le modifiche sono del Comune di Bologna")],
        )
        .await;
        assert_eq!(state_of(&app, id).await, State::ModifiedReleasePending);
        let bad = client
            .post_form(
                &format!("/cases/{id}/wizard/release"),
                &[("route", "upstream"), ("pull_requests", "non un indirizzo")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!bad.text("#f-pull_requests-error").is_empty());
        step(
            &mut client,
            id,
            "release",
            &[
                ("route", "upstream"),
                (
                    "pull_requests",
                    "https://github.com/example/comunicapa/pull/12\r\nhttps://github.com/example/comunicapa/pull/13",
                ),
            ],
        )
        .await;
        let stored = store::load(&app.db.conn, id).await.unwrap().unwrap();
        assert_eq!(stored.case.current(), State::ModificationsReleased);
        assert!(matches!(
            stored.case.route,
            Some(riuso::cases::evidence::Route::Upstream { ref pull_requests }) if pull_requests.len() == 2
        ));
        step(&mut client, id, "close", &[("note", "Modifiche integrate")]).await;
        assert_eq!(state_of(&app, id).await, State::Closed);
        app.close().await;
    }
}
