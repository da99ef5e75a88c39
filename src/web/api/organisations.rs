//! `GET /api/v1/organisations`, one organisation by IPA code, and the software it publishes.

use axum::Json;

use super::answers::{Malformed, Reads};
use super::types::{
    ErrorResponse, Links, OrganisationList, OrganisationResponse, SoftwareBriefList,
};
use crate::app::AppState;
use crate::catalog::read;
use crate::web::error::{ApiError, AppError};
use crate::web::extract::{Key, Path};
use crate::web::params::{Paging, Params};

/// Organisations (publishers, administrations with their IPA code), in id order.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    operation_id = "list_organisations",
    tag = "organisations",
    params(
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Organisations per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of organisations", body = OrganisationList, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "A cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn list(
    state: AppState,
    params: Params<Paging>,
) -> Result<Json<OrganisationList>, ApiError> {
    let page = read::organisations(&state.db, params.after_id()?, params.page_size()?).await?;
    Ok(Json(OrganisationList {
        data: page
            .items
            .into_iter()
            .map(OrganisationResponse::from)
            .collect(),
        links: Links {
            next: page
                .next
                .map(|id| params.next_link("/api/v1/organisations", &id.to_string())),
        },
    }))
}

/// One organisation, by IPA code (any case) or id.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{code}",
    operation_id = "show_organisation",
    tag = "organisations",
    params(("code" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$", description = "IPA code (e.g. `c_h501`) or organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationResponse, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such organisation", body = ErrorResponse),
        Reads,
    )
)]
pub async fn show(
    state: AppState,
    Path(code): Path<Key>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    let org = read::organisation(&state.db, code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(org.into()))
}

/// The active entries an organisation publishes, in id order.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{code}/software",
    operation_id = "list_organisation_software",
    tag = "organisations",
    params(
        ("code" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$", description = "IPA code (e.g. `c_h501`) or organisation id"),
        ("page[size]" = Option<u64>, Query, minimum = 1, maximum = 100, description = "Entries per page [default: 25]"),
        ("page[after]" = Option<String>, Query, description = "Opaque cursor from `links.next`"),
    ),
    responses(
        (status = 200, description = "A page of entries", body = SoftwareBriefList, headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 404, description = "No such organisation, or a cursor the server did not make", body = ErrorResponse),
        Reads,
        Malformed,
    )
)]
pub async fn software(
    state: AppState,
    Path(code): Path<Key>,
    params: Params<Paging>,
) -> Result<Json<SoftwareBriefList>, ApiError> {
    let org = read::organisation(&state.db, code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let page = read::software_of(
        &state.db,
        org.organisation.id,
        params.after_id()?,
        params.page_size()?,
    )
    .await?;
    let path = format!("/api/v1/organisations/{}/software", code.as_str());
    Ok(Json(SoftwareBriefList {
        data: page.items.into_iter().map(Into::into).collect(),
        links: Links {
            next: page.next.map(|id| params.next_link(&path, &id.to_string())),
        },
    }))
}
