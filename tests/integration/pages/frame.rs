//! Every page answers in both languages with the page frame and its headers: the language
//! switch, the cookie and `Accept-Language`, the skip link, and a CSP nothing inline breaks.

use axum::http::StatusCode;

use super::first_slug;
use crate::support::test_app::TestApp;

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
        "/privacy".to_owned(),
        "/legal".to_owned(),
        "/accessibility".to_owned(),
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
