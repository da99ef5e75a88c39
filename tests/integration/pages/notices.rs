//! The footer's notices: accessibility statement, privacy notice and legal notes, riuso's own
//! text in both languages until the operator gives theirs; the sign-up form links the privacy
//! notice before it asks for anything.

use axum::http::StatusCode;

use crate::support::test_app::TestApp;

#[tokio::test]
async fn every_page_links_the_notices_and_each_has_its_own_text_in_both_languages() {
    let app = TestApp::new().build().await;
    for lang in ["it", "en"] {
        let home = app.get(&format!("/?lang={lang}")).await;
        let footer: Vec<_> = home
            .all("footer a")
            .iter()
            .filter_map(|a| a.value().attr("href"))
            .map(str::to_owned)
            .collect();
        for href in ["/accessibility", "/privacy", "/legal"] {
            assert!(
                footer.iter().any(|h| h == href),
                "{lang}: no {href} in the footer"
            );
            let page = app.get(&format!("{href}?lang={lang}")).await;
            assert_eq!(page.status, StatusCode::OK, "{href}");
            assert_eq!(page.lang(), lang);
            let paragraphs = page.all("main .notice-page p");
            assert!(paragraphs.len() >= 3, "{href} ({lang}): {}", page.body);
        }
    }
    let it = app.get("/privacy?lang=it").await;
    let en = app.get("/privacy?lang=en").await;
    assert_eq!(it.text("h1"), "Informativa sulla privacy");
    assert_eq!(en.text("h1"), "Privacy notice");
    assert!(it.text("main").contains("GDPR") && en.text("main").contains("GDPR"));
    app.close().await;
}

#[tokio::test]
async fn the_operator_gives_the_statement_link_and_the_notice_texts() {
    let dir = tempfile::tempdir().unwrap();
    let privacy = dir.path().join("privacy.txt");
    std::fs::write(
        &privacy,
        "Titolare: Comune di Esempio,\npiazza Grande 1.\n\nDPO: <dpo@comune.esempio.it>\n",
    )
    .unwrap();
    let legal = dir.path().join("legal.txt");
    std::fs::write(&legal, "Note legali del Comune di Esempio.\n").unwrap();
    let app = TestApp::new()
        .config(|c| {
            c.site.accessibility_url = Some("https://form.agid.gov.it/view/example".to_owned());
            c.site.privacy_file = Some(privacy);
            c.site.legal_file = Some(legal);
        })
        .build()
        .await;
    let statement = app.get("/accessibility").await;
    assert!(statement.status.is_redirection());
    assert_eq!(
        statement.location(),
        "https://form.agid.gov.it/view/example"
    );
    for lang in ["it", "en"] {
        let page = app.get(&format!("/privacy?lang={lang}")).await;
        let paragraphs: Vec<String> = page
            .all("main .notice-page p")
            .iter()
            .map(|p| p.text().collect())
            .collect();
        // The operator's text as written, escaped, whatever the reader's language.
        assert_eq!(
            paragraphs,
            [
                "Titolare: Comune di Esempio, piazza Grande 1.",
                "DPO: <dpo@comune.esempio.it>"
            ]
        );
        assert!(
            !page.body.contains("<dpo@"),
            "the operator's text is escaped"
        );
        let page = app.get(&format!("/legal?lang={lang}")).await;
        assert_eq!(
            page.text("main .notice-page p"),
            "Note legali del Comune di Esempio."
        );
    }
    app.close().await;
}

#[tokio::test]
async fn a_notice_file_that_cannot_be_read_stops_the_start() {
    let mut config = riuso::config::Config::from_lookup(|_| None).unwrap();
    config.site.privacy_file = Some("/nonexistent/privacy.txt".into());
    let err = riuso::app::NoticeTexts::load(&config.site).unwrap_err();
    assert!(format!("{err:#}").contains("/nonexistent/privacy.txt"));
}

#[tokio::test]
async fn sign_up_links_the_privacy_notice_before_its_fields() {
    let app = TestApp::new().build().await;
    for lang in ["it", "en"] {
        let page = app.get(&format!("/account/sign-up?lang={lang}")).await;
        let link = page
            .body
            .find("href=\"/privacy\"")
            .expect("a link to /privacy");
        let form = page.body.find("action=\"/account/sign-up\"").unwrap();
        let main = page.body.find("<main").unwrap();
        assert!(
            main < link && link < form,
            "{lang}: the link comes before the form"
        );
    }
    app.close().await;
}
