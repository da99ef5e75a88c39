//! The administration's side of a membership: the page of the e-mailed confirmation link (it
//! shows who asks for what, and a button confirms: a mail scanner that follows links confirms
//! nothing), and an organisation's members, which its admins manage.

use askama::Template;
use axum::response::{IntoResponse as _, Redirect, Response};

use super::account::notice;
use crate::app::AppState;
use crate::community::authz::Action;
use crate::community::memberships::{self, MembershipView, OrgRole, PendingClaim};
use crate::web::error::AppError;
use crate::web::extract::{Key, Path, Token};
use crate::web::page::{PageCtx, render};
use crate::web::session::{Csrf, SignedIn};

#[derive(Template)]
#[template(path = "memberships/confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    csrf: String,
    token: String,
    claim: PendingClaim,
    admin: bool,
}

/// `GET /memberships/confirm/{token}`: what the administration is asked to confirm.
pub async fn confirm_form(
    state: AppState,
    ctx: PageCtx,
    Csrf(csrf): Csrf,
    Path(Token(token)): Path<Token>,
) -> Result<Response, AppError> {
    let claim = memberships::pending(&state.db, &token).await?;
    render(&ConfirmPage {
        ctx,
        csrf,
        token,
        admin: claim.role == OrgRole::Admin,
        claim,
    })
}

/// `POST /memberships/confirm/{token}`: the administration confirms.
pub async fn confirm(
    state: AppState,
    ctx: PageCtx,
    Path(Token(token)): Path<Token>,
) -> Result<Response, AppError> {
    memberships::confirm(&state.db, &token).await?;
    notice(
        ctx,
        "membership.confirmed_title",
        "membership.confirmed_text",
        None,
    )
}

#[derive(Template)]
#[template(path = "memberships/members.html")]
struct MembersPage {
    ctx: PageCtx,
    csrf: String,
    code: String,
    organisation: String,
    members: Vec<MembershipView>,
}

/// The organisation with IPA code `code`, or 404.
pub(super) async fn organisation(
    state: &AppState,
    code: &str,
) -> Result<crate::catalog::entities::organisations::Model, AppError> {
    memberships::organisation_by_code(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /publishers/{code}/members`: the organisation's members, for its admins.
pub async fn members(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(code): Path<Key>,
) -> Result<Response, AppError> {
    let org = organisation(&state, code.as_str()).await?;
    me.may(Action::ManageMembers(org.id))?;
    render(&MembersPage {
        ctx,
        csrf,
        code: org.ipa_code.clone().unwrap_or_default(),
        members: memberships::of_organisation(&state.db, org.id).await?,
        organisation: super::publisher_name(&state, &org.name, org.ipa_code.as_deref()),
    })
}

/// `POST /publishers/{code}/members/{id}/remove`: an admin removes a membership.
pub async fn remove(
    state: AppState,
    me: SignedIn,
    Path((code, id)): Path<(Key, i64)>,
) -> Result<Response, AppError> {
    let org = organisation(&state, code.as_str()).await?;
    me.may(Action::ManageMembers(org.id))?;
    memberships::remove(&state.db, org.id, id).await?;
    let code = org.ipa_code.unwrap_or_default();
    Ok(Redirect::to(&format!("/publishers/{code}/members")).into_response())
}
