//! `/review` (the reviewers' queue, its CSV and bulk assignment), `/review/{slug}` (claim,
//! record an outcome through the guards, give back) and `/software/{slug}/release` (the
//! owner's release checklist), on both databases.

use axum::http::StatusCode;
use riuso::community::accounts::SiteRole;

use crate::community::slug_of;
use crate::support::db::BACKENDS;
use crate::support::review::{check_all, member_of, person, signed_in};
use crate::support::test_app::TestApp;

/// The fields of a complete checklist, every item confirmed.
fn checklist() -> Vec<(String, String)> {
    [
        "declared-compliance",
        "ownership",
        "licence-motivation",
        "accessibility-declaration",
        "copyright-holder",
    ]
    .iter()
    .flat_map(|item| {
        [
            (format!("verdict.{item}"), "confirmed".to_owned()),
            (format!("note.{item}"), format!("{item} looked at")),
        ]
    })
    .collect()
}

#[tokio::test]
async fn the_queue_is_for_reviewers_and_filters_pages_and_exports() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        check_all(&app).await;
        let reviewer = person(&app.db, "rev@example.org", Some(SiteRole::Reviewer)).await;
        let nobody = person(&app.db, "someone@example.org", None).await;

        let anonymous = app.get("/review").await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.location(), "/account/sign-in?next=%2Freview");
        let refused = signed_in(&app, &nobody).await.get("/review").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let mut client = signed_in(&app, &reviewer).await;
        let page = client.get("/review?lang=en").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let rows = page.all("table.review-queue tbody tr");
        assert_eq!(rows.len(), 8, "every demo entry is in the queue");
        assert!(page.body.contains("Checked automatically"));

        let empty = client.get("/review?state=under-review&lang=en").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.all("#empty-queue").len() == 1, "{}", empty.body);

        let bad = client.get("/review?state=nonsense&lang=en").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("nonsense"), "{}", bad.body);

        // Montesilvano's two entries only.
        let by_publisher = client.get("/review?publisher=c_f646&lang=en").await;
        assert_eq!(by_publisher.all("table.review-queue tbody tr").len(), 2);

        // The CSV of the same filter, one line per entry under a header.
        let csv = client.get("/review.csv?publisher=c_f646&lang=en").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 3, "{}", csv.body);
        assert!(lines[0].starts_with("Solution,Publisher"), "{}", lines[0]);
        assert!(csv.body.contains("ComunicaPA"));
        app.close().await;
    }
}

#[tokio::test]
async fn a_reviewer_claims_records_through_the_guards_and_the_owner_sees_it() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        check_all(&app).await;
        let reviewer = person(&app.db, "rev@example.org", Some(SiteRole::Reviewer)).await;
        let other = person(&app.db, "other@example.org", Some(SiteRole::Reviewer)).await;
        let slug = slug_of(&app.db, "ComunicaPA").await;
        let mut client = signed_in(&app, &reviewer).await;

        let page = client.get(&format!("/review/{slug}?lang=en")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.all("#claim").len() == 1);
        assert!(
            page.all("#record-form").is_empty(),
            "no form before the claim"
        );

        let claimed = client
            .post_form(&format!("/review/{slug}/claim"), &[])
            .await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
        let page = client.get(&format!("/review/{slug}?lang=en")).await;
        assert_eq!(page.text("#review-state"), "Under review");
        assert_eq!(page.all("#record-form").len(), 1);

        // Another reviewer sees who has it, and cannot record.
        let mut second = signed_in(&app, &other).await;
        let theirs = second.get(&format!("/review/{slug}?lang=en")).await;
        assert!(theirs.text("#held-by").contains("rev"), "{}", theirs.body);
        let snapshot = page.all("input[name=snapshot]")[0]
            .value()
            .attr("value")
            .unwrap()
            .to_owned();
        let mut fields = checklist();
        fields.push(("snapshot".to_owned(), snapshot.clone()));
        fields.push(("outcome".to_owned(), "compliant".to_owned()));
        let as_pairs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
        let pairs = as_pairs(&fields);
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let not_theirs = second
            .post_form(&format!("/review/{slug}/record?lang=en"), &refs)
            .await;
        assert_eq!(not_theirs.status, StatusCode::BAD_REQUEST);
        assert!(not_theirs.body.contains("Another reviewer has this entry"));

        // An incomplete checklist is refused, in the reader's language, with what was sent.
        let incomplete: Vec<(&str, &str)> = refs
            .iter()
            .copied()
            .filter(|(k, _)| !k.ends_with("ownership"))
            .chain([("remark", "README senza manutentori")])
            .collect();
        let refused = client
            .post_form(&format!("/review/{slug}/record?lang=it"), &incomplete)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.text("#form-error").contains("Titolarità"),
            "{}",
            refused.text("#form-error")
        );
        assert!(
            refused.body.contains("README senza manutentori"),
            "the draft comes back"
        );

        // Compliant with remarks needs a remark; with one, it is recorded.
        let mut with_remarks: Vec<(&str, &str)> = refs
            .iter()
            .copied()
            .filter(|(k, _)| *k != "outcome")
            .collect();
        with_remarks.push(("outcome", "compliant-with-remarks"));
        let needs = client
            .post_form(&format!("/review/{slug}/record?lang=en"), &with_remarks)
            .await;
        assert_eq!(needs.status, StatusCode::BAD_REQUEST);
        assert!(needs.body.contains("needs at least one finding or remark"));
        with_remarks.extend([
            ("remark", "The README does not name the maintainers"),
            ("remark_item", "copyright-holder"),
            ("remark_fix", "Add a Maintainers section"),
        ]);
        let recorded = client
            .post_form(&format!("/review/{slug}/record"), &with_remarks)
            .await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);

        // The owner (anyone) sees the outcome and the findings on the software page.
        let public = app.get(&format!("/software/{slug}?lang=en")).await;
        assert_eq!(public.text("#review-state"), "Compliant with remarks");
        let findings = public.text("#findings");
        assert!(
            findings.contains("The README does not name the maintainers"),
            "{findings}"
        );
        assert!(findings.contains("Add a Maintainers section"), "{findings}");
        let italian = app.get(&format!("/software/{slug}?lang=it")).await;
        assert_eq!(italian.text("#review-state"), "Conforme con osservazioni");

        // The API tells the same, with the events' public part.
        let json = app
            .get_json(&format!("/api/v1/reviews/{slug}"), StatusCode::OK)
            .await;
        assert_eq!(json["state"], "compliant-with-remarks");
        assert_eq!(
            json["outcome"]["findings"][0]["subject"],
            "copyright-holder"
        );
        let moves: Vec<&str> = json["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["transition"].as_str().unwrap())
            .collect();
        assert_eq!(moves, ["auto-check", "claim", "record"]);

        // The publisher page lists the state of each of its solutions.
        let publisher = app.get("/publishers/c_f646?lang=en").await;
        assert!(
            publisher
                .text("#publisher-compliance")
                .contains("Compliant with remarks")
        );
        app.close().await;
    }
}

#[tokio::test]
async fn entries_are_assigned_in_bulk_and_given_back() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        check_all(&app).await;
        let lead = person(&app.db, "lead@example.org", Some(SiteRole::Admin)).await;
        let reviewer = person(&app.db, "rev@example.org", Some(SiteRole::Reviewer)).await;
        let nobody = person(&app.db, "nobody@example.org", None).await;
        let mut client = signed_in(&app, &lead).await;
        let page = client.get("/review?publisher=c_f205&lang=en").await;
        let ids: Vec<String> = page
            .all("input[name=software]")
            .iter()
            .map(|i| i.value().attr("value").unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 4, "Milano's entries");
        let to = reviewer.id.to_string();
        let mut fields: Vec<(&str, &str)> = ids[..3]
            .iter()
            .map(|id| ("software", id.as_str()))
            .collect();
        fields.push(("reviewer", &to));
        fields.push(("publisher", "c_f205"));
        let done = client.post_form("/review/assign", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(
            done.location().contains("assigned=3"),
            "{}",
            done.location()
        );
        assert!(
            done.location().contains("publisher=c_f205"),
            "{}",
            done.location()
        );

        let mine = client
            .get(&format!("/review?assignee={}&lang=en", reviewer.id))
            .await;
        assert_eq!(mine.all("table.review-queue tbody tr").len(), 3);
        assert!(mine.body.contains("Under review"));

        // Only reviewers may be given entries.
        let wrong = nobody.id.to_string();
        let refused = client
            .post_form(
                "/review/assign",
                &[("software", ids[3].as_str()), ("reviewer", &wrong)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);

        // The reviewer gives one back: it returns to the queue unassigned.
        let mut theirs = signed_in(&app, &reviewer).await;
        let slug = mine.all("table.review-queue tbody tr td a")[0]
            .value()
            .attr("href")
            .unwrap()
            .trim_start_matches("/review/")
            .to_owned();
        theirs.get(&format!("/review/{slug}")).await;
        let back = theirs
            .post_form(&format!("/review/{slug}/release"), &[("note", "on leave")])
            .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
        let mine = client
            .get(&format!("/review?assignee={}&lang=en", reviewer.id))
            .await;
        assert_eq!(mine.all("table.review-queue tbody tr").len(), 2);
        app.close().await;
    }
}

#[tokio::test]
async fn the_release_checklist_is_for_the_owner() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        check_all(&app).await;
        let slug = slug_of(&app.db, "ComunicaPA").await;
        let owner = riuso::catalog::organisations::for_ipa(
            &app.db.conn,
            "c_f646",
            "Comune di Montesilvano",
        )
        .await
        .unwrap();
        let member = person(&app.db, "m@montesilvano.example", None).await;
        member_of(&app.db, &member, owner.id).await;
        let stranger = person(&app.db, "x@milano.example", None).await;
        let path = format!("/software/{slug}/release");

        assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED);
        let refused = signed_in(&app, &stranger).await.get(&path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let mut client = signed_in(&app, &member).await;
        let page = client.get(&format!("{path}?lang=en")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.all("table.release-checklist tbody tr").len(), 9);
        // Ownership is for a person to confirm; the crawl has no clone here, so the prepared
        // repository is not known yet.
        assert!(page.text("#step-ownership").contains("To confirm"));
        assert!(
            page.text("#step-repository-prepared")
                .contains("Not known yet")
        );
        assert!(!page.text("#next-step").is_empty());
        let software = client.get(&format!("/software/{slug}?lang=en")).await;
        assert!(
            software.body.contains(&path),
            "the owner finds the checklist"
        );
        let italian = client.get(&format!("{path}?lang=it")).await;
        assert!(italian.text("#step-ownership").contains("Da confermare"));
        app.close().await;
    }
}
