//! The built web assets (`make assets`: Bootstrap Italia from npm and our own files) at
//! `/static/`, with cache headers. `make assets` writes a brotli (`.br`) and a gzip (`.gz`) copy
//! beside each text file; a client that accepts one gets it as it is, with no work at request
//! time. Missing assets are a 404 like any other file; the pages still
//! render, unstyled, so the router tests need no build of the front end.

use axum::http::{HeaderValue, header};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use crate::config::Config;

/// Seconds a browser may reuse an asset before asking again (it then gets a 304 when unchanged,
/// from the file's modification time).
const MAX_AGE: &str = "public, max-age=86400";

/// The service serving `config.assets_dir`.
pub fn service(config: &Config) -> SetResponseHeader<ServeDir, HeaderValue> {
    SetResponseHeader::overriding(
        ServeDir::new(&config.assets_dir)
            .precompressed_br()
            .precompressed_gzip(),
        header::CACHE_CONTROL,
        HeaderValue::from_static(MAX_AGE),
    )
}
