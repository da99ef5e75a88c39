//! The whole path of a reuse declaration, on both databases: sign up, confirm the address from
//! the mail, sign in, claim an administration, confirmation by its registered address, declare,
//! notify the owner, the crawl that acknowledges it, and an account deleted afterwards.

use axum::http::StatusCode;

use super::{PASSWORD, deliver, link_in_mail, slug_of};
use crate::support::db::BACKENDS;
use crate::support::smtp::SmtpSink;
use crate::support::test_app::TestApp;

const ADA: &str = "ada@comune.bologna.example.it";
const BOLOGNA_PEC: &str = "protocollo@pec.bologna.example.invalid";

#[tokio::test]
async fn sign_up_to_an_acknowledged_declaration() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let sink = SmtpSink::start().await;
        let mut ada = app.client();

        // Anonymous: the account page asks to sign in.
        let page = ada.get("/account").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{backend:?}");
        assert!(!page.all("a[href^='/account/sign-in']").is_empty());

        // Sign up; the answer does not say whether the address was known.
        assert_eq!(ada.get("/account/sign-up").await.status, StatusCode::OK);
        assert!(ada.has_cookie("riuso_csrf"));
        let page = ada
            .post_form(
                "/account/sign-up",
                &[
                    ("name", "Ada Lovelace"),
                    ("email", ADA),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        deliver(&app.db, &sink).await;
        let verify = link_in_mail(&sink, ADA, "/account/verify/").await;

        // Not verified yet: a claim is refused with the reason.
        ada.get("/account/sign-in").await;
        let page = ada
            .post_form(
                "/account/sign-in",
                &[("email", ADA), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.text("#form-error").contains("password"),
            "{}",
            page.body
        );
        let page = ada
            .post_form(
                "/account/sign-in",
                &[
                    ("email", "ADA@Comune.Bologna.example.it"),
                    ("password", PASSWORD),
                    ("next", "/account"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), "/account");
        ada.get("/account").await;
        let page = ada
            .post_form(
                "/account/memberships",
                &[("code", "c_a944"), ("role", "admin")],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(
            page.text("#form-error").contains("e-mail"),
            "{}",
            page.text("#form-error")
        );

        // The link of the mail verifies the address.
        assert_eq!(ada.get(&verify).await.status, StatusCode::OK);
        assert_eq!(
            ada.get(&verify).await.status,
            StatusCode::BAD_REQUEST,
            "single use"
        );

        // Claim Bologna: an unknown code is refused; the confirmation goes to its PEC.
        ada.get("/account").await;
        let page = ada
            .post_form(
                "/account/memberships",
                &[("code", "c_zzzz_not"), ("role", "admin")],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let page = ada
            .post_form(
                "/account/memberships",
                &[("code", "C_A944"), ("role", "admin")],
            )
            .await;
        assert_eq!(page.location(), "/account?notice=claim_sent");
        deliver(&app.db, &sink).await;
        let confirm = link_in_mail(&sink, BOLOGNA_PEC, "/memberships/confirm/").await;

        // The administration's office (not signed in) reads who asks, then confirms.
        let mut office = app.client();
        let page = office.get(&confirm).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ada Lovelace") && page.body.contains(ADA));
        assert_eq!(office.post_form(&confirm, &[]).await.status, StatusCode::OK);
        let page = ada.get("/account").await;
        assert!(page.text("#memberships").contains("Comune di Bologna"));

        // Declare on a Montesilvano solution; the owner is asked through an issue.
        let slug = slug_of(&app.db, "ComunicaPA").await;
        let page = ada.get(&format!("/software/{slug}")).await;
        assert_eq!(
            page.all("#declare-form select option").len(),
            1,
            "{}",
            page.body
        );
        let bologna = page.all("#declare-form select option")[0]
            .value()
            .attr("value")
            .unwrap()
            .to_owned();
        let page = ada
            .post_form(
                &format!("/software/{slug}/declarations"),
                &[
                    ("organisation", bologna.as_str()),
                    ("version", "1.4.2"),
                    ("since", "2025-03-01"),
                    ("modified", "yes"),
                    (
                        "variant_url",
                        "https://gitlab.example.org/bologna/comunicapa",
                    ),
                    ("note", "In uso per le comunicazioni ai cittadini."),
                    ("contact", "ced@comune.bologna.example.it"),
                ],
            )
            .await;
        let declaration = page.location();
        assert!(declaration.starts_with("/declarations/"), "{declaration}");
        let page = ada.get(&declaration).await;
        let issue = page.all("#open-issue")[0]
            .value()
            .attr("href")
            .unwrap()
            .to_owned();
        assert!(
            issue.starts_with(
                "https://github.com/Comune-di-Montesilvano/ComunicaPA/issues/new?title="
            ),
            "{issue}"
        );
        assert!(page.text("#notice-body").contains("c_a944"));
        assert!(page.text("#notice-body").contains("  - Comune di Bologna"));
        let page = ada
            .post_form(
                &format!("{declaration}/issue"),
                &[("issue_url", "https://evil.example.org/issues/1")],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "the issue is on the owner's forge"
        );
        ada.post_form(
            &format!("{declaration}/issue"),
            &[(
                "issue_url",
                "https://github.com/Comune-di-Montesilvano/ComunicaPA/issues/7",
            )],
        )
        .await;
        let page = app.get(&format!("/software/{slug}")).await;
        assert!(page.text("#declarations").contains("Comune di Bologna"));
        let page = app.get("/publishers/c_a944").await;
        assert_eq!(page.all("#publisher-declarations").len(), 1);
        assert!(page.text("#publisher-declarations").contains("ComunicaPA"));
        let page = app.get("/publishers/c_f646").await;
        assert!(
            page.text("#publisher-declarations")
                .contains("Comune di Bologna")
        );
        let api = app
            .get(&format!("/api/v1/software/{slug}/declarations"))
            .await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(json["data"][0]["status"], "notified", "{json}");
        assert_eq!(json["data"][0]["ipaCode"], "c_a944");
        assert_eq!(json["data"][0]["verified"], true);

        // The owner adds Bologna to usedBy; the next crawl acknowledges the declaration.
        let original = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/demo/Comune-di-Montesilvano__ComunicaPA.yml"
        ))
        .unwrap();
        let updated = format!("{original}\nusedBy:\n  - Comune di Bologna\n");
        app.ingest(
            "https://github.com/Comune-di-Montesilvano/ComunicaPA",
            updated.as_bytes(),
        )
        .await;
        let api = app
            .get(&format!("/api/v1/software/{slug}/declarations"))
            .await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(json["data"][0]["status"], "acknowledged", "{json}");
        assert_eq!(json["data"][0]["acknowledgedVia"], "crawl");

        // Ada leaves: the declaration stays, by a former member.
        ada.get("/account").await;
        let page = ada
            .post_form("/account/delete", &[("password", "not it at all")])
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let page = ada
            .post_form("/account/delete", &[("password", PASSWORD)])
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(ada.get("/account").await.status, StatusCode::UNAUTHORIZED);
        let page = app.get(&format!("{declaration}?lang=en")).await;
        assert!(page.body.contains("former member"), "{}", page.body);
        sink.stop();
        app.close().await;
    }
}
