//! `GET /api`: the API's documentation for people, rendered on the server from the same OpenAPI
//! document the machines read, in the site's frame (no script of its own).

use std::fmt::Write as _;
use std::sync::LazyLock;

use askama::Template;
use axum::response::Response;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::{RefOr, Required};

use super::openapi::DOCUMENT;
use crate::web::error::AppError;
use crate::web::page::{PageCtx, render as render_page};

/// The documentation, in the site's frame (the text is the OpenAPI document's, in English).
#[derive(Template)]
#[template(path = "api/docs.html")]
struct DocsPage {
    ctx: PageCtx,
    body: &'static str,
}

/// The body of the page, rendered once from the OpenAPI document.
static BODY: LazyLock<String> = LazyLock::new(render);

/// `GET /api`.
pub async fn page(ctx: PageCtx) -> Result<Response, AppError> {
    render_page(&DocsPage {
        ctx,
        body: BODY.as_str(),
    })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with `code` spans, escaped.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

fn render() -> String {
    let doc = &*DOCUMENT;
    let mut html = String::new();
    let _ = writeln!(
        html,
        "<h1>{} v{}</h1>",
        escape(&doc.info.title),
        escape(&doc.info.version)
    );
    for para in doc.info.description.as_deref().unwrap_or("").split("\n\n") {
        let _ = writeln!(html, "<p>{}</p>", prose(para));
    }
    html.push_str(
        "<p>Machine-readable description: <a href=\"/api/v1/openapi.json\">OpenAPI 3.1 document</a>. \
         Open data: <a href=\"/api/v1/export.csv\">CSV</a>, <a href=\"/api/v1/export.jsonl\">JSON Lines</a>, \
         DCAT-AP_IT as <a href=\"/api/v1/export.ttl\">Turtle</a> and <a href=\"/api/v1/export.jsonld\">JSON-LD</a>.</p>\n",
    );
    html.push_str("<nav aria-label=\"Endpoints\"><h2>Endpoints</h2><ul>\n");
    for (path, item) in &doc.paths.paths {
        for (method, op) in [("GET", &item.get), ("POST", &item.post)] {
            if let Some(op) = op {
                let _ = writeln!(
                    html,
                    "<li><a href=\"#{}\"><code>{method} {}</code></a>: {}</li>",
                    anchor(method, path),
                    escape(path),
                    prose(op.summary.as_deref().unwrap_or(""))
                );
            }
        }
    }
    html.push_str("</ul></nav>\n");
    for (path, item) in &doc.paths.paths {
        for (method, op) in [("GET", &item.get), ("POST", &item.post)] {
            if let Some(op) = op {
                operation(&mut html, method, path, op);
            }
        }
    }
    html
}

fn anchor(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    id
}

fn operation(html: &mut String, method: &str, path: &str, op: &Operation) {
    let _ = writeln!(
        html,
        "<h2 id=\"{}\"><span class=\"{}\">{method}</span> <code>{}</code></h2>",
        anchor(method, path),
        method.to_ascii_lowercase(),
        escape(path)
    );
    for text in [&op.summary, &op.description].into_iter().flatten() {
        let _ = writeln!(html, "<p>{}</p>", prose(text));
    }
    let parameters: Vec<&Parameter> = op
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .collect();
    if !parameters.is_empty() {
        html.push_str("<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>meaning</th></tr></thead><tbody>\n");
        for p in parameters {
            let place = match p.parameter_in {
                ParameterIn::Path => "path",
                ParameterIn::Query => "query",
                ParameterIn::Header => "header",
                _ => "other",
            };
            let _ = writeln!(
                html,
                "<tr><td><code>{}</code></td><td>{place}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.name),
                if matches!(p.required, Required::True) {
                    "yes"
                } else {
                    "no"
                },
                prose(p.description.as_deref().unwrap_or(""))
            );
        }
        html.push_str("</tbody></table>\n");
    }
    html.push_str("<table><thead><tr><th>status</th><th>answer</th></tr></thead><tbody>\n");
    for (status, response) in &op.responses.responses {
        let description = match response {
            RefOr::T(r) => r.description.as_str(),
            RefOr::Ref(_) => "",
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(status),
            prose(description)
        );
    }
    html.push_str("</tbody></table>\n");
}
