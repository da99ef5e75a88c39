//! `GET /publishers` (every organisation that publishes, paged) and `GET /publishers/{code}`
//! (one organisation by IPA code or id: its solutions, those whose file is invalid, and who
//! declares reusing them).

use std::collections::BTreeMap;

use askama::Template;
use axum::response::Response;

use crate::app::AppState;
use crate::catalog::browse::{self, Reuse};
use crate::catalog::read::{self, OrganisationSummary, Page, SoftwareSummary};
use crate::catalog::validity;
use crate::community::declarations;
use crate::compliance::queue::Summary;
use crate::compliance::review::State;
use crate::links::Link;
use crate::web::error::AppError;
use crate::web::extract::{Key, Path};
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};

/// Organisations per page of the list, and solutions per page of an organisation.
const PAGE_SIZE: u64 = 50;

/// Declared users listed on a publisher page.
const REUSE_LIMIT: u64 = 200;

/// Solutions with an invalid file listed on a publisher page.
const PROBLEMS_LIMIT: u64 = 100;

/// The parameters of the list: the cursor, the language.
#[derive(Debug)]
pub struct ListParams;

impl QuerySpec for ListParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["after", "lang"]
    }
}

/// An organisation in the list.
pub struct OrganisationItem {
    href: String,
    name: String,
    ipa_code: Option<String>,
    count: u64,
}

#[derive(Template)]
#[template(path = "publishers/index.html")]
struct PublishersPage {
    ctx: PageCtx,
    items: Vec<OrganisationItem>,
    next: Option<String>,
    first: bool,
}

/// The list of publishers.
pub async fn list(
    state: AppState,
    ctx: PageCtx,
    params: Params<ListParams>,
) -> Result<Response, AppError> {
    let after = params
        .one("after")?
        .map(|v| v.parse::<i64>().map_err(|_| AppError::InvalidCursor))
        .transpose()?;
    let page = read::organisations(&state.db, after, PAGE_SIZE).await?;
    render(&PublishersPage::new(ctx, &state, page, after.is_some()))
}

impl PublishersPage {
    /// The list of the organisations of `page`; `first` when there are pages before it.
    fn new(ctx: PageCtx, state: &AppState, page: Page<OrganisationSummary>, first: bool) -> Self {
        Self {
            ctx,
            items: page
                .items
                .into_iter()
                .map(|o| OrganisationItem {
                    href: format!(
                        "/publishers/{}",
                        o.organisation
                            .ipa_code
                            .clone()
                            .unwrap_or_else(|| o.organisation.id.to_string())
                    ),
                    name: super::publisher_name(
                        state,
                        &o.organisation.name,
                        o.organisation.ipa_code.as_deref(),
                    ),
                    ipa_code: o.organisation.ipa_code,
                    count: o.software_count,
                })
                .collect(),
            next: page.next.map(|id| format!("/publishers?after={id}")),
            first,
        }
    }
}

/// A solution of the publisher.
pub struct SolutionItem {
    slug: String,
    name: String,
    vitality: Option<u8>,
    /// Whether this organisation is its verified publisher (else the file only claims it).
    verified: bool,
    /// The message key of its review's state, and the class of its badge.
    review: (String, &'static str),
    /// Failed checks of error and of warning severity.
    errors: u32,
    warnings: u32,
}

/// A solution of the publisher whose file is invalid.
pub struct ProblemItem {
    slug: String,
    name: String,
    /// "invalid since" and the date.
    since: String,
    /// Whether it was deactivated for it (else still within its grace).
    deactivated: bool,
}

#[derive(Template)]
#[template(path = "publishers/show.html")]
struct PublisherPage {
    ctx: PageCtx,
    name: String,
    ipa_code: Option<String>,
    /// The official name and e-mail in the IPA registry, when it knows the code.
    ipa_name: Option<String>,
    ipa_email: Option<Link>,
    website: Option<Link>,
    count: u64,
    solutions: Vec<SolutionItem>,
    more: bool,
    /// Its solutions whose file is invalid (within their grace, or deactivated for it).
    problems: Vec<ProblemItem>,
    reuse: Vec<Reuse>,
    /// Reuse its own administration declared, of others' software.
    declared: Vec<super::declarations::DeclarationItem>,
    /// Reuse of its software other administrations declared.
    received: Vec<super::declarations::DeclarationItem>,
}

/// One publisher.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    Path(code): Path<Key>,
) -> Result<Response, AppError> {
    let found = read::organisation(&state.db, code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let id = found.organisation.id;
    let solutions = read::software_of(&state.db, id, None, PAGE_SIZE).await?;
    let problems = validity::problems_of(&state.db, id, PROBLEMS_LIMIT).await?;
    let reuse = browse::reuse_of(&state.db, id, REUSE_LIMIT).await?;
    let declared = declarations::made_by(&state.db, id).await?;
    let received = declarations::received_by(&state.db, id).await?;
    let ids: Vec<i64> = solutions.items.iter().map(|s| s.software.id).collect();
    let compliance = crate::compliance::queue::summaries(&state.db, &ids).await?;
    let found = Found {
        organisation: found,
        solutions,
        compliance,
        problems,
        reuse,
        declared,
        received,
    };
    render(&PublisherPage::new(ctx, &state, found))
}

/// What the page of one publisher shows, as read.
struct Found {
    organisation: OrganisationSummary,
    solutions: Page<SoftwareSummary>,
    /// The compliance of each solution, by id.
    compliance: BTreeMap<i64, Summary>,
    problems: Vec<validity::Problem>,
    reuse: Vec<Reuse>,
    declared: Vec<declarations::Declaration>,
    received: Vec<declarations::Declaration>,
}

impl PublisherPage {
    /// The page of the publisher `found`.
    fn new(ctx: PageCtx, state: &AppState, found: Found) -> Self {
        let Found {
            organisation: summary,
            solutions,
            compliance,
            problems,
            reuse,
            declared,
            received,
        } = found;
        let organisation = summary.organisation;
        let item =
            |d: &declarations::Declaration| super::declarations::DeclarationItem::of(state, d);
        let declared = declared.iter().map(item).collect();
        let received = received.iter().map(item).collect();
        let registered = organisation
            .ipa_code
            .as_deref()
            .and_then(|code| state.ipa.get(code));
        Self {
            ipa_name: registered.map(|e| e.name.clone()),
            ipa_email: registered
                .and_then(|e| e.email.as_deref())
                .map(Link::mailto),
            name: super::publisher_name(
                state,
                &organisation.name,
                organisation.ipa_code.as_deref(),
            ),
            ipa_code: organisation.ipa_code,
            website: organisation.website.as_deref().map(Link::web),
            count: summary.software_count,
            more: solutions.next.is_some(),
            solutions: solutions
                .items
                .into_iter()
                .map(|s| {
                    let c = compliance.get(&s.software.id).copied().unwrap_or(Summary {
                        state: State::Discovered,
                        errors: 0,
                        warnings: 0,
                    });
                    SolutionItem {
                        review: (
                            super::compliance::state_key(c.state),
                            super::compliance::state_class(c.state),
                        ),
                        errors: c.errors,
                        warnings: c.warnings,
                        slug: s.software.slug,
                        name: s.software.name,
                        vitality: s.software.vitality.map(super::search::vitality_points),
                        verified: s.software.publisher_verified,
                    }
                })
                .collect(),
            problems: problems
                .into_iter()
                .map(|p| ProblemItem {
                    since: ctx.lang.tf(
                        "software.invalid_since",
                        &[("date", &p.since.format("%Y-%m-%d"))],
                    ),
                    slug: p.slug,
                    name: p.name,
                    deactivated: !p.active,
                })
                .collect(),
            ctx,
            reuse,
            declared,
            received,
        }
    }
}
