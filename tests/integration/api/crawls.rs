//! `/api/v1/stats` and `/api/v1/crawls` on both databases: catalog statistics, crawl runs and
//! their events, most recent first.

use axum::http::StatusCode;
use chrono::Utc;
use riuso::catalog::entities::{crawl_events, crawl_runs};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};
use serde_json::Value;

use super::redact;
use crate::support::db::BACKENDS;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn statistics_and_crawl_runs_with_their_events() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).synthetic(20).build().await;
        let stats = app.get_json("/api/v1/stats", StatusCode::OK).await;
        assert_eq!(stats["software"], 20);
        insta::assert_json_snapshot!("stats", redact(stats));

        let empty = app.get_json("/api/v1/crawls", StatusCode::OK).await;
        assert_eq!(empty["data"], Value::Array(Vec::new()));

        let now = Utc::now().fixed_offset();
        for (status, trigger) in [("finished", "schedule"), ("running", "manual")] {
            let run = crawl_runs::ActiveModel {
                trigger: Set(trigger.to_owned()),
                status: Set(status.to_owned()),
                stats: Set(r#"{"repositories":3,"new":1,"invalid":1}"#.to_owned()),
                started_at: Set(now),
                finished_at: Set((status == "finished").then_some(now)),
                ..Default::default()
            }
            .insert(&app.db.conn)
            .await
            .unwrap();
            for (outcome, message) in [
                ("new", "publiccode.yml added"),
                ("invalid", "developmentStatus: must be one of ..."),
                ("failed", "HTTP 429 from the forge; retried later"),
            ] {
                crawl_events::ActiveModel {
                    crawl_run_id: Set(Some(run.id)),
                    software_id: Set(Some(1)),
                    outcome: Set(outcome.to_owned()),
                    message: Set(message.to_owned()),
                    at: Set(now),
                    ..Default::default()
                }
                .insert(&app.db.conn)
                .await
                .unwrap();
            }
        }
        let runs = app
            .get_json("/api/v1/crawls?page[size]=1", StatusCode::OK)
            .await;
        assert_eq!(runs["data"][0]["id"], 2, "most recent first");
        insta::assert_json_snapshot!("crawls_list", redact(runs.clone()));
        let older = app
            .get_json(runs["links"]["next"].as_str().unwrap(), StatusCode::OK)
            .await;
        assert_eq!(older["data"][0]["id"], 1);
        assert!(older["links"].get("next").is_none());

        let run = app.get_json("/api/v1/crawls/1", StatusCode::OK).await;
        insta::assert_json_snapshot!("crawls_show", redact(run));
        let events = app
            .get_json("/api/v1/crawls/1/events?page[size]=2", StatusCode::OK)
            .await;
        insta::assert_json_snapshot!("crawls_events", redact(events));

        for uri in [
            "/api/v1/crawls/99",
            "/api/v1/crawls/99/events",
            "/api/v1/crawls/x",
        ] {
            let error = app.get_json(uri, StatusCode::NOT_FOUND).await;
            assert_eq!(error["error"]["code"], "not_found", "{uri}");
        }
        app.close().await;
    }
}
