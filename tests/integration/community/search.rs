//! Full-text search of the communities' posts, on both databases: accents and inflections
//! tolerated as in the catalog, the index kept in step with edits, deletions and hiding, and
//! members-only communities searched by their members only; the pages (both languages, the
//! empty state, paging) and the API (its parameters checked).

use axum::http::StatusCode;
use riuso::community::CommunityError;
use riuso::community::authz::{Actor, Denied};
use riuso::community::entities::communities as community_rows;
use riuso::community::forum::communities::{self, Settings};
use riuso::community::forum::search::{self, PER_PAGE, Scope};
use riuso::community::forum::threads::{self, NewThread, ThreadKind};
use riuso::community::forum::{JoinPolicy, Visibility, members};

use super::demo_app;
use super::forum::Cast;
use super::matrix::client_for;
use crate::support::db::{BACKENDS, TestDb};

async fn found(
    db: &TestDb,
    actor: Option<&Actor>,
    scope: Scope<'_>,
    query: &str,
) -> Vec<(i64, String)> {
    search::search(&db.conn, actor, scope, query, 0, PER_PAGE)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| (h.post_id, h.thread_title))
        .collect()
}

async fn community(
    db: &TestDb,
    owner: &Actor,
    name: &str,
    visibility: Visibility,
) -> community_rows::Model {
    communities::start(
        &db.conn,
        owner,
        &Settings {
            name: name.into(),
            description: String::new(),
            visibility,
            join_policy: JoinPolicy::Open,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn posts_are_found_by_accents_and_stems_and_only_while_shown() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        let other = cast.actor(db, &cast.other_member).await;
        let open = community(db, &owner, "Protocollo informatico", Visibility::Public).await;
        members::join(&db.conn, &open, &other).await.unwrap();
        let other = cast.actor(db, &cast.other_member).await;
        let (thread, first) = threads::start(
            &db.conn,
            &open,
            &owner,
            &NewThread {
                kind: ThreadKind::Discussion,
                title: "Perché aggiornare il protocollo".into(),
                body: "Le pratiche dei comuni restano aperte durante la migrazione.".into(),
            },
        )
        .await
        .unwrap();
        let all = Scope::All;
        // The title without its accent, a singular for a plural, an accent the text lacks.
        for query in ["perche", "PERCHÉ", "pratica", "comune", "migrazióne"] {
            let hits = found(db, None, all, query).await;
            assert_eq!(hits.len(), 1, "{backend:?} {query}: {hits:?}");
            assert_eq!(
                hits[0],
                (first.id, "Perché aggiornare il protocollo".to_owned())
            );
        }
        assert!(found(db, None, all, "inesistente").await.is_empty());
        // Every word must match.
        assert!(
            found(db, None, all, "pratiche inesistente")
                .await
                .is_empty()
        );

        // A reply; hidden by a moderator, it is not found, shown again it is.
        let (_, reply) = threads::reply(&db.conn, thread.id, &other, "Serve un collaudo notturno.")
            .await
            .unwrap();
        assert_eq!(
            found(db, None, all, "collaudi").await.len(),
            1,
            "{backend:?}"
        );
        threads::hide(&db.conn, reply.id, &owner, Some("fuori tema"))
            .await
            .unwrap();
        assert!(
            found(db, None, all, "collaudo").await.is_empty(),
            "{backend:?}"
        );
        assert!(found(db, Some(&owner), all, "collaudo").await.is_empty());
        threads::hide(&db.conn, reply.id, &owner, None)
            .await
            .unwrap();
        assert_eq!(found(db, None, all, "collaudo").await.len(), 1);

        // An edit replaces the words; a deletion removes them.
        threads::edit(&db.conn, reply.id, &other, "Serve una verifica notturna.")
            .await
            .unwrap();
        assert!(
            found(db, None, all, "collaudo").await.is_empty(),
            "{backend:?}"
        );
        assert_eq!(found(db, None, all, "verifiche").await.len(), 1);
        threads::delete(&db.conn, reply.id, &other).await.unwrap();
        assert!(
            found(db, None, all, "verifica").await.is_empty(),
            "{backend:?}"
        );

        // A members-only community: found by its members and site administrators only.
        let closed = community(db, &owner, "Gruppo riservato", Visibility::Members).await;
        threads::start(
            &db.conn,
            &closed,
            &owner,
            &NewThread {
                kind: ThreadKind::Discussion,
                title: "Contratti".into(),
                body: "Le pratiche riservatissime del gruppo.".into(),
            },
        )
        .await
        .unwrap();
        let admin = cast.actor(db, &cast.admin).await;
        assert!(
            found(db, None, all, "riservatissime").await.is_empty(),
            "{backend:?}"
        );
        assert!(
            found(db, Some(&other), all, "riservatissime")
                .await
                .is_empty()
        );
        assert_eq!(
            found(db, Some(&owner), all, "riservatissime").await.len(),
            1
        );
        assert_eq!(
            found(db, Some(&admin), all, "riservatissime").await.len(),
            1
        );
        // "pratiche" is in both communities: others see the public one only.
        assert_eq!(found(db, None, all, "pratiche").await.len(), 1);
        assert_eq!(found(db, Some(&owner), all, "pratiche").await.len(), 2);
        // Within a community.
        assert_eq!(
            found(db, Some(&owner), Scope::Community(&open), "pratiche").await,
            vec![(first.id, "Perché aggiornare il protocollo".to_owned())]
        );
        let refused =
            search::search(&db.conn, None, Scope::Community(&closed), "pratiche", 0, 20).await;
        assert!(
            matches!(refused, Err(CommunityError::Denied(Denied::SignIn))),
            "{refused:?}"
        );
        let refused = search::search(
            &db.conn,
            Some(&other),
            Scope::Community(&closed),
            "pratiche",
            0,
            20,
        )
        .await;
        assert!(
            matches!(refused, Err(CommunityError::Denied(Denied::Forbidden))),
            "{refused:?}"
        );
        // Posts written before the index existed are indexed once, by the backfill.
        assert_eq!(search::backfill(&db.conn).await.unwrap(), 0);
        use sea_orm::ConnectionTrait as _;
        db.conn
            .execute_unprepared("DELETE FROM post_fts")
            .await
            .unwrap();
        assert!(found(db, None, all, "perche").await.is_empty());
        assert_eq!(search::backfill(&db.conn).await.unwrap(), 2, "{backend:?}");
        assert_eq!(found(db, None, all, "perche").await.len(), 1);
        assert_eq!(
            found(db, Some(&owner), all, "riservatissime").await.len(),
            1
        );
        app.close().await;
    }
}

#[tokio::test]
async fn the_search_pages_and_the_api() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        let open = community(db, &owner, "Protocollo informatico", Visibility::Public).await;
        let closed = community(db, &owner, "Gruppo riservato", Visibility::Members).await;
        for (i, place) in [&open, &closed].into_iter().enumerate() {
            threads::start(
                &db.conn,
                place,
                &owner,
                &NewThread {
                    kind: ThreadKind::Discussion,
                    title: format!("Perché la conservazione {i}"),
                    body: "Conservazione sostitutiva dei documenti.".into(),
                },
            )
            .await
            .unwrap();
        }
        // The search box on the list and on a community's page.
        let mut anonymous = client_for(&app, None).await;
        let page = anonymous.get("/communities").await;
        assert_eq!(
            page.all("form[action='/communities/search'] input[name=q]")
                .len(),
            1
        );
        let page = anonymous.get(&format!("/communities/{}", open.slug)).await;
        assert_eq!(
            page.all(&format!(
                "form[action='/communities/{}/search'] input[name=q]",
                open.slug
            ))
            .len(),
            1,
            "{}",
            page.body
        );

        // Across all: the public thread only, in Italian and in English.
        let page = anonymous.get("/communities/search?q=perche").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(
            page.all("li.search-hit").len(),
            1,
            "{backend:?} {}",
            page.body
        );
        assert!(
            page.text("li.search-hit")
                .contains("Perché la conservazione 0")
        );
        assert!(
            page.text("#results-title").contains("1 messaggio trovato"),
            "{}",
            page.body
        );
        let page = anonymous.get("/communities/search?q=perche&lang=en").await;
        assert!(
            page.text("#results-title").contains("1 post found"),
            "{}",
            page.body
        );
        let owner_client = &mut client_for(&app, Some(&cast.owner_member)).await;
        let page = owner_client.get("/communities/search?q=documento").await;
        assert_eq!(page.all("li.search-hit").len(), 2, "{}", page.body);
        // The empty state, both languages.
        let page = anonymous.get("/communities/search?q=zzzz&lang=it").await;
        assert_eq!(page.all("#no-results").len(), 1);
        assert!(
            page.text("#no-results").contains("Nessun messaggio"),
            "{}",
            page.body
        );
        let page = anonymous.get("/communities/search?q=zzzz&lang=en").await;
        assert!(page.text("#no-results").contains("No post matches"));
        // Within a community; a members-only one is refused to others.
        let page = anonymous
            .get(&format!(
                "/communities/{}/search?q=conservazione",
                open.slug
            ))
            .await;
        assert_eq!(page.all("li.search-hit").len(), 1, "{}", page.body);
        let page = anonymous
            .get(&format!(
                "/communities/{}/search?q=conservazione",
                closed.slug
            ))
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        let page = anonymous.get("/communities/search?q=x&page=0").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let long = "a".repeat(201);
        let page = anonymous
            .get(&format!("/communities/search?q={long}"))
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);

        // The API.
        let body = app
            .get_json("/api/v1/threads/search?q=perche", StatusCode::OK)
            .await;
        assert_eq!(body["total"], 1, "{body}");
        assert_eq!(body["data"][0]["threadTitle"], "Perché la conservazione 0");
        assert_eq!(body["data"][0]["community"], open.slug.as_str());
        app.get_json("/api/v1/threads/search", StatusCode::BAD_REQUEST)
            .await;
        app.get_json("/api/v1/threads/search?q=", StatusCode::BAD_REQUEST)
            .await;
        app.get_json(
            "/api/v1/threads/search?q=x&page[size]=0",
            StatusCode::BAD_REQUEST,
        )
        .await;
        app.get_json(
            "/api/v1/threads/search?q=x&other=1",
            StatusCode::BAD_REQUEST,
        )
        .await;
        app.get_json(
            "/api/v1/threads/search?q=x&community=nessuna",
            StatusCode::NOT_FOUND,
        )
        .await;
        app.get_json(
            "/api/v1/threads/search?q=x&page[after]=abc",
            StatusCode::NOT_FOUND,
        )
        .await;
        app.get_json(
            &format!("/api/v1/threads/search?q=x&community={}", closed.slug),
            StatusCode::UNAUTHORIZED,
        )
        .await;
        app.close().await;
    }
}

#[tokio::test]
async fn search_results_are_paged() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        let open = community(db, &owner, "Protocollo informatico", Visibility::Public).await;
        let (thread, _) = threads::start(
            &db.conn,
            &open,
            &owner,
            &NewThread {
                kind: ThreadKind::Discussion,
                title: "Registro".into(),
                body: "Il registro di protocollo.".into(),
            },
        )
        .await
        .unwrap();
        // Replies written directly: the pace of a person would refuse so many at once.
        for i in 0..(PER_PAGE + 3) {
            use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};
            let post = riuso::community::entities::posts::ActiveModel {
                thread_id: Set(thread.id),
                author_id: Set(Some(cast.owner_member.id)),
                body: Set(format!("Un altro registro, il numero {i}.")),
                created_at: Set(chrono::Utc::now().into()),
                reports: Set(0),
                ..Default::default()
            }
            .insert(&db.conn)
            .await
            .unwrap();
            search::sync(&db.conn, post.id).await.unwrap();
        }
        let mut anonymous = client_for(&app, None).await;
        let page = anonymous.get("/communities/search?q=registri").await;
        assert_eq!(
            page.all("li.search-hit").len(),
            PER_PAGE as usize,
            "{backend:?}"
        );
        let next = page.all("a[rel=next]");
        assert_eq!(next.len(), 1, "{}", page.body);
        let next = next[0].value().attr("href").unwrap().replace("&amp;", "&");
        let page = anonymous.get(&next).await;
        assert_eq!(page.all("li.search-hit").len(), 4, "{next}: {}", page.body);
        let body = app
            .get_json(
                "/api/v1/threads/search?q=registri&page[size]=20",
                StatusCode::OK,
            )
            .await;
        assert_eq!(body["total"], 24);
        let next = body["links"]["next"].as_str().unwrap().to_owned();
        let body = app.get_json(&next, StatusCode::OK).await;
        assert_eq!(body["data"].as_array().unwrap().len(), 4, "{body}");
        assert!(body["links"]["next"].is_null());
        app.close().await;
    }
}
