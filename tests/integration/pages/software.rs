//! `/software/{slug}`: claims, users, history and the diff between snapshots; an invalid
//! entry's diagnostics in the reader's language.

use axum::http::StatusCode;

use super::first_slug;
use crate::support::db::BACKENDS;
use crate::support::test_app::TestApp;

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
    let diagnostics = page.all("#diagnostics li.diagnostic-error");
    assert!(!diagnostics.is_empty());
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
        // The generic name repeats the name: not shown twice.
        assert_eq!(page.body.matches("egistro decisioni").count(), 0);
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
