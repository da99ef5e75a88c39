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
            rows.iter().any(|r| r.starts_with(criterion)),
            "{criterion} in {rows:?}"
        );
    }
    assert!(page.body.contains("EUPL-1.2"));
    let one = app.get(&format!("/compare?id={a}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("almeno due"));
    app.close().await;
}

#[tokio::test]
async fn compare_names_what_is_gone_marks_differences_and_exports_csv() {
    let app = TestApp::new().demo().build().await;
    let a = first_slug(&app, "q=govpay").await;
    let b = first_slug(&app, "q=whistleblowing").await;
    let page = app
        .get(&format!(
            "/compare?id={a}&id=no-longer-here&id={b}&utm_source=x"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("#compare-missing").contains("no-longer-here"));
    assert_eq!(page.all("table#compare-table thead th").len(), 3);
    let rows: Vec<String> = page
        .all("table#compare-table tbody th")
        .iter()
        .map(|t| t.text().collect())
        .collect();
    for criterion in ["Data di rilascio", "Ambito", "Versione"] {
        assert!(
            rows.iter().any(|r| r.starts_with(criterion)),
            "{criterion} in {rows:?}"
        );
    }
    let differs: Vec<String> = page
        .all("tr.compare-differs th")
        .iter()
        .map(|t| t.text().collect())
        .collect();
    assert!(
        differs
            .iter()
            .any(|r| r.starts_with("Piattaforme") || r.starts_with("Categoria")),
        "{differs:?}"
    );
    assert!(
        differs.len() < rows.len(),
        "equal rows are not marked: {differs:?}"
    );
    assert_eq!(
        page.all("link[rel=stylesheet][media=print][href='/static/print.css']")
            .len(),
        1
    );

    let href = page.all("a#compare-csv")[0]
        .value()
        .attr("href")
        .unwrap()
        .replace("&amp;", "&");
    let csv = app.get(&href).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.len(), 3, "{header:?}");
    assert_eq!(&header[0], "Criterio");
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), rows.len(), "one line per criterion");
    assert!(
        lines
            .iter()
            .any(|l| &l[0] == "Licenza" && &l[1] == "EUPL-1.2")
    );

    // Five is one too many: refused in the reader's language when the page's script is off.
    let five = app
        .get(&format!("/compare?id={a}&id={b}&id=c&id=d&id=e"))
        .await;
    assert_eq!(five.status, StatusCode::BAD_REQUEST);
    assert!(
        five.text(".alert").contains("al massimo 4"),
        "{}",
        five.text(".alert")
    );
    // The search page tells the script how many the comparison takes.
    let search = app.get("/software").await;
    assert_eq!(
        search.all("#compare-count[data-max='4'][data-limit]").len(),
        1
    );
    app.close().await;
}
