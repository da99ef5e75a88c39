//! Evidence documents sent with the wizard's forms, on both databases: a document uploaded with
//! the motivated impossibility is stored with its SHA-256, linked to the event and listed on
//! the case page; one over the limit is refused in the member's language with the rest of the
//! form kept; another administration never downloads it. A case withdrawn or marked not
//! applicable after a confirmation; the evaluation sent back shows the guards on the values
//! just sent.

use axum::http::StatusCode;
use riuso::cases::{State, store};
use riuso::catalog::organisations;
use sha2::{Digest as _, Sha256};

use super::wizard::{NEEDS, open_case, software_id, state_of, step};
use crate::community::demo_app;
use crate::support::db::BACKENDS;
use crate::support::review::{member_of, person, signed_in};

#[tokio::test]
async fn an_evidence_document_is_uploaded_with_its_step_and_kept_from_other_administrations() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let milano = organisations::for_ipa(&app.db.conn, "c_f205", "Comune di Milano")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let stranger = person(&app.db, "ced@comune.milano.example", None).await;
        member_of(&app.db, &stranger, milano.id).await;
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
        step(&mut client, id, "shortlist", &[]).await;
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
        let page = client.get(&format!("/cases/{id}/wizard")).await;
        let form = page.all("#impossibility-form");
        assert_eq!(form.len(), 1);
        assert_eq!(form[0].value().attr("enctype"), Some("multipart/form-data"));
        assert_eq!(page.all("#impossibility-form input[type=file]").len(), 1);

        // Over the limit: refused next to the file input in each language, the motivation kept,
        // nothing stored and the case where it was.
        let motivation = "Nessuna soluzione PA né open source copre i requisiti";
        let big = vec![b'x'; store::MAX_DOCUMENT_BYTES + 1];
        for (lang, words) in [("it", "supera 10 MiB"), ("en", "larger than 10 MiB")] {
            let refused = client
                .post_multipart(
                    &format!("/cases/{id}/wizard/impossibility?lang={lang}"),
                    &[("motivation", motivation)],
                    Some(("impossibilita.pdf", "application/pdf", &big)),
                )
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
            assert!(
                refused.text("#f-document-error").contains(words),
                "{lang}: {}",
                refused.text("#f-document-error")
            );
            assert_eq!(refused.text("#f-motivation"), motivation, "{lang}");
        }
        // A body past the form's limit (the document's and 1 MiB more) is not read: 413.
        let huge = vec![b'x'; store::MAX_DOCUMENT_BYTES + 2 * 1024 * 1024];
        let refused = client
            .post_multipart(
                &format!("/cases/{id}/wizard/impossibility"),
                &[("motivation", motivation)],
                Some(("enorme.pdf", "application/pdf", &huge)),
            )
            .await;
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(store::documents(&app.db.conn, id).await.unwrap().is_empty());
        assert_eq!(state_of(&app, id).await, State::SearchingOpenSource);

        // Within the limit: stored with its hash and linked to the event.
        let content = b"%PDF-1.4\n% determina di impossibilita\n";
        let sha256: String = Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let answer = client
            .post_multipart(
                &format!("/cases/{id}/wizard/impossibility"),
                &[("motivation", motivation)],
                Some(("impossibilita.pdf", "application/pdf", content)),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(state_of(&app, id).await, State::ImpossibilityDocumented);
        let documents = store::documents(&app.db.conn, id).await.unwrap();
        assert_eq!(documents.len(), 1);
        let doc = &documents[0];
        assert_eq!(
            (doc.sha256.as_str(), doc.size),
            (sha256.as_str(), content.len() as u64)
        );
        let events = store::events(&app.db.conn, id).await.unwrap();
        let (_, last) = events.last().unwrap();
        assert_eq!(last.to, State::ImpossibilityDocumented);
        assert_eq!(last.documents, vec![doc.clone()]);

        // A form sent without a file moves the case with no document.
        step(&mut client, id, "alternatives", &[]).await;
        assert_eq!(store::documents(&app.db.conn, id).await.unwrap().len(), 1);

        // The case page lists it with its hash and a link that serves it.
        let path = format!("/cases/{id}/documents/{}", doc.id);
        let page = client.get(&format!("/cases/{id}")).await;
        assert!(page.text("#case-documents").contains(&sha256));
        assert_eq!(
            page.all(&format!("#case-documents a[href=\"{path}\"]"))
                .len(),
            1
        );
        let download = client.get(&path).await;
        assert_eq!(download.status, StatusCode::OK);
        assert_eq!(download.bytes, content);
        let mut other = signed_in(&app, &stranger).await;
        assert_eq!(other.get(&path).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED);
        // Nor can another administration upload to the case.
        let page = other.get("/cases").await;
        assert_eq!(page.status, StatusCode::OK);
        let refused = other
            .post_multipart(
                &format!("/cases/{id}/wizard/product"),
                &[("product_name", "X")],
                Some(("x.pdf", "application/pdf", b"%PDF-1.4 x")),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(store::documents(&app.db.conn, id).await.unwrap().len(), 1);
        app.close().await;
    }
}

#[tokio::test]
async fn a_case_is_withdrawn_or_marked_not_applicable_after_a_confirmation() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let mut client = signed_in(&app, &member).await;

        // Not applicable: only while the case is opened; an exclusion, a reason, the box.
        let first = open_case(&mut client, bologna.id, "Acquisto di stampanti").await;
        let page = client.get(&format!("/cases/{first}/wizard")).await;
        assert_eq!(page.all("#not-applicable-form").len(), 1);
        assert_eq!(page.all("#f-exclusion option").len(), 7);
        let refused = client
            .post_form(
                &format!("/cases/{first}/wizard/not-applicable?lang=en"),
                &[
                    ("exclusion", "hardware"),
                    ("na_motivation", "Solo hardware"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.text("#f-na_confirm-error"),
            "Tick the box to confirm."
        );
        assert_eq!(refused.text("#f-na_motivation"), "Solo hardware");
        assert_eq!(state_of(&app, first).await, State::Opened);
        step(
            &mut client,
            first,
            "not-applicable",
            &[
                ("exclusion", "hardware"),
                ("na_motivation", "Solo hardware"),
                ("na_confirm", "on"),
            ],
        )
        .await;
        assert_eq!(state_of(&app, first).await, State::NotApplicable);
        let page = client.get(&format!("/cases/{first}/wizard")).await;
        assert!(page.all("#withdraw-form").is_empty());
        assert!(page.all("#not-applicable-form").is_empty());

        // Withdrawn: from any state but the terminal ones, with a reason and the box.
        let second = open_case(&mut client, bologna.id, "Gestione delle sale").await;
        step(&mut client, second, "needs", NEEDS).await;
        let page = client.get(&format!("/cases/{second}/wizard")).await;
        assert!(page.all("#not-applicable-form").is_empty());
        assert_eq!(page.all("#withdraw-form").len(), 1);
        let refused = client
            .post_form(
                &format!("/cases/{second}/wizard/withdraw?lang=it"),
                &[("withdraw_confirm", "on")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!refused.text("#f-withdraw_motivation-error").is_empty());
        assert_eq!(state_of(&app, second).await, State::NeedsDefined);
        step(
            &mut client,
            second,
            "withdraw",
            &[
                ("withdraw_motivation", "Il servizio è stato esternalizzato"),
                ("withdraw_confirm", "on"),
            ],
        )
        .await;
        assert_eq!(state_of(&app, second).await, State::Withdrawn);
        let stored = store::load(&app.db.conn, second).await.unwrap().unwrap();
        assert_eq!(
            stored.case.withdrawn.as_deref(),
            Some("Il servizio è stato esternalizzato")
        );
        // Nothing moves a withdrawn case.
        let refused = client
            .post_form(
                &format!("/cases/{second}/wizard/withdraw"),
                &[
                    ("withdraw_motivation", "Di nuovo"),
                    ("withdraw_confirm", "on"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(state_of(&app, second).await, State::Withdrawn);
        app.close().await;
    }
}

#[tokio::test]
async fn an_evaluation_sent_back_shows_the_guards_on_the_values_just_sent() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let bologna = organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap();
        let member = person(&app.db, "rtd@comune.bologna.example", None).await;
        member_of(&app.db, &member, bologna.id).await;
        let comunica = software_id(&app, "ComunicaPA").await;
        let comunica_s = comunica.to_string();
        let mut client = signed_in(&app, &member).await;
        let id = open_case(&mut client, bologna.id, "Comunicazioni").await;
        step(&mut client, id, "needs", NEEDS).await;
        step(&mut client, id, "start", &[]).await;
        step(&mut client, id, "search", &[("q", "ComunicaPA")]).await;
        step(
            &mut client,
            id,
            "shortlist",
            &[("candidate", comunica_s.as_str())],
        )
        .await;
        // A first evaluation within budget and time is stored.
        step(
            &mut client,
            id,
            "evaluate",
            &[
                ("software", comunica_s.as_str()),
                ("coverage_0", "covered"),
                ("coverage_1", "covered"),
                ("tco_cloud", "3000"),
                ("days", "60"),
            ],
        )
        .await;
        // A second one over budget and time with a coverage left out: sent back, and the guards
        // shown are those of the values just sent, not the stored evaluation's.
        let refused = client
            .post_form(
                &format!("/cases/{id}/wizard/evaluate?lang=en"),
                &[
                    ("software", comunica_s.as_str()),
                    ("coverage_0", "covered"),
                    ("coverage_1", "nonsense"),
                    ("tco_cloud", "9000"),
                    ("tco_training", "2000"),
                    ("days", "150"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let lines: Vec<String> = refused
            .all("#submitted-assessment li")
            .iter()
            .map(|li| li.text().collect::<String>())
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("S_TCO") && lines[0].ends_with("not met"),
            "{lines:?}"
        );
        assert!(
            lines[0].contains("11,000") || lines[0].contains("11.000"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("S_tempi") && lines[1].ends_with("not met"),
            "{lines:?}"
        );
        assert!(lines[1].contains("150"), "{lines:?}");
        // A total that does not read is named as such.
        let refused = client
            .post_form(
                &format!("/cases/{id}/wizard/evaluate?lang=en"),
                &[
                    ("software", comunica_s.as_str()),
                    ("coverage_0", "covered"),
                    ("coverage_1", "covered"),
                    ("tco_cloud", "tremila"),
                    ("days", "30"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = refused.text("#submitted-assessment");
        assert!(text.contains("not a number"), "{text}");
        assert!(text.contains("S_tempi") && text.contains(": met"), "{text}");
        // A page not sent back shows no such lines.
        let page = client
            .get(&format!("/cases/{id}/wizard?candidate={comunica}"))
            .await;
        assert!(page.all("#submitted-assessment").is_empty());
        app.close().await;
    }
}
