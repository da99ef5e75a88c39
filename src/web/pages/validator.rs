//! `GET /validator` and `POST /validator`: paste or upload a publiccode.yml and read its
//! diagnostics, in the reader's language, with the offending lines marked in the file. The same
//! check as `riuso validate` and the crawler (offline: nothing is fetched). The check and the
//! rendering of its result run off the async runtime ([`CpuJobs`]), and the page lists at most
//! [`MAX_DIAGNOSTICS`] diagnostics and, of a long file, the lines around them.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse as _, Response};

use super::software::DiagnosticView;
use crate::app::AppState;
use crate::publiccode::{self, Context, Limits, Outcome, Severity};
use crate::web::error::AppError;
use crate::web::limits::CpuJobs;
use crate::web::limits::MAX_PAGE_BYTES;
use crate::web::page::{PageCtx, render, render_capped};

/// Diagnostics the page lists; the others are counted.
const MAX_DIAGNOSTICS: usize = 100;

/// Lines of the file the page lists when it is longer: those around the listed diagnostics.
const MAX_LINES: usize = 1000;

/// Lines shown before and after a diagnostic's line, in a long file.
const CONTEXT: usize = 3;

/// A line of the checked file.
pub struct FileLine {
    number: usize,
    /// Whether lines were left out just before this one.
    gap_before: bool,
    text: String,
    /// `error`, `warning` or empty.
    mark: &'static str,
}

/// What the check found.
pub struct Verdict {
    valid: bool,
    version: Option<String>,
    errors: u64,
    warnings: u64,
}

#[derive(Template)]
#[template(path = "validator/index.html")]
struct ValidatorPage {
    ctx: PageCtx,
    text: String,
    verdict: Option<Verdict>,
    diagnostics: Vec<DiagnosticView>,
    /// How many diagnostics are not listed, when some are not.
    diagnostics_omitted: Option<String>,
    /// How many lines of the file are not listed, when some are not.
    lines_omitted: Option<String>,
    lines: Vec<FileLine>,
    schema: String,
}

/// The latest schema, linked from the page for editors.
fn schema_link() -> String {
    let latest = publiccode::supported_versions()
        .last()
        .copied()
        .unwrap_or("0.4");
    format!("/schemas/publiccode-{latest}.json")
}

/// The empty form.
pub async fn form(ctx: PageCtx) -> Result<Response, AppError> {
    render(&ValidatorPage {
        ctx,
        text: String::new(),
        verdict: None,
        diagnostics: Vec::new(),
        diagnostics_omitted: None,
        lines_omitted: None,
        lines: Vec::new(),
        schema: schema_link(),
    })
}

/// The form posted: an uploaded file wins over pasted text.
pub async fn check(
    state: AppState,
    jobs: CpuJobs,
    ctx: PageCtx,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut pasted = Vec::new();
    let mut uploaded = Vec::new();
    let limit = state.config.max_file_bytes;
    // The body limit surfaces inside the multipart parser's error: look for it down the chain.
    let form_error = |e: MultipartError| {
        let over_limit = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.to_string().contains("length limit exceeded"));
        if over_limit || e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge { limit }
        } else {
            AppError::Refused {
                key: "error.form",
                conflict: false,
            }
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(form_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(form_error)?;
        match name.as_str() {
            "publiccode" => pasted = bytes.to_vec(),
            "file" => uploaded = bytes.to_vec(),
            _ => {}
        }
    }
    let bytes = if uploaded.is_empty() {
        pasted
    } else {
        uploaded
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::Refused {
            key: "validator.nothing",
            conflict: false,
        });
    }
    let limits = Limits {
        max_bytes: state.config.max_file_bytes,
        ..Limits::default()
    };
    let html = jobs
        .run(move || {
            let page = ValidatorPage::verdict(ctx, &bytes, &limits);
            render_capped(&page, MAX_PAGE_BYTES)
        })
        .await??;
    Ok(Html(html).into_response())
}

impl ValidatorPage {
    /// The page of the verdict on `bytes`: linear in the size of the file and the number of
    /// diagnostics, and showing at most [`MAX_DIAGNOSTICS`] of them and [`MAX_LINES`] lines.
    fn verdict(ctx: PageCtx, bytes: &[u8], limits: &Limits) -> Self {
        let lang = ctx.lang;
        let inspection = publiccode::inspect(bytes, limits, &Context::default());
        let outcome = &inspection.outcome;
        let diagnostics = outcome.diagnostics();
        let text = String::from_utf8_lossy(bytes).into_owned();
        // The mark of each line, from every diagnostic, in one pass: an error wins over a warning.
        let mut marks: HashMap<usize, &'static str> = HashMap::new();
        for d in diagnostics {
            let Ok(line) = usize::try_from(d.line) else {
                continue;
            };
            let mark = if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            };
            let slot = marks.entry(line).or_insert(mark);
            if mark == "error" {
                *slot = "error";
            }
        }
        let shown = &diagnostics[..diagnostics.len().min(MAX_DIAGNOSTICS)];
        let total_lines = text.lines().count();
        // A long file shows the lines around the diagnostics on the page, not all of it.
        let wanted: Option<BTreeSet<usize>> = (total_lines > MAX_LINES).then(|| {
            shown
                .iter()
                .filter_map(|d| usize::try_from(d.line).ok().filter(|l| *l > 0))
                .flat_map(|l| l.saturating_sub(CONTEXT).max(1)..=l + CONTEXT)
                .take(MAX_LINES)
                .collect()
        });
        let mut lines = Vec::new();
        let mut previous = 0;
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            if wanted.as_ref().is_some_and(|w| !w.contains(&number)) {
                continue;
            }
            lines.push(FileLine {
                number,
                gap_before: number != previous + 1,
                text: line.to_owned(),
                mark: marks.get(&number).copied().unwrap_or(""),
            });
            previous = number;
            if lines.len() >= MAX_LINES {
                break;
            }
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let left_out = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let lines_omitted = total_lines - lines.len();
        ValidatorPage {
            verdict: Some(Verdict {
                valid: matches!(outcome, Outcome::Valid(_)),
                version: inspection.declared_version.clone(),
                errors: u64::try_from(errors).unwrap_or(u64::MAX),
                warnings: u64::try_from(diagnostics.len() - errors).unwrap_or(u64::MAX),
            }),
            diagnostics: shown.iter().map(|d| DiagnosticView::of(lang, d)).collect(),
            diagnostics_omitted: (diagnostics.len() > shown.len()).then(|| {
                lang.tf(
                    "validator.diagnostics_omitted",
                    &[("n", &left_out(diagnostics.len() - shown.len()))],
                )
            }),
            lines_omitted: (lines_omitted > 0).then(|| {
                lang.tf(
                    "validator.lines_omitted",
                    &[("n", &left_out(lines_omitted))],
                )
            }),
            lines,
            text,
            schema: schema_link(),
            ctx,
        }
    }
}
