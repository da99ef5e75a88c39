//! `/api/v1/software` on both databases: search with facets and cursors, and one entry with its
//! snapshot history. Both databases must give the same JSON: each snapshot is shared by the two
//! runs.

use axum::http::StatusCode;
use chrono::Utc;
use riuso::catalog::{self, Fetched, Origin};
use riuso::pipeline;
use riuso::publiccode::{self, Context, Limits, Outcome};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, EntityTrait as _};
use serde_json::Value;

use super::redact;
use crate::support::db::BACKENDS;
use crate::support::fixtures;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn software_search_pages_filters_and_refusals() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).synthetic(30).build().await;

        let page = app
            .get_json(
                "/api/v1/software?claim=spid&sort=name&page[size]=3",
                StatusCode::OK,
            )
            .await;
        let mut shown = page.clone();
        shown["links"]["next"] = Value::String("[cursor]".to_owned());
        insta::assert_json_snapshot!("software_list", redact(shown));

        // Following links.next visits every match once, in order.
        let total = page["total"].as_u64().unwrap();
        let mut names: Vec<String> = Vec::new();
        let mut next = Some("/api/v1/software?claim=spid&sort=name&page[size]=3".to_owned());
        while let Some(uri) = next {
            let page = app.get_json(&uri, StatusCode::OK).await;
            for hit in page["data"].as_array().unwrap() {
                names.push(hit["slug"].as_str().unwrap().to_owned());
            }
            next = page["links"]["next"].as_str().map(str::to_owned);
        }
        assert_eq!(names.len() as u64, total, "{backend:?}");
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            names.len(),
            "{backend:?}: a page repeated an entry"
        );

        // Words match names first (and also the labels of a scope or category: the healthcare
        // scope reads "Sanità").
        let text = app
            .get_json("/api/v1/software?q=sanita", StatusCode::OK)
            .await;
        assert!(text["total"].as_u64().unwrap() > 0, "{backend:?}");
        let first = &text["data"][0];
        assert!(
            first["name"].as_str().unwrap().contains("sanità"),
            "{first}"
        );

        for (uri, code) in [
            ("/api/v1/software?page[size]=101", "bad_request"),
            ("/api/v1/software?page[size]=0", "bad_request"),
            ("/api/v1/software?colour=red", "bad_request"),
            ("/api/v1/software?active=maybe", "bad_request"),
            ("/api/v1/software?sort=random", "bad_request"),
            ("/api/v1/software?sort=", "bad_request"),
            ("/api/v1/software?q=a&q=b", "bad_request"),
        ] {
            let error = app.get_json(uri, StatusCode::BAD_REQUEST).await;
            assert_eq!(error["error"]["code"], code, "{uri}");
        }
        let error = app
            .get_json(
                "/api/v1/software?page[after]=garbage",
                StatusCode::NOT_FOUND,
            )
            .await;
        assert_eq!(error["error"]["code"], "invalid_cursor");
        app.close().await;
    }
}

#[tokio::test]
async fn one_entry_with_its_current_snapshot_and_history() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).build().await;
        let origin = Origin {
            repository_url: "https://github.com/comune-esempio/protocollo",
            forge: "github",
            facts: None,
            source_ipa: None,
        };
        let valid = std::fs::read(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml"))
            .unwrap();
        let Outcome::Valid(v) = publiccode::check(&valid, &Limits::default(), &Context::default())
        else {
            panic!("the fixture is valid")
        };
        let fetched = |bytes| Fetched {
            bytes,
            commit: Some("0123456789abcdef"),
            fetched_at: Utc::now(),
        };
        pipeline::ingest_valid(
            &app.db.conn,
            origin,
            fetched(&valid),
            &v,
            &pipeline::Upkeep::default(),
        )
        .await
        .unwrap();
        let invalid = std::fs::read(
            fixtures().join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
        )
        .unwrap();
        let inspected = publiccode::inspect(&invalid, &Limits::default(), &Context::default());
        assert!(!inspected.outcome.is_valid(), "the fixture is invalid");
        pipeline::ingest(
            &app.db.conn,
            origin,
            fetched(&invalid),
            &inspected,
            &pipeline::Upkeep::default(),
        )
        .await
        .unwrap();

        let by_slug = app
            .get_json("/api/v1/software/comune-esempio-protocollo", StatusCode::OK)
            .await;
        let id = by_slug["id"].as_i64().unwrap();
        let by_id = app
            .get_json(&format!("/api/v1/software/{id}"), StatusCode::OK)
            .await;
        assert_eq!(by_slug, by_id);
        assert_eq!(
            by_slug["active"], true,
            "an invalid file after a valid one leaves the entry active through its grace"
        );
        assert_eq!(by_slug["history"].as_array().unwrap().len(), 2);
        assert_eq!(
            by_slug["current"]["valid"], true,
            "the valid file stays current"
        );
        assert_eq!(
            by_slug["invalid"]["diagnostics"][0]["code"],
            "invalid-value"
        );
        assert_eq!(by_slug["invalid"]["valid"], serde_json::Value::Null);
        assert_eq!(by_slug["invalid"]["snapshot"]["valid"], false);
        let mut shown = by_slug.clone();
        shown["invalid"]["since"] = serde_json::json!("[timestamp]");
        insta::assert_json_snapshot!("software_show", redact(shown));

        // The vitality series as stored comes out as numbers; one that does not read as 0-100
        // integers comes out empty, never as an error.
        let entry = riuso::catalog::entities::software::Entity::find_by_id(id)
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap();
        let series: Vec<u8> = (0..60).map(|d| if d == 59 { 81 } else { 61 }).collect();
        let record = catalog::vitality::VitalityRecord {
            index: 61,
            series: series.clone(),
            window_end: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            facts: catalog::vitality::VitalityFacts::default(),
        };
        catalog::vitality::record(&app.db.conn, &entry, &record)
            .await
            .unwrap();
        let shown = app
            .get_json(&format!("/api/v1/software/{id}"), StatusCode::OK)
            .await;
        assert_eq!(shown["vitality"], 61.0);
        assert_eq!(shown["vitalitySeries"], serde_json::json!(series));
        riuso::catalog::entities::software::ActiveModel {
            id: Set(id),
            vitality_series: Set(Some("61,61,oops".to_owned())),
            ..Default::default()
        }
        .update(&app.db.conn)
        .await
        .unwrap();
        let shown = app
            .get_json(&format!("/api/v1/software/{id}"), StatusCode::OK)
            .await;
        assert_eq!(shown["vitalitySeries"], serde_json::json!([]));

        // An inactive entry (its file never valid) is not listed by default, but is with
        // active=false.
        let never = Origin {
            repository_url: "https://github.com/comune-esempio/rotto",
            ..origin
        };
        pipeline::ingest(
            &app.db.conn,
            never,
            fetched(&invalid),
            &inspected,
            &pipeline::Upkeep::default(),
        )
        .await
        .unwrap();
        let listed = app
            .get_json("/api/v1/software?active=false", StatusCode::OK)
            .await;
        assert_eq!(listed["data"][0]["slug"], "comune-esempio-rotto");
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);

        for uri in [
            "/api/v1/software/no-such-entry",
            "/api/v1/software/999999",
            "/api/v1/software/bad%20slug!",
        ] {
            let error = app.get_json(uri, StatusCode::NOT_FOUND).await;
            assert_eq!(error["error"]["code"], "not_found", "{uri}");
        }
        app.close().await;
    }
}
