//! The account pages: sign-up, address verification, sign-in and sign-out (here or everywhere),
//! password reset, the account page (memberships and their claims) and deletion.
//!
//! Forms that fail come back filled in (passwords excepted) with the reason in the reader's
//! language; the answers to sign-up and reset never say whether an address has an account.

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::community::accounts::{self, SignUp};
use crate::community::memberships::{self, MembershipView, OrgRole};
use crate::community::{CommunityError, sessions};
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{Form, Path, Query, Token};
use crate::web::page::{PageCtx, render, render_with};
use crate::web::session::{self, Csrf, SignedIn, Viewer};

/// The form's error: a client mistake shown on the form, or an error page for anything else.
fn form_error(lang: Lang, e: CommunityError) -> Result<String, AppError> {
    match e.message_key() {
        Some(key) => Ok(lang.t(key).to_owned()),
        None => Err(e.into()),
    }
}

/// A page that says one thing (check your mail, done) with a way on.
#[derive(Template)]
#[template(path = "account/notice.html")]
pub struct NoticePage {
    /// The frame.
    pub ctx: PageCtx,
    /// The title.
    pub title: String,
    /// What to say.
    pub text: String,
    /// Where to go next: (label, address).
    pub next: Option<(String, String)>,
}

/// A one-message page with status 200.
pub fn notice(
    ctx: PageCtx,
    title: &str,
    text: &str,
    next: Option<(&str, &str)>,
) -> Result<Response, AppError> {
    render(&NoticePage {
        title: ctx.t(title).to_owned(),
        text: ctx.t(text).to_owned(),
        next: next.map(|(label, href)| (ctx.t(label).to_owned(), href.to_owned())),
        ctx,
    })
}

#[derive(Template)]
#[template(path = "account/sign_up.html")]
struct SignUpPage {
    ctx: PageCtx,
    csrf: String,
    error: Option<String>,
    email: String,
    name: String,
}

/// The sign-up form's fields.
#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// `GET /account/sign-up`.
pub async fn sign_up_form(ctx: PageCtx, Csrf(csrf): Csrf) -> Result<Response, AppError> {
    render(&SignUpPage {
        ctx,
        csrf,
        error: None,
        email: String::new(),
        name: String::new(),
    })
}

/// `POST /account/sign-up`: the account is made and the verification link sent.
pub async fn sign_up(
    state: AppState,
    ctx: PageCtx,
    Csrf(csrf): Csrf,
    Form(form): Form<SignUpForm>,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let request = SignUp {
        email: form.email.clone(),
        display_name: form.name.clone(),
        password: form.password,
        lang,
    };
    match accounts::sign_up(
        &state.db,
        &state.hashing,
        &state.config.public_url,
        &request,
    )
    .await
    {
        Ok(_) => notice(
            ctx,
            "account.check_mail_title",
            "account.check_mail_sign_up",
            Some(("account.sign_in", "/account/sign-in")),
        ),
        Err(e) => render_with(
            StatusCode::BAD_REQUEST,
            &SignUpPage {
                ctx,
                csrf,
                error: Some(form_error(lang, e)?),
                email: form.email,
                name: form.name,
            },
        ),
    }
}

/// `GET /account/verify/{token}`: the link of the verification e-mail.
pub async fn verify(
    state: AppState,
    ctx: PageCtx,
    Path(Token(token)): Path<Token>,
) -> Result<Response, AppError> {
    accounts::verify_email(&state.db, &token).await?;
    notice(
        ctx,
        "account.verified_title",
        "account.verified_text",
        Some(("account.title", "/account")),
    )
}

#[derive(Template)]
#[template(path = "account/sign_in.html")]
struct SignInPage {
    ctx: PageCtx,
    csrf: String,
    error: Option<String>,
    email: String,
    next: String,
}

/// Where to go after signing in: a path on this site, never another site. Browsers drop tabs
/// and newlines from addresses and read `\\` as `/`, so `/\t/evil.example` would lead away:
/// any of them, or a second leading slash, falls back to the account page.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 1000
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    notice: Option<String>,
}

/// `GET /account/sign-in`.
pub async fn sign_in_form(
    ctx: PageCtx,
    Csrf(csrf): Csrf,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    render(&SignInPage {
        ctx,
        csrf,
        error: None,
        email: String::new(),
        next: local_path(q.next.as_deref()),
    })
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /account/sign-in`: a session starts and its cookie is set.
pub async fn sign_in(
    state: AppState,
    ctx: PageCtx,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Csrf(csrf): Csrf,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let next = local_path(form.next.as_deref());
    match accounts::sign_in(&state.db, &state.hashing, &form.email, &form.password).await {
        Ok(user) => {
            // A browser holds one session: the one it had ends.
            if let Some(previous) = viewer {
                sessions::end(&state.db, &previous.id).await?;
            }
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok());
            let (token, _) = sessions::start(&state.db, &user, agent).await?;
            let mut response = Redirect::to(&next).into_response();
            if let Some(cookie) = session::session_cookie(&state, &token) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(e) => render_with(
            StatusCode::UNAUTHORIZED,
            &SignInPage {
                ctx,
                csrf,
                error: Some(form_error(lang, e)?),
                email: form.email,
                next,
            },
        ),
    }
}

fn signed_out(state: &AppState) -> Response {
    let mut response = Redirect::to("/?notice=signed_out").into_response();
    if let Some(cookie) = session::clear_session_cookie(state) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /account/sign-out`: this browser's session ends.
pub async fn sign_out(state: AppState, Viewer(viewer): Viewer) -> Result<Response, AppError> {
    if let Some(s) = viewer {
        sessions::end(&state.db, &s.id).await?;
    }
    Ok(signed_out(&state))
}

/// `POST /account/sign-out-everywhere`: every session of the account ends.
pub async fn sign_out_everywhere(state: AppState, me: SignedIn) -> Result<Response, AppError> {
    sessions::end_all(&state.db, me.session.user.id).await?;
    Ok(signed_out(&state))
}

#[derive(Template)]
#[template(path = "account/reset_request.html")]
struct ResetRequestPage {
    ctx: PageCtx,
    csrf: String,
}

/// `GET /account/reset`.
pub async fn reset_request_form(ctx: PageCtx, Csrf(csrf): Csrf) -> Result<Response, AppError> {
    render(&ResetRequestPage { ctx, csrf })
}

/// The reset request's field.
#[derive(Debug, Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

/// `POST /account/reset`: a link goes to the address if it has an account.
///
/// The answer does not wait for the lookup of the address nor for the message: a known address
/// costs a link and a message more than an unknown one, and a stranger timing the answers would
/// tell them apart. Both take the same path here, and the work goes on after the answer.
pub async fn reset_request(
    state: AppState,
    ctx: PageCtx,
    Form(form): Form<ResetRequestForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let public_url = state.config.public_url.clone();
    tokio::spawn(async move {
        if let Err(e) = accounts::request_reset(&db, &public_url, &form.email).await {
            tracing::warn!(error = %e, "cannot queue a password-reset message");
        }
    });
    notice(
        ctx,
        "account.check_mail_title",
        "account.check_mail_reset",
        None,
    )
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage {
    ctx: PageCtx,
    csrf: String,
    token: String,
    error: Option<String>,
}

/// `GET /account/reset/{token}`: the new-password form of a reset link.
pub async fn reset_form(
    state: AppState,
    ctx: PageCtx,
    Csrf(csrf): Csrf,
    Path(Token(token)): Path<Token>,
) -> Result<Response, AppError> {
    accounts::check_reset(&state.db, &token).await?;
    render(&ResetPage {
        ctx,
        csrf,
        token,
        error: None,
    })
}

/// The new password.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /account/reset/{token}`: the password changes, every session ends, and this browser
/// is signed in.
pub async fn reset(
    state: AppState,
    ctx: PageCtx,
    Csrf(csrf): Csrf,
    Path(Token(token)): Path<Token>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    match accounts::reset_password(&state.db, &state.hashing, &token, &form.password).await {
        Ok(user) => {
            let (session_token, _) = sessions::start(&state.db, &user, None).await?;
            let mut response = Redirect::to("/account?notice=password_changed").into_response();
            if let Some(cookie) = session::session_cookie(&state, &session_token) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(CommunityError::BadToken) => Err(CommunityError::BadToken.into()),
        Err(e) => render_with(
            StatusCode::BAD_REQUEST,
            &ResetPage {
                ctx,
                csrf,
                token,
                error: Some(form_error(lang, e)?),
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    ctx: PageCtx,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    name: String,
    email: String,
    verified: bool,
    site_role: Option<&'static str>,
    sessions: u64,
    memberships: Vec<MembershipView>,
    code: String,
}

/// The notices a redirect may ask the account page to show, by their `?notice=` name.
fn notice_key(name: Option<&str>) -> Option<&'static str> {
    match name? {
        "claim_sent" => Some("account.notice.claim_sent"),
        "claim_recent" => Some("account.notice.claim_recent"),
        "password_changed" => Some("account.notice.password_changed"),
        "verification_sent" => Some("account.notice.verification_sent"),
        "notices_saved" => Some("account.notice.notices_saved"),
        _ => None,
    }
}

/// What the account page shows beside the account: a notice, a form's error, the code typed.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    error: Option<String>,
    code: String,
}

impl AccountPage {
    /// The page of `me`'s account: `sessions` open, `memberships`, and what `shown` adds.
    fn new(
        ctx: PageCtx,
        me: &SignedIn,
        csrf: String,
        shown: Shown,
        sessions: u64,
        memberships: Vec<MembershipView>,
    ) -> Self {
        let Shown {
            notice,
            error,
            code,
        } = shown;
        let user = &me.session.user;
        Self {
            ctx,
            csrf,
            notice,
            error,
            name: user.display_name.clone(),
            email: user.email.clone().unwrap_or_default(),
            verified: user.email_verified_at.is_some(),
            site_role: me.actor.site_role.map(|r| match r {
                accounts::SiteRole::Admin => "account.role_site_admin",
                accounts::SiteRole::Reviewer => "account.role_reviewer",
            }),
            sessions,
            memberships,
            code,
        }
    }
}

/// The account page of `me`, with what `shown` adds, answered with `status`.
async fn account_page(
    state: &AppState,
    ctx: PageCtx,
    me: &SignedIn,
    csrf: String,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user_id = me.session.user.id;
    let sessions = sessions::count(&state.db, user_id).await?;
    let memberships = memberships::of_user(&state.db, user_id)
        .await?
        .into_iter()
        .map(|mut m| {
            m.organisation = super::publisher_name(state, &m.organisation, Some(&m.code));
            m
        })
        .collect();
    render_with(
        status,
        &AccountPage::new(ctx, me, csrf, shown, sessions, memberships),
    )
}

/// The account page again, 400, with why a form of it was refused and the code typed.
async fn refused(
    state: &AppState,
    ctx: PageCtx,
    me: &SignedIn,
    csrf: String,
    e: CommunityError,
    code: String,
) -> Result<Response, AppError> {
    let error = Some(form_error(ctx.lang, e)?);
    let shown = Shown {
        error,
        code,
        ..Shown::default()
    };
    account_page(state, ctx, me, csrf, shown, StatusCode::BAD_REQUEST).await
}

/// `GET /account`: the person's account, memberships and the claim form.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let notice = notice_key(q.notice.as_deref()).map(|k| ctx.t(k).to_owned());
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    account_page(&state, ctx, &me, csrf, shown, StatusCode::OK).await
}

/// `POST /account/verification`: a new verification link.
pub async fn resend_verification(state: AppState, me: SignedIn) -> Result<Response, AppError> {
    accounts::resend_verification(&state.db, &state.config.public_url, &me.session.user).await?;
    Ok(Redirect::to("/account?notice=verification_sent").into_response())
}

/// The claim form's fields.
#[derive(Debug, Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    role: String,
}

/// `POST /account/memberships`: a claim to act for an administration; the confirmation link
/// goes to its registered address.
pub async fn claim(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Form(form): Form<ClaimForm>,
) -> Result<Response, AppError> {
    me.may(crate::community::authz::Action::Account)?;
    let role = OrgRole::parse(&form.role).ok_or(AppError::Refused {
        key: "membership.error.role",
        conflict: false,
    })?;
    match memberships::claim(
        &state.db,
        &state.ipa,
        &state.config.public_url,
        &me.session.user,
        &form.code,
        role,
    )
    .await
    {
        Ok(memberships::Claimed::Sent { .. }) => {
            Ok(Redirect::to("/account?notice=claim_sent").into_response())
        }
        Ok(memberships::Claimed::AlreadySent { .. }) => {
            Ok(Redirect::to("/account?notice=claim_recent").into_response())
        }
        Err(e) => refused(&state, ctx, &me, csrf, e, form.code).await,
    }
}

/// The notices form's field: present (checked) to turn the e-mails on.
#[derive(Debug, Deserialize)]
pub struct NoticesForm {
    #[serde(default)]
    notify: Option<String>,
}

/// `POST /account/memberships/{id}/notices`: the member turns on or off the e-mails about the
/// files of the administration's software (invalid, valid again, deactivated after the grace).
pub async fn notices(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<NoticesForm>,
) -> Result<Response, AppError> {
    me.may(crate::community::authz::Action::Account)?;
    memberships::set_notices(&state.db, me.session.user.id, id, form.notify.is_some()).await?;
    Ok(Redirect::to("/account?notice=notices_saved").into_response())
}

/// The deletion form's field.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

/// `POST /account/delete`: the account goes (its public records stay, by "former member").
pub async fn delete(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    match accounts::delete(&state.db, &state.hashing, &me.session.user, &form.password).await {
        Ok(()) => {
            let mut response = notice(ctx, "account.deleted_title", "account.deleted_text", None)?;
            if let Some(cookie) = session::clear_session_cookie(&state) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(e) => refused(&state, ctx, &me, csrf, e, String::new()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn sign_in_leads_only_to_this_site() {
        assert_eq!(local_path(Some("/software/x?q=a")), "/software/x?q=a");
        for away in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\r\nSet-Cookie: x=y",
            " /account",
            "",
        ] {
            assert_eq!(local_path(Some(away)), "/account", "{away:?}");
        }
        assert_eq!(local_path(None), "/account");
    }
}
