//! Communities on the pages, on both databases: the owner opens the solution's community from
//! its software page, two members of two administrations discuss a release (a mention, a
//! quote, an edit), the second says it upgraded, and the matrix on the software page shows it;
//! moderation; members-only content is never served to others; the XSS corpus posted as a
//! community description, threads and replies comes out inert on every page, in both languages.

use axum::http::StatusCode;
use riuso::community::forum::communities;

use crate::community::demo_app;
use crate::community::forum::{Cast, XSS, inert};
use crate::community::matrix::client_for;
use crate::support::db::{BACKENDS, Backend};

#[tokio::test]
async fn two_administrations_discuss_a_release_and_the_matrix_shows_it() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let cast = Cast::new(&app.db).await;
        cast.declare(&app.db).await;
        let slug = crate::community::slug_of(&app.db, "ComunicaPA").await;
        let mut ada = client_for(&app, Some(&cast.owner_member)).await;
        let mut bruno = client_for(&app, Some(&cast.reuser_member)).await;
        let mut anonymous = client_for(&app, None).await;

        // No community yet: the owner's member sees the button, the others do not.
        let page = ada.get(&format!("/software/{slug}")).await;
        assert_eq!(page.all("#open-community").len(), 1, "{backend:?}");
        let page = bruno.get(&format!("/software/{slug}")).await;
        assert!(page.all("#open-community").is_empty());
        let opened = ada
            .post_form(&format!("/software/{slug}/community"), &[])
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let community = opened.location();
        let page = ada.get(&community).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text("#my-role").contains("Coordinatore"),
            "{}",
            page.body
        );

        // Bruno joins and starts a discussion mentioning Ada.
        let page = bruno.get(&community).await;
        assert_eq!(page.all("#join").len(), 1);
        let joined = bruno.post_form(&format!("{community}/join"), &[]).await;
        assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
        let started = bruno
            .start_thread(
                &community,
                "discussion",
                "Passaggio alla nuova versione",
                "@ada la nuova versione va con PostgreSQL 16?",
            )
            .await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        let discussion = started.location();
        let page = ada.get(&discussion).await;
        assert_eq!(
            page.all("a[href$='/members#m-ada']").len(),
            1,
            "{}",
            page.body
        );
        // Ada quotes him, then edits her reply.
        let post_id = page.all("li.post")[0].value().attr("id").unwrap()[5..].to_owned();
        let quoting = ada.get(&format!("{discussion}?quote={post_id}")).await;
        let prefilled = quoting.text("#r-body");
        assert!(prefilled.starts_with("> "), "{prefilled}");
        let replied = ada
            .post_form(
                &format!("{discussion}/posts"),
                &[("body", &format!("{prefilled}Sì, dalla 9.0."))],
            )
            .await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
        let page = ada.get(&discussion).await;
        assert!(page.body.contains("<blockquote>"), "{}", page.body);
        let reply_id = page.all("li.post")[1].value().attr("id").unwrap()[5..].to_owned();
        ada.get(&format!("/posts/{reply_id}/edit")).await;
        let edited = ada
            .post_form(
                &format!("/posts/{reply_id}/edit"),
                &[("body", "Sì, dalla 9.0 in poi.")],
            )
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER);
        let history = ada.get(&format!("/posts/{reply_id}/edit")).await;
        assert!(history.body.contains("dalla 9.0."), "{}", history.body);
        // Bruno may not edit Ada's post.
        let refused = bruno
            .post_form(&format!("/posts/{reply_id}/edit"), &[("body", "no")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // Ada plans 9.0; Bruno says Bologna upgraded; the software page shows it.
        let community_slug = community.trim_start_matches("/communities/").to_owned();
        assert!(
            communities::by_slug(&app.db.conn, &community_slug)
                .await
                .is_ok()
        );
        ada.get(&community).await;
        let planned = ada
            .post_form(
                &format!("{community}/releases"),
                &[
                    ("software", cast.software_id.to_string().as_str()),
                    ("version", "9.0"),
                    ("target_date", "2027-03-01"),
                    ("notes", "Nuova **interfaccia**"),
                ],
            )
            .await;
        assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
        let release_thread = planned.location();
        let page = bruno.get(&release_thread).await;
        assert_eq!(page.all("#adoption-form").len(), 1, "{}", page.body);
        let release_id = page.all("#adoption-form")[0]
            .value()
            .attr("action")
            .unwrap()
            .trim_start_matches("/releases/")
            .trim_end_matches("/adoption")
            .to_owned();
        let said = bruno
            .post_form(
                &format!("/releases/{release_id}/adoption"),
                &[
                    ("organisation", cast.reuser.to_string().as_str()),
                    ("adoption", "upgraded"),
                    ("staying_on", ""),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(said.status, StatusCode::SEE_OTHER, "{}", said.body);
        // Ada's administration did not declare reuse: no form for her.
        let page = ada.get(&release_thread).await;
        assert!(page.all("#adoption-form").is_empty());
        for lang in ["it", "en"] {
            let page = anonymous
                .get(&format!("/software/{slug}?lang={lang}"))
                .await;
            assert_eq!(page.all("#community-link").len(), 1);
            let matrix = page.text("#community table.matrix");
            assert!(matrix.contains("c_a944"), "{matrix}");
            let expected = if lang == "it" {
                "Aggiornato"
            } else {
                "Upgraded"
            };
            assert!(matrix.contains(expected), "{lang}: {matrix}");
            assert!(
                page.text("#community .thread-list").contains("Passaggio"),
                "{}",
                page.body
            );
        }

        // Moderation: Ada locks the discussion; Bruno cannot reply; the log says so.
        ada.get(&discussion).await;
        let locked = ada
            .post_form(&format!("{discussion}/lock"), &[("on", "1")])
            .await;
        assert_eq!(locked.status, StatusCode::SEE_OTHER);
        bruno.get(&discussion).await;
        let refused = bruno
            .post_form(&format!("{discussion}/posts"), &[("body", "ancora")])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        let log = ada.get(&format!("{community}/moderation")).await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(
            log.body.contains("ha chiuso la discussione"),
            "{}",
            log.body
        );
        assert_eq!(
            bruno.get(&format!("{community}/moderation")).await.status,
            StatusCode::FORBIDDEN
        );
        app.close().await;
    }
}

#[tokio::test]
async fn members_only_content_is_never_served_to_others() {
    let app = demo_app(Backend::Sqlite).await;
    let cast = Cast::new(&app.db).await;
    let mut ada = client_for(&app, Some(&cast.owner_member)).await;
    ada.get("/communities/new").await;
    let created = ada
        .post_form(
            "/communities",
            &[
                ("name", "Gruppo riservato"),
                ("description", "Descrizione pubblica"),
                ("visibility", "members"),
                ("join_policy", "approval"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let community = created.location();
    let thread = ada
        .start_thread(
            &community,
            "discussion",
            "Segreto di bilancio",
            "contenuto riservato",
        )
        .await
        .location();
    for who in [None, Some(&cast.reuser_member)] {
        let mut client = client_for(&app, who).await;
        let page = client.get(&community).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Descrizione pubblica"));
        assert!(!page.body.contains("Segreto"), "{}", page.body);
        let page = client.get(&thread).await;
        assert!(
            matches!(
                page.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ),
            "{}",
            page.status
        );
        assert!(!page.body.contains("riservato"));
        let members = client.get(&format!("{community}/members")).await;
        assert!(!members.body.contains("@ada"), "{}", members.body);
    }
    app.close().await;
}

#[tokio::test]
async fn the_xss_corpus_is_inert_on_every_community_page() {
    let app = demo_app(Backend::Sqlite).await;
    let cast = Cast::new(&app.db).await;
    let mut ada = client_for(&app, Some(&cast.owner_member)).await;
    ada.get("/communities/new").await;
    let community = ada
        .post_form(
            "/communities",
            &[
                ("name", "<script>alert(1)</script>\u{202e}Pratiche"),
                ("description", &XSS.join("\n\n")),
            ],
        )
        .await
        .location();
    let mut pages = vec![
        "/communities".to_owned(),
        community.clone(),
        format!("{community}/members"),
        format!("{community}/feed.atom"),
    ];
    for payload in XSS {
        let thread = ada
            .start_thread(&community, "question", payload, payload)
            .await;
        assert_eq!(
            thread.status,
            StatusCode::SEE_OTHER,
            "{payload}: {}",
            thread.body
        );
        let thread = thread.location();
        ada.get(&thread).await;
        let reply = ada
            .post_form(&format!("{thread}/posts"), &[("body", payload)])
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        pages.push(thread);
        // The pace of a person: the test is faster.
        use sea_orm::EntityTrait as _;
        riuso::community::entities::posts::Entity::update_many()
            .col_expr(
                riuso::community::entities::posts::Column::CreatedAt,
                sea_orm::sea_query::Expr::value(
                    chrono::Utc::now().fixed_offset() - chrono::TimeDelta::hours(1),
                ),
            )
            .exec(&app.db.conn)
            .await
            .unwrap();
    }
    for lang in ["it", "en"] {
        for page in &pages {
            let sep = if page.contains('?') { '&' } else { '?' };
            let got = ada.get(&format!("{page}{sep}lang={lang}")).await;
            assert_eq!(got.status, StatusCode::OK, "{page}");
            inert(&got.body).unwrap_or_else(|e| panic!("{page}: {e}"));
            if page.ends_with(".atom") {
                // Atom's `type="html"` content is the sanitised HTML, escaped once more.
                assert!(got.body.contains("<content type=\"html\">"), "{}", got.body);
                assert!(!got.body.contains("<script"), "{}", got.body);
            }
        }
    }
    app.close().await;
}

/// The jobs of `kind` waiting in the queue.
async fn queued(db: &crate::support::db::TestDb, kind: &str) -> Vec<i64> {
    use sea_orm::{ConnectionTrait as _, Statement};
    db.conn
        .query_all_raw(Statement::from_string(
            db.conn.get_database_backend(),
            format!("SELECT id FROM jobs WHERE kind = '{kind}' AND state = 'queued'"),
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect()
}

#[tokio::test]
async fn followers_and_the_mentioned_are_told_by_a_job_and_by_mail() {
    use riuso::worker::Job as _;

    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let cast = Cast::new(&app.db).await;
        let sink = crate::support::smtp::SmtpSink::start().await;
        let mut ada = client_for(&app, Some(&cast.owner_member)).await;
        let mut bruno = client_for(&app, Some(&cast.reuser_member)).await;
        let mut carla = client_for(&app, Some(&cast.other_member)).await;
        ada.get("/communities/new").await;
        let community = ada
            .post_form("/communities", &[("name", "Pratiche digitali")])
            .await
            .location();
        for client in [&mut bruno, &mut carla] {
            client.get(&community).await;
            client.post_form(&format!("{community}/join"), &[]).await;
        }
        // Bruno follows the community; Carla follows nothing.
        let page = bruno.get(&community).await;
        assert_eq!(
            page.text("#follow").trim(),
            "Segui la comunità",
            "{backend:?}"
        );
        let followed = bruno
            .post_form(&format!("{community}/follow"), &[("on", "1")])
            .await;
        assert_eq!(followed.status, StatusCode::SEE_OTHER);
        assert_eq!(
            bruno.get(&community).await.text("#follow").trim(),
            "Smetti di seguire"
        );
        riuso::mail::outbox::Entity::delete_many()
            .exec(&app.db.conn)
            .await
            .unwrap();

        // Ada's post answers at once: the fan-out is a queued job, no mail yet.
        let thread = ada
            .start_thread(
                &community,
                "discussion",
                "Riuso dei moduli",
                "@carla hai visto il nuovo modulo?",
            )
            .await;
        assert_eq!(thread.status, StatusCode::SEE_OTHER, "{}", thread.body);
        let jobs = queued(&app.db, "notify-post").await;
        assert_eq!(jobs.len(), 1, "{backend:?}");
        use sea_orm::{EntityTrait as _, PaginatorTrait as _};
        assert_eq!(
            riuso::mail::outbox::Entity::find()
                .count(&app.db.conn)
                .await
                .unwrap(),
            0
        );

        let env = riuso::worker::Environment::new(
            app.db.conn.clone(),
            riuso::crawl::http::Polite::new(riuso::crawl::http::Options::default()).unwrap(),
        );
        let post: i64 = riuso::community::entities::posts::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .last()
            .unwrap()
            .id;
        let job = riuso::worker::notify_post::NotifyPost { post };
        job.clone().run(&env, false).await.unwrap();
        // Run again (a retried job): nobody is told twice.
        job.run(&env, false).await.unwrap();
        crate::community::deliver(&app.db, &sink).await;
        let received = sink.wait_for(2, std::time::Duration::from_secs(5)).await;
        assert_eq!(received.len(), 2, "{received:#?}");
        let to_carla = received
            .iter()
            .find(|m| m.to.iter().any(|t| t == "carla@milano.example"))
            .expect("a mail to the mentioned member");
        let text = crate::community::decoded(&to_carla.data);
        assert!(text.contains("mentioned you"), "{text}");
        assert!(text.contains("/threads/"), "{text}");
        let to_bruno = received
            .iter()
            .find(|m| m.to.iter().any(|t| t == "bruno@bologna.example"))
            .expect("a mail to the follower");
        assert!(
            crate::community::decoded(&to_bruno.data).contains("you follow"),
            "{}",
            to_bruno.data
        );
        assert!(
            !received
                .iter()
                .any(|m| m.to.iter().any(|t| t == "ada@montesilvano.example")),
            "the author is not told of her own post"
        );
        // The follower's mail says how to stop, in a header too; the mention's does not.
        assert!(
            to_bruno.data.contains("List-Unsubscribe: <http"),
            "{}",
            to_bruno.data
        );
        assert!(
            to_bruno
                .data
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        );
        assert!(!to_carla.data.contains("List-Unsubscribe"));
        let bruno_text = crate::community::decoded(&to_bruno.data);
        let start = bruno_text.find("/unsubscribe/").unwrap();
        let link: String = bruno_text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>')
            .collect();

        // Signed out: the link shows a button; a mail client's one-click POST stops it.
        let mut nobody = client_for(&app, None).await;
        let page = nobody.get(&link).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.all("#unsubscribe-form").len(), 1);
        assert_eq!(
            bruno.get(&community).await.text("#follow").trim(),
            "Smetti di seguire",
            "a GET stops nothing"
        );
        let mut mail_client = app.client();
        let done = mail_client
            .post_form(&link, &[("List-Unsubscribe", "One-Click")])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.all("#unsubscribed").len(), 1);
        assert_eq!(
            bruno.get(&community).await.text("#follow").trim(),
            "Segui la comunità"
        );
        let forged = nobody
            .get(&format!("/unsubscribe/{}?community=1", "0".repeat(64)))
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);

        // The link is signed, not stored: `USER-EXPIRES-SIGNATURE`. A changed signature, user,
        // date or target is refused with a page that says so, in both languages.
        let (path, query) = link.split_once('?').unwrap();
        let token = path.trim_start_matches("/unsubscribe/");
        let parts: Vec<&str> = token.splitn(3, '-').collect();
        assert_eq!(parts.len(), 3, "{token}");
        assert_eq!(parts[0], cast.reuser_member.id.to_string());
        let flipped = if parts[2].starts_with('0') { "1" } else { "0" };
        let tampered = [
            format!(
                "/unsubscribe/{}-{}-{flipped}{}?{query}",
                parts[0],
                parts[1],
                &parts[2][1..]
            ),
            format!(
                "/unsubscribe/{}-{}-{}?{query}",
                cast.other_member.id, parts[1], parts[2]
            ),
            format!(
                "/unsubscribe/{}-{}-{}?{query}",
                parts[0],
                parts[1].parse::<i64>().unwrap() + 1,
                parts[2]
            ),
            format!("/unsubscribe/{token}?community=999999"),
            format!("/unsubscribe/{token}?digest=1"),
            format!("/unsubscribe/{}-{}?{query}", parts[0], parts[1]),
        ];
        for address in &tampered {
            let page = nobody.get(&format!("{address}&lang=it")).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{address}");
            assert!(
                page.body.contains("non è valido"),
                "{address}: {}",
                page.body
            );
            let done = app
                .client()
                .post_form(address, &[("List-Unsubscribe", "One-Click")])
                .await;
            assert_eq!(done.status, StatusCode::BAD_REQUEST, "{address}");
        }
        let page = nobody.get(&format!("{}&lang=en", tampered[0])).await;
        assert!(page.body.contains("is not valid"), "{}", page.body);
        // A well-signed link past its date has expired.
        let key = riuso::community::signing::key(&app.db.conn, "unsubscribe")
            .await
            .unwrap();
        let past = chrono::Utc::now().timestamp() - 60;
        let signature = riuso::community::signing::sign(
            &key,
            &format!("unsubscribe|{}|{past}|{query}", parts[0]),
        )
        .unwrap();
        let expired = format!("/unsubscribe/{}-{past}-{signature}?{query}", parts[0]);
        let page = nobody.get(&format!("{expired}&lang=it")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("è scaduto"), "{}", page.body);
        let page = nobody.get(&format!("{expired}&lang=en")).await;
        assert!(page.body.contains("has expired"), "{}", page.body);
        // The same signature with a future date is a valid link (the test signs as the server).
        let future = chrono::Utc::now().timestamp() + 3600;
        let signature = riuso::community::signing::sign(
            &key,
            &format!("unsubscribe|{}|{future}|{query}", parts[0]),
        )
        .unwrap();
        let page = nobody
            .get(&format!(
                "/unsubscribe/{}-{future}-{signature}?{query}",
                parts[0]
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);

        // In the site: Carla's notification, unread, then read; the header counts it on every
        // page, never for a visitor signed out.
        let page = carla.get("/communities").await;
        assert_eq!(
            page.text("#unread-count").trim_start().chars().next(),
            Some('1'),
            "{}",
            page.body
        );
        assert!(page.text("#unread-count").contains("da leggere"));
        assert!(
            nobody
                .get("/communities")
                .await
                .all("#unread-count")
                .is_empty()
        );
        let page = carla.get("/notifications").await;
        assert!(
            page.text("#unread").contains("1 notifica non letta"),
            "{}",
            page.body
        );
        assert_eq!(page.all("li.notification.unread").len(), 1);
        carla.post_form("/notifications/read", &[]).await;
        let page = carla.get("/notifications").await;
        assert!(page.all("#unread-count").is_empty(), "{}", page.body);
        assert!(
            page.text("#unread").contains("0 notifiche non lette"),
            "{}",
            page.body
        );
        assert_eq!(
            client_for(&app, None)
                .await
                .get("/notifications")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        app.close().await;
    }
}

#[tokio::test]
async fn a_days_posts_arrive_as_one_digest() {
    use riuso::community::forum::notify;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let cast = Cast::new(&app.db).await;
        let mut ada = client_for(&app, Some(&cast.owner_member)).await;
        let mut bruno = client_for(&app, Some(&cast.reuser_member)).await;
        ada.get("/communities/new").await;
        let community = ada
            .post_form("/communities", &[("name", "Pratiche")])
            .await
            .location();
        let thread = ada
            .start_thread(&community, "discussion", "Diario", "primo")
            .await
            .location();
        // Bruno follows the thread with a daily digest.
        bruno.get(&thread).await;
        let followed = bruno
            .post_form(&format!("{thread}/follow"), &[("on", "digest")])
            .await;
        assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
        let page = bruno.get(&thread).await;
        assert!(page.body.contains("riepilogo al giorno"), "{}", page.body);
        // The mail of the accounts' sign-up is not this test's.
        riuso::mail::outbox::Entity::delete_many()
            .exec(&app.db.conn)
            .await
            .unwrap();
        for body in ["secondo", "terzo"] {
            ada.get(&thread).await;
            ada.post_form(&format!("{thread}/posts"), &[("body", body)])
                .await;
        }
        // The jobs of the three posts (the first written before he followed), run now.
        for post in riuso::community::entities::posts::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
        {
            notify::fan_out(&app.db.conn, post.id, "https://riuso.example.org")
                .await
                .unwrap();
        }
        let to_bruno = || async {
            riuso::mail::outbox::Entity::find()
                .filter(riuso::mail::outbox::Column::Recipient.eq("bruno@bologna.example"))
                .all(&app.db.conn)
                .await
                .unwrap()
        };
        assert!(to_bruno().await.is_empty(), "{backend:?}: no mail per post");
        let now = chrono::Utc::now().fixed_offset();
        let url = "https://riuso.example.org";
        assert_eq!(notify::digest(&app.db.conn, url, now).await.unwrap(), 0);
        let tomorrow = now + chrono::TimeDelta::hours(25);
        assert_eq!(
            notify::digest(&app.db.conn, url, tomorrow).await.unwrap(),
            1
        );
        assert_eq!(
            notify::digest(&app.db.conn, url, tomorrow).await.unwrap(),
            0
        );
        let mails = to_bruno().await;
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].subject.contains("3 new posts"),
            "{}",
            mails[0].subject
        );
        assert_eq!(
            mails[0].body_text.matches("/threads/").count(),
            3,
            "{}",
            mails[0].body_text
        );
        // Stopping: no more notifications for him.
        bruno.get(&thread).await;
        bruno
            .post_form(&format!("{thread}/follow"), &[("on", "0")])
            .await;
        assert!(
            !bruno
                .get(&thread)
                .await
                .body
                .contains("riepilogo al giorno, ")
        );
        app.close().await;
    }
}
