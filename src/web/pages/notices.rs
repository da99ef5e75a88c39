//! `GET /accessibility`, `GET /privacy` and `GET /legal`: the notices every Italian PA site links
//! from its footer. Each is riuso's own text in the reader's language unless the operator gave
//! theirs (`RIUSO_ACCESSIBILITY_URL`, `RIUSO_PRIVACY_FILE`, `RIUSO_LEGAL_FILE`): the
//! accessibility statement then leads to the published one, the other two show the file's text.

use askama::Template;
use axum::response::{IntoResponse as _, Redirect, Response};

use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::page::{PageCtx, render};

#[derive(Template)]
#[template(path = "notices/show.html")]
struct NoticePage {
    ctx: PageCtx,
    title: &'static str,
    /// The notice, paragraph by paragraph.
    paragraphs: Vec<String>,
}

impl NoticePage {
    /// The page `title`, showing `own` text when given, else the message `body`.
    fn new(ctx: PageCtx, title: &'static str, body: &'static str, own: Option<&str>) -> Self {
        let text = own.unwrap_or_else(|| ctx.t(body));
        Self {
            title: ctx.t(title),
            paragraphs: paragraphs(text),
            ctx,
        }
    }
}

/// `text` cut at its blank lines, each paragraph's lines joined.
fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// `GET /accessibility`: the administration's published statement, or riuso's own.
///
/// # Errors
///
/// When the page cannot be rendered.
pub async fn accessibility(state: AppState, ctx: PageCtx) -> Result<Response, AppError> {
    if let Some(url) = &state.config.site.accessibility_url {
        return Ok(Redirect::to(url).into_response());
    }
    render(&NoticePage::new(
        ctx,
        "about.accessibility_title",
        "about.accessibility_body",
        None,
    ))
}

/// `GET /privacy`: the privacy notice; the sign-up form links it.
///
/// # Errors
///
/// When the page cannot be rendered.
pub async fn privacy(state: AppState, ctx: PageCtx) -> Result<Response, AppError> {
    render(&NoticePage::new(
        ctx,
        "about.privacy_title",
        "about.privacy_body",
        state.notices.privacy.as_deref(),
    ))
}

/// `GET /legal`: the legal notes.
///
/// # Errors
///
/// When the page cannot be rendered.
pub async fn legal(state: AppState, ctx: PageCtx) -> Result<Response, AppError> {
    render(&NoticePage::new(
        ctx,
        "about.legal_title",
        "about.legal_body",
        state.notices.legal.as_deref(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn paragraphs_are_cut_at_blank_lines() {
        assert_eq!(
            super::paragraphs("One\nline.\r\n\r\nTwo.\n\n\n\n  \nThree."),
            ["One line.", "Two.", "Three."]
        );
    }
}
