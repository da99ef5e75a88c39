//! `/validator`: the online validator lists diagnostics and marks the offending lines.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::test_app::TestApp;

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
async fn validator_page_lists_diagnostics_and_marks_the_offending_lines() {
    let app = TestApp::new().demo().build().await;
    let broken = "publiccodeYmlVersion: '0.4'\nname: Test\nurl: https://github.com/x/y\ndevelopmentStatus: nearly\nsoftwareType: standalone/web\n";
    let page = app.send(multipart(&[("publiccode", broken)])).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text(".alert-danger").contains("Non valido"));
    assert!(!page.all("#diagnostics li").is_empty());
    // Line 4 holds the bad status and is marked; its diagnostic links to it.
    assert_eq!(page.all("li#line-4.source-error").len(), 1, "{}", page.body);
    assert!(page.all("#diagnostics a[href='#line-4']").len() == 1);
    // The pasted text stays in the form.
    assert!(
        page.text("textarea#publiccode")
            .contains("developmentStatus: nearly")
    );

    // An uploaded file wins over the text area; English by cookie.
    let valid = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
    ))
    .unwrap();
    let mut request = multipart(&[
        ("publiccode", broken),
        ("file", std::str::from_utf8(&valid).unwrap()),
    ]);
    request
        .headers_mut()
        .insert("cookie", "riuso_lang=en".parse().unwrap());
    let ok = app.send(request).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.text("[role=status]").contains("Valid"), "{}", ok.body);
    assert_eq!(ok.lang(), "en");
    let form = app.get("/validator").await;
    assert_eq!(
        form.all("form#validator-form[method=post][enctype='multipart/form-data']")
            .len(),
        1
    );
    assert!(form.all("a[href^='/schemas/publiccode-']").len() == 1);
    app.close().await;
}
