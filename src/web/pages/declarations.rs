//! Reuse declarations on the pages: the "who uses it" section and the declaration form of a
//! software page, a declaration's own page (its Annex D notice to open on the owner's forge, the
//! address of that issue once opened, the owner's confirmation, the withdrawal), and an owner's
//! page of pending declarations with the `usedBy` change that would acknowledge them.

use askama::Template;
use axum::response::{IntoResponse as _, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::AppState;
use crate::catalog::entities::organisations;
use crate::catalog::read;
use crate::community::authz::{self, Action};
use crate::community::declarations::{self, Declaration, NewDeclaration, Status};
use crate::community::people::Person;
use crate::links::Link;
use crate::web::error::AppError;
use crate::web::extract::{Form, Key, Path};
use crate::web::page::{PageCtx, render};
use crate::web::session::{Csrf, SignedIn, Viewer};

/// A declaration as the pages list it.
pub struct DeclarationItem {
    pub(super) id: i64,
    pub(super) organisation: String,
    pub(super) code: String,
    /// The message key of its status.
    pub(super) status: &'static str,
    pub(super) acknowledged: bool,
    pub(super) version: String,
    pub(super) since: String,
    pub(super) modified: bool,
    pub(super) variant_url: Option<Link>,
    pub(super) note: String,
    pub(super) declared_by: Person,
    pub(super) software_slug: String,
    pub(super) software_name: String,
}

impl DeclarationItem {
    /// The item of `d`.
    pub fn of(state: &AppState, d: &Declaration) -> Self {
        Self {
            id: d.row.id,
            organisation: super::publisher_name(
                state,
                &d.organisation.name,
                d.organisation.ipa_code.as_deref(),
            ),
            code: d.organisation.ipa_code.clone().unwrap_or_default(),
            status: status_key(d.status),
            acknowledged: d.status == Status::Acknowledged,
            version: d.row.version.clone(),
            since: d.row.since.to_string(),
            modified: d.row.modified,
            variant_url: d.row.variant_url.as_deref().map(Link::web),
            note: d.row.note.clone(),
            declared_by: d.declared_by.clone(),
            software_slug: d.software_slug.clone(),
            software_name: d.software_name.clone(),
        }
    }
}

fn status_key(status: Status) -> &'static str {
    match status {
        Status::Declared => "declaration.status_declared",
        Status::Notified => "declaration.status_notified",
        Status::Acknowledged => "declaration.status_acknowledged",
        Status::Withdrawn => "declaration.status_withdrawn",
    }
}

/// The declarations part of a software page.
pub struct Section {
    /// The declarations that stand.
    pub items: Vec<DeclarationItem>,
    /// Whether someone is signed in.
    pub signed_in: bool,
    /// The organisations the viewer may declare for: (id, name).
    pub organisations: Vec<(i64, String)>,
    /// The form's CSRF token.
    pub csrf: String,
    /// Today, the form's default and latest date.
    pub today: String,
}

/// The section of software `software_id` as `viewer` sees it.
///
/// # Errors
///
/// On a database error.
pub async fn section(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    viewer: &Viewer,
    software_id: i64,
) -> Result<Section, AppError> {
    let items = declarations::of_software(db, software_id)
        .await?
        .iter()
        .map(|d| DeclarationItem::of(state, d))
        .collect();
    let organisations = match &viewer.0 {
        Some(session) => declarations::declarable_for(db, &session.user)
            .await?
            .into_iter()
            .map(|(id, name)| (id, super::organisation_name(state, &name)))
            .collect(),
        None => Vec::new(),
    };
    Ok(Section {
        items,
        signed_in: viewer.0.is_some(),
        organisations,
        // Only the signed-in get the form, so the token is their session's.
        csrf: viewer
            .0
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default(),
        today: chrono::Utc::now().date_naive().to_string(),
    })
}

/// The declaration form's fields.
#[derive(Debug, Deserialize)]
pub struct DeclareForm {
    organisation: i64,
    #[serde(default)]
    version: String,
    #[serde(default)]
    since: String,
    modified: Option<String>,
    variant_url: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    contact: String,
}

/// `POST /software/{slug}/declarations`: a verified member declares their administration uses
/// it; the declaration's page shows the Annex D notice to send.
pub async fn declare(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<DeclareForm>,
) -> Result<Response, AppError> {
    me.may(Action::Declare(form.organisation))?;
    let detail = read::software(&state.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let since = NaiveDate::parse_from_str(form.since.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::Refused {
            key: "declaration.error.since",
            conflict: false,
        }
    })?;
    let new = NewDeclaration {
        organisation_id: form.organisation,
        version: form.version,
        since,
        modified: form.modified.is_some(),
        variant_url: form.variant_url.filter(|u| !u.trim().is_empty()),
        note: form.note,
        contact: form.contact,
    };
    let id = declarations::declare(
        &state.db,
        &state.config.public_url,
        detail.software.id,
        me.session.user.id,
        &new,
    )
    .await?;
    Ok(Redirect::to(&format!("/declarations/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "declarations/show.html")]
struct DeclarationPage {
    ctx: PageCtx,
    csrf: String,
    item: DeclarationItem,
    issue_url: Option<Link>,
    acknowledged_via_crawl: bool,
    /// What the declaring side may do: record the issue, withdraw; and see the contact.
    manage: bool,
    /// Whether the viewer may confirm as the owner.
    acknowledge: bool,
    contact: Option<String>,
    notice: Option<declarations::Notice>,
    pending: bool,
}

/// `GET /declarations/{id}`: a declaration, with the Annex D notice for those who declared it.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let d = declarations::get(&state.db, id).await?;
    // Its forms are for the signed-in only, so the token is their session's.
    let csrf = viewer
        .0
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    if d.status == Status::Withdrawn {
        return Err(AppError::NotFound);
    }
    let actor = match &viewer.0 {
        Some(s) => Some(authz::Actor::of(&state.db, &s.user).await?),
        None => None,
    };
    let manage = authz::check(
        actor.as_ref(),
        Action::ManageDeclaration(d.row.organisation_id),
    )
    .is_ok();
    let acknowledge = d
        .owner_id
        .is_some_and(|owner| authz::check(actor.as_ref(), Action::Acknowledge(owner)).is_ok());
    render(&DeclarationPage::new(
        ctx,
        &state,
        csrf,
        &d,
        Rights {
            manage,
            acknowledge,
        },
    ))
}

/// What the viewer may do with a declaration.
struct Rights {
    /// Record the issue, withdraw, see the contact: the declaring side.
    manage: bool,
    /// Confirm as the owner.
    acknowledge: bool,
}

impl DeclarationPage {
    /// The page of `d` for a viewer with `rights`.
    fn new(ctx: PageCtx, state: &AppState, csrf: String, d: &Declaration, rights: Rights) -> Self {
        let Rights {
            manage,
            acknowledge,
        } = rights;
        Self {
            ctx,
            csrf,
            item: DeclarationItem::of(state, d),
            issue_url: d.row.issue_url.as_deref().map(Link::web),
            acknowledged_via_crawl: d.row.acknowledged_via.as_deref()
                == Some(declarations::via::CRAWL),
            contact: (manage || acknowledge).then(|| d.row.contact.clone()),
            notice: manage.then(|| declarations::notice(d, &state.config.public_url)),
            pending: d.status.is_pending(),
            manage,
            acknowledge,
        }
    }
}

async fn declaration_for(
    state: &AppState,
    me: &SignedIn,
    id: i64,
    action: fn(&Declaration) -> Option<Action>,
) -> Result<Declaration, AppError> {
    let d = declarations::get(&state.db, id).await?;
    match action(&d) {
        Some(a) => me.may(a)?,
        None => return Err(AppError::Forbidden),
    }
    Ok(d)
}

/// The issue address.
#[derive(Debug, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    issue_url: String,
}

/// `POST /declarations/{id}/issue`: the Annex D issue was opened; its address is recorded.
pub async fn record_issue(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    let d = declaration_for(&state, &me, id, |d| {
        Some(Action::ManageDeclaration(d.row.organisation_id))
    })
    .await?;
    declarations::record_issue(&state.db, &d, me.session.user.id, &form.issue_url).await?;
    Ok(Redirect::to(&format!("/declarations/{id}")).into_response())
}

/// `POST /declarations/{id}/acknowledge`: the owner confirms.
pub async fn acknowledge(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    declaration_for(&state, &me, id, |d| d.owner_id.map(Action::Acknowledge)).await?;
    declarations::acknowledge(&state.db, id, me.session.user.id).await?;
    // The reuse case the declaration was made from, if any, closes with it.
    let txn = crate::db::begin_write(&state.db).await?;
    crate::cases::store::follow_declarations(&txn, &[id], chrono::Utc::now())
        .await
        .map_err(super::cases::failed)?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/declarations/{id}")).into_response())
}

/// `POST /declarations/{id}/withdraw`: the declaring administration withdraws it.
pub async fn withdraw(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let d = declaration_for(&state, &me, id, |d| {
        Some(Action::ManageDeclaration(d.row.organisation_id))
    })
    .await?;
    declarations::withdraw(&state.db, id, me.session.user.id).await?;
    Ok(Redirect::to(&format!("/software/{}", d.software_slug)).into_response())
}

/// Pending declarations of one software, with the `usedBy` change that acknowledges them.
pub struct PendingGroup {
    slug: String,
    name: String,
    patch: String,
    items: Vec<DeclarationItem>,
}

#[derive(Template)]
#[template(path = "declarations/pending.html")]
struct PendingPage {
    ctx: PageCtx,
    csrf: String,
    code: String,
    organisation: String,
    groups: Vec<PendingGroup>,
    /// Whether the viewer may confirm (reviewers only read).
    acknowledge: bool,
}

/// `GET /publishers/{code}/declarations`: the owner's pending declarations.
pub async fn pending(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(code): Path<Key>,
) -> Result<Response, AppError> {
    let org = super::memberships::organisation(&state, code.as_str()).await?;
    me.may(Action::ViewPending(org.id))?;
    let groups = declarations::pending_for_owner(&state.db, org.id).await?;
    let acknowledge = me.may(Action::Acknowledge(org.id)).is_ok();
    render(&PendingPage::new(
        ctx,
        &state,
        csrf,
        &org,
        groups,
        acknowledge,
    ))
}

impl PendingPage {
    /// The page of `org`'s pending declarations, in `groups` by software; `acknowledge` when
    /// the viewer may confirm them.
    fn new(
        ctx: PageCtx,
        state: &AppState,
        csrf: String,
        org: &organisations::Model,
        groups: Vec<declarations::PendingSoftware>,
        acknowledge: bool,
    ) -> Self {
        Self {
            ctx,
            csrf,
            code: org.ipa_code.clone().unwrap_or_default(),
            organisation: super::publisher_name(state, &org.name, org.ipa_code.as_deref()),
            groups: groups
                .into_iter()
                .map(|g| PendingGroup {
                    items: g
                        .declarations
                        .iter()
                        .map(|d| DeclarationItem::of(state, d))
                        .collect(),
                    slug: g.slug,
                    name: g.name,
                    patch: g.patch,
                })
                .collect(),
            acknowledge,
        }
    }
}
