//! Machine-read pages: Atom feeds of new and updated solutions, `sitemap.xml` and `robots.txt`.
//! Absolute links use `RIUSO_PUBLIC_URL`; crawled text is made valid XML
//! ([`untrusted::xml`]).

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::catalog::browse;
use crate::catalog::entities::software;
use crate::i18n::Lang;
use crate::untrusted;
use crate::web::error::AppError;

/// Entries in a feed.
const FEED_ENTRIES: u64 = 50;

/// Most addresses in one sitemap file (the protocol's limit).
const SITEMAP_MAX: u64 = 50_000;

/// An entry of a feed.
pub struct FeedEntry {
    url: String,
    name: String,
    updated: String,
    published: String,
}

#[derive(Template)]
#[template(path = "feeds/feed.xml")]
struct Feed {
    id: String,
    title: String,
    updated: String,
    base: String,
    entries: Vec<FeedEntry>,
}

impl Feed {
    /// The feed `title` at `path` of the site at `base`, one entry per row.
    fn new(base: String, title: String, path: &str, rows: Vec<software::Model>) -> Self {
        let entries: Vec<FeedEntry> = rows
            .into_iter()
            .map(|s| FeedEntry {
                url: format!("{base}/software/{}", s.slug),
                // A name may hold characters XML 1.0 forbids (a C0 control makes the whole feed
                // unreadable) or that spoof another name.
                name: untrusted::xml(&untrusted::name(&s.name)).into_owned(),
                updated: s.updated_at.to_rfc3339(),
                published: s.created_at.to_rfc3339(),
            })
            .collect();
        let updated = entries
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".to_owned());
        Self {
            id: format!("{base}{path}"),
            title,
            updated,
            base,
            entries,
        }
    }
}

/// The Atom feed of `rows`, titled by the message `key`, at `path`.
fn feed(
    state: &AppState,
    lang: Lang,
    key: &str,
    path: &str,
    rows: Vec<software::Model>,
) -> Result<Response, AppError> {
    let title = format!("riuso · {}", lang.t(key));
    let body = Feed::new(state.config.public_url.clone(), title, path, rows)
        .render()
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("cannot render the feed")))?;
    Ok(xml("application/atom+xml; charset=utf-8", body))
}

fn xml(content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `GET /feeds/new.atom`: the newest solutions.
pub async fn new(state: AppState, lang: Lang) -> Result<Response, AppError> {
    let rows = browse::newest(&state.db, FEED_ENTRIES).await?;
    feed(&state, lang, "feeds.new_title", "/feeds/new.atom", rows)
}

/// `GET /feeds/updated.atom`: the solutions updated last.
pub async fn updated(state: AppState, lang: Lang) -> Result<Response, AppError> {
    let rows = browse::recently_updated(&state.db, FEED_ENTRIES).await?;
    feed(
        &state,
        lang,
        "feeds.updated_title",
        "/feeds/updated.atom",
        rows,
    )
}

/// An address of the sitemap.
pub struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
}

#[derive(Template)]
#[template(path = "feeds/sitemap.xml")]
struct Sitemap {
    urls: Vec<SitemapUrl>,
}

/// `GET /sitemap.xml`: the fixed pages and every active solution (up to the protocol's limit).
pub async fn sitemap(state: AppState) -> Result<Response, AppError> {
    let base = &state.config.public_url;
    let mut urls: Vec<SitemapUrl> = ["/", "/software", "/publishers", "/validator", "/api"]
        .iter()
        .map(|p| SitemapUrl {
            loc: format!("{base}{p}"),
            lastmod: None,
        })
        .collect();
    let mut after = 0;
    let mut listed = 0;
    while listed < SITEMAP_MAX {
        let rows = browse::active_after(&state.db, after, 1000.min(SITEMAP_MAX - listed)).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        listed += u64::try_from(rows.len()).unwrap_or(u64::MAX);
        urls.extend(rows.into_iter().map(|s| SitemapUrl {
            loc: format!("{base}/software/{}", s.slug),
            lastmod: Some(s.updated_at.format("%Y-%m-%d").to_string()),
        }));
    }
    let body = Sitemap { urls }.render().map_err(|e| {
        AppError::Internal(anyhow::Error::new(e).context("cannot render the sitemap"))
    })?;
    Ok(xml("application/xml; charset=utf-8", body))
}

/// `GET /robots.txt`: everything may be crawled but the exports and the validator's answers.
pub async fn robots(state: AppState) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /api/v1/export\nDisallow: /compare\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        state.config.public_url
    );
    xml("text/plain; charset=utf-8", body)
}
