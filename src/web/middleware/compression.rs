//! Compressed answers: zstd, brotli or gzip, whichever the client prefers (zstd when it accepts
//! several alike), for every body worth it.
//!
//! Left as they are:
//! - bodies under [`MIN_BYTES`] (the headers would outweigh the saving);
//! - answers that are encoded already: the static files `make assets` precompressed, which
//!   `web::assets` serves as they are;
//! - media that compress themselves: images other than SVG, WOFF and WOFF2 fonts, archives;
//! - pages that embed a secret, the CSRF token of a form ([`CarriesSecret`]): a secret beside
//!   text the visitor controls, in a compressed body, leaks through the body's length (BREACH).
//!
//! Streamed bodies (the open-data exports) are compressed as they stream, chunk by chunk.
//! A compressed answer is another representation of the same resource, so its `ETag` becomes
//! weak ([`weak_etag`]); `If-None-Match` compares weakly, so revalidation keeps working.

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::Predicate;
use tower_http::compression::{CompressionLayer, CompressionLevel};

use crate::web::session::CarriesSecret;

/// Smallest body compressed, in bytes.
pub const MIN_BYTES: u64 = 1024;

/// Media types (prefixes of `Content-Type`) that are compressed already.
const COMPRESSED_MEDIA: &[&str] = &[
    "font/woff",
    "application/font-woff",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/pdf",
    "audio/",
    "video/",
];

/// Whether an answer is worth compressing (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct WorthCompressing;

impl Predicate for WorthCompressing {
    fn should_compress<B>(&self, response: &http::Response<B>) -> bool
    where
        B: HttpBody,
    {
        if response.extensions().get::<CarriesSecret>().is_some() {
            return false;
        }
        let size = response.body().size_hint().exact().or_else(|| {
            response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
        });
        // A body of unknown length is a stream: worth it.
        if size.is_some_and(|n| n < MIN_BYTES) {
            return false;
        }
        let media = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if media.starts_with("image/") {
            return media.starts_with("image/svg+xml");
        }
        !COMPRESSED_MEDIA.iter().any(|m| media.starts_with(m))
    }
}

/// The compression layer: zstd, brotli and gzip at level 1. Pages are rendered for each request
/// and compressed as they go out, so the cost counts: at level 1 a 65 KB search page still
/// shrinks about eightfold, for a fraction of the CPU of the usual on-the-fly levels (brotli 4,
/// gzip 6), which halved the search page's throughput. Of the three, zstd costs the least CPU
/// for the same size, and browsers that accept it say so along with the others
/// (`gzip, deflate, br, zstd`): it is preferred when the client accepts several alike. The static
/// files are compressed at the highest levels once, by `make assets`.
#[must_use]
pub fn layer() -> CompressionLayer<WorthCompressing> {
    CompressionLayer::new()
        .zstd(true)
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(1))
        .compress_when(WorthCompressing)
}

/// Runs outside [`layer`]: a compressed answer's strong `ETag` becomes weak, and so does the
/// one of a `304 Not Modified` to a client that accepts compression (it revalidates the
/// compressed answer it holds).
pub async fn weak_etag(request: Request, next: Next) -> Response {
    let accepts = request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            !refused
                && ["zstd", "br", "gzip"]
                    .iter()
                    .any(|known| name.eq_ignore_ascii_case(known))
        });
    let mut response = next.run(request).await;
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    let revalidated = response.status() == StatusCode::NOT_MODIFIED && accepts;
    if !(encoded || revalidated) {
        return response;
    }
    let weak = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .filter(|tag| tag.starts_with('"'))
        .and_then(|tag| HeaderValue::from_str(&format!("W/{tag}")).ok());
    if let Some(weak) = weak {
        response.headers_mut().insert(header::ETAG, weak);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(content_type: &str, body: &'static [u8]) -> http::Response<axum::body::Body> {
        http::Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(axum::body::Body::from(body))
            .unwrap()
    }

    #[test]
    fn compresses_text_worth_it_and_nothing_else() {
        let page: &'static [u8] = &[b'a'; 2048];
        assert!(WorthCompressing.should_compress(&response("text/html; charset=utf-8", page)));
        assert!(WorthCompressing.should_compress(&response("image/svg+xml", page)));
        assert!(!WorthCompressing.should_compress(&response("text/html", b"<p>tiny</p>")));
        assert!(!WorthCompressing.should_compress(&response("image/png", page)));
        assert!(!WorthCompressing.should_compress(&response("font/woff2", page)));
        let mut secret = response("text/html", page);
        secret.extensions_mut().insert(CarriesSecret);
        assert!(!WorthCompressing.should_compress(&secret));
    }
}
