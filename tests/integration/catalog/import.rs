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
