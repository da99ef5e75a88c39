//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers and response types, and
//! served at `/api/v1/openapi.json`.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use utoipa::OpenApi;

use super::{
    cases, communities, crawls, export, organisations, reviews, rules, software, stats, types,
};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "riuso API",
        description = "The catalog of software Italian public administrations offer for reuse: search with facets, entries with their publiccode.yml history and reuse declarations, organisations, statistics, crawl runs, the publiccode.yml validator, open-data exports, and the compliance of entries with the AgID guidelines (the rule set, each entry's checks and review, the reviewers' queue), the communities (threads, posts, releases and who runs which), and the administrations' art. 68 comparative evaluations (reuse cases).\n\nReads are public, answer with a strong ETag (send it back in If-None-Match for a 304) and allow any origin (CORS). Lists are paged with `page[size]` (1-100, default 25) and the opaque `page[after]` cursor of `links.next`. Errors are `{\"error\": {\"code\", \"message\"}}`; each client IP has a rate limit, answered with 429 and Retry-After.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
        version = "1"
    ),
    paths(
        software::list,
        software::show,
        software::declarations,
        organisations::list,
        organisations::show,
        organisations::software,
        stats::show,
        crawls::list,
        crawls::show,
        crawls::events,
        super::validate::validate,
        export::csv,
        export::jsonl,
        export::turtle,
        export::jsonld,
        rules::list,
        reviews::show,
        reviews::list,
        communities::list,
        communities::show,
        communities::threads_of,
        communities::show_thread,
        communities::posts,
        communities::search_posts,
        communities::matrix,
        communities::show_release,
        cases::list,
        cases::show,
    ),
    components(schemas(
        types::ErrorResponse,
        software::ActiveFilter,
        software::SortParam,
        reviews::StateFilter,
        reviews::RuleFilter
    )),
    tags(
        (name = "software", description = "Catalog entries"),
        (name = "organisations", description = "Publishers and administrations, by IPA code"),
        (name = "catalog", description = "The catalog as a whole"),
        (name = "crawls", description = "What each crawl found, changed, skipped or failed"),
        (name = "validator", description = "publiccode.yml validation"),
        (name = "open data", description = "The whole catalog in bulk, streamed"),
        (name = "compliance", description = "The automatic checks of the AgID guidelines on every snapshot, and the reviews; the queue is for reviewers signed in on the site"),
        (name = "communities", description = "Communities around solutions and of practice: their threads and posts, the releases of their solutions and who runs which; a members-only community's threads, posts and members are for its members signed in on the site"),
        (name = "cases", description = "Reuse cases: an administration's art. 68 CAD comparative evaluation, from its needs to the decision; published cases are public, the others are for the members of their administration signed in on the site"),
    )
)]
pub struct ApiDoc;

/// The document, rendered once.
pub static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

static JSON: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string_pretty(&*DOCUMENT).unwrap_or_default());

/// `GET /api/v1/openapi.json`.
pub async fn json() -> Response {
    let mut response = JSON.as_str().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
