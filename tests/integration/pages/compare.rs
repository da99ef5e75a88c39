//! `/compare`: the art. 68 criteria side by side.

use axum::http::StatusCode;

use super::first_slug;
use crate::support::test_app::TestApp;

#[tokio::test]
async fn compare_puts_the_art_68_criteria_side_by_side() {
    let app = TestApp::new().demo().build().await;
    let a = first_slug(&app, "q=govpay").await;
    let b = first_slug(&app, "q=whistleblowing").await;
    let page = app.get(&format!("/compare?id={a}&id={b}&id={a}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.all("table#compare-table thead th").len(),
        3,
        "criterion + two solutions"
    );
    let rows: Vec<String> = page
        .all("table#compare-table tbody th")
        .iter()
        .map(|t| t.text().collect())
        .collect();
    for criterion in [
        "Licenza",
        "Manutenzione",
        "Dipendenze proprietarie",
        "Vitalità",
        "SPID",
        "Lingue",
        "Piattaforme",
    ] {
        assert!(
            rows.iter().any(|r| r == criterion),
            "{criterion} in {rows:?}"
        );
    }
    assert!(page.body.contains("EUPL-1.2"));
    let one = app.get(&format!("/compare?id={a}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("almeno due"));
    app.close().await;
}
