//! `publishers.yml`: the shipped example, and reading a file from disk.

use std::path::Path;

use riuso::crawl::sources::{self, ForgeKind, Scope, SourcesError};

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("publishers.example.yml")
}

#[test]
fn crawl_the_shipped_example_parses() {
    let s = sources::load(&example()).unwrap();
    assert_eq!(s.forges.len(), 2);
    assert_eq!(s.forges[0].kind, ForgeKind::Gitea);
    assert_eq!(s.forges[0].token_env.as_deref(), Some("RIUSO_TOKEN_COMUNE"));
    assert_eq!(
        s.forges[1].api.as_str(),
        "https://gitlab.regione.example.it/api/v4"
    );
    assert_eq!(s.publishers.len(), 2);
    let bologna = &s.publishers[0];
    assert_eq!(bologna.ipa.as_deref(), Some("c_a944"));
    let kinds: Vec<_> = bologna.targets.iter().map(|t| t.forge).collect();
    assert_eq!(
        kinds,
        [
            ForgeKind::GitHub,
            ForgeKind::GitLab,
            ForgeKind::GitHub,
            ForgeKind::Gitea,
            ForgeKind::Git
        ]
    );
    assert_eq!(
        bologna.targets[3].scope,
        Scope::Repository {
            path: "ente/progetto".into()
        }
    );
    assert_eq!(
        bologna.targets[3].token_env.as_deref(),
        Some("RIUSO_TOKEN_COMUNE")
    );
    assert_eq!(
        s.publishers[1].targets[0].scope,
        Scope::Account {
            path: "sistemi-informativi/riuso".into()
        }
    );
}

#[test]
fn crawl_sources_serialize_to_json() {
    let s = sources::load(&example()).unwrap();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["publishers"][0]["targets"][0]["forge"], "github");
    assert_eq!(
        json["publishers"][0]["targets"][0]["scope"]["type"],
        "account"
    );
    assert_eq!(
        json["publishers"][0]["targets"][0]["scope"]["path"],
        "comune-bologna"
    );
}

#[test]
fn crawl_sources_missing_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("publishers.yml");
    let err = sources::load(&path).unwrap_err();
    assert!(matches!(err, SourcesError::Read { .. }));
    assert!(err.to_string().contains("publishers.yml"));
}

#[test]
fn crawl_sources_error_lists_every_problem() {
    let err = sources::parse(b"publishers:\n  - name: A\n    accounts: [https://example.org/x]\n  - name: B\n    repositories: [ftp://example.org/y]\n").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("publishers.yml has 2 problems:"), "{text}");
    assert!(text.contains("\n  3:16: "), "{text}");
    assert!(
        text.contains("\n  5:20: `ftp://example.org/y` is not an http"),
        "{text}"
    );
}
