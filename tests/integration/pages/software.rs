//! `/software/{slug}`: claims, users, history and the diff between snapshots; an invalid
//! entry's diagnostics in the reader's language; an invalid push under a banner whose "line N"
//! links lead to the lines of the file shown.

use axum::http::StatusCode;

use super::first_slug;
use crate::support::db::BACKENDS;
use crate::support::test_app::{Response, TestApp};

#[tokio::test]
async fn software_page_shows_claims_users_history_and_a_diff_between_snapshots() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let url = "https://github.com/Comune-di-Montesilvano/GovPay-Interaction-Layer";
        let original = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
        ))
        .unwrap();
        let changed = String::from_utf8(original.clone())
            .unwrap()
            .replace("softwareVersion: 1.5.47", "softwareVersion: 1.6.0");
        app.ingest(url, changed.as_bytes()).await;
        let slug = first_slug(&app, "q=govpay").await;

        let page = app.get(&format!("/software/{slug}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text("h1"), "GovPay Interaction Layer");
        assert!(
            page.text("#description-title + p, .lead")
                .contains("pagoPA")
                || page.body.contains("Piattaforma containerizzata")
        );
        assert!(
            page.all("#claims-title ~ table code")
                .iter()
                .any(|c| c.text().collect::<String>().contains("publisher"))
                || page.body.contains("organisation.uri")
        );
        assert!(page.body.contains("Provincia di Pescara"));
        assert!(!page.all("a[href='/publishers/c_f646']").is_empty());
        assert_eq!(
            page.all("input[name=from]").len(),
            2,
            "two snapshots in the history"
        );
        assert!(page.body.contains("EUPL-1.2"));

        // The default diff is the previous snapshot against the current one.
        let diff = app.get(&format!("/software/{slug}/diff")).await;
        assert_eq!(diff.status, StatusCode::OK);
        let removed: Vec<String> = diff
            .all("tr.diff-removed pre")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        let added: Vec<String> = diff
            .all("tr.diff-added pre")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(removed, ["softwareVersion: 1.5.47"]);
        assert_eq!(added, ["softwareVersion: 1.6.0"]);

        // English page: English labels, the Italian description with a note saying so.
        let en = app.get(&format!("/software/{slug}?lang=en")).await;
        assert!(en.body.contains("Compliance and integrations"));
        assert!(en.body.contains("No description in this language"));
        app.close().await;
    }
}

#[tokio::test]
async fn an_invalid_entry_shows_its_diagnostics_in_the_readers_language() {
    let app = TestApp::new().demo().build().await;
    let broken = "publiccodeYmlVersion: '0.4'\nname: Broken\nurl: https://github.com/x/broken\ndevelopmentStatus: nearly\n";
    app.ingest("https://github.com/x/broken", broken.as_bytes())
        .await;
    let page = app.get("/software/x-broken").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text(".alert-warning").contains("Non attiva"));
    // Never valid: titled by the file's name, its diagnostics at the top with the file.
    assert_eq!(page.text("h1"), "Broken");
    assert!(
        page.text("#invalid-banner")
            .contains("publiccode.yml non valido dal")
    );
    let diagnostics = page.all("#invalid-diagnostics li.diagnostic-error");
    assert!(!diagnostics.is_empty());
    assert_eq!(page.all("#L4.source-error").len(), 1, "{}", page.body);
    assert!(
        page.body.contains("non è tra quelli ammessi"),
        "Italian help"
    );
    let en = app
        .get_with("/software/x-broken", &[("cookie", "riuso_lang=en")])
        .await;
    assert!(en.body.contains("is not one of those the standard allows"));
    app.close().await;
}

/// Every in-page link of `page`'s diagnostics leads to an element that exists; answers how many
/// there are.
fn line_links_lead_somewhere(page: &Response) -> usize {
    let links: Vec<String> = page
        .all(".diagnostics a[href^='#']")
        .iter()
        .map(|a| {
            a.value()
                .attr("href")
                .unwrap()
                .trim_start_matches('#')
                .to_owned()
        })
        .collect();
    for id in &links {
        assert_eq!(
            page.all(&format!("[id='{id}']")).len(),
            1,
            "#{id} is not on the page"
        );
    }
    links.len()
}

#[tokio::test]
async fn an_invalid_push_keeps_the_valid_page_under_a_banner_linked_to_the_lines() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).build().await;
        let url = "https://github.com/comune-prova/registro-decisioni";
        let valid = decision_file();
        let broken = valid.replace("developmentStatus: stable", "developmentStatus: stabile");
        let line = broken
            .lines()
            .position(|l| l.starts_with("developmentStatus"))
            .unwrap()
            + 1;
        app.ingest(url, valid.as_bytes()).await;
        let slug = "comune-prova-registro-decisioni";
        let before = app.get(&format!("/software/{slug}")).await;
        assert!(before.all("#invalid-banner").is_empty());
        line_links_lead_somewhere(&before);
        app.ingest(url, broken.as_bytes()).await;
        for (lang, title) in [
            ("it", "publiccode.yml non valido dal "),
            ("en", "publiccode.yml invalid since "),
        ] {
            let page = app.get(&format!("/software/{slug}?lang={lang}")).await;
            assert_eq!(page.status, StatusCode::OK, "{backend:?}");
            assert!(
                page.text("#invalid-title").starts_with(title),
                "{lang}: {}",
                page.text("#invalid-title")
            );
            // Still the valid file's page: its description and facts, active.
            assert_eq!(page.text("h1"), "Registro Decisioni");
            assert!(!page.all("#description-title").is_empty());
            assert!(
                page.all(".alert-warning[role='alert']").is_empty(),
                "{lang}: not inactive"
            );
            // Each "line N" goes to that line of the invalid file, shown with its number.
            assert!(line_links_lead_somewhere(&page) >= 1, "{lang}");
            let link = format!("#invalid-diagnostics a[href='#L{line}']");
            assert_eq!(
                page.all(&link).len(),
                1,
                "{lang}: {}",
                page.text("#invalid-banner")
            );
            assert_eq!(page.all(&format!("li#L{line}.source-error")).len(), 1);
            assert!(page.text(&format!("li#L{line}")).contains("stabile"));
        }
        // The API keeps the valid file as current, and says what is invalid since when.
        let api = app
            .get_json(&format!("/api/v1/software/{slug}"), StatusCode::OK)
            .await;
        assert_eq!(api["active"], true);
        assert_eq!(api["current"]["valid"], true);
        assert_eq!(api["invalid"]["snapshot"]["valid"], false);
        app.close().await;
    }
}

/// A file with the facts a decision rests on: dates, an expired contract, contacts, twelve
/// users, a generic name equal to the name, a long description in English only (literal lines,
/// a list, hostile HTML).
fn decision_file() -> String {
    let users: String = (1..=12)
        .map(|i| format!("  - Comune numero {i}\n"))
        .collect();
    format!(
        "publiccodeYmlVersion: \"0.4.0\"
name: Registro Decisioni
url: https://github.com/comune-prova/registro-decisioni
softwareVersion: 2.3.1
releaseDate: 2025-11-20
platforms:
  - web
  - android
categories:
  - accounting
usedBy:
  - c_f205
{users}developmentStatus: stable
softwareType: standalone/web
intendedAudience:
  scope:
    - education
organisation:
  uri: urn:x-italian-pa:c_a944
description:
  en:
    genericName: registro decisioni
    shortDescription: A register of the decisions of a council.
    longDescription: |
      First line of the description.
      Second line, kept as its own line.

      - one item
      - another item

      <script>alert(1)</script><img src=x onerror=alert(2)>
      [safe](https://example.org) [unsafe](javascript:alert(3))
    features:
      - registers decisions
legal:
  license: EUPL-1.2
maintenance:
  type: contract
  contractors:
    - name: Ditta Scaduta S.r.l.
      until: 2020-01-31
    - name: Ditta Attiva S.r.l.
      until: 2099-12-31
  contacts:
    - name: Mario Rossi
      email: mario.rossi@example.org
      phone: +39 051 123 4567
localisation:
  localisationReady: true
  availableLanguages:
    - it
    - de
"
    )
}

#[tokio::test]
async fn software_page_gives_the_facts_a_decision_rests_on() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).ipa_registry().build().await;
        let url = "https://github.com/comune-prova/registro-decisioni";
        app.ingest(url, decision_file().as_bytes()).await;
        use riuso::catalog::entities::repositories;
        use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, Set};
        repositories::Entity::update_many()
            .set(repositories::ActiveModel {
                last_modified: Set(Some("2026-01-02T03:04:05Z".to_owned())),
                ..Default::default()
            })
            .filter(repositories::Column::Url.eq(url))
            .exec(&app.db.conn)
            .await
            .unwrap();
        let slug = first_slug(&app, "q=registro").await;
        let page = app.get(&format!("/software/{slug}")).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");

        // Dates that mean something: the release and the repository's last change.
        assert_eq!(page.text("#release-date"), "2025-11-20");
        assert_eq!(page.text("#repository-changed"), "2026-01-02");
        // The history shows the software's version.
        assert!(page.text("#history-title ~ form tbody").contains("2.3.1"));
        // The expired contract is flagged, the running one is not.
        assert_eq!(page.all(".contract-expired").len(), 1);
        assert!(
            page.body
                .contains("Ditta Scaduta S.r.l.</bdi> <span class=\"contract-expired\">"),
            "the flag is on the expired contractor"
        );
        // Contacts are links.
        assert_eq!(page.all("a[href='tel:+390511234567']").len(), 1);
        assert_eq!(
            page.all("a[href='mailto:mario.rossi@example.org']").len(),
            1
        );
        // Thirteen users: ten shown, the rest behind "show all"; the IPA code by its name.
        assert!(
            page.text("#users-count").contains("13"),
            "{}",
            page.text("#users-count")
        );
        assert_eq!(page.all("#users-title ~ ul.users > li").len(), 10);
        assert_eq!(page.all("details#more-users li").len(), 3);
        assert!(
            page.text("#users-title ~ ul.users")
                .contains("Comune di Milano")
        );
        // The generic name repeats the name: not shown twice (the file's lines aside).
        let listed: String = page.all("#current-file").iter().map(|e| e.html()).collect();
        assert_eq!(
            page.body.matches("egistro decisioni").count(),
            listed.matches("egistro decisioni").count()
        );
        // The publisher by its name in the IPA registry, not its code.
        assert!(page.body.contains("Comune di Bologna"));
        // Vocabulary values as labels of the page's language.
        assert!(page.body.contains("Contabilità") && page.body.contains("Istruzione e scuola"));
        assert!(page.body.contains("tedesco"));
        // The description is Markdown, in its own language, with its lines and nothing hostile.
        let description = page
            .html()
            .select(&scraper::Selector::parse("div.description").unwrap())
            .next()
            .unwrap();
        assert_eq!(description.value().attr("lang"), Some("en"));
        let inner = description.inner_html();
        assert!(
            inner.contains("First line of the description.<br>"),
            "{inner}"
        );
        assert!(inner.contains("<li>one item</li>"), "{inner}");
        assert!(inner.contains("href=\"https://example.org\""), "{inner}");
        for hostile in ["<script", "onerror", "javascript:", "<img"] {
            assert!(!inner.contains(hostile), "{hostile} in {inner}");
        }
        // Vitality not computed yet, and how it is computed.
        assert!(
            page.text("#vitality-absent")
                .contains("Non ancora calcolata")
        );
        assert!(page.text("#vitality-method").contains("Comunità"));

        let en = app.get(&format!("/software/{slug}?lang=en")).await;
        assert!(en.body.contains("Accounting") && en.body.contains("Education and schools"));
        assert!(en.text("#vitality-absent").contains("Not computed yet"));
        assert!(
            en.all("div.description[lang]").is_empty(),
            "English on an English page"
        );
        app.close().await;
    }
}
