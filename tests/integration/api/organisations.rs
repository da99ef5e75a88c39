//! `/api/v1/organisations` on both databases: organisations by IPA code, case-insensitive, and
//! their software, with cursors.

use axum::http::StatusCode;

use super::redact;
use crate::support::db::BACKENDS;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn organisations_by_ipa_code_and_their_software() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).synthetic(30).build().await;
        let list = app
            .get_json("/api/v1/organisations?page[size]=4", StatusCode::OK)
            .await;
        assert_eq!(
            list["links"]["next"],
            "/api/v1/organisations?page%5Bsize%5D=4&page%5Bafter%5D=4"
        );
        insta::assert_json_snapshot!("organisations_list", redact(list.clone()));
        let second = app
            .get_json(list["links"]["next"].as_str().unwrap(), StatusCode::OK)
            .await;
        assert_eq!(second["data"][0]["id"], 5);

        let code = list["data"][0]["ipaCode"].as_str().unwrap().to_owned();
        let org = app
            .get_json(&format!("/api/v1/organisations/{code}"), StatusCode::OK)
            .await;
        let upper = app
            .get_json(
                &format!("/api/v1/organisations/{}", code.to_uppercase()),
                StatusCode::OK,
            )
            .await;
        assert_eq!(org, upper, "IPA codes are case-insensitive");
        insta::assert_json_snapshot!("organisations_show", redact(org.clone()));

        let software = app
            .get_json(
                &format!("/api/v1/organisations/{code}/software?page[size]=2"),
                StatusCode::OK,
            )
            .await;
        insta::assert_json_snapshot!("organisations_software", redact(software.clone()));
        let mut count = 0;
        let mut next = Some(format!(
            "/api/v1/organisations/{code}/software?page[size]=2"
        ));
        while let Some(uri) = next {
            let page = app.get_json(&uri, StatusCode::OK).await;
            count += page["data"].as_array().unwrap().len() as u64;
            next = page["links"]["next"].as_str().map(str::to_owned);
        }
        assert_eq!(count, org["softwareCount"].as_u64().unwrap());

        let error = app
            .get_json("/api/v1/organisations/c_zzzz", StatusCode::NOT_FOUND)
            .await;
        assert_eq!(error["error"]["code"], "not_found");
        let error = app
            .get_json(
                "/api/v1/organisations/c_zzzz/software",
                StatusCode::NOT_FOUND,
            )
            .await;
        assert_eq!(error["error"]["code"], "not_found");
        app.close().await;
    }
}
