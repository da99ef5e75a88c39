//! `riuso validate` as users run it: the real binary, its exit codes, standard input, the human,
//! JSON and SARIF reports, `--strict`, `--version-override`, `--max-size` and `--network` (against
//! a small HTTP server started by the test).

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fixtures;

/// Environment variables that would change what the binary prints or how it connects.
const SCRUBBED_ENV: &[&str] = &[
    "RIUSO_MAX_FILE_BYTES",
    "RIUSO_HTTP_TIMEOUT_SECS",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
];

/// A `riuso` command with a predictable environment and no standard input.
fn riuso(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_riuso"));
    cmd.args(args).stdin(Stdio::null());
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `riuso ARGS` to completion.
fn run(args: &[&str]) -> Output {
    riuso(args).output().unwrap()
}

/// Runs `riuso ARGS` with `input` on standard input.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = riuso(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The standard output, parsed as JSON.
fn json_out(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(out)))
}

/// A file of the reference's test suite, `tests/fixtures/parser-go/testdata/v0/<rel>`.
fn v0(rel: &str) -> String {
    let path = fixtures().join("parser-go/testdata/v0").join(rel);
    assert!(path.is_file(), "missing fixture {}", path.display());
    path.display().to_string()
}

fn valid_minimal() -> String {
    std::fs::read_to_string(v0("valid/valid.minimal.yml")).unwrap()
}

/// Writes `text` as `name` in `dir`; returns the path as a string.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `text` with its one line equal to `from` replaced by `to` (which may span several lines).
fn replace_line(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.lines().filter(|l| *l == from).count(),
        1,
        "{from:?} is not exactly one line of the base file"
    );
    text.lines()
        .map(|l| if l == from { to } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The 1-based number of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> u64 {
    let index = text.lines().position(|l| l.starts_with(prefix)).unwrap();
    u64::try_from(index).unwrap() + 1
}

/// The diagnostics of the `n`th file of a JSON report.
fn diagnostics(report: &Value, n: usize) -> &Vec<Value> {
    report["files"][n]["diagnostics"].as_array().unwrap()
}

fn codes(report: &Value, n: usize) -> Vec<String> {
    diagnostics(report, n)
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

// --- exit codes ----------------------------------------------------------------------------

#[test]
fn a_valid_file_exits_0() {
    let file = v0("valid/valid.minimal.yml");
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        format!("✓ {file} is a valid publiccode.yml (publiccodeYmlVersion 0)\n")
    );
    assert_eq!(stderr(&out), "");
}

#[test]
fn an_invalid_file_exits_1() {
    let file = v0("invalid/developmentStatus_invalid.yml");
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("error[invalid-value]: developmentStatus: "),
        "{text}"
    );
    assert!(text.ends_with(&format!("✗ {file} is invalid\n")), "{text}");
}

#[test]
fn one_valid_and_one_invalid_file_exit_1_and_both_are_reported() {
    let good = v0("valid/valid.minimal.yml");
    let bad = v0("invalid/developmentStatus_invalid.yml");
    for args in [["validate", &good, &bad], ["validate", &bad, &good]] {
        let out = run(&args);
        assert_eq!(code(&out), 1, "{}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!("✓ {good} is a valid publiccode.yml")),
            "{text}"
        );
        assert!(text.contains(&format!("✗ {bad} is invalid")), "{text}");
    }
}

#[test]
fn a_missing_file_exits_2_and_the_others_are_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yml").display().to_string();
    let good = v0("valid/valid.minimal.yml");
    let bad = v0("invalid/developmentStatus_invalid.yml");

    let out = run(&["validate", &good, &missing, &bad]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{missing}: error: cannot read the file: ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("✓ {good} is a valid publiccode.yml")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{bad}:16:1: error[invalid-value]")),
        "{text}"
    );

    // A missing file alone is an I/O error too, not an invalid file.
    assert_eq!(code(&run(&["validate", &missing])), 2);

    // The JSON report names the error and still carries the other files' verdicts.
    let out = run(&["validate", "--format", "json", &good, &missing, &bad]);
    assert_eq!(code(&out), 2);
    let report = json_out(&out);
    assert_eq!(report["valid"], false);
    assert_eq!(report["files"].as_array().unwrap().len(), 3);
    assert_eq!(report["files"][0]["valid"], true);
    assert_eq!(report["files"][0]["error"], Value::Null);
    assert_eq!(report["files"][1]["file"], missing.as_str());
    assert_eq!(report["files"][1]["valid"], false);
    assert!(
        report["files"][1]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{report:#}"
    );
    assert_eq!(report["files"][2]["valid"], false);
    assert_eq!(codes(&report, 2), ["invalid-value"]);
}

#[test]
fn an_unknown_flag_exits_2() {
    let out = run(&["validate", "--frobnicate", &v0("valid/valid.minimal.yml")]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unexpected argument '--frobnicate'"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn no_file_at_all_exits_2() {
    let out = run(&["validate"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("<FILE>"), "{}", stderr(&out));
}

#[test]
fn an_unsupported_version_override_exits_2_listing_the_supported_versions() {
    let out = run(&[
        "validate",
        "--version-override",
        "9.9",
        &v0("valid/valid.minimal.yml"),
    ]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("'9.9'"), "{err}");
    let listed = err
        .split("supported versions: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no list of versions in {err:?}"))
        .lines()
        .next()
        .unwrap();
    let listed: Vec<&str> = listed.split(", ").collect();
    assert_eq!(listed, riuso::publiccode::supported_versions());
    assert!(
        listed.contains(&"0") && listed.contains(&"0.7"),
        "{listed:?}"
    );
}

// --- standard input ------------------------------------------------------------------------

#[test]
fn standard_input_is_read_with_a_dash_and_shown_as_stdin() {
    let out = run_with_stdin(&["validate", "-"], valid_minimal().as_bytes());
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "✓ <stdin> is a valid publiccode.yml (publiccodeYmlVersion 0)\n"
    );

    let broken = replace_line(
        &valid_minimal(),
        "developmentStatus: development",
        "developmentStatus: foobar",
    );
    let out = run_with_stdin(&["validate", "-"], broken.as_bytes());
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    let line = line_of(&broken, "developmentStatus:");
    assert!(
        text.starts_with(&format!(
            "<stdin>:{line}:1: error[invalid-value]: developmentStatus: "
        )),
        "{text}"
    );
    assert!(text.ends_with("✗ <stdin> is invalid\n"), "{text}");

    let out = run_with_stdin(&["validate", "--format", "json", "-"], broken.as_bytes());
    assert_eq!(code(&out), 1);
    assert_eq!(json_out(&out)["files"][0]["file"], "<stdin>");
}

// --- human format --------------------------------------------------------------------------

#[test]
fn human_errors_show_the_position_the_source_line_and_a_caret_under_the_value() {
    // Line 13 is `  - no_such_category`: the value starts at column 5.
    let file = v0("invalid/categories_invalid.yml");
    let source = std::fs::read_to_string(&file).unwrap();
    assert_eq!(source.lines().nth(12), Some("  - no_such_category"));

    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with(&format!("{file}:13:5: error[invalid-category]: ")))
        .unwrap_or_else(|| panic!("no header for 13:5 in:\n{text}"));
    assert!(
        lines[header].contains(": categories[0]: ") && lines[header].contains("no_such_category"),
        "{}",
        lines[header]
    );
    assert_eq!(lines[header + 1], "   |");
    assert_eq!(lines[header + 2], "13 |   - no_such_category");
    assert_eq!(lines[header + 3], "   |     ^^^^^^^^^^^^^^^^");
    // The caret stands exactly under the value's first character, and spans the value.
    let value_at = lines[header + 2].find("no_such_category").unwrap();
    assert_eq!(lines[header + 3].find('^'), Some(value_at));
    assert_eq!(
        lines[header + 3].matches('^').count(),
        "no_such_category".len()
    );
}

#[test]
fn human_carets_underline_keys_and_values_in_flow_lists_and_urls() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_line(
        &valid_minimal(),
        "categories:",
        "categories: [città, no_such_category]\nfoo: 1",
    );
    let text = replace_line(&text, "  - cloud-management", "");
    let file = write(dir.path(), "publiccode.yml", &text);
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 1);
    let report = stdout(&out);
    let lines: Vec<&str> = report.lines().collect();
    let line = line_of(&text, "categories:");

    // Each diagnostic: (header prefix, the text the caret must underline exactly).
    for (header, token) in [
        (
            format!("{file}:{line}:14: error[invalid-category]"),
            "città",
        ),
        (
            format!("{file}:{line}:21: error[invalid-category]"),
            "no_such_category",
        ),
        (format!("{file}:{}:1: error[unknown-key]", line + 1), "foo"),
    ] {
        let at = lines
            .iter()
            .position(|l| l.starts_with(&header))
            .unwrap_or_else(|| panic!("no {header} in:\n{report}"));
        let (source, caret) = (lines[at + 2], lines[at + 3]);
        let start = source.find(token).unwrap();
        // Compare in characters: `città` is wider in bytes than on screen.
        let column = |s: &str, byte: usize| s[..byte].chars().count();
        assert_eq!(
            column(caret, caret.find('^').unwrap()),
            column(source, start),
            "{source}\n{caret}"
        );
        assert_eq!(
            caret.matches('^').count(),
            token.chars().count(),
            "{source}\n{caret}"
        );
    }

    // A URL in a list is underlined whole, not only up to its `:`.
    let file = v0("invalid/description_en_videos_invalid_oembed.yml");
    let report = stdout(&run(&["validate", &file]));
    let lines: Vec<&str> = report.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("{file}:41:9: error[invalid-video]")))
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(lines[at + 2], "41 |       - https://google.com");
    assert_eq!(lines[at + 3], "   |         ^^^^^^^^^^^^^^^^^^");
}

#[test]
fn human_output_of_a_file_with_a_bom_does_not_echo_the_bom() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(v0("valid_with_warnings/valid.minimal.v0.2.yml")).unwrap();
    let file = write(dir.path(), "publiccode.yml", &format!("\u{feff}{text}"));
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report = stdout(&out);
    assert!(!report.contains('\u{feff}'), "{report:?}");
    assert!(
        report.contains(&format!(
            "{file}:1:1: warning[old-version]: publiccodeYmlVersion: "
        )),
        "{report}"
    );
    assert!(
        report.contains("1 | publiccodeYmlVersion: \"0.2\"\n  | ^^^^^^^^^^^^^^^^^^^^\n"),
        "{report}"
    );
}

#[test]
fn human_output_has_no_colour_escapes_when_piped() {
    let file = v0("invalid/categories_invalid.yml");
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 1);
    assert!(!out.stdout.contains(&0x1b), "{:?}", stdout(&out));

    // The same report forced into colour does carry escapes: the check above can fail.
    let forced = riuso(&["validate", &file])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert_eq!(code(&forced), 1);
    assert!(stdout(&forced).contains("\u{1b}["), "{:?}", stdout(&forced));
}

#[test]
fn a_misspelt_development_status_gets_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_line(
        &valid_minimal(),
        "developmentStatus: development",
        "developmentStatus: stabel",
    );
    let file = write(dir.path(), "publiccode.yml", &text);
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 1);
    let report = stdout(&out);
    let line = line_of(&text, "developmentStatus:");
    let header = report
        .lines()
        .find(|l| {
            l.starts_with(&format!(
                "{file}:{line}:1: error[invalid-value]: developmentStatus: "
            ))
        })
        .unwrap_or_else(|| panic!("{report}"));
    assert!(header.contains("not \"stabel\""), "{header}");
    assert!(header.ends_with("did you mean \"stable\"?"), "{header}");
}

#[test]
fn several_files_end_with_a_summary_line() {
    let good = v0("valid/valid.minimal.yml");
    let warned = v0("valid_with_warnings/valid.mime_types.yml");
    let bad = v0("invalid/categories_invalid.yml");
    let out = run(&["validate", &good, &warned, &bad]);
    assert_eq!(code(&out), 1);
    let report = stdout(&out);
    assert!(
        report.ends_with("\n3 files checked: 2 valid, 1 invalid (1 errors, 2 warnings)\n"),
        "{report}"
    );

    let out = run(&["validate", &good, &warned]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).ends_with("\n2 files checked: 2 valid, 0 invalid (0 errors, 2 warnings)\n"),
        "{}",
        stdout(&out)
    );

    // One file: no summary.
    assert!(!stdout(&run(&["validate", &bad])).contains("files checked"));
}

// --- options -------------------------------------------------------------------------------

#[test]
fn strict_turns_warnings_into_failure() {
    let file = v0("valid_with_warnings/valid.mime_types.yml");
    let out = run(&["validate", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("warning[deprecated]: inputTypes: "));

    let out = run(&["validate", "--strict", &file]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).ends_with(&format!(
            "✗ {file} has warnings, which --strict treats as failures\n"
        )),
        "{}",
        stdout(&out)
    );

    let out = run(&["validate", "--strict", "--format", "json", &file]);
    assert_eq!(code(&out), 1);
    let report = json_out(&out);
    assert_eq!(report["valid"], false);
    assert_eq!(report["files"][0]["valid"], false);

    // A file without warnings passes --strict.
    assert_eq!(
        code(&run(&[
            "validate",
            "--strict",
            &v0("valid/valid.minimal.yml")
        ])),
        0
    );
}

#[test]
fn version_override_removes_the_old_version_warning() {
    let file = v0("valid_with_warnings/valid.minimal.v0.2.yml");
    let out = run(&["validate", "--format", "json", &file]);
    assert_eq!(code(&out), 0);
    let report = json_out(&out);
    assert_eq!(report["files"][0]["publiccodeYmlVersion"], "0.2");
    assert_eq!(codes(&report, 0), ["old-version"]);
    assert_eq!(code(&run(&["validate", "--strict", &file])), 1);

    let out = run(&[
        "validate",
        "--format",
        "json",
        "--version-override",
        "0.7",
        &file,
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(codes(&json_out(&out), 0), Vec::<String>::new());

    let out = run(&["validate", "--strict", "--version-override", "0.7", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(!stdout(&out).contains("old-version"), "{}", stdout(&out));
}

#[test]
fn max_size_refuses_larger_files_as_a_whole_file_error() {
    let file = v0("valid/valid.minimal.yml");
    assert!(std::fs::metadata(&file).unwrap().len() > 100);

    let out = run(&["validate", "--max-size", "100", &file]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report = stdout(&out);
    assert!(
        report.starts_with(&format!("{file}:0:0: error[file-too-large]: ")),
        "{report}"
    );
    // Nothing to quote for a whole-file error.
    assert!(!report.contains(" |"), "{report}");

    let out = run(&["validate", "--format", "json", "--max-size", "100", &file]);
    assert_eq!(code(&out), 1);
    let report = json_out(&out);
    assert_eq!(report["files"][0]["valid"], false);
    let d = &diagnostics(&report, 0)[0];
    assert_eq!(d["code"], "file-too-large");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(0), Some(0))
    );

    // A limit above the file's size accepts it.
    assert_eq!(code(&run(&["validate", "--max-size", "100000", &file])), 0);
}

// --- JSON format ---------------------------------------------------------------------------

#[test]
fn json_reports_each_diagnostic_with_key_position_severity_code_and_message() {
    let good = v0("valid/valid.minimal.yml");
    let bad = v0("invalid/categories_invalid.yml");
    let warned = v0("valid_with_warnings/valid.mime_types.yml");
    let out = run(&["validate", "--format", "json", &good, &bad, &warned]);
    assert_eq!(code(&out), 1);
    let report = json_out(&out);
    assert_eq!(report["valid"], false);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for (file, name, valid) in [
        (&files[0], &good, true),
        (&files[1], &bad, false),
        (&files[2], &warned, true),
    ] {
        assert_eq!(file["file"], name.as_str());
        assert_eq!(file["valid"], valid, "{file:#}");
        assert_eq!(file["publiccodeYmlVersion"], "0");
        assert_eq!(file["error"], Value::Null);
        for d in file["diagnostics"].as_array().unwrap() {
            assert!(d["key"].is_string(), "{d}");
            assert!(d["line"].as_u64().is_some_and(|l| l > 0), "{d}");
            assert!(d["column"].as_u64().is_some_and(|c| c > 0), "{d}");
            assert!(
                matches!(d["severity"].as_str(), Some("error" | "warning")),
                "{d}"
            );
            assert!(d["code"].as_str().is_some_and(|c| !c.is_empty()), "{d}");
            assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()), "{d}");
        }
    }
    assert_eq!(diagnostics(&report, 0).len(), 0);

    let d = &diagnostics(&report, 1)[0];
    assert_eq!(diagnostics(&report, 1).len(), 1, "{report:#}");
    assert_eq!(d["key"], "categories[0]");
    assert_eq!(d["line"], 13);
    assert_eq!(d["column"], 5);
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "invalid-category");
    assert!(d["message"].as_str().unwrap().contains("no_such_category"));

    let warnings: Vec<(&str, &str, u64)> = diagnostics(&report, 2)
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap(),
                d["key"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [
            ("warning", "inputTypes", 48),
            ("warning", "outputTypes", 50)
        ]
    );

    // Only the valid file has claims; an invalid file has none.
    assert_eq!(files[1]["claims"], json!([]));
}

#[test]
fn json_claims_of_a_valid_italian_file_carry_kind_value_and_source() {
    let file = fixtures()
        .join("real/ARPALit__SICAMPIONA.yml")
        .display()
        .to_string();
    let source = std::fs::read_to_string(&file).unwrap();
    assert!(source.lines().any(|l| l == "it:") && source.lines().any(|l| l == "  piattaforme:"));

    let out = run(&["validate", "--format", "json", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report = json_out(&out);
    assert_eq!(report["valid"], true);
    let claims = report["files"][0]["claims"].as_array().unwrap();
    for claim in claims {
        assert!(claim["kind"].is_string(), "{claim}");
        assert!(
            claim["value"].is_boolean() || claim["value"].is_string(),
            "{claim}"
        );
        assert!(claim["source"].is_string(), "{claim}");
    }
    let find = |kind: &str| {
        claims
            .iter()
            .find(|c| c["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} claim in {claims:?}"))
    };
    assert_eq!(
        find("spid"),
        &json!({"kind": "spid", "value": true, "source": "it.piattaforme.spid"})
    );
    assert_eq!(
        find("cie"),
        &json!({"kind": "cie", "value": false, "source": "it.piattaforme.cie"})
    );
    assert_eq!(
        find("minimum-security"),
        &json!({"kind": "minimum-security", "value": true, "source": "it.conforme.misureMinimeSicurezza"})
    );
    assert_eq!(
        find("publisher_ipa"),
        &json!({"kind": "publisher_ipa", "value": "arlpa_ge", "source": "it.riuso.codiceIPA"})
    );
}

// --- SARIF format --------------------------------------------------------------------------

/// The official SARIF 2.1.0 schema (draft-04), with format checks on.
fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(fixtures().join("sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Whether `s` is an RFC 3986 URI reference: only URI characters, `%` only as `%XX`.
fn is_uri_reference(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if !(i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
            {
                return false;
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?#[]".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

/// Checks `log` against the SARIF schema and the URI syntax SARIF requires; panics with every
/// violation.
fn assert_valid_sarif(log: &Value) {
    let errors: Vec<String> = sarif_schema()
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0: {errors:#?}\n{log:#}"
    );
    for result in log["runs"][0]["results"].as_array().unwrap() {
        for location in result["locations"].as_array().unwrap() {
            let uri = location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(is_uri_reference(uri), "{uri:?} is not a URI reference");
        }
    }
}

fn sarif(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["validate", "--format", "sarif"];
    all.extend_from_slice(args);
    let out = run(&all);
    (code(&out), json_out(&out))
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn the_sarif_schema_check_accepts_a_known_log_and_can_fail() {
    let text = std::fs::read_to_string(fixtures().join("sarif/minimal-valid.sarif.json")).unwrap();
    let mut log: Value = serde_json::from_str(&text).unwrap();
    let schema = sarif_schema();
    assert!(schema.is_valid(&log));
    assert_valid_sarif(&log);

    log.as_object_mut().unwrap().remove("runs");
    assert!(!schema.is_valid(&log));
    let errors: Vec<String> = schema.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("\"runs\" is a required property")),
        "{errors:?}"
    );

    assert!(!is_uri_reference("<stdin>"));
    assert!(!is_uri_reference("my file.yml"));
    assert!(is_uri_reference("dir/my%20file.yml"));
}

#[test]
fn sarif_of_a_valid_file_is_valid_sarif_without_results() {
    let (status, log) = sarif(&[&v0("valid/valid.minimal.yml")]);
    assert_eq!(status, 0);
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "riuso");
    assert!(results(&log).is_empty(), "{log:#}");
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = riuso::publiccode::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(rules, all);
}

#[test]
fn sarif_of_an_invalid_file_locates_the_error() {
    let file = v0("invalid/categories_invalid.yml");
    let (status, log) = sarif(&[&file]);
    assert_eq!(status, 1);
    assert_valid_sarif(&log);
    assert_eq!(results(&log).len(), 1, "{log:#}");
    let result = &results(&log)[0];
    assert_eq!(result["ruleId"], "invalid-category");
    assert_eq!(result["level"], "error");
    let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "invalid-category"
    );
    let location = &result["locations"][0];
    assert_eq!(
        location["physicalLocation"]["region"],
        json!({"startLine": 13, "startColumn": 5})
    );
    assert!(
        location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/v0/invalid/categories_invalid.yml")
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "categories[0]"
    );
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("categories[0]: ")
    );

    // Warnings are results of level warning.
    let (status, log) = sarif(&[&v0("valid_with_warnings/valid.mime_types.yml")]);
    assert_eq!(status, 0);
    assert_valid_sarif(&log);
    let levels: Vec<&str> = results(&log)
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["warning", "warning"]);
}

#[test]
fn sarif_of_whole_file_errors_is_valid_sarif() {
    // Invalid UTF-8: reported at the first bad byte.
    let (status, log) = sarif(&[&v0("invalid/file_encoding.yml")]);
    assert_eq!(status, 1);
    assert_valid_sarif(&log);
    assert_eq!(results(&log)[0]["ruleId"], "not-utf8");

    // Too large: line 0, which SARIF cannot express as a region, so there is none.
    let (status, log) = sarif(&["--max-size", "100", &v0("valid/valid.minimal.yml")]);
    assert_eq!(status, 1);
    assert_valid_sarif(&log);
    let result = &results(&log)[0];
    assert_eq!(result["ruleId"], "file-too-large");
    let physical = &result["locations"][0]["physicalLocation"];
    assert!(physical.get("region").is_none(), "{physical:#}");
    assert!(physical["artifactLocation"]["uri"].is_string());
}

#[test]
fn sarif_of_an_unreadable_file_is_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yml").display().to_string();
    let (status, log) = sarif(&[&missing, &v0("invalid/categories_invalid.yml")]);
    assert_eq!(status, 2);
    assert_valid_sarif(&log);
    let results = results(&log);
    assert_eq!(results.len(), 2, "{log:#}");
    assert_eq!(results[0]["level"], "error");
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("cannot read the file: ")
    );
    assert!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/nope.yml")
    );
    assert_eq!(results[1]["ruleId"], "invalid-category");
}

#[test]
fn sarif_uris_are_uri_references_for_stdin_and_names_with_spaces() {
    let broken = replace_line(
        &valid_minimal(),
        "developmentStatus: development",
        "developmentStatus: foobar",
    );
    let out = run_with_stdin(&["validate", "--format", "sarif", "-"], broken.as_bytes());
    assert_eq!(code(&out), 1);
    let log = json_out(&out);
    assert_valid_sarif(&log);
    assert_eq!(results(&log).len(), 1);

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "my publiccode.yml", &broken);
    let out = riuso(&["validate", "--format", "sarif", "my publiccode.yml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let log = json_out(&out);
    assert_valid_sarif(&log);
    assert_eq!(
        results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20publiccode.yml"
    );
}

// --- network checks ------------------------------------------------------------------------

/// How long `/slow` waits before answering; far beyond the `--timeout 1` of the test.
const SLOW: Duration = Duration::from_secs(6);

/// Starts an HTTP/1.1 server on a free local port, one thread per connection; returns its base
/// URL. `/ok` answers 200, `/logo.png` 200 with bytes that are not a PNG, `/slow` only after
/// [`SLOW`], anything else 404.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    base
}

fn answer(mut stream: TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let (status, kind, body): (&str, &str, &[u8]) = match path {
        "/ok" => ("200 OK", "text/html", b"<p>ok</p>"),
        "/logo.png" => ("200 OK", "image/png", b"this is not a PNG image at all"),
        "/slow" => {
            std::thread::sleep(SLOW);
            ("200 OK", "text/html", b"<p>late</p>")
        }
        _ => ("404 Not Found", "text/plain", b"not found"),
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.write_all(body);
}

/// Runs `riuso ARGS` with the loopback test server allow-listed for network checks.
fn run_allowing(args: &[&str]) -> Output {
    riuso(args)
        .env("RIUSO_FETCH_ALLOW", "127.0.0.1")
        .output()
        .unwrap()
}

#[test]
fn network_checks_refuse_private_addresses_without_reaching_them() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A server that counts who reaches it, and answers 200 with a PNG-looking path.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let reached = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&reached);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || answer(stream));
        }
    });
    let url_line = "url: \"https://github.com/italia/developers.italia.it.git\"";
    let text = replace_line(
        &valid_minimal(),
        url_line,
        &format!(
            "url: \"http://127.0.0.1:{port}/ok\"\nlandingURL: \"http://localhost:{port}/ok\"\n\
             logo: \"http://[::ffff:127.0.0.1]:{port}/logo.png\""
        ),
    );
    let text = replace_line(
        &text,
        "    localisedName: Medusa",
        &format!(
            "    localisedName: Medusa\n    documentation: \"http://0x7f000001:{port}/ok\"\n    \
             apiDocumentation: \"http://169.254.169.254/latest/meta-data/\""
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "publiccode.yml", &text);
    let out = run(&[
        "validate",
        "--format",
        "json",
        "--network",
        "--timeout",
        "2",
        &file,
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report = json_out(&out);
    let found = diagnostics(&report, 0);
    let refused: Vec<&str> = found
        .iter()
        .filter(|d| d["code"] == "unreachable")
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    for key in [
        "url",
        "landingURL",
        "logo",
        "description.en-GB.documentation",
        "description.en-GB.apiDocumentation",
    ] {
        assert!(refused.contains(&key), "{key} not refused: {found:#?}");
    }
    for d in found.iter().filter(|d| d["code"] == "unreachable") {
        let message = d["message"].as_str().unwrap();
        assert!(message.contains("refused by the SSRF guard"), "{message}");
    }
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the local server was reached"
    );
    // Allow-listed, the same server is reached.
    let out = run_allowing(&["validate", "--network", "--timeout", "2", &file]);
    assert!(reached.load(Ordering::SeqCst) > 0, "{}", stdout(&out));
}

#[test]
fn network_checks_report_unreachable_urls_and_broken_remote_images() {
    let base = serve();
    let url_line = "url: \"https://github.com/italia/developers.italia.it.git\"";
    let text = replace_line(
        &valid_minimal(),
        url_line,
        &format!("url: \"{base}/ok\"\nlandingURL: \"{base}/missing\"\nlogo: \"{base}/logo.png\""),
    );
    let text = replace_line(
        &text,
        "    localisedName: Medusa",
        &format!("    localisedName: Medusa\n    documentation: \"{base}/slow\""),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "publiccode.yml", &text);

    // Offline, the links are well-formed and not fetched.
    let started = Instant::now();
    let out = run(&["validate", "--format", "json", "--timeout", "1", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(codes(&json_out(&out), 0), Vec::<String>::new());
    assert!(started.elapsed() < SLOW);

    let started = Instant::now();
    let out = run_allowing(&[
        "validate",
        "--format",
        "json",
        "--network",
        "--timeout",
        "1",
        &file,
    ]);
    let elapsed = started.elapsed();
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(elapsed < SLOW - Duration::from_secs(1), "took {elapsed:?}");
    let report = json_out(&out);
    assert_eq!(report["files"][0]["valid"], false);
    assert_eq!(report["files"][0]["claims"], json!([]));
    let found: Vec<(String, u64, String)> = diagnostics(&report, 0)
        .iter()
        .map(|d| {
            assert_eq!(d["code"], "unreachable", "{d}");
            assert_eq!(d["severity"], "error", "{d}");
            (
                d["key"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let keys: Vec<(&str, u64)> = found.iter().map(|(k, l, _)| (k.as_str(), *l)).collect();
    assert_eq!(
        keys,
        [
            ("landingURL", line_of(&text, "landingURL:")),
            ("logo", line_of(&text, "logo:")),
            (
                "description.en-GB.documentation",
                line_of(&text, "    documentation:")
            ),
        ],
        "{found:#?}"
    );
    let message = |key: &str| &found.iter().find(|(k, _, _)| k == key).unwrap().2;
    assert!(message("landingURL").contains("404"), "{found:#?}");
    assert!(message("landingURL").contains(&format!("{base}/missing")));
    assert!(message("logo").contains("not a valid PNG"), "{found:#?}");
    assert!(
        message("description.en-GB.documentation").contains("timed out"),
        "{found:#?}"
    );

    // The human report shows them at their lines.
    let out = run_allowing(&["validate", "--network", "--timeout", "1", &file]);
    assert_eq!(code(&out), 1);
    let line = line_of(&text, "landingURL:");
    assert!(
        stdout(&out).contains(&format!(
            "{file}:{line}:1: error[unreachable]: landingURL: '{base}/missing' is not reachable: HTTP 404"
        )),
        "{}",
        stdout(&out)
    );
}

// --- the two executables -------------------------------------------------------------------

/// `riuso validate` runs in the small executable alone; every other command needs `riuso-full`
/// beside it, and says so when it is missing.
#[test]
fn offline_validation_needs_only_the_small_executable() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("riuso");
    std::fs::copy(env!("CARGO_BIN_EXE_riuso"), &alone).unwrap();
    let file = write(dir.path(), "publiccode.yml", &valid_minimal());
    let run_alone = |args: &[&str]| {
        let mut cmd = Command::new(&alone);
        cmd.args(args).stdin(Stdio::null());
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd.output().unwrap()
    };

    let out = run_alone(&["validate", "--format", "json", &file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json_out(&out)["valid"], json!(true));
    let out = run_alone(&["validate", "--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("--network"), "{}", stdout(&out));

    for args in [
        &["serve", "--help"][..],
        &["validate", "--network", &file],
        &["--version"],
    ] {
        let out = run_alone(args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(
            stderr(&out).contains("cannot start") && stderr(&out).contains("riuso-full"),
            "{args:?}: {}",
            stderr(&out)
        );
    }

    // Beside it, the full executable answers them, under the name `riuso`.
    let out = run(&["--version"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("riuso "), "{}", stdout(&out));
}
