//! `--network`: are the URLs of a publiccode.yml alive, and are remote images images?
//!
//! Runs outside the pure `publiccode` module. Every request has a timeout and goes through the
//! crawler's SSRF guard (`RIUSO_FETCH_ALLOW` opens it, as for the crawler); failures and
//! refusals become `unreachable` diagnostics on the key that holds the URL.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use url::Url;

use crate::crawl::ssrf::{self, Guard, GuardedClient};
use crate::publiccode::{Code, Diagnostic, Link, LinkKind};

/// A blocking front over an async HTTP client behind the SSRF guard: the file being checked
/// may come from anyone (CI runs this on pull requests), so none of its URLs may make the
/// runner fetch its own loopback, private or link-local networks, nor may a redirect or a
/// name's resolution lead there.
pub struct Checker {
    client: GuardedClient,
    runtime: tokio::runtime::Runtime,
}

impl Checker {
    /// Builds a client whose every request times out after `timeout`, and which fetches only
    /// what `guard` allows.
    ///
    /// # Errors
    ///
    /// Fails if the TLS stack or the runtime cannot start.
    pub fn new(timeout: Duration, guard: Guard) -> anyhow::Result<Self> {
        let guard = Arc::new(guard);
        let client = ssrf::client_builder(Arc::clone(&guard))
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!(
                "riuso/",
                env!("CARGO_PKG_VERSION"),
                " (publiccode.yml validator)"
            ))
            .build()
            .context("cannot build the HTTP client for network checks")?;
        let runtime = super::runtime()?;
        Ok(Self {
            client: GuardedClient::new(client, guard),
            runtime,
        })
    }

    /// Fetches every link, eight at a time; returns a diagnostic per failure, in link order.
    #[must_use]
    pub fn check(&self, links: &[Link]) -> Vec<Diagnostic> {
        self.runtime.block_on(async {
            let permits = Arc::new(Semaphore::new(8));
            let mut tasks = JoinSet::new();
            for (i, link) in links.iter().cloned().enumerate() {
                let client = self.client.clone();
                let permits = Arc::clone(&permits);
                tasks.spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    (i, check_one(&client, &link).await)
                });
            }
            let mut found = Vec::new();
            while let Some(done) = tasks.join_next().await {
                if let Ok((i, Some(d))) = done {
                    found.push((i, d));
                }
            }
            found.sort_by_key(|(i, _)| *i);
            found.into_iter().map(|(_, d)| d).collect()
        })
    }
}

async fn check_one(client: &GuardedClient, link: &Link) -> Option<Diagnostic> {
    let request = match Url::parse(&link.url) {
        Ok(url) => client.get(url).await,
        Err(e) => {
            return Some(unreachable(link, &e.to_string()));
        }
    };
    let request = match request {
        Ok(request) => request,
        Err(refused) => {
            return Some(unreachable(
                link,
                &format!("refused by the SSRF guard: {refused}"),
            ));
        }
    };
    let problem = match request.send().await {
        Err(e) if e.is_timeout() => Some("timed out".to_owned()),
        Err(e) => Some(error_chain(&e)),
        Ok(resp) if !resp.status().is_success() => Some(format!("HTTP {}", resp.status())),
        Ok(resp) => match link.kind {
            LinkKind::Page => None,
            LinkKind::Image => image_problem(resp).await,
        },
    }?;
    Some(unreachable(link, &problem))
}

fn unreachable(link: &Link, problem: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Unreachable,
        link.key.clone(),
        link.pos,
        format!("'{}' is not reachable: {problem}", link.url),
    )
}

async fn image_problem(resp: reqwest::Response) -> Option<String> {
    let is_png = resp.url().path().to_ascii_lowercase().ends_with(".png");
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => return Some(error_chain(&e)),
    };
    if is_png && crate::publiccode::png_width(&bytes).is_none() {
        return Some("the file is not a valid PNG image".to_owned());
    }
    None
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
