//! `GET /`: the search box, the catalog in figures, the newest and recently updated solutions.

use askama::Template;
use axum::response::Response;

use crate::app::AppState;
use crate::catalog::browse;
use crate::catalog::entities::software;
use crate::catalog::search::{Facet, Results};
use crate::web::error::AppError;
use crate::web::page::{PageCtx, render};

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

impl HomePage {
    /// The page: figures from `everything` (the in-memory index's answer to an empty search, so
    /// no counting query), and the two lists.
    fn new(
        ctx: PageCtx,
        everything: &Results,
        newest: Vec<software::Model>,
        updated: Vec<software::Model>,
    ) -> Self {
        let count = |facet: Facet, value: &str| {
            everything
                .facets
                .get(&facet)
                .and_then(|values| values.iter().find(|(v, _)| v == value))
                .map_or(0, |(_, n)| *n)
        };
        let publishers = everything.facets.get(&Facet::Publisher).map_or(0, Vec::len);
        let figure = |value: u64, key: &str, href: &str| Figure {
            value,
            label: ctx.t(key).to_owned(),
            href: href.to_owned(),
        };
        let figures = vec![
            figure(everything.total, "home.figure_solutions", "/software"),
            figure(
                u64::try_from(publishers).unwrap_or(u64::MAX),
                "home.figure_publishers",
                "/publishers",
            ),
            figure(
                count(Facet::Claim, "spid"),
                "home.figure_spid",
                "/software?claim=spid",
            ),
            figure(
                count(Facet::Claim, "pagopa"),
                "home.figure_pagopa",
                "/software?claim=pagopa",
            ),
        ];
        Self {
            figures,
            newest: newest.into_iter().map(|s| Item::of(s, false)).collect(),
            updated: updated.into_iter().map(|s| Item::of(s, true)).collect(),
            ctx,
        }
    }
}

/// The home page.
pub async fn show(state: AppState, ctx: PageCtx) -> Result<Response, AppError> {
    let everything = super::whole_catalog(&state).await?;
    let newest = browse::newest(&state.db, LIST).await?;
    let updated = browse::recently_updated(&state.db, LIST).await?;
    render(&HomePage::new(ctx, &everything, newest, updated))
}
