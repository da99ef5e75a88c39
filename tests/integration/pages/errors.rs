//! Bad input gets a 4xx page in the reader's language, never a 500.

use axum::http::StatusCode;

use super::first_slug;
use super::validator::multipart;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_page_in_the_readers_language() {
    let app = TestApp::new().demo().synthetic(5).build().await;
    let slug = first_slug(&app, "q=govpay").await;
    let long = "a".repeat(201);
    let cases: Vec<(String, StatusCode)> = vec![
        ("/software?sort=nope".to_owned(), StatusCode::BAD_REQUEST),
        // A parameter the page does not know (a tracking one, a typo) is ignored.
        ("/software?colour=blue".to_owned(), StatusCode::OK),
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
        // A solution no longer in the catalog is named, and the others compared.
        ("/compare?id=no-such-solution".to_owned(), StatusCode::OK),
        (
            "/compare?id=%3Cscript%3Ealert(1)".to_owned(),
            StatusCode::OK,
        ),
        ("/compare?x=1".to_owned(), StatusCode::OK),
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
    let bad = app.get("/software?sort=%3Cb%3E").await;
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
