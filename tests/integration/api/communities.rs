//! `/api/v1/communities`, `/api/v1/threads`, `/api/v1/releases`, on both databases: the
//! communities and their threads and posts (paged), the adoption matrix; a members-only
//! community's threads, posts and members are never served to anyone but its members.

use axum::http::StatusCode;
use riuso::community::forum::communities::{self, Settings};
use riuso::community::forum::releases::{self, Adoption, Said};
use riuso::community::forum::threads::{self, NewThread, ThreadKind};
use riuso::community::forum::{JoinPolicy, Visibility, members};

use crate::community::demo_app;
use crate::community::forum::Cast;
use crate::community::matrix::client_for;
use crate::support::db::BACKENDS;

#[tokio::test]
async fn communities_threads_posts_and_the_matrix() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        cast.declare(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        let reuser = cast.actor(db, &cast.reuser_member).await;
        let public = communities::open_for_software(&db.conn, &owner, cast.software_id)
            .await
            .unwrap();
        members::join(&db.conn, &public, &reuser).await.unwrap();
        let (thread, _) = threads::start(
            &db.conn,
            &public,
            &reuser,
            &NewThread {
                kind: ThreadKind::Question,
                title: "Domanda".into(),
                body: "Ciao @ada <script>alert(1)</script>".into(),
            },
        )
        .await
        .unwrap();
        for n in 0..3 {
            threads::reply(&db.conn, thread.id, &owner, &format!("risposta {n}"))
                .await
                .unwrap();
        }
        let release = releases::of_software_releases(&db.conn, cast.software_id)
            .await
            .unwrap()[0]
            .clone();
        releases::adopt(
            &db.conn,
            &reuser,
            release.id,
            cast.reuser,
            &Said {
                adoption: Adoption::Staying,
                staying_on: Some("0.9".into()),
                reason: Some("attesa del fornitore".into()),
            },
        )
        .await
        .unwrap();
        let closed = communities::start(
            &db.conn,
            &owner,
            &Settings {
                name: "Riservata".into(),
                description: "Pubblica".into(),
                visibility: Visibility::Members,
                join_policy: JoinPolicy::Approval,
            },
        )
        .await
        .unwrap();
        let (secret, _) = threads::start(
            &db.conn,
            &closed,
            &owner,
            &NewThread {
                kind: ThreadKind::Discussion,
                title: "Segreto".into(),
                body: "riservato".into(),
            },
        )
        .await
        .unwrap();

        let list = app
            .get_json("/api/v1/communities?page[size]=1", StatusCode::OK)
            .await;
        assert_eq!(list["data"][0]["slug"], public.slug.as_str(), "{backend:?}");
        assert_eq!(list["data"][0]["software"][0]["id"], cast.software_id);
        let next = list["links"]["next"].as_str().unwrap().to_owned();
        let second = app.get_json(&next, StatusCode::OK).await;
        assert_eq!(second["data"][0]["slug"], closed.slug.as_str());
        assert_eq!(second["data"][0]["visibility"], "members");

        let shown = app
            .get_json(
                &format!("/api/v1/communities/{}", public.slug),
                StatusCode::OK,
            )
            .await;
        let handles: Vec<&str> = shown["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["handle"].as_str())
            .collect();
        assert_eq!(handles, ["ada", "bruno"]);
        let threads = app
            .get_json(
                &format!("/api/v1/communities/{}/threads", public.slug),
                StatusCode::OK,
            )
            .await;
        let kinds: Vec<&str> = threads["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["question", "release"]);
        let one = app
            .get_json(&format!("/api/v1/threads/{}", thread.id), StatusCode::OK)
            .await;
        assert_eq!(one["author"], "bruno");
        assert_eq!(one["postCount"], 4);
        let posts = app
            .get_json(
                &format!("/api/v1/threads/{}/posts?page[size]=3", thread.id),
                StatusCode::OK,
            )
            .await;
        assert_eq!(posts["data"].as_array().unwrap().len(), 3);
        let html = posts["data"][0]["html"].as_str().unwrap();
        assert!(html.contains("members#m-ada"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        let rest = app
            .get_json(posts["links"]["next"].as_str().unwrap(), StatusCode::OK)
            .await;
        assert_eq!(rest["data"][0]["body"], "risposta 2");
        assert!(rest["links"]["next"].is_null());

        let matrix = app
            .get_json(
                &format!("/api/v1/releases?software={}", cast.software_id),
                StatusCode::OK,
            )
            .await;
        assert_eq!(matrix["rows"][0]["ipaCode"], "c_a944");
        assert_eq!(matrix["rows"][0]["adoptions"][0]["status"], "staying");
        assert_eq!(matrix["rows"][0]["adoptions"][0]["stayingOn"], "0.9");
        let release_json = app
            .get_json(&format!("/api/v1/releases/{}", release.id), StatusCode::OK)
            .await;
        assert_eq!(release_json["status"], "released");
        assert!(release_json["threadId"].is_i64());
        app.get_json("/api/v1/releases", StatusCode::BAD_REQUEST)
            .await;

        // Members-only: the community's face is public, its content is not.
        let face = app
            .get_json(
                &format!("/api/v1/communities/{}", closed.slug),
                StatusCode::OK,
            )
            .await;
        assert!(face.get("members").is_none(), "{face}");
        for path in [
            format!("/api/v1/communities/{}/threads", closed.slug),
            format!("/api/v1/threads/{}", secret.id),
            format!("/api/v1/threads/{}/posts", secret.id),
        ] {
            let anonymous = app.get(&path).await;
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(!anonymous.body.contains("Segreto"));
            let mut bruno = client_for(&app, Some(&cast.reuser_member)).await;
            let other = bruno.get(&path).await;
            assert_eq!(other.status, StatusCode::FORBIDDEN, "{path}");
            let mut ada = client_for(&app, Some(&cast.owner_member)).await;
            assert_eq!(ada.get(&path).await.status, StatusCode::OK, "{path}");
        }
        app.close().await;
    }
}
