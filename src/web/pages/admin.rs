//! The site administrators' page: who has a site role, and the form that gives or takes one.

use askama::Template;
use axum::response::{IntoResponse as _, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::community::accounts::{self, SiteRole};
use crate::community::authz::Action;
use crate::community::entities::users;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::page::{PageCtx, render};
use crate::web::session::{Csrf, SignedIn};

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageCtx,
    csrf: String,
    /// (name, e-mail, role key)
    staff: Vec<(String, String, &'static str)>,
}

impl UsersPage {
    /// The page listing `staff`, each with their site role.
    fn new(ctx: PageCtx, csrf: String, staff: Vec<(users::Model, SiteRole)>) -> Self {
        let staff = staff
            .into_iter()
            .map(|(u, role)| {
                let key = match role {
                    SiteRole::Admin => "account.role_site_admin",
                    SiteRole::Reviewer => "account.role_reviewer",
                };
                (u.display_name, u.email.unwrap_or_default(), key)
            })
            .collect();
        Self { ctx, csrf, staff }
    }
}

/// `GET /admin/users`.
pub async fn users(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
) -> Result<Response, AppError> {
    me.may(Action::ManageUsers)?;
    let staff = accounts::staff(&state.db).await?;
    render(&UsersPage::new(ctx, csrf, staff))
}

/// The role form's fields.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// `POST /admin/users/role`: gives (or, with `none`, takes) a site role.
pub async fn set_role(
    state: AppState,
    me: SignedIn,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    me.may(Action::ManageUsers)?;
    let role = match form.role.as_str() {
        "none" => None,
        other => Some(SiteRole::parse(other).ok_or(AppError::Refused {
            key: "admin.unknown_role",
            conflict: false,
        })?),
    };
    if !accounts::set_site_role(&state.db, &form.email, role).await? {
        return Err(AppError::Refused {
            key: "admin.unknown_user",
            conflict: false,
        });
    }
    Ok(Redirect::to("/admin/users").into_response())
}
