//! `GET /api/v1/software` (search with facets) and `GET /api/v1/software/{id}` (one entry).

use std::sync::LazyLock;

use axum::Json;

use super::answers::{Malformed, Reads};
use super::types::{
    DeclarationList, DeclarationResponse, Links, SoftwareHit, SoftwareList, SoftwareResponse,
    facet_counts,
};
use crate::app::AppState;
use crate::catalog::read;
use crate::web::error::{ApiError, AppError};
use crate::web::extract::{Key, Path};
use crate::web::params::{self, Params, QuerySpec};

/// Parameters of the list, beside the facet filters.
const FIXED: &[&str] = &["q", "sort", params::SIZE, params::AFTER];

/// The parameters of the software listing: [`FIXED`] and the facet filters.
#[derive(Debug)]
pub struct ListParams;

impl QuerySpec for ListParams {
    fn names() -> &'static [&'static str] {
        static NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| params::search_keys(FIXED));
        &NAMES
    }
}

/// Search the catalog: free text, facet filters, sort and cursor pagination; the same query as
/// the web search. Active entries only unless `active=false` (or both values) is asked.
#[utoipa::path(
    get,
    path = "/api/v1/software",
    operation_id = "list_software",
    tag = "software",
    params(
        ("q" = Option<String>, Query, max_length = 200, description = "Free text; every word must match, in any language of the catalog (plurals and accents included)"),
        ("category" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`categories` value (repeat for alternatives)"),
        ("scope" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`intendedAudience.scope` value"),
        ("type" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`softwareType` value, e.g. `standalone/web`"),
        ("status" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`developmentStatus` value"),
        ("licence" = Option<Vec<String>>, Query, explode, max_items = 20, description = "SPDX licence identifier"),
        ("publisher" = Option<Vec<String>>, Query, explode, max_items = 20, description = "Publisher IPA code (or name, without one)"),
        ("claim" = Option<Vec<String>>, Query, explode, max_items = 20, description = "Declared integration or compliance: `spid`, `cie`, `pagopa`, `io`, `anpr`, `gdpr`, ..."),
        ("maintenance" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`maintenance.type` value"),
        ("country" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`intendedAudience.countries` value"),
        ("language" = Option<Vec<String>>, Query, explode, max_items = 20, description = "`localisation.availableLanguages` value, lower case"),
        ("active" = Option<Vec<ActiveFilter>>, Query, explode, max_items = 20, description = "`true` (the default), `false`, or both"),
        ("sort" = Option<SortParam>, Query, description = "Order of results [default: relevance]"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Results per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of results", body = SoftwareList, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "A cursor the server did not make", body = super::types::ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn list(
    state: AppState,
    params: Params<ListParams>,
) -> Result<Json<SoftwareList>, ApiError> {
    let query = params.search_query(params::AFTER, params.page_size()?)?;
    let results = state
        .search
        .search(&query)
        .await
        .map_err(params::search_error)?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let urls = read::repository_urls(&state.db, &ids).await?;
    let data = results
        .hits
        .into_iter()
        .map(|hit| SoftwareHit {
            url: urls.get(&hit.id).cloned().unwrap_or_default(),
            id: hit.id,
            slug: hit.slug,
            name: hit.name,
            active: hit.active,
            publisher: hit.publisher,
            publisher_verified: hit.publisher_verified,
            updated_at: hit.updated_at,
            vitality: hit.vitality,
            score: hit.score,
        })
        .collect();
    Ok(Json(SoftwareList {
        data,
        total: results.total,
        facets: facet_counts(
            results
                .facets
                .into_iter()
                .map(|(facet, counts)| (facet.as_str().to_owned(), counts)),
        ),
        links: Links {
            next: results
                .next
                .map(|cursor| params.next_link("/api/v1/software", &cursor)),
        },
    }))
}

/// `active` filter values, for the documentation.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(
    dead_code,
    reason = "documents the accepted values; the handler parses the strings"
)]
pub enum ActiveFilter {
    /// Active entries.
    True,
    /// Inactive entries.
    False,
}

/// Sort values, for the documentation.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(
    dead_code,
    reason = "documents the accepted values; the handler parses the strings"
)]
pub enum SortParam {
    /// Best text match first (most recently updated first without text).
    Relevance,
    /// Most recently updated first.
    Updated,
    /// Highest vitality first.
    Vitality,
    /// By name, A to Z.
    Name,
}

/// One entry, by id or slug: its current snapshot (the file as fetched and normalized), claims,
/// `usedBy`, diagnostics, and the history of its snapshots. Inactive entries are shown too.
#[utoipa::path(
    get,
    path = "/api/v1/software/{id}",
    operation_id = "show_software",
    tag = "software",
    params(("id" = String, Path, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Entry id or slug")),
    responses(
        (status = 200, description = "The entry", body = SoftwareResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such entry", body = super::types::ErrorResponse),
        Reads,
    )
)]
pub async fn show(
    state: AppState,
    Path(id): Path<Key>,
) -> Result<Json<SoftwareResponse>, ApiError> {
    let detail = read::software(&state.db, id.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(SoftwareResponse::new(detail)))
}

/// The reuse declarations of one entry, by id or slug.
#[utoipa::path(
    get,
    path = "/api/v1/software/{id}/declarations",
    operation_id = "list_software_declarations",
    tag = "software",
    params(("id" = String, Path, pattern = r"^[a-z0-9][a-z0-9-]{0,199}$", description = "Entry id or slug")),
    responses(
        (status = 200, description = "The declarations that stand", body = DeclarationList, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such entry", body = super::types::ErrorResponse),
        Reads,
    )
)]
pub async fn declarations(
    state: AppState,
    Path(id): Path<Key>,
) -> Result<Json<DeclarationList>, ApiError> {
    let detail = read::software(&state.db, id.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let list = crate::community::declarations::of_software(&state.db, detail.software.id).await?;
    Ok(Json(DeclarationList {
        data: list.iter().map(DeclarationResponse::from).collect(),
    }))
}
