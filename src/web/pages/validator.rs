//! `GET /validator` and `POST /validator`: paste or upload a publiccode.yml and read its
//! diagnostics, in the reader's language, with the offending lines marked in the file. The same
//! check as `riuso validate` and the crawler (offline: nothing is fetched).

use askama::Template;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::Response;

use super::software::DiagnosticView;
use super::{PageCtx, render};
use crate::app::AppState;
use crate::i18n::Lang;
use crate::publiccode::{self, Context, Limits, Outcome, Severity};
use crate::web::error::AppError;

/// A line of the checked file.
pub struct FileLine {
    number: usize,
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
pub async fn form(lang: Lang, uri: Uri) -> Result<Response, AppError> {
    render(&ValidatorPage {
        ctx: PageCtx::new(lang, &uri),
        text: String::new(),
        verdict: None,
        diagnostics: Vec::new(),
        lines: Vec::new(),
        schema: schema_link(),
    })
}

/// The form posted: an uploaded file wins over pasted text.
pub async fn check(
    state: AppState,
    lang: Lang,
    uri: Uri,
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
            AppError::BadRequest(format!("cannot read the form: {e}"))
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
        return Err(AppError::BadRequest(lang.t("validator.nothing").to_owned()));
    }
    let limits = Limits {
        max_bytes: state.config.max_file_bytes,
        ..Limits::default()
    };
    let inspection = publiccode::inspect(&bytes, &limits, &Context::default());
    let outcome = &inspection.outcome;
    let diagnostics = outcome.diagnostics();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mark_of = |n: usize| {
        let on_line = diagnostics
            .iter()
            .filter(|d| usize::try_from(d.line).is_ok_and(|l| l == n));
        let mut mark = "";
        for d in on_line {
            if d.severity == Severity::Error {
                return "error";
            }
            mark = "warning";
        }
        mark
    };
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| FileLine {
            number: i + 1,
            text: line.to_owned(),
            mark: mark_of(i + 1),
        })
        .collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    render(&ValidatorPage {
        ctx: PageCtx::new(lang, &uri),
        verdict: Some(Verdict {
            valid: matches!(outcome, Outcome::Valid(_)),
            version: inspection.declared_version.clone(),
            errors: u64::try_from(errors).unwrap_or(u64::MAX),
            warnings: u64::try_from(diagnostics.len() - errors).unwrap_or(u64::MAX),
        }),
        diagnostics: diagnostics
            .iter()
            .map(|d| DiagnosticView::of(lang, d))
            .collect(),
        lines,
        text,
        schema: schema_link(),
    })
}
