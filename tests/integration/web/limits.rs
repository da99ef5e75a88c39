//! Work per request bounded by the request: the query-string caps on every route, repeated
//! values counted once, the validator page's caps and its work off the async runtime, 413 and
//! the other answers of the HTTP layer in our error shapes, and the smaller guards of the pages
//! (the CSRF origin's scheme, the language link of a `//` path, `no-store` with a cookie).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::test_app::{Response, TestApp};

/// Every route that takes a query string, with a parameter it reads (repeated, it is a list
/// of alternatives or a mistake), and the page routes that take none.
const ROUTES: &[(&str, &str)] = &[
    ("/software", "category"),
    ("/software", "q"),
    ("/compare", "id"),
    ("/publishers", "after"),
    ("/publishers/c_f205", "lang"),
    ("/software/SLUG/diff", "from"),
    ("/software/SLUG", "lang"),
    ("/", "lang"),
    ("/validator", "lang"),
    ("/feeds/new.atom", "lang"),
    ("/account/sign-in", "next"),
    ("/nowhere", "x"),
    ("/api", "lang"),
    ("/api/v1/software", "category"),
    ("/api/v1/software", "publisher"),
    ("/api/v1/organisations", "page[after]"),
    ("/api/v1/organisations/c_f205/software", "page[size]"),
    ("/api/v1/crawls", "page[after]"),
    ("/api/v1/crawls/1/events", "page[after]"),
    ("/api/v1/software/SLUG", "x"),
    ("/api/v1/stats", "x"),
    ("/api/v1/export.csv", "x"),
    ("/api/v1/openapi.json", "x"),
    ("/healthz", "x"),
];

/// Queries over each cap, for parameter `p`, with the words the page shows for each.
fn over_cap_queries(p: &str) -> Vec<(String, &'static str, &'static str)> {
    let p = url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>();
    vec![
        (
            (0..=20)
                .map(|i| format!("{p}=v{i}"))
                .collect::<Vec<_>>()
                .join("&"),
            "al massimo 20 valori",
            "at most 20 values",
        ),
        (
            (0..21)
                .map(|i| format!("n{i}=1"))
                .collect::<Vec<_>>()
                .join("&"),
            "al massimo 100, e al massimo 20 nomi",
            "at most 100, and at most 20 different names",
        ),
        (
            (0..101)
                .map(|i| format!("n{}={i}", i % 6))
                .collect::<Vec<_>>()
                .join("&"),
            "al massimo 100",
            "at most 100",
        ),
        (
            format!("{p}={}", "x".repeat(2049)),
            "al massimo 2 KiB",
            "at most 2 KiB",
        ),
        (
            format!("{p}={}", "%41".repeat(2800)),
            "al massimo 8 KiB",
            "at most 8 KiB",
        ),
        (
            // The 59 KB address of the report: a thousand filters.
            (0..1000)
                .map(|i| format!("{p}=value-number-{i:05}-of-a-long-list"))
                .collect::<Vec<_>>()
                .join("&"),
            "al massimo 8 KiB",
            "at most 8 KiB",
        ),
    ]
}

#[tokio::test]
async fn every_route_refuses_a_query_over_the_caps_in_the_shape_of_its_errors() {
    let app = TestApp::new().demo().build().await;
    let slug = crate::pages::first_slug(&app, "q=").await;
    for (route, param) in ROUTES {
        let route = route.replace("SLUG", &slug);
        for (query, it, en) in over_cap_queries(param) {
            let uri = format!("{route}?{query}");
            let short = &uri[..uri.len().min(80)];
            if route.starts_with("/api/") || route == "/healthz" {
                let page = app.get(&uri).await;
                assert_eq!(page.status, StatusCode::BAD_REQUEST, "{short}");
                assert_eq!(page.headers["content-type"], "application/json", "{short}");
                let error: serde_json::Value = serde_json::from_str(&page.body).unwrap();
                assert_eq!(error["error"]["code"], "bad_request", "{short}");
                assert!(
                    error["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("at most"),
                    "{short}: {error}"
                );
                continue;
            }
            let page = app.get(&uri).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{short}");
            assert!(
                page.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html"),
                "{short}"
            );
            assert!(page.body.contains(it), "{short}: {}", page.body);
            assert!(
                page.body.len() < 16 * 1024,
                "{short}: the refused query is not echoed"
            );
            let page = app.get_with(&uri, &[("accept-language", "en")]).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{short}");
            assert!(page.body.contains(en), "{short}: {}", page.body);
        }
    }
    app.close().await;
}

#[tokio::test]
async fn repeated_values_count_once_and_the_search_page_stays_small() {
    let app = TestApp::new().demo().build().await;
    // The same filter given again is one filter.
    let same = vec!["category=document-management"; 15].join("&");
    let page = app.get(&format!("/software?{same}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let once = app.get("/software?category=document-management").await;
    assert_eq!(
        page.body, once.body,
        "a repeated value changes nothing on the page"
    );
    let api = app
        .get(&format!(
            "/api/v1/software?{}",
            vec!["status=stable"; 20].join("&")
        ))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);

    // At the caps (20 values of each of the 11 facets would pass the value cap but not the
    // pair cap; 20 long values of one facet are the most a page may be asked): the page stays
    // small, whatever the filters.
    let values: Vec<String> = (0..20)
        .map(|i| format!("category={}-{i}", "c".repeat(300)))
        .collect();
    let query = values.join("&");
    assert!(query.len() < 8 * 1024);
    let page = app.get(&format!("/software?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", &page.body[..200]);
    assert!(
        page.body.len() < 1024 * 1024,
        "{} bytes for a {}-byte query",
        page.body.len(),
        query.len()
    );
    app.close().await;
}

/// A publiccode.yml of `n` lines, each an unknown key (a warning or an error per line).
fn noisy_file(n: usize) -> String {
    let mut text = String::from("publiccodeYmlVersion: \"0.4\"\n");
    for i in 0..n {
        text.push_str(&format!("unknownKey{i}: value\n"));
    }
    text
}

/// The multipart body of the validator form with `text` pasted.
fn validator_form(text: &str) -> Request<Body> {
    let boundary = "riusoboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"publiccode\"\r\n\r\n{text}\r\n--{boundary}--\r\n"
    );
    Request::post("/validator")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn the_validator_page_lists_at_most_100_diagnostics_and_the_lines_around_them() {
    let app = TestApp::new()
        .demo()
        .config(|c| c.max_file_bytes = 1024 * 1024)
        .build()
        .await;
    let page = app.send(validator_form(&noisy_file(3000))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.all("#diagnostics > li").len(), 100);
    // 3000 unknown keys and the required keys the file lacks.
    let omitted = page.text(".diagnostics-omitted");
    assert!(omitted.starts_with("Altre 29"), "{omitted}");
    let lines = page
        .all("ol.source > li.source-line:not(.source-gap)")
        .len();
    assert!((50..=1000).contains(&lines), "{lines} lines listed");
    assert!(page.text(".lines-omitted").contains("righe"));
    // Every listed diagnostic's line is listed, marked.
    assert!(
        page.all("#line-2.source-warning, #line-2.source-error")
            .len()
            == 1
    );

    // In English too.
    let mut request = validator_form(&noisy_file(150));
    request
        .headers_mut()
        .insert("accept-language", "en".parse().unwrap());
    let page = app.send(request).await;
    let omitted = page.text(".diagnostics-omitted");
    assert!(
        omitted.starts_with('5') || omitted.starts_with('6'),
        "{omitted}"
    );
    assert!(
        omitted.contains("more diagnostics are not shown"),
        "{omitted}"
    );
    // A short file is listed whole.
    assert_eq!(page.all("ol.source > li").len(), 151);
    assert!(page.all(".lines-omitted").is_empty());
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_runtime_answers_while_a_large_file_is_validated() {
    let app = TestApp::new()
        .demo()
        .config(|c| c.max_file_bytes = 2 * 1024 * 1024)
        .build()
        .await;
    let big = noisy_file(40_000);
    let app = std::sync::Arc::new(app);
    let page_app = app.clone();
    let page = tokio::spawn(async move {
        let started = Instant::now();
        let page = page_app.send(validator_form(&big)).await;
        (page.status, started.elapsed())
    });
    let api_app = app.clone();
    let api = tokio::spawn(async move {
        let request = Request::post("/api/v1/validate")
            .header("content-type", "application/yaml")
            .body(Body::from(noisy_file(40_000)))
            .unwrap();
        api_app.send(request).await.status
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // On the runtime's one worker thread, as every request is.
    let health_app = app.clone();
    let (health, health_took) = tokio::spawn(async move {
        let started = Instant::now();
        let health = health_app.get("/healthz").await;
        (health.status, started.elapsed())
    })
    .await
    .unwrap();
    assert_eq!(health, StatusCode::OK);
    let (status, page_took) = page.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api.await.unwrap(), StatusCode::OK);
    assert!(
        health_took < Duration::from_secs(1) && health_took < page_took,
        "/healthz took {health_took:?} while a validation took {page_took:?}"
    );
    let Ok(app) = std::sync::Arc::try_unwrap(app) else {
        panic!("the spawned requests are done");
    };
    app.close().await;
}

#[tokio::test]
async fn bodies_over_the_limit_answer_413_in_our_error_shapes() {
    let app = TestApp::new().demo().build().await;
    let big = vec![b'#'; 200 * 1024];
    // With a length, and streamed without one.
    for with_length in [true, false] {
        let body = if with_length {
            Body::from(big.clone())
        } else {
            Body::from_stream(futures_util::stream::iter(
                big.chunks(8192)
                    .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                    .collect::<Vec<_>>(),
            ))
        };
        let mut request =
            Request::post("/api/v1/validate").header("content-type", "application/yaml");
        if with_length {
            request = request.header("content-length", big.len());
        }
        let page = app.send(request.body(body).unwrap()).await;
        assert_eq!(
            page.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "length: {with_length}"
        );
        assert_eq!(page.headers["content-type"], "application/json");
        let error: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(error["error"]["code"], "too_large", "{error}");
    }
    // The validator page and a form: the error page, in the reader's language.
    let mut request = validator_form(&"#".repeat(200 * 1024));
    request.headers_mut().insert(
        "content-length",
        (200 * 1024 + 200).to_string().parse().unwrap(),
    );
    let page = app.send(request).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.body.contains("Il file è troppo grande"),
        "{}",
        page.body
    );
    for size in [100 * 1024, 200 * 1024] {
        let body = format!("email=a%40example.org&password={}", "x".repeat(size));
        let request = Request::post("/account/sign-in")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", body.len())
            .header("accept-language", "en")
            .body(Body::from(body))
            .unwrap();
        let page = app.send(request).await;
        assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            page.body.contains("larger than this server accepts"),
            "{}",
            page.body
        );
    }
    app.close().await;
}

/// A page's `riuso_csrf` cookie and form token.
async fn anonymous_token(app: &TestApp) -> (String, String) {
    let page = app.get("/account/sign-in").await;
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("riuso_csrf="))
        .unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let token = page.all("input[name=csrf]")[0]
        .value()
        .attr("value")
        .unwrap()
        .to_owned();
    (cookie, token)
}

async fn post_sign_in(
    app: &TestApp,
    cookie: &str,
    token: &str,
    headers: &[(&str, &str)],
) -> Response {
    let body = format!("email=nobody%40example.org&password=wrong-password-123&csrf={token}");
    let mut request = Request::post("/account/sign-in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn the_csrf_origin_check_compares_the_scheme() {
    // The pages' tests serve https://riuso.example.org.
    let app = TestApp::new()
        .demo()
        .config(|c| c.auth_rate_per_minute = 0)
        .build()
        .await;
    let (cookie, token) = anonymous_token(&app).await;
    for (host, origin) in [
        ("riuso.example.org", "http://riuso.example.org"),
        ("10.0.0.5:8080", "http://riuso.example.org"),
        ("riuso.example.org", "https://riuso.example.org:8443"),
        ("riuso.example.org", "null"),
        ("riuso.example.org", "https://evil.example.net"),
    ] {
        let page = post_sign_in(&app, &cookie, &token, &[("host", host), ("origin", origin)]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{host} {origin}");
    }
    for (host, origin) in [
        ("riuso.example.org", "https://riuso.example.org"),
        ("10.0.0.5:8080", "https://riuso.example.org"),
        ("riuso.example.org", "https://riuso.example.org:443"),
    ] {
        let page = post_sign_in(&app, &cookie, &token, &[("host", host), ("origin", origin)]).await;
        assert_ne!(
            page.status,
            StatusCode::FORBIDDEN,
            "{host} {origin}: {}",
            page.body
        );
    }
    app.close().await;

    // A server whose public address is plain http takes its own origin, and not https from
    // another port.
    let app = TestApp::new()
        .demo()
        .config(|c| {
            c.public_url = "http://127.0.0.1:8080".to_owned();
            c.auth_rate_per_minute = 0;
        })
        .build()
        .await;
    let (cookie, token) = anonymous_token(&app).await;
    let page = post_sign_in(
        &app,
        &cookie,
        &token,
        &[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ],
    )
    .await;
    assert_ne!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let page = post_sign_in(
        &app,
        &cookie,
        &token,
        &[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://127.0.0.1:8080"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    app.close().await;
}

#[tokio::test]
async fn a_protocol_relative_path_never_makes_an_off_site_language_link() {
    let app = TestApp::new().demo().build().await;
    for uri in [
        "//evil.example/x",
        "///evil.example/x",
        "//evil.example",
        "//evil.example/x?q=1",
        "//evil.example/software",
    ] {
        let page = app.get(uri).await;
        let hrefs: Vec<String> = page
            .all(".lang-switch a, link[hreflang]")
            .iter()
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect();
        assert!(
            !hrefs.is_empty(),
            "{uri}: no language link in {}",
            page.body
        );
        for href in &hrefs {
            assert!(
                href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/\\"),
                "{uri}: {href}"
            );
        }
        assert!(!page.body.contains("href=\"//"), "{uri}");
    }
    app.close().await;
}

#[tokio::test]
async fn answers_that_set_a_cookie_are_never_stored() {
    let app = TestApp::new().demo().build().await;
    for uri in [
        "/?lang=en",
        "/software?lang=it",
        "/account/sign-in",
        "/account/sign-up",
    ] {
        let page = app.get(uri).await;
        assert!(page.headers.contains_key("set-cookie"), "{uri}");
        let cache = page
            .headers
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(cache.contains("no-store"), "{uri}: {cache:?}");
    }
    // Pages without a cookie stay cacheable.
    let page = app.get("/software").await;
    assert!(!page.headers.contains_key("set-cookie"));
    assert!(
        !page
            .headers
            .get("cache-control")
            .is_some_and(|v| v.to_str().unwrap().contains("no-store"))
    );
    app.close().await;
}
