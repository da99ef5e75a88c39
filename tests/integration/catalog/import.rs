//! `riuso import` loads the demo catalog into either database and reports a JSON summary.

use std::process::Command;

use crate::support::db::{BACKENDS, TestDb};

/// Runs `riuso ARGS... --json` and returns its JSON output, failing on a non-zero exit.
fn riuso_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_riuso"))
        .args(args)
        .arg("--json")
        .env("RIUSO_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn import_json(url: &str, path: &std::path::Path) -> serde_json::Value {
    riuso_json(&["import", "--database", url, path.to_str().unwrap()])
}

#[tokio::test]
async fn demo_catalog_imports_then_is_unchanged() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let files = std::fs::read_dir(&demo)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yml")
        })
        .count();
    for backend in BACKENDS {
        let db = TestDb::empty(backend).await;
        let first = import_json(&db.url, &demo);
        assert_eq!(
            first,
            serde_json::json!({"new": files, "updated": 0, "unchanged": 0, "invalid": 0}),
            "{backend:?}"
        );
        // The command-line search sees what was imported, with facet counts.
        let results = riuso_json(&[
            "search",
            "--database",
            &db.url,
            "--filter",
            "claim=spid",
            "comune",
        ]);
        let total = results["total"].as_u64().unwrap();
        assert!(total > 0 && total < files as u64, "{backend:?}: {results}");
        assert_eq!(results["hits"].as_array().unwrap().len() as u64, total);
        let claims = results["facets"]["claim"].as_array().unwrap();
        assert!(
            claims.iter().any(|c| c[0] == "spid"),
            "{backend:?}: {claims:?}"
        );
        let again = import_json(&db.url, &demo);
        assert_eq!(
            again,
            serde_json::json!({"new": 0, "updated": 0, "unchanged": files, "invalid": 0}),
            "{backend:?}"
        );
        db.close().await;
    }
}

/// A demo file with its `name:` line replaced by `name: VALUE`.
fn with_name(file: &str, value: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("demo")
            .join(file),
    )
    .unwrap();
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if !done && l.starts_with("name:") {
                done = true;
                format!("name: {value}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    assert!(done, "{file} has no name line");
    (lines.join("\n") + "\n").into_bytes()
}

#[tokio::test]
async fn one_bad_file_never_stops_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("a.yml", &with_name("Comune-Milano__gefo.yml", "Primo"));
    // A NUL byte as written, the same through YAML escapes, and other control characters:
    // PostgreSQL refuses NUL in text, and none of them belongs in a name.
    write("b1.yml", &with_name("Comune-Milano__wemi.yml", "Nul\0Byte"));
    write(
        "b2.yml",
        &with_name("Comune-Milano__wemi.yml", "\"Nul\\0Escaped\""),
    );
    write(
        "b3.yml",
        &with_name("Comune-Milano__wemi.yml", "\"Esc\\x1b[2JName\""),
    );
    write(
        "b4.yml",
        &with_name("Comune-Milano__wemi.yml", "\"Nul\\u0000Unicode\""),
    );
    write(
        "b5.yml",
        &with_name("Comune-Milano__wemi.yml", "Bell\u{7}Name"),
    );
    // A file that cannot be read at all, in the middle of the batch.
    std::os::unix::fs::symlink(dir.path().join("missing"), dir.path().join("b6.yml")).unwrap();
    write(
        "c.yml",
        &with_name("Comune-Milano__geoworks-mi.yml", "Ultimo"),
    );
    for backend in BACKENDS {
        let db = TestDb::empty(backend).await;
        let out = Command::new(env!("CARGO_BIN_EXE_riuso"))
            .args(["import", "--database", &db.url, "--json"])
            .arg(dir.path())
            .env("RIUSO_LOG", "error")
            .output()
            .unwrap();
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{backend:?}: {e}: {}", String::from_utf8_lossy(&out.stderr))
        });
        assert_eq!(out.status.code(), Some(1), "{backend:?}: {summary}");
        assert_eq!(summary["new"], 2, "{backend:?}: {summary}");
        assert_eq!(summary["invalid"], 5, "{backend:?}: {summary}");
        let failed = summary["failed"].as_array().unwrap();
        assert_eq!(failed.len(), 1, "{backend:?}: {summary}");
        assert!(failed[0]["file"].as_str().unwrap().ends_with("b6.yml"));

        // Every file after the bad ones is in the catalog, and no name kept a control.
        let results = riuso_json(&["search", "--database", &db.url, "ultimo"]);
        assert_eq!(results["total"], 1, "{backend:?}: {results}");
        let all = riuso_json(&["search", "--database", &db.url, "--limit", "100"]);
        for hit in all["hits"].as_array().unwrap() {
            let name = hit["name"].as_str().unwrap();
            assert!(!name.chars().any(char::is_control), "{backend:?}: {name:?}");
        }
        db.close().await;
    }
}

/// Whether `out` holds a character a terminal acts on (C0 but line feed, DEL, C1).
fn has_terminal_controls(out: &[u8]) -> bool {
    String::from_utf8_lossy(out)
        .chars()
        .any(|c| c.is_control() && c != '\n')
}

#[tokio::test]
async fn the_command_line_prints_no_terminal_escapes_from_the_catalog() {
    use riuso::catalog::entities::software;
    use sea_orm::{ActiveModelTrait as _, EntityTrait as _, Set};

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.yml"),
        with_name("Comune-Milano__gefo.yml", "Gefo"),
    )
    .unwrap();
    for backend in BACKENDS {
        let db = TestDb::empty(backend).await;
        import_json(&db.url, dir.path());
        // A name as an older version stored it, or a database edited by hand.
        let entry = software::Entity::find()
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        for hostile in [
            "Gefo\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31m",
            "Gefo\u{9b}31m\r\u{8}\u{202e}",
        ] {
            software::ActiveModel {
                id: Set(entry.id),
                name: Set(hostile.to_owned()),
                ..Default::default()
            }
            .update(&db.conn)
            .await
            .unwrap();
            let out = Command::new(env!("CARGO_BIN_EXE_riuso"))
                .args(["search", "--database", &db.url])
                .env("RIUSO_LOG", "error")
                .output()
                .unwrap();
            assert!(out.status.success(), "{backend:?}");
            assert!(
                !has_terminal_controls(&out.stdout),
                "{backend:?}: {:?}",
                String::from_utf8_lossy(&out.stdout)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("Gefo\\u{"),
                "{backend:?}: {:?}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        db.close().await;
    }

    // riuso validate quotes the file's lines, keys and values: a control character in any of
    // them is shown escaped, with the caret still under it.
    for (name, text) in [
        ("esc.yml", "# \u{1b}]0;owned\u{7}\nname: x\n"),
        (
            "escaped.yml",
            "publiccodeYmlVersion: \"0.4\"\nname: \"a\\x1b[2Jb\"\n\"k\\x1b[31m\": 1\n",
        ),
        ("nul.yml", "name: a\u{0}b\u{9b}c\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_riuso"))
            .arg("validate")
            .arg(&path)
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{name}: {shown}");
        assert!(!has_terminal_controls(&out.stdout), "{name}: {shown:?}");
        assert!(shown.contains("control-character"), "{name}: {shown}");
    }
}

/// `riuso import` has no source to vouch for a publisher: what a file claims is recorded, and
/// not verified, so the claimed administration owns nothing.
#[tokio::test]
async fn an_import_records_the_claimed_publisher_unverified() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.yml"),
        with_name("Comune-Milano__gefo.yml", "Importato"),
    )
    .unwrap();
    for backend in BACKENDS {
        let db = TestDb::empty(backend).await;
        import_json(&db.url, dir.path());
        let entry = riuso::catalog::read::software(&db.conn, "1")
            .await
            .unwrap()
            .unwrap();
        let publisher = entry.organisation.as_ref().and_then(|o| o.ipa_code.clone());
        assert_eq!(publisher.as_deref(), Some("c_f205"), "{backend:?}");
        assert!(!entry.software.publisher_verified, "{backend:?}");
        let owned = riuso::catalog::reuse::entries(&db.conn, [entry.software.id])
            .await
            .unwrap();
        assert_eq!(owned[&entry.software.id].owner_id, None, "{backend:?}");
        db.close().await;
    }
}
