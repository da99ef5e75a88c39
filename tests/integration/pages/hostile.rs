//! Pages, feeds and exports fed hostile data: no address from a file, a forge or a form becomes
//! a link unless it is plain http(s) (or a mailto of one address), names cannot spoof others or
//! break a feed, and every value a spreadsheet could run is neutralised.

use axum::http::StatusCode;
use riuso::catalog::entities::{organisations, repositories, snapshots, software};
use sea_orm::{ActiveModelTrait as _, EntityTrait as _, Set};
use serde_json::{Value, json};

use crate::support::db::BACKENDS;
use crate::support::test_app::{TestApp, ingest};

/// Addresses that must never reach an `href` or a `src`.
const HOSTILE: [&str; 16] = [
    "javascript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///srv/riuso/checkouts/x",
    "//evil.example/x",
    "/admin/users",
    "https:evil.example",
    "https://user:secret@example.org/",
    "https://example.org/\u{0}x",
    "https://exa\u{202e}mple.org/",
    "\u{1b}[31mhttps://example.org/",
    "http://example.org/a b",
];

/// Sets the key of `object` whose name is `key` in any case (the stored names are camelCase).
fn set(object: &mut Value, key: &str, value: Value) {
    let map = object.as_object_mut().unwrap();
    let name = map
        .keys()
        .find(|k| k.eq_ignore_ascii_case(key))
        .cloned()
        .unwrap_or_else(|| key.to_owned());
    map.insert(name, value);
}

/// Whether `href` is one a reader may follow: http(s) with a host, mailto, or one of our paths.
fn allowed(href: &str) -> bool {
    riuso::links::SafeHref::web(href).is_some()
        || riuso::links::SafeHref::mailto(href.strip_prefix("mailto:").unwrap_or("-")).is_some()
        || (href.starts_with('/') && !href.starts_with("//") && !href.contains('\\'))
        || href.starts_with('#')
}

#[tokio::test]
async fn no_hostile_address_becomes_a_link_or_an_image() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let db = &app.db;
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
        ))
        .unwrap();
        let url = "https://github.com/Comune-di-Montesilvano/GovPay-Interaction-Layer";
        ingest(db, url, &bytes).await;

        // Every address the page shows, from the stored file, the forge and the registry,
        // set to hostile values (as an older validator, a forge or an operator could store).
        let entry = software::Entity::find()
            .all(&db.conn)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.name == "GovPay Interaction Layer")
            .unwrap();
        let snapshot = snapshots::Entity::find_by_id(entry.current_snapshot_id.unwrap())
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        let mut doc: Value = serde_json::from_str(snapshot.normalized.as_deref().unwrap()).unwrap();
        let many = |n: usize| {
            json!(
                HOSTILE
                    .iter()
                    .cycle()
                    .skip(n)
                    .take(HOSTILE.len())
                    .collect::<Vec<_>>()
            )
        };
        set(&mut doc, "isBasedOn", many(0));
        set(&mut doc, "landingURL", json!(HOSTILE[0]));
        set(&mut doc, "roadmap", json!(HOSTILE[7]));
        for d in doc["description"].as_object_mut().unwrap().values_mut() {
            set(d, "documentation", json!(HOSTILE[8]));
            set(d, "apiDocumentation", json!(HOSTILE[4]));
            set(d, "videos", many(3));
            set(
                d,
                "screenshots",
                json!([
                    "http://example.org/plain.png",
                    "data:image/png;base64,AAAA",
                    "javascript:alert(1)",
                    "//evil.example/x.png",
                    "https://example.org/ok.png"
                ]),
            );
        }
        set(
            &mut doc["maintenance"],
            "contacts",
            json!([{"name": "A", "email": "a@example.org?bcc=x@evil.example"}, {"name": "B", "email": "javascript:alert(1)//@example.org"}, {"name": "C", "email": "ok@example.org"}]),
        );
        set(
            &mut doc["maintenance"],
            "contractors",
            json!([{"name": "D", "until": "2099-01-01", "website": HOSTILE[5], "email": "d@example.org\r\nBcc: x@evil.example"}]),
        );
        snapshots::ActiveModel {
            id: Set(snapshot.id),
            normalized: Set(Some(doc.to_string())),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        repositories::ActiveModel {
            id: Set(entry.repository_id),
            url: Set("javascript:alert(document.cookie)".to_owned()),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();
        if let Some(org) = entry.organisation_id {
            organisations::ActiveModel {
                id: Set(org),
                website: Set(Some("javascript:alert(2)".to_owned())),
                ..Default::default()
            }
            .update(&db.conn)
            .await
            .unwrap();
        }

        let mut pages = vec![
            format!("/software/{}", entry.slug),
            "/publishers".to_owned(),
        ];
        if let Some(org) = entry.organisation_id {
            let org = organisations::Entity::find_by_id(org)
                .one(&db.conn)
                .await
                .unwrap()
                .unwrap();
            pages.push(format!(
                "/publishers/{}",
                org.ipa_code.unwrap_or_else(|| org.id.to_string())
            ));
        }
        for path in &pages {
            let page = app.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{backend:?} {path}");
            for element in page.all("[href], [src], [action], [formaction]") {
                for attr in ["href", "src", "action", "formaction"] {
                    if let Some(v) = element.value().attr(attr) {
                        assert!(allowed(v), "{backend:?} {path}: {attr}={v:?}");
                    }
                }
            }
            for img in page.all("img") {
                let src = img.value().attr("src").unwrap();
                assert!(
                    src.starts_with("https://") || src.starts_with('/'),
                    "{backend:?} {path}: img {src}"
                );
            }
        }
        // The values are still shown, as text, for the reader to judge.
        let page = app.get(&format!("/software/{}", entry.slug)).await;
        assert!(page.body.contains("vbscript:msgbox(1)"), "{backend:?}");
        assert!(
            page.body.contains("file:///srv/riuso/checkouts/x"),
            "{backend:?}"
        );
        assert_eq!(page.all("a[href=\"mailto:ok@example.org\"]").len(), 1);
        assert_eq!(page.all("img[src=\"https://example.org/ok.png\"]").len(), 1);
        app.close().await;
    }
}

/// The demo file with its `name:` line replaced.
fn named(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/Comune-di-Montesilvano__GovPay-Interaction-Layer.yml"
    ))
    .unwrap();
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.starts_with("name:") {
                done = true;
                format!("name: {name}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect::<String>()
        .into_bytes()
}

/// Whether `c` may appear in an XML 1.0 document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[tokio::test]
async fn names_cannot_spoof_break_feeds_or_run_in_spreadsheets() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        let db = &app.db;
        let spoofs = [
            ("\"\u{202e}Comune di Roma\u{202c}\"", "Comune di Roma"),
            (
                "\"Com\u{200b}une\u{2060} di\u{feff} Milano\"",
                "Comune di Milano",
            ),
            ("\"\u{2067}Regione\u{2069} Lazio\u{200d}\"", "Regione Lazio"),
            (
                "\"=HYPERLINK(\\\"http://evil.example\\\")\"",
                "=HYPERLINK(\"http://evil.example\")",
            ),
            ("\"\\t@SUM(1+1)\"", "\t@SUM(1+1)"),
            ("\" +1-1\"", " +1-1"),
        ];
        for (i, (written, _)) in spoofs.iter().enumerate() {
            ingest(
                db,
                &format!("https://github.com/hostile/n{i}"),
                &named(written),
            )
            .await;
        }
        // Stored before names were cleaned: a control character and invisible ones in the row.
        let entry = software::Entity::find()
            .all(&db.conn)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.slug.contains("n0"))
            .unwrap();
        software::ActiveModel {
            id: Set(entry.id),
            name: Set("Old\u{1}\u{202e}Name\u{b}".to_owned()),
            ..Default::default()
        }
        .update(&db.conn)
        .await
        .unwrap();

        // Search finds a name whatever invisible characters it was written with.
        let found = app.get("/software?q=comune+milano").await;
        let names: Vec<String> = found
            .all("a.result-link")
            .iter()
            .map(|a| a.text().collect())
            .collect();
        assert!(
            names.contains(&"Comune di Milano".to_owned()),
            "{backend:?} {names:?}"
        );
        for (_, clean) in &spoofs[1..3] {
            let page = app
                .get(&format!("/software?q={}", clean.replace(' ', "+")))
                .await;
            assert!(page.body.contains(clean), "{backend:?} {clean}");
        }
        for path in ["/software", "/", "/software?q=comune"] {
            let page = app.get(path).await;
            for c in [
                '\u{202e}', '\u{200b}', '\u{2060}', '\u{feff}', '\u{2067}', '\u{200d}', '\u{1}',
            ] {
                assert!(
                    !page.body.contains(c),
                    "{backend:?} {path}: U+{:04X}",
                    u32::from(c)
                );
            }
            // Names are isolated from the text around them.
            for a in page.all("a.result-link") {
                assert_eq!(a.children().count(), 1);
                assert_eq!(
                    a.first_child()
                        .unwrap()
                        .value()
                        .as_element()
                        .map(|e| e.name()),
                    Some("bdi"),
                    "{backend:?} {path}"
                );
            }
        }

        // Both Atom feeds stay well-formed XML.
        for feed in ["/feeds/new.atom", "/feeds/updated.atom"] {
            let page = app.get(feed).await;
            assert_eq!(page.status, StatusCode::OK);
            let bad: Vec<char> = page.body.chars().filter(|c| !xml_char(*c)).collect();
            assert!(bad.is_empty(), "{backend:?} {feed}: {bad:?}");
            assert!(
                page.body.contains("<title>Old Name</title>"),
                "{backend:?} {feed}"
            );
        }

        // The CSV export neutralises every cell a spreadsheet would run.
        let csv = app.get("/api/v1/export.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        for line in csv.body.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            for cell in split_csv(line) {
                let start = cell.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
                assert!(
                    !(cell.starts_with(['\t', '\r']) || start.starts_with(['=', '+', '-', '@'])),
                    "{backend:?}: formula cell {cell:?}"
                );
            }
        }
        assert!(csv.body.contains("'=HYPERLINK"), "{backend:?}");
        let cells: Vec<String> = csv.body.split("\r\n").flat_map(split_csv).collect();
        for needle in ["@SUM(1+1)", "+1-1"] {
            let cell = cells.iter().find(|c| c.contains(needle)).unwrap();
            assert!(cell.starts_with('\''), "{backend:?}: {cell:?}");
        }
        assert!(csv.body.contains(",' +1-1,"), "{backend:?}");
        app.close().await;
    }
}

/// The cells of one CSV line (RFC 4180 quoting), unquoted.
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

/// Markup a crawled description may hold to attack a reader: scripts, styles, event handlers,
/// frames, forms, and links or sources with schemes other than http(s).
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<style>body{display:none}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"//evil.example\">x</a>",
    "<a href=\"/admin/users\">x</a>",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">x</a>",
    "<div onmouseover=\"alert(1)\">x</div>",
    "<body onload=alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<base href=\"https://evil.example/\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](//evil.example)",
    "[x]( javascript:alert(1))",
    "![x](https://evil.example/track.png)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "<scr<script>ipt>alert(1)</script>",
    "<a href=\"https://example.org\" style=\"position:fixed\">x</a>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
];

/// What no description's HTML may hold once rendered: an element that runs or styles, an event
/// handler, an attribute that restyles, or an address other than http(s) and mailto.
fn assert_harmless(source: &str, html: &str) {
    let lower = html.to_lowercase();
    for element in [
        "<script", "<style", "<iframe", "<object", "<embed", "<form", "<input", "<img", "<svg",
        "<math", "<meta", "<base", "<link", "<video", "<source", "<body",
    ] {
        assert!(
            !lower.contains(element),
            "{element} from {source:?}: {html}"
        );
    }
    let fragment = scraper::Html::parse_fragment(html);
    for node in fragment.root_element().descendants() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        for (name, value) in element.attrs() {
            assert!(!name.starts_with("on"), "{name} from {source:?}: {html}");
            assert_ne!(name, "style", "from {source:?}: {html}");
            if matches!(name, "href" | "src" | "action" | "xlink:href") {
                assert!(
                    value.starts_with("https://")
                        || value.starts_with("http://")
                        || value.starts_with("mailto:"),
                    "{name}={value:?} from {source:?}: {html}"
                );
            }
        }
    }
}

#[test]
fn no_description_can_add_script_style_handlers_or_other_schemes() {
    for payload in XSS {
        for text in [
            (*payload).to_owned(),
            format!("Intro.\n\n{payload}\n\nOutro."),
            format!("- item\n  {payload}"),
        ] {
            assert_harmless(&text, &riuso::untrusted::markdown(&text));
        }
    }
    // The real files: every description renders harmless, and one written as lines keeps them.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut descriptions = 0;
    let mut lines_kept = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let inspected = riuso::publiccode::inspect(
            &bytes,
            &riuso::publiccode::Limits::default(),
            &riuso::publiccode::Context::default(),
        );
        let riuso::publiccode::Outcome::Valid(valid) = &inspected.outcome else {
            continue;
        };
        for description in valid.code().description.values() {
            let text = &description.long_description;
            let html = riuso::untrusted::markdown(text);
            assert_harmless(&path.display().to_string(), &html);
            descriptions += 1;
            let single_breaks = text.trim().lines().count() > 1 && !text.contains("\n\n");
            if single_breaks && html.contains("<br") {
                lines_kept += 1;
            }
        }
    }
    assert!(descriptions > 100, "{descriptions} descriptions read");
    assert!(
        lines_kept > 10,
        "only {lines_kept} descriptions kept their lines"
    );
}
