//! The answers many routes of the API share, documented once: each set is a type the
//! `responses(...)` list of a route's `#[utoipa::path]` names beside the answers of its own.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, Response, ResponseBuilder};

/// An error answer: `description`, with the JSON error body.
fn error(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorResponse")))
            .build(),
    )
}

/// The 429 of the rate limit, with its `Retry-After`.
fn too_many() -> RefOr<Response> {
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(0));
    error("Too many requests")
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(seconds))
                .description(Some("Seconds to wait"))
                .build(),
        )
        .into()
}

/// What every JSON read may answer beside its own: 304 to a matching `If-None-Match`, 429 past
/// the rate limit, 503 when the database is unavailable.
#[derive(Debug)]
pub struct Reads;

impl IntoResponses for Reads {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([
            (
                "304".to_owned(),
                ResponseBuilder::new()
                    .description("Unchanged since the ETag sent in If-None-Match")
                    .into(),
            ),
            ("429".to_owned(), too_many()),
            (
                "503".to_owned(),
                error("The database is unavailable").into(),
            ),
        ])
    }
}

/// What a route with query parameters may answer beside [`Reads`]: 400 for a malformed one.
#[derive(Debug)]
pub struct Malformed;

impl IntoResponses for Malformed {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([("400".to_owned(), error("A malformed parameter").into())])
    }
}

/// The rate limit's 429 alone, for routes that are not JSON reads.
#[derive(Debug)]
pub struct RateLimited;

impl IntoResponses for RateLimited {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([("429".to_owned(), too_many())])
    }
}
