//! `GET /compare?id=a&id=b`: two to four solutions side by side on the criteria of the art. 68
//! comparative evaluation (licence, maintenance, compliance claims, declared users, vitality,
//! proprietary dependencies, languages, platforms), reached from the search results.

use askama::Template;
use axum::response::Response;

use crate::app::AppState;
use crate::catalog::read::{self, CurrentSnapshot, SoftwareDetail};
use crate::web::error::AppError;
use crate::web::extract::Key;
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};

/// Most solutions compared at once.
const MAX: usize = 4;

/// A compared solution: its column header.
pub struct Column {
    slug: String,
    name: String,
}

/// A criterion: its name and one cell per solution.
pub struct Row {
    label: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "compare/show.html")]
struct ComparePage {
    ctx: PageCtx,
    columns: Vec<Column>,
    rows: Vec<Row>,
    too_few: bool,
}

/// The claims the comparison lists, in this order.
const CLAIMS: &[&str] = &[
    "spid",
    "cie",
    "pagopa",
    "io",
    "anpr",
    "gdpr",
    "accessibility",
    "interoperability",
    "minimum-security",
];

/// The parameters of the comparison: the solutions (`id`, repeated), the language.
#[derive(Debug)]
pub struct CompareParams;

impl QuerySpec for CompareParams {
    fn names() -> &'static [&'static str] {
        &["id", "lang"]
    }
}

/// The comparison.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    params: Params<CompareParams>,
) -> Result<Response, AppError> {
    let mut keys: Vec<&str> = Vec::new();
    for id in params.all("id") {
        if !keys.contains(&id) {
            keys.push(id);
        }
    }
    if keys.len() > MAX {
        return Err(AppError::BadRequest(format!(
            "compare at most {MAX} solutions at once ({} given)",
            keys.len()
        )));
    }
    let mut details = Vec::with_capacity(keys.len());
    for key in keys {
        let key = Key::try_from(key.to_owned())
            .map_err(|_| AppError::BadRequest(format!("{key:?} is not a solution")))?;
        let detail = read::software(&state.db, key.as_str())
            .await?
            .ok_or_else(|| AppError::BadRequest(format!("no solution {:?}", key.as_str())))?;
        details.push(detail);
    }
    render(&ComparePage::new(ctx, details))
}

impl ComparePage {
    /// The comparison of `details`, side by side, in the order asked.
    fn new(ctx: PageCtx, details: Vec<SoftwareDetail>) -> Self {
        let lang = ctx.lang;
        let docs: Vec<_> = details
            .iter()
            .map(|d| d.current.as_ref().and_then(CurrentSnapshot::document))
            .collect();
        let unknown = || lang.t("compare.unknown").to_owned();
        let doc_row = |key: &str, cell: &dyn Fn(&crate::publiccode::PublicCode) -> String| Row {
            label: lang.t(key).to_owned(),
            cells: docs
                .iter()
                .map(|d| d.as_ref().map_or_else(unknown, cell))
                .collect(),
        };
        let list = |v: &[String]| {
            if v.is_empty() {
                lang.t("software.none").to_owned()
            } else {
                v.join(", ")
            }
        };
        let mut rows = vec![
            doc_row("software.licence", &|d| d.legal.license.clone()),
            doc_row("facet.status", &|d| {
                lang.t(&format!("value.status.{}", d.development_status.as_str()))
                    .to_owned()
            }),
            doc_row("facet.type", &|d| d.software_type.as_str().to_owned()),
            doc_row("facet.maintenance", &|d| {
                lang.t(&format!(
                    "value.maintenance.{}",
                    d.maintenance.kind.as_str()
                ))
                .to_owned()
            }),
            doc_row("software.contractors", &|d| {
                list(
                    &d.maintenance
                        .contractors
                        .iter()
                        .map(|c| format!("{} ({} {})", c.name, lang.t("software.until"), c.until))
                        .collect::<Vec<_>>(),
                )
            }),
            doc_row("software.proprietary", &|d| {
                list(
                    &d.depends_on
                        .proprietary
                        .iter()
                        .map(|p| p.name.clone())
                        .collect::<Vec<_>>(),
                )
            }),
            doc_row("facet.language", &|d| {
                list(&d.localisation.available_languages)
            }),
            doc_row("software.platforms", &|d| list(&d.platforms)),
        ];
        rows.push(Row {
            label: lang.t("software.vitality").to_owned(),
            cells: details
                .iter()
                .map(|d| {
                    d.software.vitality.map_or_else(unknown, |v| {
                        format!("{}/100", super::search::vitality_points(v))
                    })
                })
                .collect(),
        });
        rows.push(Row {
            label: lang.t("compare.users").to_owned(),
            cells: details
                .iter()
                .map(|d| {
                    d.current
                        .as_ref()
                        .map_or(0, |c| c.used_by.len())
                        .to_string()
                })
                .collect(),
        });
        for claim in CLAIMS {
            rows.push(Row {
                label: lang.t(&format!("value.claim.{claim}")).to_owned(),
                cells: details
                    .iter()
                    .map(|d| {
                        let found = d
                            .current
                            .as_ref()
                            .and_then(|c| c.claims.iter().find(|c| c.kind == *claim));
                        match found.map(|c| c.value.as_str()) {
                            Some("true") => lang.t("software.claim_yes").to_owned(),
                            Some("false") => lang.t("software.claim_no").to_owned(),
                            _ => lang.t("compare.not_declared").to_owned(),
                        }
                    })
                    .collect(),
            });
        }
        rows.push(Row {
            label: lang.t("search.updated").to_owned(),
            cells: details
                .iter()
                .map(|d| d.software.updated_at.format("%Y-%m-%d").to_string())
                .collect(),
        });
        ComparePage {
            ctx,
            too_few: details.len() < 2,
            columns: details
                .into_iter()
                .map(|d| Column {
                    slug: d.software.slug,
                    name: d.software.name,
                })
                .collect(),
            rows,
        }
    }
}
