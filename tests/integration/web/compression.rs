//! Compressed answers: pages, JSON and the streamed exports in brotli or gzip, as the client
//! asks; tiny bodies and pages with a form's secret as they are; the API's `ETag`s still
//! revalidate; static files sent precompressed from the disk.

use std::io::Read as _;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt as _;

use crate::pages::first_slug;
use crate::support::test_app::TestApp;

/// `GET uri` with `headers`; the status, headers and raw body bytes.
async fn fetch(
    app: &TestApp,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

/// `bytes` decoded from `encoding` (`br`, `gzip`, or none).
fn decode(encoding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        Some("br") => {
            brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("zstd") => out = zstd::stream::decode_all(bytes).unwrap(),
        None => out.extend_from_slice(bytes),
        Some(other) => panic!("unexpected content-encoding {other}"),
    }
    out
}

fn encoding(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn pages_json_and_exports_are_compressed_as_the_client_asks() {
    let app = TestApp::new().demo().build().await;
    let slug = first_slug(&app, "q=govpay").await;
    for uri in [
        "/software?q=comune".to_owned(),
        format!("/software/{slug}"),
        "/api/v1/software".to_owned(),
        "/api/v1/openapi.json".to_owned(),
        "/api/v1/export.jsonl".to_owned(),
        "/api/v1/export.csv".to_owned(),
    ] {
        let (status, headers, plain) = fetch(&app, &uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(
            encoding(&headers),
            None,
            "{uri}: nothing asked, nothing compressed"
        );
        for (asked, expected) in [
            ("gzip", "gzip"),
            ("br", "br"),
            ("zstd", "zstd"),
            ("gzip, deflate, br, zstd", "zstd"),
            ("gzip, br", "br"),
            ("br;q=0, gzip", "gzip"),
        ] {
            let (status, headers, body) = fetch(&app, &uri, &[("accept-encoding", asked)]).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(encoding(&headers), Some(expected), "{uri}: {asked}");
            let vary: Vec<&str> = headers
                .get_all(header::VARY)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            assert!(
                vary.iter()
                    .any(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{uri}: {vary:?}"
            );
            assert!(
                body.len() < plain.len() / 2,
                "{uri}: {} of {}",
                body.len(),
                plain.len()
            );
            assert_eq!(decode(Some(expected), &body), plain, "{uri}: {asked}");
        }
    }
    app.close().await;
}

#[tokio::test]
async fn tiny_bodies_and_pages_with_a_secret_are_sent_as_they_are() {
    let app = TestApp::new().demo().build().await;
    let asked = [("accept-encoding", "br, gzip")];
    let (status, headers, body) = fetch(&app, "/healthz", &asked).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.len() < 1024);
    assert_eq!(encoding(&headers), None);
    // A form's CSRF token beside text the visitor chose (BREACH): never compressed.
    for uri in ["/account/sign-up", "/account/sign-in?next=/software"] {
        let (status, headers, body) = fetch(&app, uri, &asked).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(body.len() > 1024, "{uri}");
        assert_eq!(encoding(&headers), None, "{uri}");
        assert!(String::from_utf8(body).unwrap().contains("name=\"csrf\""));
    }
    app.close().await;
}

#[tokio::test]
async fn a_compressed_answer_has_a_weak_etag_that_still_revalidates() {
    let app = TestApp::new().demo().build().await;
    let (_, plain, _) = fetch(&app, "/api/v1/software", &[]).await;
    let strong = plain[header::ETAG].to_str().unwrap().to_owned();
    assert!(strong.starts_with('"'), "{strong}");
    let gzip = [("accept-encoding", "gzip")];
    let (_, compressed, _) = fetch(&app, "/api/v1/software", &gzip).await;
    let weak = compressed[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(weak, format!("W/{strong}"));
    let (status, headers, body) = fetch(
        &app,
        "/api/v1/software",
        &[("accept-encoding", "gzip"), ("if-none-match", &weak)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers[header::ETAG].to_str().unwrap(), weak);
    // The strong tag, from a client that takes no compression, is still its own.
    let (status, headers, _) = fetch(&app, "/api/v1/software", &[("if-none-match", &strong)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG].to_str().unwrap(), strong);
    app.close().await;
}

#[tokio::test]
async fn static_files_are_sent_precompressed_from_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let css = "body { color: #1a1a1a; }\n".repeat(200);
    std::fs::write(dir.path().join("site.css"), &css).unwrap();
    // Not the compressed text: what is sent must be the file on the disk, not compressed now.
    std::fs::write(dir.path().join("site.css.br"), b"brotli copy").unwrap();
    std::fs::write(dir.path().join("site.css.gz"), b"gzip copy").unwrap();
    let path = dir.path().to_path_buf();
    let app = TestApp::new()
        .config(move |c| c.assets_dir = path)
        .build()
        .await;
    let (status, headers, body) =
        fetch(&app, "/static/site.css", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding(&headers), Some("br"));
    assert_eq!(body, b"brotli copy");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=86400");
    let (_, headers, body) = fetch(&app, "/static/site.css", &[("accept-encoding", "gzip")]).await;
    assert_eq!(encoding(&headers), Some("gzip"));
    assert_eq!(body, b"gzip copy");
    let (_, headers, body) = fetch(&app, "/static/site.css", &[]).await;
    assert_eq!(encoding(&headers), None);
    assert_eq!(body, css.as_bytes());
    app.close().await;
}
