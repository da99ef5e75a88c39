//! Output of `riuso validate`: a readable report, JSON, or SARIF 2.1.0.

use std::io::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::json;

use crate::publiccode::{Claim, Code, Diagnostic, Link, Severity};
use crate::untrusted::terminal_line;

/// What was found about one input.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The name shown for the input (`<stdin>` for standard input).
    pub path: String,
    /// The file's text, for showing offending lines (lossy if not UTF-8).
    pub source: String,
    /// Whether the file passes (no errors; with `--strict`, no warnings either).
    pub valid: bool,
    /// The declared `publiccodeYmlVersion`, if readable.
    pub version: Option<String>,
    /// Normalized claims, when the file is valid.
    pub claims: Vec<Claim>,
    /// Every finding, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The http(s) URLs of the file, for `--network`.
    pub links: Vec<Link>,
    /// Why the input could not be read, if it could not.
    pub io_error: Option<String>,
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default().bold();
const BOLD: Style = Style::new().bold();

/// Writes the human report: `file:line:col: severity[code]: key: message`, the offending line and
/// a caret. Colours are stripped automatically when standard output is not a terminal.
///
/// # Errors
///
/// Fails if standard output cannot be written.
pub fn human(reports: &[FileReport], strict: bool) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    let (mut errors, mut warnings) = (0usize, 0usize);
    for report in reports {
        if let Some(e) = &report.io_error {
            writeln!(
                out,
                "{}: {ERROR}error{ERROR:#}: cannot read the file: {}",
                terminal_line(&report.path),
                terminal_line(e)
            )?;
            continue;
        }
        // The parser counts columns after a byte-order mark; so does the excerpt.
        let source = report
            .source
            .strip_prefix('\u{feff}')
            .unwrap_or(&report.source);
        let lines: Vec<&str> = source.lines().collect();
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            write_diagnostic(&mut out, report, &lines, d)?;
        }
        if report.valid {
            let version = report.version.as_deref().unwrap_or("?");
            writeln!(
                out,
                "{GOOD}✓{GOOD:#} {BOLD}{}{BOLD:#} is a valid publiccode.yml (publiccodeYmlVersion {version})",
                terminal_line(&report.path)
            )?;
        } else if report.diagnostics.iter().all(|d| !d.is_error()) && strict {
            writeln!(
                out,
                "{ERROR}✗{ERROR:#} {BOLD}{}{BOLD:#} has warnings, which --strict treats as failures",
                terminal_line(&report.path)
            )?;
        } else {
            writeln!(
                out,
                "{ERROR}✗{ERROR:#} {BOLD}{}{BOLD:#} is invalid",
                terminal_line(&report.path)
            )?;
        }
    }
    if reports.len() > 1 {
        let valid = reports.iter().filter(|r| r.valid).count();
        writeln!(
            out,
            "\n{} files checked: {valid} valid, {} invalid ({errors} errors, {warnings} warnings)",
            reports.len(),
            reports.len() - valid
        )?;
    }
    Ok(())
}

fn write_diagnostic(
    out: &mut impl std::io::Write,
    report: &FileReport,
    lines: &[&str],
    d: &Diagnostic,
) -> std::io::Result<()> {
    let style = match d.severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
    };
    // Keys, messages and source lines quote the file, which may hold escape sequences.
    let key = if d.key.is_empty() {
        String::new()
    } else {
        format!("{}: ", terminal_line(&d.key))
    };
    writeln!(
        out,
        "{BOLD}{}:{}:{}{BOLD:#}: {style}{}[{}]{style:#}: {BOLD}{key}{BOLD:#}{}",
        terminal_line(&report.path),
        d.line,
        d.column,
        d.severity,
        d.code,
        terminal_line(&d.message)
    )?;
    let Some(line) = d
        .line
        .checked_sub(1)
        .and_then(|i| lines.get(usize::try_from(i).ok()?))
    else {
        return Ok(());
    };
    let number = d.line.to_string();
    let pad = " ".repeat(number.len());
    let line = line.replace('\t', " ");
    let column = usize::try_from(d.column.max(1) - 1).unwrap_or(0);
    let (line, column) = window(&line, column);
    let rest: String = line.chars().skip(column).collect();
    let width = token_width(&rest).min(MAX_SHOWN);
    // The caret lines up with the line as shown, control characters escaped.
    let shown = |part: String| terminal_line(&part).chars().count();
    let column = shown(line.chars().take(column).collect());
    let width = shown(rest.chars().take(width).collect());
    writeln!(out, "{GUTTER}{pad} |{GUTTER:#}")?;
    writeln!(out, "{GUTTER}{number} |{GUTTER:#} {}", terminal_line(&line))?;
    writeln!(
        out,
        "{GUTTER}{pad} |{GUTTER:#} {}{style}{}{style:#}",
        " ".repeat(column),
        "^".repeat(width)
    )?;
    if let Some(related) = &d.related {
        writeln!(
            out,
            "{GUTTER}{pad} = {GUTTER:#}note: {} at {}:{}:{}",
            terminal_line(&related.message),
            terminal_line(&report.path),
            related.line,
            related.column
        )?;
    }
    writeln!(out)
}

/// Longest part of a source line shown, in characters.
const MAX_SHOWN: usize = 100;

/// A window of at most [`MAX_SHOWN`] characters of `line` around `column`, with `…` marking cuts;
/// returns the text and the column within it.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_SHOWN {
        return (line.to_owned(), column);
    }
    let start = column
        .saturating_sub(MAX_SHOWN / 4)
        .min(chars.len().saturating_sub(MAX_SHOWN));
    let end = (start + MAX_SHOWN).min(chars.len());
    let mut shown = String::new();
    let mut offset = 0;
    if start > 0 {
        shown.push('…');
        offset = 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column - start + offset)
}

/// Width of the caret: the key or value starting at the column, at least one character. It ends
/// where YAML would end a plain scalar: at a space, at `: ` or `, ` (so a URL keeps its `://`),
/// or at the `]` or `}` closing a flow collection.
fn token_width(rest: &str) -> usize {
    let mut chars = rest.chars().peekable();
    let mut width = 0;
    while let Some(c) = chars.next() {
        let ends = c.is_whitespace()
            || matches!(c, ']' | '}')
            || (matches!(c, ':' | ',') && chars.peek().is_none_or(|n| n.is_whitespace()));
        if ends {
            break;
        }
        width += 1;
    }
    width.max(1)
}

/// Writes `{"valid": bool, "files": [...]}` on standard output.
///
/// # Errors
///
/// Fails if standard output cannot be written.
pub fn json(reports: &[FileReport]) -> std::io::Result<()> {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            json!({
                "file": r.path,
                "valid": r.valid,
                "publiccodeYmlVersion": r.version,
                "error": r.io_error,
                "claims": r.claims,
                "diagnostics": r.diagnostics,
            })
        })
        .collect();
    let doc = json!({ "valid": reports.iter().all(|r| r.valid), "files": files });
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &doc)?;
    writeln!(out)
}

/// The SARIF 2.1.0 log of the reports.
#[must_use]
pub fn sarif_log(reports: &[FileReport]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.help() },
                "helpUri": "https://github.com/publiccodeyml/publiccode.yml",
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        if let Some(e) = &r.io_error {
            results.push(json!({
                "ruleId": "io-error",
                "level": "error",
                "message": { "text": format!("cannot read the file: {e}") },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&r.path) } } }],
            }));
            continue;
        }
        for d in &r.diagnostics {
            let mut physical = json!({ "artifactLocation": { "uri": uri(&r.path) } });
            if d.line > 0 {
                physical["region"] = json!({ "startLine": d.line, "startColumn": d.column.max(1) });
            }
            let mut location = json!({ "physicalLocation": physical });
            if !d.key.is_empty() {
                location["logicalLocations"] = json!([{ "fullyQualifiedName": d.key }]);
            }
            let rule_index = Code::ALL.iter().position(|c| *c == d.code);
            results.push(json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": if d.key.is_empty() { d.message.clone() } else { format!("{}: {}", d.key, d.message) } },
                "locations": [location],
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "riuso",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/publiccodeyml/publiccode.yml",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// Writes the SARIF log on standard output.
///
/// # Errors
///
/// Fails if standard output cannot be written.
pub fn sarif(reports: &[FileReport]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &sarif_log(reports))?;
    writeln!(out)
}

/// A URI reference for a path (RFC 3986, as SARIF requires): forward slashes, and every byte
/// that may not appear in a URI percent-encoded (spaces, `%`, `<stdin>`'s brackets, non-ASCII).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
