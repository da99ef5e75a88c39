//! `/api/v1/rules` and `/api/v1/reviews`: the rule set, an entry's checks and review (public
//! while the entry is), and the reviewers' queue (401 and 403 as JSON to anyone else), on both
//! databases.

use axum::http::StatusCode;
use riuso::community::accounts::SiteRole;
use riuso::compliance::RULESET_VERSION;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, EntityTrait as _};

use crate::community::slug_of;
use crate::support::db::BACKENDS;
use crate::support::review::{check_all, person, signed_in};
use crate::support::test_app::TestApp;

#[tokio::test]
async fn the_rule_set_in_both_languages() {
    let app = TestApp::new().build().await;
    let rules = app.get_json("/api/v1/rules", StatusCode::OK).await;
    assert_eq!(rules["rulesetVersion"], RULESET_VERSION);
    let data = rules["data"].as_array().unwrap();
    assert_eq!(data.len(), riuso::compliance::RuleId::ALL.len());
    let osi = data.iter().find(|r| r["id"] == "licence.osi").unwrap();
    assert_eq!(osi["severity"], "error");
    assert!(osi["section"].as_str().unwrap().contains("§2.4"));
    assert!(osi["description"]["it"].as_str().unwrap().contains("OSI"));
    assert!(osi["fix"]["en"].as_str().unwrap().contains("OSI-approved"));
    app.close().await;
}

#[tokio::test]
async fn reviews_are_public_and_the_queue_is_for_reviewers() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let slug = slug_of(&app.db, "ComunicaPA").await;
        // Before any check: discovered, no results.
        let before = app
            .get_json(&format!("/api/v1/reviews/{slug}"), StatusCode::OK)
            .await;
        assert_eq!(before["state"], "discovered");
        assert_eq!(before["results"].as_array().unwrap().len(), 0);

        check_all(&app).await;
        let review = app
            .get_json(&format!("/api/v1/reviews/{slug}"), StatusCode::OK)
            .await;
        assert_eq!(review["state"], "auto-checked");
        assert_eq!(review["rulesetVersion"], RULESET_VERSION);
        assert_eq!(review["checkedSnapshotId"], review["snapshotId"]);
        let results = review["results"].as_array().unwrap();
        assert_eq!(results.len(), riuso::compliance::RuleId::ALL.len());
        let file = results.iter().find(|r| r["rule"] == "file.valid").unwrap();
        assert_eq!(file["outcome"], "pass");
        assert_eq!(file["keyPath"], "publiccode.yml");
        let events = review["events"].as_array().unwrap();
        assert_eq!(events[0]["transition"], "auto-check");
        assert_eq!(events[0]["role"], "system");
        assert!(events[0].get("user").is_none(), "no user ids in public");

        // The queue: 401, 403, then the page, paged and filtered.
        let anonymous = app
            .get_json("/api/v1/reviews", StatusCode::UNAUTHORIZED)
            .await;
        assert_eq!(anonymous["error"]["code"], "sign_in");
        let nobody = person(&app.db, "n@example.org", None).await;
        let forbidden = signed_in(&app, &nobody)
            .await
            .get_json("/api/v1/reviews", StatusCode::FORBIDDEN)
            .await;
        assert_eq!(forbidden["error"]["code"], "forbidden");
        let reviewer = person(&app.db, "r@example.org", Some(SiteRole::Reviewer)).await;
        let mut client = signed_in(&app, &reviewer).await;
        let first = client
            .get_json("/api/v1/reviews?page[size]=5", StatusCode::OK)
            .await;
        assert_eq!(first["data"].as_array().unwrap().len(), 5);
        assert_eq!(first["data"][0]["state"], "auto-checked");
        let next = first["links"]["next"].as_str().unwrap().to_owned();
        let second = client.get_json(&next, StatusCode::OK).await;
        assert_eq!(second["data"].as_array().unwrap().len(), 3);
        assert!(second["links"].get("next").is_none());
        let milano = client
            .get_json("/api/v1/reviews?publisher=c_f205", StatusCode::OK)
            .await;
        assert_eq!(milano["data"].as_array().unwrap().len(), 4);
        let none = client
            .get_json("/api/v1/reviews?state=compliant", StatusCode::OK)
            .await;
        assert_eq!(none["data"].as_array().unwrap().len(), 0);
        let bad = client
            .get_json("/api/v1/reviews?rule=nope", StatusCode::BAD_REQUEST)
            .await;
        assert!(
            bad["error"]["message"]
                .as_str()
                .unwrap()
                .contains("licence.osi")
        );
        client
            .get_json("/api/v1/reviews?colour=red", StatusCode::BAD_REQUEST)
            .await;

        // An inactive entry's review is for reviewers only.
        let entry = riuso::catalog::entities::software::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.slug == slug)
            .unwrap();
        let mut hidden: riuso::catalog::entities::software::ActiveModel = entry.into();
        hidden.active = Set(false);
        hidden.update(&app.db.conn).await.unwrap();
        app.get_json(&format!("/api/v1/reviews/{slug}"), StatusCode::NOT_FOUND)
            .await;
        client
            .get_json(&format!("/api/v1/reviews/{slug}"), StatusCode::OK)
            .await;
        app.close().await;
    }
}

#[tokio::test]
async fn a_method_the_review_routes_do_not_have_is_405_not_a_session_refusal() {
    let app = TestApp::new().demo().build().await;
    let slug = slug_of(&app.db, "ComunicaPA").await;
    for path in [
        "/api/v1/reviews".to_owned(),
        format!("/api/v1/reviews/{slug}"),
    ] {
        for method in ["POST", "PUT", "DELETE"] {
            let request = axum::http::Request::builder()
                .method(method)
                .uri(&path)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = app.send(request).await;
            assert_eq!(
                response.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {}",
                response.body
            );
        }
    }
    app.close().await;
}

#[tokio::test]
async fn the_queue_refuses_an_empty_or_padded_filter_the_page_takes_as_any() {
    let app = TestApp::new().demo().build().await;
    check_all(&app).await;
    let reviewer = person(&app.db, "rev@example.org", Some(SiteRole::Reviewer)).await;
    let mut client = signed_in(&app, &reviewer).await;
    for query in [
        "age=",
        "assignee=",
        "state=",
        "rule=",
        "publisher=",
        "state=%20compliant",
    ] {
        let answer = client.get(&format!("/api/v1/reviews?{query}")).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            answer.body
        );
        let name = query.split('=').next().unwrap();
        assert!(answer.body.contains(name), "{query}: {}", answer.body);
    }
    let exact = client
        .get_json(
            "/api/v1/reviews?state=auto-checked&publisher=C_F646",
            StatusCode::OK,
        )
        .await;
    assert_eq!(exact["data"].as_array().unwrap().len(), 2, "{exact}");
    // The page takes a form's empty choices as "any".
    let page = client
        .get("/review?state=&rule=&publisher=&assignee=&age=")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    app.close().await;
}
