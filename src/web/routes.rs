//! Every route of the server, pages and API, in one table, with the layers each group runs
//! behind. The layers every request runs behind (body and time limits, the query guard, the
//! headers of every answer, the request log) are added by [`crate::web::router`].
//!
//! A new page: its handler in `pages/<resource>.rs`, its line here. A new API route: its handler
//! in `api/<resource>.rs`, its line here, and its path in `api/openapi.rs`.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{MethodRouter, get, post};
use tower_http::cors::{Any, CorsLayer};

use super::error::{ApiError, AppError, ErrorInfo};
use super::middleware::rate_limit::RateLimiter;
use super::middleware::{etag, frame, page_budget, per_account, rate_limit};
use super::{api, assets, badges, page, pages, schemas, session};
use crate::app::AppState;
use crate::i18n::Lang;
use pages::{
    account, admin, case_wizard, cases, communities, community_search, compare, declarations,
    feeds, home, memberships, notices, publishers, release, releases, review, search, software,
    threads, validator,
};

/// Every route: the health check, the JSON Schemas, the API, the pages, the static assets, and
/// the answer for anything else.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(api::health::show))
        .route("/schemas/{file}", get(schemas::show))
        .merge(api_routes(state))
        .merge(badge_routes())
        .merge(page_routes(state))
        .nest_service("/static", assets::service(&state.config))
        .fallback(not_found)
}

/// The routes under `/api` and their layers. The compliance routes also run behind the
/// session layer: the queue is for signed-in reviewers, and they see inactive entries' reviews.
fn api_routes(state: &AppState) -> Router<AppState> {
    let config = &state.config;
    let reads = Router::new()
        .route("/api/v1/software", get(api::software::list))
        .route("/api/v1/software/{id}", get(api::software::show))
        .route(
            "/api/v1/software/{id}/declarations",
            get(api::software::declarations),
        )
        .route("/api/v1/organisations", get(api::organisations::list))
        .route(
            "/api/v1/organisations/{code}",
            get(api::organisations::show),
        )
        .route(
            "/api/v1/organisations/{code}/software",
            get(api::organisations::software),
        )
        .route("/api/v1/stats", get(api::stats::show))
        .route("/api/v1/crawls", get(api::crawls::list))
        .route("/api/v1/crawls/{id}", get(api::crawls::show))
        .route("/api/v1/crawls/{id}/events", get(api::crawls::events))
        .route("/api/v1/openapi.json", get(api::openapi::json))
        .route("/api/v1/rules", get(api::rules::list))
        .layer(axum::middleware::from_fn(etag::layer));
    // The session layer wraps only the methods a route has (`MethodRouter::route_layer`; the
    // router's own `route_layer` wraps the 405 fallback too): another method gets its 405 rather
    // than the session's refusal of a form without a CSRF token.
    let session = axum::middleware::from_fn_with_state(state.clone(), session::layer);
    let reviews = Router::new().route(
        "/api/v1/reviews/{id}",
        get(api::reviews::show)
            .layer(axum::middleware::from_fn(etag::layer))
            .route_layer(session.clone()),
    );
    let queue = Router::new().route(
        "/api/v1/reviews",
        get(api::reviews::list).route_layer(session.clone()),
    );
    // Members-only communities are read by their members signed in on the site.
    let member_read = |handler: MethodRouter<AppState>| {
        handler
            .layer(axum::middleware::from_fn(etag::layer))
            .route_layer(session.clone())
    };
    let communities = Router::new()
        .route(
            "/api/v1/communities",
            member_read(get(api::communities::list)),
        )
        .route(
            "/api/v1/communities/{slug}",
            member_read(get(api::communities::show)),
        )
        .route(
            "/api/v1/communities/{slug}/threads",
            member_read(get(api::communities::threads_of)),
        )
        .route(
            "/api/v1/threads/search",
            member_read(get(api::communities::search_posts)),
        )
        .route(
            "/api/v1/threads/{id}",
            member_read(get(api::communities::show_thread)),
        )
        .route(
            "/api/v1/threads/{id}/posts",
            member_read(get(api::communities::posts)),
        )
        .route(
            "/api/v1/releases",
            member_read(get(api::communities::matrix)),
        )
        .route(
            "/api/v1/releases/{id}",
            member_read(get(api::communities::show_release)),
        );
    let cases = Router::new()
        .route(
            "/api/v1/cases",
            get(api::cases::list)
                .layer(axum::middleware::from_fn(etag::layer))
                .route_layer(session.clone()),
        )
        .route(
            "/api/v1/cases/{id}",
            get(api::cases::show)
                .layer(axum::middleware::from_fn(etag::layer))
                .route_layer(session),
        );
    let exports = Router::new()
        .route("/api/v1/export.csv", get(api::export::csv))
        .route("/api/v1/export.jsonl", get(api::export::jsonl))
        .route("/api/v1/export.ttl", get(api::export::turtle))
        .route("/api/v1/export.jsonld", get(api::export::jsonld));
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
        ]);
    let limiter = Arc::new(RateLimiter::new(config.api_rate_per_minute));
    Router::new()
        .merge(reads)
        .merge(exports)
        .merge(reviews)
        .merge(communities)
        .merge(cases)
        .layer(cors)
        .merge(queue)
        .route("/api/v1/validate", post(api::validate::validate))
        .route(
            "/api",
            get(api::docs::page).layer(axum::middleware::from_fn(frame::layer)),
        )
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::layer,
        ))
}

/// The badges for READMEs: SVG with an `ETag` and a few minutes of caching, no session (a
/// badge is the same for everyone).
fn badge_routes() -> Router<AppState> {
    Router::new()
        .route("/badges/{slug}/{file}", get(badges::show))
        .layer(axum::middleware::from_fn(etag::layer))
}

/// The page routes, with the session layer (who is asking, the CSRF guard) and the frame layer
/// that renders their errors as pages. Every account form (all those that hash or check a
/// password among them) has its own rate limit per client address and per account.
fn page_routes(state: &AppState) -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(state.config.auth_rate_per_minute));
    let accounts = Arc::new(RateLimiter::new(state.config.auth_rate_per_minute));
    let limited = |handler: MethodRouter<AppState>| {
        handler
            .layer(axum::middleware::from_fn_with_state(
                accounts.clone(),
                per_account::layer,
            ))
            .layer(axum::middleware::from_fn_with_state(
                limiter.clone(),
                rate_limit::layer,
            ))
    };
    Router::new()
        .route(
            "/account/sign-up",
            limited(post(account::sign_up)).get(account::sign_up_form),
        )
        .route(
            "/account/sign-in",
            limited(post(account::sign_in)).get(account::sign_in_form),
        )
        .route(
            "/account/reset",
            limited(post(account::reset_request)).get(account::reset_request_form),
        )
        .route(
            "/account/reset/{token}",
            limited(post(account::reset)).get(account::reset_form),
        )
        .route("/account/verify/{token}", get(account::verify))
        .route("/account", get(account::show))
        .route(
            "/account/verification",
            limited(post(account::resend_verification)),
        )
        .route("/account/sign-out", post(account::sign_out))
        .route(
            "/account/sign-out-everywhere",
            post(account::sign_out_everywhere),
        )
        .route("/account/memberships", limited(post(account::claim)))
        .route("/account/memberships/{id}/notices", post(account::notices))
        .route("/account/delete", limited(post(account::delete)))
        .route(
            "/memberships/confirm/{token}",
            get(memberships::confirm_form).post(memberships::confirm),
        )
        .route("/publishers/{code}/members", get(memberships::members))
        .route(
            "/publishers/{code}/members/{id}/remove",
            post(memberships::remove),
        )
        .route(
            "/publishers/{code}/declarations",
            get(declarations::pending),
        )
        .route("/software/{slug}/declarations", post(declarations::declare))
        .route("/declarations/{id}", get(declarations::show))
        .route("/declarations/{id}/issue", post(declarations::record_issue))
        .route(
            "/declarations/{id}/acknowledge",
            post(declarations::acknowledge),
        )
        .route("/declarations/{id}/withdraw", post(declarations::withdraw))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/role", post(admin::set_role))
        .route("/review", get(review::queue))
        .route("/review.csv", get(review::csv))
        .route("/review/assign", post(review::assign))
        .route("/review/{slug}", get(review::show))
        .route("/review/{slug}/claim", post(review::claim))
        .route("/review/{slug}/release", post(review::release))
        .route("/review/{slug}/record", post(review::record))
        .route("/software/{slug}/release", get(release::show))
        .route("/software/{slug}/community", post(communities::open))
        .route("/software/{slug}/follow", post(releases::follow))
        .route(
            "/communities",
            get(communities::list).post(communities::create),
        )
        .route("/communities/new", get(communities::new_form))
        .route("/communities/search", get(community_search::all))
        .route("/communities/{slug}/search", get(community_search::within))
        .route("/communities/{slug}", get(communities::show))
        .route(
            "/communities/{slug}/members",
            get(communities::members_page),
        )
        .route("/communities/{slug}/feed.atom", get(communities::feed))
        .route("/communities/{slug}/follow", post(communities::follow))
        .route("/threads/{id}/follow", post(threads::follow))
        .route("/notifications", get(communities::notifications))
        .route(
            "/unsubscribe/{token}",
            get(communities::unsubscribe_form).post(communities::unsubscribe),
        )
        .route("/notifications/read", post(communities::read_all))
        .route("/communities/{slug}/join", post(communities::join))
        .route("/communities/{slug}/leave", post(communities::leave))
        .route(
            "/communities/{slug}/organisations",
            post(communities::join_organisation),
        )
        .route(
            "/communities/{slug}/members/{id}/{change}",
            post(communities::change_member),
        )
        .route(
            "/communities/{slug}/settings",
            get(communities::settings_form).post(communities::settings),
        )
        .route(
            "/communities/{slug}/moderation",
            get(communities::moderation),
        )
        .route("/communities/{slug}/threads/new", get(threads::new_form))
        .route("/communities/{slug}/threads", post(threads::create))
        .route("/communities/{slug}/releases", post(releases::plan))
        .route("/threads/{id}", get(threads::show))
        .route("/threads/{id}/posts", post(threads::reply))
        .route("/threads/{id}/accept", post(threads::accept))
        .route("/threads/{id}/{flag}", post(threads::flag))
        .route(
            "/posts/{id}/edit",
            get(threads::edit_form).post(threads::edit),
        )
        .route("/posts/{id}/{action}", post(threads::act))
        .route("/releases/{id}/advance", post(releases::advance))
        .route("/releases/{id}/adoption", post(releases::adopt))
        .route("/cases", get(cases::index).post(case_wizard::create))
        .route("/cases/new", get(case_wizard::new_form))
        .route("/cases/{id}/wizard", get(case_wizard::show))
        .route(
            "/cases/{id}/wizard/{step}",
            post(case_wizard::act).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::session::MAX_UPLOAD_FORM_BYTES,
            )),
        )
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/document.pdf", get(cases::pdf))
        .route("/cases/{id}/document.json", get(cases::json))
        .route("/cases/{id}/documents/{doc}", get(cases::document))
        .route("/", get(home::show))
        .route("/software", get(search::show))
        .route("/software/{slug}", get(software::show))
        .route("/software/{slug}/diff", get(software::diff))
        .route("/publishers", get(publishers::list))
        .route("/publishers/{code}", get(publishers::show))
        .route("/compare", get(compare::show))
        .route("/compare.csv", get(compare::csv))
        .route("/validator", get(validator::form).post(validator::check))
        .route("/feeds/new.atom", get(feeds::new))
        .route("/feeds/updated.atom", get(feeds::updated))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
        .route("/accessibility", get(notices::accessibility))
        .route("/privacy", get(notices::privacy))
        .route("/legal", get(notices::legal))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.page_timeout,
            page_budget::layer,
        ))
        .layer(axum::middleware::from_fn(frame::layer))
}

/// The answer for any unknown route: JSON under `/api`, a page elsewhere.
async fn not_found(lang: Lang, uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return ApiError(AppError::NotFound).into_response();
    }
    page::error_page(lang, &uri, &ErrorInfo::of(&AppError::NotFound))
}
