//! `GET /software/{slug}/release`: the owner's release checklist of one solution (§8.2 of the
//! guidelines, art. 69 of the CAD and Annex A): each step of the release case as the latest
//! automatic checks show it, the steps only a person can confirm, and what to do next.
//!
//! For the members of the owning administration, reviewers and administrators
//! (`community::authz::Action::ViewRelease`).

use askama::Template;
use axum::response::Response;
use serde::Serialize;

use super::compliance::rule_fix;
use crate::app::AppState;
use crate::catalog::read;
use crate::community::authz::Action;
use crate::compliance::release::{self, ChecklistLine, ItemStatus};
use crate::compliance::store;
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{Key, Path};
use crate::web::page::{PageCtx, render};
use crate::web::session::SignedIn;

/// The kebab-case name serde gives a unit variant (`public-repository`).
fn kebab(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A step of the checklist as shown.
pub struct LineView {
    key: String,
    label: String,
    /// The message key of its status.
    status: String,
    done: bool,
    /// What to do (or what to confirm), with how to fix each failed check.
    what: Vec<String>,
    rules: Vec<&'static str>,
}

impl LineView {
    fn of(lang: Lang, line: &ChecklistLine) -> Self {
        let key = kebab(&line.item);
        let status = kebab(&line.status);
        let mut what = Vec::new();
        match line.status {
            ItemStatus::ToDo | ItemStatus::ToConfirm => {
                what.push(lang.t(&format!("release.todo.{key}")).to_owned());
                if line.status == ItemStatus::ToDo {
                    // The failed checks come first in `rules`; each says how to fix it.
                    what.extend(
                        line.rules
                            .iter()
                            .map(|r| rule_fix(lang, *r))
                            .filter(|f| !f.is_empty())
                            .take(3),
                    );
                }
            }
            ItemStatus::Unknown => what.push(lang.t("release.no_results").to_owned()),
            ItemStatus::Done => {}
        }
        Self {
            label: lang.t(&format!("release.item.{key}")).to_owned(),
            status: format!("release.status.{status}"),
            done: line.status == ItemStatus::Done,
            what,
            rules: line.rules.iter().map(|r| r.as_str()).collect(),
            key,
        }
    }
}

#[derive(Template)]
#[template(path = "release/show.html")]
struct ReleasePage {
    ctx: PageCtx,
    slug: String,
    name: String,
    title: String,
    checked: bool,
    lines: Vec<LineView>,
    next: Option<LineView>,
}

/// `GET /software/{slug}/release`.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let detail = read::software(&state.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    match detail.software.organisation_id {
        Some(org) => me.may(Action::ViewRelease(org))?,
        None => me.may(Action::Review)?,
    }
    let results: Vec<_> = store::latest(&state.db, detail.software.id)
        .await?
        .iter()
        .filter_map(store::result_of)
        .collect();
    let lang = ctx.lang;
    let checklist = release::checklist(&results);
    let next = release::next_item(&checklist).map(|l| LineView::of(lang, l));
    render(&ReleasePage {
        title: lang.tf("release.title", &[("name", &detail.software.name)]),
        slug: detail.software.slug,
        name: detail.software.name,
        checked: !results.is_empty(),
        lines: checklist.iter().map(|l| LineView::of(lang, l)).collect(),
        next,
        ctx,
    })
}
