//! The catalog endpoints on both databases: search with facets and cursors, one entry with its
//! snapshot history, organisations by IPA code, statistics, crawl runs and events. Both
//! databases must give the same JSON: each snapshot is shared by the two runs.

use chrono::Utc;
use riuso::catalog::entities::{crawl_events, crawl_runs};
use riuso::catalog::{self, Fetched, Origin};
use riuso::pipeline;
use riuso::publiccode::{self, Context, Limits, Outcome};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, EntityTrait as _};
use serde_json::Value;

use super::{app, get_json, redact, seed};
use crate::support::db::BACKENDS;
use crate::support::fixtures;
use axum::http::StatusCode;

#[tokio::test]
async fn software_search_pages_filters_and_refusals() {
    for backend in BACKENDS {
        let (router, db) = app(backend, 0).await;
        seed(&db, 30).await;

        let page = get_json(
            &router,
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
            let page = get_json(&router, &uri, StatusCode::OK).await;
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

        let text = get_json(
            &router,
            "/api/v1/software?q=sanita&sort=name",
            StatusCode::OK,
        )
        .await;
        assert!(text["total"].as_u64().unwrap() > 0, "{backend:?}");
        for hit in text["data"].as_array().unwrap() {
            assert!(hit["name"].as_str().unwrap().contains("sanità"), "{hit}");
        }

        for (uri, code) in [
            ("/api/v1/software?page[size]=101", "bad_request"),
            ("/api/v1/software?page[size]=0", "bad_request"),
            ("/api/v1/software?colour=red", "bad_request"),
            ("/api/v1/software?active=maybe", "bad_request"),
            ("/api/v1/software?sort=random", "bad_request"),
            ("/api/v1/software?sort=", "bad_request"),
            ("/api/v1/software?q=a&q=b", "bad_request"),
        ] {
            let error = get_json(&router, uri, StatusCode::BAD_REQUEST).await;
            assert_eq!(error["error"]["code"], code, "{uri}");
        }
        let error = get_json(
            &router,
            "/api/v1/software?page[after]=garbage",
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(error["error"]["code"], "invalid_cursor");
        db.close().await;
    }
}

#[tokio::test]
async fn one_entry_with_its_current_snapshot_and_history() {
    for backend in BACKENDS {
        let (router, db) = app(backend, 0).await;
        let origin = Origin {
            repository_url: "https://github.com/comune-esempio/protocollo",
            forge: "github",
            facts: None,
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
        pipeline::ingest_valid(&db.conn, origin, fetched(&valid), &v)
            .await
            .unwrap();
        let invalid = std::fs::read(
            fixtures().join("parser-go/testdata/v0/invalid/developmentStatus_invalid.yml"),
        )
        .unwrap();
        let inspected = publiccode::inspect(&invalid, &Limits::default(), &Context::default());
        assert!(!inspected.outcome.is_valid(), "the fixture is invalid");
        pipeline::ingest(&db.conn, origin, fetched(&invalid), &inspected)
            .await
            .unwrap();

        let by_slug = get_json(
            &router,
            "/api/v1/software/comune-esempio-protocollo",
            StatusCode::OK,
        )
        .await;
        let id = by_slug["id"].as_i64().unwrap();
        let by_id = get_json(&router, &format!("/api/v1/software/{id}"), StatusCode::OK).await;
        assert_eq!(by_slug, by_id);
        assert_eq!(
            by_slug["active"], false,
            "an invalid file deactivates the entry"
        );
        assert_eq!(by_slug["history"].as_array().unwrap().len(), 2);
        assert_eq!(
            by_slug["current"]["diagnostics"][0]["code"],
            "invalid-value"
        );
        insta::assert_json_snapshot!("software_show", redact(by_slug));

        // The vitality series as stored comes out as numbers; one that does not read as 0-100
        // integers comes out empty, never as an error.
        let entry = riuso::catalog::entities::software::Entity::find_by_id(id)
            .one(&db.conn)
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
        catalog::vitality::record(&db.conn, &entry, &record)
            .await
            .unwrap();
        let shown = get_json(&router, &format!("/api/v1/software/{id}"), StatusCode::OK).await;
        assert_eq!(shown["vitality"], 61.0);
        assert_eq!(shown["vitalitySeries"], serde_json::json!(series));
        riuso::catalog::entities::software::ActiveModel {
            id: Set(id),
            vitality_series: Set(Some("61,61,oops".to_owned())),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        let shown = get_json(&router, &format!("/api/v1/software/{id}"), StatusCode::OK).await;
        assert_eq!(shown["vitalitySeries"], serde_json::json!([]));

        // An inactive entry is not listed by default, but is with active=false.
        let listed = get_json(&router, "/api/v1/software?active=false", StatusCode::OK).await;
        assert_eq!(listed["data"][0]["slug"], "comune-esempio-protocollo");

        for uri in [
            "/api/v1/software/no-such-entry",
            "/api/v1/software/999999",
            "/api/v1/software/bad%20slug!",
        ] {
            let error = get_json(&router, uri, StatusCode::NOT_FOUND).await;
            assert_eq!(error["error"]["code"], "not_found", "{uri}");
        }
        db.close().await;
    }
}

#[tokio::test]
async fn organisations_by_ipa_code_and_their_software() {
    for backend in BACKENDS {
        let (router, db) = app(backend, 0).await;
        seed(&db, 30).await;
        let list = get_json(
            &router,
            "/api/v1/organisations?page[size]=4",
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            list["links"]["next"],
            "/api/v1/organisations?page%5Bsize%5D=4&page%5Bafter%5D=4"
        );
        insta::assert_json_snapshot!("organisations_list", redact(list.clone()));
        let second = get_json(
            &router,
            list["links"]["next"].as_str().unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(second["data"][0]["id"], 5);

        let code = list["data"][0]["ipaCode"].as_str().unwrap().to_owned();
        let org = get_json(
            &router,
            &format!("/api/v1/organisations/{code}"),
            StatusCode::OK,
        )
        .await;
        let upper = get_json(
            &router,
            &format!("/api/v1/organisations/{}", code.to_uppercase()),
            StatusCode::OK,
        )
        .await;
        assert_eq!(org, upper, "IPA codes are case-insensitive");
        insta::assert_json_snapshot!("organisations_show", redact(org.clone()));

        let software = get_json(
            &router,
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
            let page = get_json(&router, &uri, StatusCode::OK).await;
            count += page["data"].as_array().unwrap().len() as u64;
            next = page["links"]["next"].as_str().map(str::to_owned);
        }
        assert_eq!(count, org["softwareCount"].as_u64().unwrap());

        let error = get_json(
            &router,
            "/api/v1/organisations/c_zzzz",
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(error["error"]["code"], "not_found");
        let error = get_json(
            &router,
            "/api/v1/organisations/c_zzzz/software",
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(error["error"]["code"], "not_found");
        db.close().await;
    }
}

#[tokio::test]
async fn statistics_and_crawl_runs_with_their_events() {
    for backend in BACKENDS {
        let (router, db) = app(backend, 0).await;
        seed(&db, 20).await;
        let stats = get_json(&router, "/api/v1/stats", StatusCode::OK).await;
        assert_eq!(stats["software"], 20);
        insta::assert_json_snapshot!("stats", redact(stats));

        let empty = get_json(&router, "/api/v1/crawls", StatusCode::OK).await;
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
            .insert(&db.conn)
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
                .insert(&db.conn)
                .await
                .unwrap();
            }
        }
        let runs = get_json(&router, "/api/v1/crawls?page[size]=1", StatusCode::OK).await;
        assert_eq!(runs["data"][0]["id"], 2, "most recent first");
        insta::assert_json_snapshot!("crawls_list", redact(runs.clone()));
        let older = get_json(
            &router,
            runs["links"]["next"].as_str().unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(older["data"][0]["id"], 1);
        assert!(older["links"].get("next").is_none());

        let run = get_json(&router, "/api/v1/crawls/1", StatusCode::OK).await;
        insta::assert_json_snapshot!("crawls_show", redact(run));
        let events = get_json(
            &router,
            "/api/v1/crawls/1/events?page[size]=2",
            StatusCode::OK,
        )
        .await;
        insta::assert_json_snapshot!("crawls_events", redact(events));

        for uri in [
            "/api/v1/crawls/99",
            "/api/v1/crawls/99/events",
            "/api/v1/crawls/x",
        ] {
            let error = get_json(&router, uri, StatusCode::NOT_FOUND).await;
            assert_eq!(error["error"]["code"], "not_found", "{uri}");
        }
        db.close().await;
    }
}
