//! The JSON API under `/api/v1`, its OpenAPI document, its documentation page under `/api`, and
//! the health check: one module per resource with its handlers; the response types in
//! [`types`]. The routes and their layers (CORS for reads, strong `ETag`s on JSON reads, a
//! per-client rate limit on everything under `/api`) are in the route table, `web::routes`.

pub mod answers;
pub mod cases;
pub mod communities;
pub mod crawls;
pub mod docs;
pub mod export;
pub mod health;
pub mod openapi;
pub mod organisations;
pub mod reviews;
pub mod rules;
pub mod software;
pub mod stats;
pub mod types;
pub mod validate;
