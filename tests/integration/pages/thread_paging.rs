//! A long thread pages by post id (`?after=`, `?before=`), on both databases: the next and
//! previous links walk every post exactly once, in order, a reply lands on the window that ends
//! with it, and a window that is not a post id is refused.

use axum::http::StatusCode;

use crate::community::demo_app;
use crate::community::matrix::client_for;
use crate::support::db::BACKENDS;

/// The post ids a thread page shows, in order.
fn post_ids(page: &crate::support::test_app::Response) -> Vec<i64> {
    page.all("li.post")
        .iter()
        .map(|p| p.value().attr("id").unwrap()[5..].parse().unwrap())
        .collect()
}

fn link(page: &crate::support::test_app::Response, id: &str) -> Option<String> {
    page.all(id)
        .first()
        .map(|a| a.value().attr("href").unwrap().to_owned())
}

#[tokio::test]
async fn a_long_thread_pages_by_post_id() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let seeded = riuso::community::forum::seed::seed(&app.db.conn, 120, 1, 1)
            .await
            .unwrap();
        let thread = format!("/threads/{}", seeded.thread_id);
        let mut reader = client_for(&app, None).await;

        // Forwards: 50, 50, 20, each post once and in order.
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut at = thread.clone();
        let last;
        loop {
            let page = reader.get(&at).await;
            assert_eq!(
                page.status,
                StatusCode::OK,
                "{backend:?} {at}: {}",
                page.body
            );
            let ids = post_ids(&page);
            sizes.push(ids.len());
            seen.extend(ids);
            assert_eq!(
                link(&page, "#previous-posts").is_some(),
                at != thread,
                "{at}"
            );
            match link(&page, "#next-posts") {
                Some(next) => at = next,
                None => {
                    last = Some(page);
                    break;
                }
            }
        }
        assert_eq!(sizes, [50, 50, 20], "{backend:?}");
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, seen, "in order, each once");
        assert_eq!(seen.len(), 120);

        // Backwards from the last window: the fifty before it, then the first posts.
        let previous = link(last.as_ref().unwrap(), "#previous-posts").unwrap();
        assert!(previous.contains("?before="), "{previous}");
        let page = reader.get(&previous).await;
        assert_eq!(post_ids(&page), seen[50..100].to_vec());
        let page = reader.get(&link(&page, "#previous-posts").unwrap()).await;
        assert_eq!(post_ids(&page), seen[..50].to_vec());
        assert!(link(&page, "#previous-posts").is_none());
        assert!(link(&page, "#next-posts").is_some());

        // A window that is not a post id.
        for bad in ["after=abc", "before=0", "after=-3"] {
            let page = reader.get(&format!("{thread}?{bad}")).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        // Past the end: an empty window that leads back.
        let page = reader.get(&format!("{thread}?after={}", seen[119])).await;
        assert!(post_ids(&page).is_empty());
        assert!(link(&page, "#previous-posts").is_some());
        app.close().await;
    }
}

#[tokio::test]
async fn a_reply_lands_on_the_window_that_ends_with_it() {
    use crate::community::forum::Cast;
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let cast = Cast::new(&app.db).await;
        let mut ada = client_for(&app, Some(&cast.owner_member)).await;
        ada.get("/communities/new").await;
        let community = ada
            .post_form("/communities", &[("name", "Pagine")])
            .await
            .location();
        let thread = ada
            .start_thread(&community, "discussion", "Finestre", "uno")
            .await
            .location();
        ada.get(&thread).await;
        let replied = ada
            .post_form(&format!("{thread}/posts"), &[("body", "due")])
            .await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
        let to = replied.location();
        assert!(to.contains("?before="), "{to}");
        let (path, anchor) = to.split_once('#').unwrap();
        let page = ada.get(path).await;
        let ids = post_ids(&page);
        assert_eq!(ids.len(), 2, "{backend:?}");
        assert_eq!(format!("post-{}", ids[1]), anchor);
        // The quote links keep the window.
        let quotes: Vec<String> = page
            .all("a[href*='quote=']")
            .iter()
            .map(|a| a.value().attr("href").unwrap().to_owned())
            .collect();
        assert_eq!(quotes.len(), 2, "{}", page.body);
        for (quote, id) in quotes.iter().zip(&ids) {
            assert_eq!(*quote, format!("{path}&quote={id}#reply"));
        }
        app.close().await;
    }
}
