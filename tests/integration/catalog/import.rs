//! `riuso import` loads the demo catalog into either database and reports a JSON summary.

use std::process::Command;

use crate::support::db::{BACKENDS, TestDb};

fn import_json(url: &str, path: &std::path::Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_riuso"))
        .args(["import", "--json", "--database", url])
        .arg(path)
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
        let again = import_json(&db.url, &demo);
        assert_eq!(
            again,
            serde_json::json!({"new": 0, "updated": 0, "unchanged": files, "invalid": 0}),
            "{backend:?}"
        );
        db.close().await;
    }
}
