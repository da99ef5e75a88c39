//! The SSRF guard: a table of URLs, the resolver, and a loopback fixture reached (or not)
//! through the guarded client, redirects included.

use std::error::Error as _;
use std::str::FromStr;
use std::sync::Arc;

use riuso::crawl::ssrf::{Guard, GuardedClient, GuardedResolver, Refused, client_builder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

fn guard(allow: &[&str]) -> Guard {
    Guard::new(allow.iter().map(ToString::to_string).collect()).unwrap()
}

/// Serves `response` (status and headers, then a body) to every connection.
async fn fixture(response: (String, String)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut read = 0;
                while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let (head, body) = response;
                let text = format!(
                    "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(text.as_bytes()).await;
            });
        }
    });
    port
}

fn ok_response(body: &str) -> (String, String) {
    ("200 OK".to_owned(), body.to_owned())
}

fn redirect_to(location: &str) -> (String, String) {
    (format!("302 Found\r\nLocation: {location}"), String::new())
}

fn guarded(allow: &[&str]) -> GuardedClient {
    let guard = Arc::new(guard(allow));
    let client = client_builder(Arc::clone(&guard)).build().unwrap();
    GuardedClient::new(client, guard)
}

/// The guard's refusal somewhere in a reqwest error's cause chain.
fn refusal(error: &reqwest::Error) -> Option<&Refused> {
    let mut cause = error.source();
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(refused);
        }
        cause = e.source();
    }
    None
}

#[tokio::test]
async fn crawl_ssrf_table_of_urls() {
    let g = guard(&[]);
    let refused = [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[64:ff9b::808:808]/",
        "http://[2002:a00:1::]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://172.31.255.255/",
        "http://192.168.1.1:8080/",
        "http://100.64.0.1/",
        "http://100.127.255.255/",
        "http://0.0.0.0/",
        "http://0/",
        "http://0.1.2.3/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://255.255.255.255/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://localhost/",
        "http://LOCALHOST./",
        "ftp://8.8.8.8/",
        "gopher://8.8.8.8/",
        "file:///etc/passwd",
        "http://user:secret@8.8.8.8/",
        "http://user@8.8.8.8/",
    ];
    for url in refused {
        let result = g.check(&Url::parse(url).unwrap()).await;
        assert!(result.is_err(), "{url} should be refused");
    }
    let allowed = [
        "http://8.8.8.8/",
        "https://1.1.1.1:8443/x",
        "http://172.32.0.1/",
        "http://100.128.0.1/",
        "http://11.0.0.1/",
        "http://[::ffff:8.8.8.8]/",
        "http://[2a00:1450:4002::1]/",
        "http://134744072/",
    ];
    for url in allowed {
        let result = g.check(&Url::parse(url).unwrap()).await;
        assert!(result.is_ok(), "{url} should be allowed: {result:?}");
    }
}

#[tokio::test]
async fn crawl_ssrf_messages_name_the_reason() {
    let g = guard(&[]);
    let err = g
        .check(&Url::parse("http://169.254.169.254/").unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "169.254.169.254 is refused: it is or resolves to a link-local (cloud metadata lives here) address, which is not fetched unless the host or network is allow-listed"
    );
    // A name's resolved addresses are not in the text crawl events publish.
    for url in ["http://localhost:9/", "http://LOCALHOST/x"] {
        let err = g.check(&Url::parse(url).unwrap()).await.unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("localhost"), "{text}");
        for address in ["127.0.0.1", "::1"] {
            assert!(!text.contains(address), "{text}");
        }
    }
    let err = g
        .check(&Url::parse("file:///etc/passwd").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Refused::Scheme { .. }), "{err}");
    let err = g
        .check(&Url::parse("https://a:b@8.8.8.8/").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Refused::Credentials), "{err}");
}

#[tokio::test]
async fn crawl_ssrf_allow_list_and_files() {
    let g = guard(&["127.0.0.1", "10.0.0.0/8", "localhost:8080"]);
    for url in [
        "http://127.0.0.1:9/",
        "http://10.9.8.7/",
        "http://localhost:8080/",
    ] {
        assert!(g.check(&Url::parse(url).unwrap()).await.is_ok(), "{url}");
    }
    for url in ["http://127.0.0.2/", "http://192.168.0.1/"] {
        assert!(g.check(&Url::parse(url).unwrap()).await.is_err(), "{url}");
    }
    // A name allow-listed on one port is checked like any other name on the others.
    let by_port = guard(&["localhost:8080"]);
    assert!(
        by_port
            .check(&Url::parse("http://localhost:8080/").unwrap())
            .await
            .is_ok()
    );
    assert!(
        by_port
            .check(&Url::parse("http://localhost:8081/").unwrap())
            .await
            .is_err()
    );
    // Files are never fetched through the guard (the crawl reads the operator's own file://
    // sources itself, when RIUSO_FETCH_FILES says so).
    let file = Url::parse("file:///srv/git/repo").unwrap();
    assert!(matches!(g.check(&file).await, Err(Refused::Scheme { .. })));
}

#[tokio::test]
async fn crawl_ssrf_resolver_refuses_localhost() {
    use reqwest::dns::{Name, Resolve};
    let resolver = GuardedResolver::new(Arc::new(guard(&[])));
    let err = match resolver.resolve(Name::from_str("localhost").unwrap()).await {
        Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
        Err(e) => e,
    };
    assert!(err.downcast_ref::<Refused>().is_some(), "{err}");
    let resolver = GuardedResolver::new(Arc::new(guard(&["localhost"])));
    let addrs: Vec<_> = resolver
        .resolve(Name::from_str("localhost").unwrap())
        .await
        .unwrap()
        .collect();
    assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
}

#[tokio::test]
async fn crawl_ssrf_allow_listed_fixture_is_reachable_and_others_are_not() {
    let port = fixture(ok_response("hello")).await;
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();

    let allowed = guarded(&["127.0.0.1"]);
    let response = allowed
        .get(url.clone())
        .await
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "hello");

    let refused = guarded(&[]);
    let err = refused.get(url).await.unwrap_err();
    assert!(
        matches!(
            err,
            Refused::Forbidden {
                kind: "loopback",
                ..
            }
        ),
        "{err}"
    );

    // Skipping the check does not help: the resolver refuses the name at connect time.
    let client = client_builder(Arc::new(guard(&[]))).build().unwrap();
    let err = client
        .get(format!("http://localhost:{port}/"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(&err), Some(Refused::Forbidden { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn crawl_ssrf_redirects_are_checked() {
    let target = fixture(ok_response("inner")).await;
    let client = guarded(&["127.0.0.1"]);

    // A redirect to an allow-listed address is followed.
    let hop = fixture(redirect_to(&format!("http://127.0.0.1:{target}/"))).await;
    let url = Url::parse(&format!("http://127.0.0.1:{hop}/")).unwrap();
    let response = client.get(url).await.unwrap().send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "inner");

    for location in [
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        format!("http://127.0.0.2:{target}/"),
        format!("http://[::ffff:127.0.0.2]:{target}/"),
        format!("http://localhost:{target}/"),
    ] {
        // Only the redirecting server itself is allow-listed, by address and port.
        let hop = fixture(redirect_to(&location)).await;
        let client = guarded(&[&format!("127.0.0.1:{hop}")]);
        let url = Url::parse(&format!("http://127.0.0.1:{hop}/")).unwrap();
        let err = client.get(url).await.unwrap().send().await.unwrap_err();
        assert!(refusal(&err).is_some(), "{location}: {err:?}");
    }

    // reqwest itself never follows a redirect to a non-http scheme: the 302 comes back as is.
    let hop = fixture(redirect_to("file:///etc/passwd")).await;
    let url = Url::parse(&format!("http://127.0.0.1:{hop}/")).unwrap();
    let response = client.get(url).await.unwrap().send().await.unwrap();
    assert_eq!(response.status(), 302);
}
