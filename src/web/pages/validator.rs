//! `GET /validator` and `POST /validator`: paste or upload a publiccode.yml and read its
//! diagnostics, in the reader's language, with the offending lines marked in the file. The same
//! check as `riuso validate` and the crawler (offline: nothing is fetched). The check and the
//! rendering of its result run off the async runtime ([`CpuJobs`]), and the page lists at most
//! [`MAX_DIAGNOSTICS`] diagnostics and, of a long file, the lines around them
//! ([`source::listing`]).

use askama::Template;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse as _, Response};

use super::source::{self, DiagnosticView, FileLine};
use crate::app::AppState;
use crate::publiccode::{self, Context, Limits, Outcome};
use crate::web::error::AppError;
use crate::web::limits::CpuJobs;
use crate::web::limits::MAX_PAGE_BYTES;
use crate::web::page::{PageCtx, render, render_capped};

/// Diagnostics the page lists; the others are counted.
const MAX_DIAGNOSTICS: usize = 100;

/// The anchor of line N of the checked file is this and N.
const LINE_ANCHOR: &str = "line-";

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
    /// diagnostics, and showing at most [`MAX_DIAGNOSTICS`] of them and [`source::MAX_LINES`] lines.
    fn verdict(ctx: PageCtx, bytes: &[u8], limits: &Limits) -> Self {
        let lang = ctx.lang;
        let inspection = publiccode::inspect(bytes, limits, &Context::default());
        let outcome = &inspection.outcome;
        let diagnostics = outcome.diagnostics();
        let text = String::from_utf8_lossy(bytes).into_owned();
        let shown = &diagnostics[..diagnostics.len().min(MAX_DIAGNOSTICS)];
        let source::Listing {
            lines,
            omitted: lines_omitted,
        } = source::listing(&text, diagnostics, shown, source::MAX_LINES);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let left_out = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        ValidatorPage {
            verdict: Some(Verdict {
                valid: matches!(outcome, Outcome::Valid(_)),
                version: inspection.declared_version.clone(),
                errors: u64::try_from(errors).unwrap_or(u64::MAX),
                warnings: u64::try_from(diagnostics.len() - errors).unwrap_or(u64::MAX),
            }),
            diagnostics: shown
                .iter()
                .map(|d| DiagnosticView::of(lang, d, LINE_ANCHOR))
                .collect(),
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
