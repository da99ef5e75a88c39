//! `GET /compare?id=a&id=b`: two to four solutions side by side on the criteria of the art. 68
//! comparative evaluation (licence, maintenance, compliance claims, declared users, vitality,
//! proprietary dependencies, languages, platforms, scope, release), reached from the search
//! results; the rows where the solutions differ are marked. `GET /compare.csv?id=…` is the same
//! table as CSV, for the evaluation's own documents.
//!
//! A solution asked for that is no longer in the catalog is named above the table and the others
//! are compared; more than four is refused (the search page stops a fifth tick before that).

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};

use crate::app::AppState;
use crate::catalog::read::{self, CurrentSnapshot, SoftwareDetail};
use crate::i18n::Lang;
use crate::publiccode::PublicCode;
use crate::web::error::AppError;
use crate::web::extract::Key;
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};

/// Most solutions compared at once.
pub const MAX: usize = 4;

/// A compared solution: its column header.
pub struct Column {
    slug: String,
    name: String,
}

/// A criterion: its name and one cell per solution.
pub struct Row {
    label: String,
    cells: Vec<String>,
    /// Whether the solutions differ on it.
    differs: bool,
}

#[derive(Template)]
#[template(path = "compare/show.html")]
struct ComparePage {
    ctx: PageCtx,
    columns: Vec<Column>,
    rows: Vec<Row>,
    too_few: bool,
    /// The solutions asked for that the catalog does not hold (any more).
    missing: Vec<String>,
    /// The address of the CSV of this comparison.
    csv: String,
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
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["id", "lang"]
    }
}

/// What a comparison found: the entries in the order asked, and the keys it did not find.
struct Found {
    details: Vec<SoftwareDetail>,
    missing: Vec<String>,
}

/// The entries `params` ask for.
///
/// # Errors
///
/// [`AppError::Invalid`] past [`MAX`] solutions; a database error.
async fn find(state: &AppState, params: &Params<CompareParams>) -> Result<Found, AppError> {
    let mut keys: Vec<&str> = Vec::new();
    for id in params.all("id") {
        if !keys.contains(&id) {
            keys.push(id);
        }
    }
    if keys.len() > MAX {
        return Err(AppError::invalid(
            "invalid.compare_too_many",
            &[("max", &MAX), ("n", &keys.len())],
        ));
    }
    let mut details = Vec::with_capacity(keys.len());
    let mut missing = Vec::new();
    for key in keys {
        let found = match Key::try_from(key.to_owned()) {
            Ok(key) => read::software(&state.db, key.as_str()).await?,
            Err(_) => None,
        };
        match found {
            Some(detail) => details.push(detail),
            None => missing.push(crate::untrusted::name(key).into_owned()),
        }
    }
    Ok(Found { details, missing })
}

/// The comparison.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    params: Params<CompareParams>,
) -> Result<Response, AppError> {
    let found = find(&state, &params).await?;
    render(&ComparePage::new(ctx, found))
}

/// The comparison as CSV: a header of the solutions' names, one line per criterion, in the
/// language of the request.
pub async fn csv(
    state: AppState,
    ctx: PageCtx,
    params: Params<CompareParams>,
) -> Result<Response, AppError> {
    let found = find(&state, &params).await?;
    let table = Table::new(ctx.lang, &found.details);
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = std::iter::once(ctx.lang.t("compare.criterion").to_owned())
        .chain(table.columns.iter().map(|c| c.name.clone()));
    let write = |out: &mut csv::Writer<Vec<u8>>, record: Vec<String>| {
        out.write_record(record.iter().map(|cell| spreadsheet_safe(cell)))
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))
    };
    write(&mut out, header.collect())?;
    for row in table.rows {
        write(
            &mut out,
            std::iter::once(row.label).chain(row.cells).collect(),
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot finish the CSV: {e}")))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"comparison.csv\""),
    );
    Ok(response)
}

/// `cell` as a spreadsheet will not run: text that starts like a formula gets a leading `'`.
pub(super) fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The columns and rows of a comparison, shared by the page and the CSV.
struct Table {
    columns: Vec<Column>,
    rows: Vec<Row>,
}

impl Table {
    /// The comparison of `details`, side by side, in the order asked.
    fn new(lang: Lang, details: &[SoftwareDetail]) -> Self {
        let docs: Vec<Option<PublicCode>> = details
            .iter()
            .map(|d| d.current.as_ref().and_then(CurrentSnapshot::document))
            .collect();
        let unknown = || lang.t("compare.unknown").to_owned();
        let row = |label: &str, cells: Vec<String>| Row {
            label: lang.t(label).to_owned(),
            differs: cells.windows(2).any(|w| w[0] != w[1]),
            cells,
        };
        let doc_row = |key: &str, cell: &dyn Fn(&PublicCode) -> String| {
            row(
                key,
                docs.iter()
                    .map(|d| d.as_ref().map_or_else(unknown, cell))
                    .collect(),
            )
        };
        let list = |v: Vec<String>| {
            if v.is_empty() {
                lang.t("software.none").to_owned()
            } else {
                v.join(", ")
            }
        };
        let labels = |kind: &str, values: &[String]| {
            list(values.iter().map(|v| lang.label(kind, v)).collect())
        };
        let today = chrono::Utc::now().date_naive();
        let mut rows = vec![
            doc_row("software.licence", &|d| d.legal.license.clone()),
            doc_row("facet.status", &|d| {
                lang.label("status", d.development_status.as_str())
            }),
            doc_row("software.version", &|d| {
                d.software_version.clone().unwrap_or_else(unknown)
            }),
            doc_row("software.release_date", &|d| {
                d.release_date.map_or_else(unknown, |r| r.to_string())
            }),
            row(
                "software.repository_changed",
                details
                    .iter()
                    .map(|d| {
                        super::software::repository_changed(&d.repository).unwrap_or_else(unknown)
                    })
                    .collect(),
            ),
            doc_row("facet.type", &|d| {
                lang.label("type", d.software_type.as_str())
            }),
            doc_row("facet.scope", &|d| {
                labels("scope", &d.intended_audience.scope)
            }),
            doc_row("facet.category", &|d| labels("category", &d.categories)),
            doc_row("facet.maintenance", &|d| {
                lang.label("maintenance", d.maintenance.kind.as_str())
            }),
            doc_row("software.contractors", &|d| {
                list(
                    d.maintenance
                        .contractors
                        .iter()
                        .map(|c| {
                            let expired = if c.until < today {
                                format!(", {}", lang.t("software.contract_expired"))
                            } else {
                                String::new()
                            };
                            format!(
                                "{} ({} {}{expired})",
                                crate::untrusted::name(&c.name),
                                lang.t("software.until"),
                                c.until
                            )
                        })
                        .collect(),
                )
            }),
            doc_row("software.proprietary", &|d| {
                list(
                    d.depends_on
                        .proprietary
                        .iter()
                        .map(|p| p.name.clone())
                        .collect(),
                )
            }),
            doc_row("facet.language", &|d| {
                labels("language", &d.localisation.available_languages)
            }),
            doc_row("software.platforms", &|d| labels("platform", &d.platforms)),
        ];
        rows.push(row(
            "software.vitality",
            details
                .iter()
                .map(|d| {
                    d.software.vitality.map_or_else(
                        || lang.t("software.vitality_not_computed").to_owned(),
                        |v| format!("{}/100", super::search::vitality_points(v)),
                    )
                })
                .collect(),
        ));
        rows.push(row(
            "compare.users",
            details
                .iter()
                .map(|d| {
                    d.current
                        .as_ref()
                        .map_or(0, |c| c.used_by.len())
                        .to_string()
                })
                .collect(),
        ));
        for claim in CLAIMS {
            let cells = details
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
                .collect();
            rows.push(Row {
                label: lang.label("claim", claim),
                ..row("", cells)
            });
        }
        Self {
            columns: details
                .iter()
                .map(|d| Column {
                    slug: d.software.slug.clone(),
                    name: d.software.name.clone(),
                })
                .collect(),
            rows,
        }
    }
}

impl ComparePage {
    /// The page of what a comparison `found`.
    fn new(ctx: PageCtx, found: Found) -> Self {
        let Found { details, missing } = found;
        let table = Table::new(ctx.lang, &details);
        let csv = format!(
            "/compare.csv?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    details
                        .iter()
                        .map(|d| ("id", d.software.slug.as_str()))
                        .chain(std::iter::once(("lang", ctx.lang.code())))
                )
                .finish()
        );
        ComparePage {
            ctx,
            too_few: details.len() < 2,
            columns: table.columns,
            rows: table.rows,
            missing,
            csv,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_do_not_run_in_a_spreadsheet() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(1)"), "'@SUM(1)");
        assert_eq!(spreadsheet_safe("EUPL-1.2"), "EUPL-1.2");
    }
}
