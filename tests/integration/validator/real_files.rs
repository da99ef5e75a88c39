//! Real publiccode.yml files from public repositories: none may panic, the verdicts agree with
//! the reference validator's (run with `-no-external-checks`), and every file's diagnostics are
//! snapshot-tested so any change of behaviour shows in review.

use std::collections::BTreeMap;

use riuso::publiccode::{self, Context, Limits};

use crate::support::{fixtures, read_tsv};

/// Files where riuso's verdict deliberately differs from the reference's, with the reason.
const VERDICT_DIFFERENCES: &[(&str, &str)] = &[];

fn render(diagnostics: &[publiccode::Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "valid, no findings\n".to_owned();
    }
    diagnostics
        .iter()
        .map(|d| format!("{d} [{}]\n", d.code))
        .collect()
}

#[test]
fn real_files_snapshots() {
    insta::glob!("../../fixtures/real", "*.yml", |path| {
        let bytes = std::fs::read(path).unwrap();
        // The reference ran without external checks, so no assets are consulted here either.
        let outcome = publiccode::check(&bytes, &Limits::default(), &Context::default());
        let verdict = if outcome.is_valid() {
            "VALID"
        } else {
            "INVALID"
        };
        insta::assert_snapshot!(format!("{verdict}\n{}", render(outcome.diagnostics())));
    });
}

#[test]
fn real_files_get_the_reference_verdicts() {
    let dir = fixtures().join("real");
    let peer: BTreeMap<String, bool> = read_tsv(&dir.join("PEER-RESULTS.tsv"))
        .into_iter()
        .map(|row| (row["file"].clone(), row["rc_no_external_checks"] == "0"))
        .collect();
    assert!(peer.len() > 150);
    let mut differ = Vec::new();
    for (file, peer_valid) in &peer {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let outcome = publiccode::check(&bytes, &Limits::default(), &Context::default());
        let listed = VERDICT_DIFFERENCES.iter().any(|(f, _)| f == file);
        if (outcome.is_valid() != *peer_valid) != listed {
            differ.push(format!(
                "{file}: reference says {}, riuso says {}{}:\n{}",
                if *peer_valid { "valid" } else { "invalid" },
                if outcome.is_valid() {
                    "valid"
                } else {
                    "invalid"
                },
                if listed {
                    " (listed as a deliberate difference, but they agree)"
                } else {
                    ""
                },
                render(outcome.diagnostics())
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} files differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
