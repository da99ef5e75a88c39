//! `riuso serve`'s connections on a real socket: a client that sends half a request, or
//! nothing, or keeps an idle connection, is disconnected; connections past the cap wait; the
//! rate limiter still sees each client's own address; shutting down ends the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use riuso::app::{App, AppState};
use riuso::config::Config;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::oneshot;

use crate::support::db::{Backend, TestDb};

/// A server on a loopback port with the configuration changed by `tweak`; dropping the sender
/// shuts it down.
struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    db: TestDb,
}

impl Server {
    async fn start(tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new(Backend::Sqlite).await;
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.api_rate_per_minute = 0;
        config.header_timeout = Duration::from_secs(1);
        config.idle_timeout = Duration::from_secs(2);
        tweak(&mut config);
        let state = AppState(Arc::new(App::new(config, db.conn.clone())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(riuso::web::serve_on(state, listener, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
            db,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }

    async fn stop(mut self) {
        drop(self.stop.take());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops when asked")
            .unwrap()
            .unwrap();
        self.db.close().await;
    }
}

/// Reads until the server closes the connection (or `limit` passes); how long that took.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    closed_since(stream, Instant::now(), limit).await
}

/// Reads until the server closes the connection (or `limit` after `started` passes); how long
/// after `started` that was.
async fn closed_since(
    stream: &mut TcpStream,
    started: Instant,
    limit: Duration,
) -> Option<Duration> {
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// Sends a whole request on `stream` and reads its answer's status line and headers.
async fn request(stream: &mut TcpStream, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: riuso.test\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_or_nothing_is_disconnected() {
    let server = Server::start(|_| {}).await;
    let opened = Instant::now();
    // Half the headers, then silence.
    let mut half = server.connect().await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: riuso.test\r\nX-Slow: ")
        .await
        .unwrap();
    // Nothing at all.
    let mut silent = server.connect().await;
    // The first bytes, one at a time, never the end of the headers.
    let mut dripping = server.connect().await;
    let drip = tokio::spawn(async move {
        for b in b"GET /healthz HTTP/1.1\r\nHost: riuso.test\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa" {
            if dripping.write_all(&[*b]).await.is_err() {
                return Some(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        closed_within(&mut dripping, Duration::from_secs(5))
            .await
            .map(|_| ())
    });
    for (name, stream) in [("half", &mut half), ("silent", &mut silent)] {
        let took = closed_since(stream, opened, Duration::from_secs(5)).await;
        assert!(
            took.is_some_and(|t| t >= Duration::from_millis(800)),
            "{name}: {took:?}"
        );
    }
    assert!(
        drip.await.unwrap().is_some(),
        "a dripping client is cut off too"
    );
    // The server still answers.
    let mut fresh = server.connect().await;
    assert!(
        request(&mut fresh, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    server.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = Server::start(|c| c.header_timeout = Duration::from_secs(30)).await;
    let mut stream = server.connect().await;
    assert!(
        request(&mut stream, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    // Kept alive: a second request on the same connection is answered.
    assert!(
        request(&mut stream, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let took = closed_within(&mut stream, Duration::from_secs(6)).await;
    assert!(
        took.is_some_and(|t| t >= Duration::from_millis(1500)),
        "closed after {took:?}"
    );
    server.stop().await;

    // With the header timeout shorter, it closes the idle keep-alive connection first.
    let server = Server::start(|c| c.idle_timeout = Duration::from_secs(30)).await;
    let mut stream = server.connect().await;
    assert!(
        request(&mut stream, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let took = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(took.is_some(), "the idle connection stays open");
    server.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_one() {
    let server = Server::start(|c| {
        c.max_connections = 2;
        c.header_timeout = Duration::from_secs(30);
        c.idle_timeout = Duration::from_secs(30);
    })
    .await;
    let mut first = server.connect().await;
    assert!(
        request(&mut first, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let second = server.connect().await;
    // The third is accepted by the kernel but not served while two are open.
    let mut third = server.connect().await;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: riuso.test\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(700), third.read(&mut buf))
            .await
            .is_err(),
        "a third connection is served although the cap is two"
    );
    drop(second);
    let n = tokio::time::timeout(Duration::from_secs(3), third.read(&mut buf))
        .await
        .expect("served once a connection is free")
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    drop(first);
    server.stop().await;
}

#[tokio::test]
async fn the_rate_limiter_still_sees_each_client_address() {
    let server = Server::start(|c| c.api_rate_per_minute = 1).await;
    let from = |ip: &str| {
        let ip = ip.to_owned();
        let addr = server.addr;
        async move {
            let socket = TcpSocket::new_v4().unwrap();
            socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
            let mut stream = socket.connect(addr).await.unwrap();
            request(&mut stream, "/api/v1/stats").await
        }
    };
    assert!(from("127.0.0.1").await.starts_with("HTTP/1.1 200"));
    assert!(from("127.0.0.1").await.starts_with("HTTP/1.1 429"));
    assert!(
        from("127.0.0.2").await.starts_with("HTTP/1.1 200"),
        "another address has its own allowance"
    );
    server.stop().await;
}
