//! Every route answers in both languages with the page frame and its headers; bad input gets a
//! 4xx page in the reader's language, never a 500.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use super::first_slug;
use crate::support::test_app::{PUBLIC_URL, TestApp};

#[tokio::test]
async fn every_page_answers_in_both_languages_with_the_frame_and_headers() {
    let app = TestApp::new().demo().synthetic(30).build().await;
    let slug = first_slug(&app, "q=govpay").await;
    let other = first_slug(&app, "q=whistleblowing").await;
    let pages = [
        "/".to_owned(),
        "/software".to_owned(),
        "/software?q=pagamenti&category=payment-gateway&sort=name".to_owned(),
        format!("/software/{slug}"),
        format!("/software/{slug}/diff"),
        "/publishers".to_owned(),
        "/publishers/c_f646".to_owned(),
        format!("/compare?id={slug}&id={other}"),
        "/validator".to_owned(),
        "/api".to_owned(),
        "/account/sign-up".to_owned(),
        "/account/sign-in?next=/software".to_owned(),
        "/account/reset".to_owned(),
    ];
    for uri in &pages {
        let it = app.get(uri).await;
        assert_eq!(it.status, StatusCode::OK, "{uri}: {}", it.body);
        assert_eq!(it.lang(), "it", "{uri}");
        assert_eq!(it.all("main#main").len(), 1, "{uri}");
        let title = it.text("title");
        assert!(
            title.ends_with(" · riuso") && !title.contains('<') && title.len() < 200,
            "{uri}: the title is {title:?}"
        );
        assert_eq!(it.all("a[href='#main']").len(), 1, "{uri}: skip link");
        assert_eq!(it.all("a[hreflang=en]").len(), 1, "{uri}: language switch");
        let csp = it.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(it.headers["x-frame-options"], "DENY");
        assert!(
            !it.body.contains("style=\""),
            "{uri}: an inline style breaks the CSP"
        );
        assert!(
            !it.body.contains("<script>"),
            "{uri}: an inline script breaks the CSP"
        );

        // The switch link leads to the same page in English and remembers the choice.
        let switch = it.all("a[hreflang=en]")[0]
            .value()
            .attr("href")
            .unwrap()
            .to_owned();
        let en = app.get(&switch).await;
        assert_eq!(en.status, StatusCode::OK, "{switch}");
        assert_eq!(en.lang(), "en", "{switch}");
        let cookie = en
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with("riuso_lang="))
            .unwrap_or_else(|| panic!("{switch}: no language cookie"));
        assert!(
            cookie.starts_with("riuso_lang=en;") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert_ne!(
            it.text("a[href='#main']"),
            en.text("a[href='#main']"),
            "{uri}: the frame is translated"
        );

        let by_cookie = app.get_with(uri, &[("cookie", "a=b; riuso_lang=en")]).await;
        assert_eq!(by_cookie.lang(), "en", "{uri}");
        let by_header = app
            .get_with(uri, &[("accept-language", "en-GB,en;q=0.9,it;q=0.5")])
            .await;
        assert_eq!(by_header.lang(), "en", "{uri}");
    }
    app.close().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_page_in_the_readers_language() {
    let app = TestApp::new().demo().synthetic(5).build().await;
    let slug = first_slug(&app, "q=govpay").await;
    let long = "a".repeat(201);
    let cases: Vec<(String, StatusCode)> = vec![
        ("/software?sort=nope".to_owned(), StatusCode::BAD_REQUEST),
        ("/software?colour=blue".to_owned(), StatusCode::BAD_REQUEST),
        (format!("/software?q={long}"), StatusCode::BAD_REQUEST),
        ("/software?active=maybe".to_owned(), StatusCode::BAD_REQUEST),
        ("/software?q=a&q=b".to_owned(), StatusCode::BAD_REQUEST),
        (
            "/software?after=not-a-cursor".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        ("/software?q=%FF%FE".to_owned(), StatusCode::OK),
        (
            "/software/no-such-solution".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        ("/software/..%2Fetc".to_owned(), StatusCode::NOT_FOUND),
        ("/software/%E2%80%AE".to_owned(), StatusCode::NOT_FOUND),
        (
            format!("/software/{slug}/diff?from=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/software/{slug}/diff?from=999999"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/software/{slug}/diff?to=1&to=2"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/compare?id=a&id=b&id=c&id=d&id=e".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/compare?id=no-such-solution".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/compare?id=%3Cscript%3E".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        ("/compare?x=1".to_owned(), StatusCode::BAD_REQUEST),
        ("/publishers?after=x".to_owned(), StatusCode::NOT_FOUND),
        ("/publishers/zzz_none".to_owned(), StatusCode::NOT_FOUND),
        ("/nowhere/at/all".to_owned(), StatusCode::NOT_FOUND),
    ];
    for (uri, status) in &cases {
        let it = app.get(uri).await;
        assert_eq!(it.status, *status, "{uri}: {}", it.body);
        assert!(
            it.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{uri}"
        );
        assert_eq!(it.lang(), "it", "{uri}");
        assert!(!it.body.contains("<script>alert"), "{uri}");
        if *status != StatusCode::OK {
            assert!(it.text("h1").len() > 5, "{uri}: the error page has a title");
            let en = app.get_with(uri, &[("accept-language", "en")]).await;
            assert_eq!(en.status, *status, "{uri}");
            assert_eq!(en.lang(), "en", "{uri}");
            assert_ne!(
                it.text("h1"),
                en.text("h1"),
                "{uri}: the error is translated"
            );
        }
    }
    // The detail says what was wrong, escaped.
    let bad = app.get("/software?%3Cb%3E=1").await;
    assert!(bad.body.contains("&#60;b&#62;"), "{}", bad.body);
    assert!(!bad.body.contains("<b>"));

    // An empty validator form, and a body over the limit.
    let empty = app.send(multipart(&[("publiccode", "  ")])).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.body.contains("Incolla il contenuto"),
        "{}",
        empty.body
    );
    let huge = "a: b\n".repeat(20_000);
    let too_large = app.send(multipart(&[("publiccode", &huge)])).await;
    assert_eq!(
        too_large.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        too_large.text(".alert")
    );
    assert_eq!(too_large.lang(), "it");
    app.close().await;
}

#[tokio::test]
async fn feeds_sitemap_and_robots_are_served_with_absolute_links() {
    let app = TestApp::new().demo().synthetic(12).build().await;
    for (uri, kind, entries) in [
        ("/feeds/new.atom", "application/atom+xml", "<entry>"),
        ("/feeds/updated.atom", "application/atom+xml", "<entry>"),
        ("/sitemap.xml", "application/xml", "<url>"),
    ] {
        let it = app.get(uri).await;
        assert_eq!(it.status, StatusCode::OK, "{uri}");
        assert!(
            it.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind),
            "{uri}"
        );
        assert!(it.body.starts_with("<?xml"), "{uri}");
        // 8 demo files (one of them invalid at most) and 12 seeded entries.
        let n = it.body.matches(entries).count();
        assert!(n >= 19, "{uri}: {n} entries");
        assert!(
            it.body.contains(&format!("{}/software/", PUBLIC_URL)),
            "{uri}"
        );
        assert!(!it.body.contains("href=\"/"), "{uri}: relative link");
    }
    let feed = app.get("/feeds/new.atom").await;
    assert!(feed.body.contains("<title>riuso · Nuove soluzioni</title>"));
    let robots = app.get("/robots.txt").await;
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {}/sitemap.xml", PUBLIC_URL))
    );
    app.close().await;
}

/// A multipart POST of the validator form with `fields`.
pub fn multipart(fields: &[(&str, &str)]) -> Request<Body> {
    let boundary = "riuso-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        let filename = if *name == "file" {
            "; filename=\"publiccode.yml\""
        } else {
            ""
        };
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post("/validator")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn static_assets_are_served_with_cache_headers_and_revalidated() {
    // Our own files are in the repository; Bootstrap Italia joins them in web/dist when built.
    let app = TestApp::new()
        .config(|c| c.assets_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/static").into())
        .build()
        .await;
    let css = app.get("/static/riuso.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(css.headers["cache-control"], "public, max-age=86400");
    let modified = css.headers["last-modified"].to_str().unwrap().to_owned();
    let again = app
        .get_with("/static/riuso.css", &[("if-modified-since", &modified)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let missing = app.get("/static/nothing.css").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let escape = app.get("/static/../Cargo.toml").await;
    assert_eq!(escape.status, StatusCode::NOT_FOUND);
    app.close().await;
}
