//! Following a solution apart from its community, on both databases: the button on the
//! software page, what its followers are told (a release thread opened by a plan or by a crawl,
//! an announcement of its community; not the community's other posts), in the site and by mail
//! per their mode, the signed unsubscribe link; and the fan-out written in batches, which a job
//! run again (whole, or after some batches committed) never tells twice.

use std::collections::HashMap;

use axum::http::StatusCode;
use riuso::community::entities::{notifications, posts};
use riuso::community::forum::notify;
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};

use crate::community::demo_app;
use crate::community::forum::Cast;
use crate::community::matrix::client_for;
use crate::support::db::BACKENDS;

const URL: &str = "https://riuso.example.org";

/// Runs the fan-out of every post, twice (the second as a retried job), answering how many
/// were told the first time.
async fn fan_out_all(db: &sea_orm::DatabaseConnection) -> usize {
    let mut told = 0;
    for post in posts::Entity::find().all(db).await.unwrap() {
        told += notify::fan_out(db, post.id, URL).await.unwrap();
        assert_eq!(notify::fan_out(db, post.id, URL).await.unwrap(), 0);
    }
    told
}

/// The notifications of `user_id`: post id → (reason, digest).
async fn told(db: &sea_orm::DatabaseConnection, user_id: i64) -> HashMap<i64, (String, bool)> {
    notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.post_id, (n.reason, n.digest)))
        .collect()
}

#[tokio::test]
async fn followers_of_a_solution_hear_of_its_releases_and_announcements_only() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let cast = Cast::new(&app.db).await;
        let slug = crate::community::slug_of(&app.db, "ComunicaPA").await;
        let page_url = format!("/software/{slug}");
        let mut ada = client_for(&app, Some(&cast.owner_member)).await;
        let mut bruno = client_for(&app, Some(&cast.reuser_member)).await;
        let mut carla = client_for(&app, Some(&cast.other_member)).await;
        let mut anonymous = client_for(&app, None).await;

        // Signed out: no button. Signed in: follow, with a mail each time or a daily digest.
        assert!(
            anonymous
                .get(&page_url)
                .await
                .all("#follow-software")
                .is_empty()
        );
        let page = carla.get(&page_url).await;
        assert_eq!(
            page.text("#follow-software").trim(),
            "Segui la soluzione",
            "{backend:?}: {}",
            page.body
        );
        let followed = carla
            .post_form(&format!("{page_url}/follow"), &[("on", "1")])
            .await;
        assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
        assert_eq!(
            carla.get(&page_url).await.text("#follow-software").trim(),
            "Smetti di seguire la soluzione"
        );
        bruno.get(&page_url).await;
        bruno
            .post_form(&format!("{page_url}/follow"), &[("on", "digest")])
            .await;
        assert!(
            bruno
                .get(&page_url)
                .await
                .text("#community")
                .contains("riepilogo al giorno")
        );
        // The owner opens the community, plans a release, starts a discussion, announces.
        ada.get(&page_url).await;
        let community = ada
            .post_form(&format!("{page_url}/community"), &[])
            .await
            .location();
        riuso::mail::outbox::Entity::delete_many()
            .exec(&app.db.conn)
            .await
            .unwrap();
        ada.get(&community).await;
        let planned = ada
            .post_form(
                &format!("{community}/releases"),
                &[
                    ("software", cast.software_id.to_string().as_str()),
                    ("version", "9.0"),
                    ("notes", "Nuova interfaccia"),
                ],
            )
            .await;
        assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
        for (kind, title) in [("discussion", "Una domanda"), ("announcement", "Avviso")] {
            let started = ada.start_thread(&community, kind, title, "Testo").await;
            assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        }
        // A crawl sees version 9.1: its thread opens, and its followers are told of it too.
        let opened = riuso::community::forum::releases::seen(
            &app.db.conn,
            cast.software_id,
            Some("9.1"),
            None,
        )
        .await
        .unwrap();
        assert!(opened.is_some(), "{backend:?}");
        fan_out_all(&app.db.conn).await;

        // Carla and Bruno are told of the release threads and the announcement, not of
        // the discussion; Bruno's wait for his digest.
        let first_posts: Vec<i64> = {
            let mut ids = Vec::new();
            let ours = riuso::community::forum::communities::by_slug(
                &app.db.conn,
                community.trim_start_matches("/communities/"),
            )
            .await
            .unwrap();
            for t in riuso::community::entities::threads::Entity::find()
                .filter(riuso::community::entities::threads::Column::CommunityId.eq(ours.id))
                .all(&app.db.conn)
                .await
                .unwrap()
            {
                let first = posts::Entity::find()
                    .filter(posts::Column::ThreadId.eq(t.id))
                    .all(&app.db.conn)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|p| p.id)
                    .min()
                    .unwrap();
                if t.kind != "discussion" {
                    ids.push(first);
                }
            }
            ids.sort_unstable();
            ids
        };
        // The release of the version the entry declares opened with the community, then 9.0,
        // the announcement and 9.1.
        assert_eq!(first_posts.len(), 4, "{backend:?}");
        for (who, digest) in [(cast.other_member.id, false), (cast.reuser_member.id, true)] {
            let got = told(&app.db.conn, who).await;
            let mut posts: Vec<i64> = got.keys().copied().collect();
            posts.sort_unstable();
            assert_eq!(posts, first_posts, "{backend:?}: {got:?}");
            assert!(
                got.values().all(|(r, d)| r == "software" && *d == digest),
                "{got:?}"
            );
        }
        // Carla's mails say how to stop; the link works signed out.
        let mails = riuso::mail::outbox::Entity::find()
            .filter(riuso::mail::outbox::Column::Recipient.eq("carla@milano.example"))
            .all(&app.db.conn)
            .await
            .unwrap();
        assert_eq!(mails.len(), 4, "{backend:?}");
        assert!(
            riuso::mail::outbox::Entity::find()
                .filter(riuso::mail::outbox::Column::Recipient.eq("bruno@bologna.example"))
                .count(&app.db.conn)
                .await
                .unwrap()
                == 0
        );
        // Each links to the window of the thread that starts at its post.
        assert!(
            mails
                .iter()
                .all(|m| m.body_text.contains("?after=") && m.body_text.contains("#post-")),
            "{mails:?}"
        );
        let listed = mails[0].unsubscribe_url.clone().unwrap();
        assert!(
            listed.contains(&format!("software={}", cast.software_id)),
            "{listed}"
        );
        let link = listed.trim_start_matches(URL).to_owned();
        let form = anonymous.get(&link).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(
            form.body.contains("una soluzione che segui"),
            "{}",
            form.body
        );
        let done = app
            .client()
            .post_form(&link, &[("List-Unsubscribe", "One-Click")])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(
            carla.get(&page_url).await.text("#follow-software").trim(),
            "Segui la soluzione"
        );
        // The in-site list says why.
        let list = carla.get("/notifications").await;
        assert!(
            list.body.contains("su una soluzione che segui"),
            "{}",
            list.body
        );
        // Bruno stops from the page.
        bruno.get(&page_url).await;
        let stopped = bruno
            .post_form(&format!("{page_url}/follow"), &[("on", "0")])
            .await;
        assert_eq!(stopped.status, StatusCode::SEE_OTHER);
        assert_eq!(
            bruno.get(&page_url).await.text("#follow-software").trim(),
            "Segui la soluzione"
        );
        // An entry that does not exist.
        let missing = bruno
            .post_form("/software/nessuna-soluzione/follow", &[("on", "1")])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        app.close().await;
    }
}

#[tokio::test]
async fn the_fan_out_is_written_in_batches_and_a_retry_tells_nobody_twice() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let followers = 2 * notify::FAN_OUT_BATCH as u64 + 7;
        let seeded = riuso::community::forum::seed::seed(&app.db.conn, 2, followers, 1)
            .await
            .unwrap();
        riuso::mail::outbox::Entity::delete_many()
            .exec(&app.db.conn)
            .await
            .unwrap();
        let post = posts::Entity::find()
            .filter(posts::Column::ThreadId.eq(seeded.thread_id))
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .max()
            .unwrap();
        let n = usize::try_from(followers).unwrap();
        assert_eq!(notify::fan_out(&app.db.conn, post, URL).await.unwrap(), n);
        // A retried job: nobody is told twice.
        assert_eq!(notify::fan_out(&app.db.conn, post, URL).await.unwrap(), 0);
        let outbox = || async {
            riuso::mail::outbox::Entity::find()
                .count(&app.db.conn)
                .await
                .unwrap()
        };
        assert_eq!(outbox().await, followers, "{backend:?}");
        // A run that died after its first batches committed: the last batch (notifications and
        // mails together) is not there; the run again tells only that batch.
        let mut told: Vec<notifications::Model> = notifications::Entity::find()
            .filter(notifications::Column::PostId.eq(post))
            .all(&app.db.conn)
            .await
            .unwrap();
        told.sort_by_key(|n| n.user_id);
        let lost = &told[2 * notify::FAN_OUT_BATCH..];
        let lost_people: Vec<i64> = lost.iter().map(|n| n.user_id).collect();
        let lost_addresses: Vec<String> = riuso::community::entities::users::Entity::find()
            .filter(riuso::community::entities::users::Column::Id.is_in(lost_people.clone()))
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|u| u.email)
            .collect();
        notifications::Entity::delete_many()
            .filter(notifications::Column::UserId.is_in(lost_people))
            .exec(&app.db.conn)
            .await
            .unwrap();
        riuso::mail::outbox::Entity::delete_many()
            .filter(riuso::mail::outbox::Column::Recipient.is_in(lost_addresses))
            .exec(&app.db.conn)
            .await
            .unwrap();
        assert_eq!(
            notify::fan_out(&app.db.conn, post, URL).await.unwrap(),
            lost.len()
        );
        assert_eq!(outbox().await, followers, "{backend:?}: one mail each");
        assert_eq!(
            notifications::Entity::find()
                .filter(notifications::Column::PostId.eq(post))
                .filter(notifications::Column::MailedAt.is_not_null())
                .count(&app.db.conn)
                .await
                .unwrap(),
            followers
        );
        app.close().await;
    }
}
