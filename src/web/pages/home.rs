//! `GET /`: the search box, the catalog in figures, the newest and recently updated solutions.

use askama::Template;
use axum::http::Uri;
use axum::response::Response;

use super::{PageCtx, render};
use crate::app::AppState;
use crate::catalog::browse;
use crate::catalog::entities::software;
use crate::catalog::search::Facet;
use crate::i18n::Lang;
use crate::web::error::AppError;

/// Entries in each list of the home page.
const LIST: u64 = 6;

/// An entry in a list of the home page.
pub struct Item {
    slug: String,
    name: String,
    date: String,
}

impl Item {
    fn of(s: software::Model, by_update: bool) -> Self {
        let at = if by_update {
            s.updated_at
        } else {
            s.created_at
        };
        Self {
            slug: s.slug,
            name: s.name,
            date: at.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A figure of the catalog: a number and what it counts.
pub struct Figure {
    value: u64,
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    ctx: PageCtx,
    figures: Vec<Figure>,
    newest: Vec<Item>,
    updated: Vec<Item>,
}

/// The home page.
pub async fn show(state: AppState, lang: Lang, uri: Uri) -> Result<Response, AppError> {
    // The figures come from the in-memory index: no counting query.
    let everything = super::whole_catalog(&state).await?;
    let count = |facet: Facet, value: &str| {
        everything
            .facets
            .get(&facet)
            .and_then(|values| values.iter().find(|(v, _)| v == value))
            .map_or(0, |(_, n)| *n)
    };
    let publishers = everything.facets.get(&Facet::Publisher).map_or(0, Vec::len);
    let figures = vec![
        Figure {
            value: everything.total,
            label: lang.t("home.figure_solutions").to_owned(),
            href: "/software".to_owned(),
        },
        Figure {
            value: u64::try_from(publishers).unwrap_or(u64::MAX),
            label: lang.t("home.figure_publishers").to_owned(),
            href: "/publishers".to_owned(),
        },
        Figure {
            value: count(Facet::Claim, "spid"),
            label: lang.t("home.figure_spid").to_owned(),
            href: "/software?claim=spid".to_owned(),
        },
        Figure {
            value: count(Facet::Claim, "pagopa"),
            label: lang.t("home.figure_pagopa").to_owned(),
            href: "/software?claim=pagopa".to_owned(),
        },
    ];
    let newest = browse::newest(&state.db, LIST).await?;
    let updated = browse::recently_updated(&state.db, LIST).await?;
    render(&HomePage {
        ctx: PageCtx::new(lang, &uri),
        figures,
        newest: newest.into_iter().map(|s| Item::of(s, false)).collect(),
        updated: updated.into_iter().map(|s| Item::of(s, true)).collect(),
    })
}
