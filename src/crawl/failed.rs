//! One repository's failure stays that repository's: a database error while crawling it (a
//! value the database refuses, a transaction that kept losing races) is recorded as its
//! `failed` event and the run goes on. Only an error recording that event (the database is
//! away) ends the run. The public event says what failed; the database's own words, which may
//! name tables, constraints or values, go to the server log.

use sea_orm::{DatabaseConnection, DbErr};

use crate::catalog::crawl_log::{self, CrawlOutcome};
use crate::catalog::{self, Origin};

/// Records the database error `error` met while crawling the repository at `url` (on `forge`,
/// `git` for a plain git URL) as its `failed` event of run `run`, in the crawl log.
///
/// # Errors
///
/// When the event cannot be written either.
pub async fn database(
    db: &DatabaseConnection,
    run: i64,
    url: &str,
    forge: &str,
    error: &DbErr,
) -> Result<CrawlOutcome, DbErr> {
    tracing::error!(repository = url, error = %error, "the catalog could not store a repository");
    // The event belongs to the repository: its row is made if the failed transaction did not
    // leave one (a row without a file, as for a repository with no publiccode.yml).
    let row = match crawl_log::repository_by_url(db, url).await? {
        Some(row) => Some(row),
        None => catalog::record_repository(
            db,
            Origin {
                repository_url: url,
                forge,
                facts: None,
                source_ipa: None,
            },
        )
        .await
        .ok(),
    };
    let failed = CrawlOutcome::Failed;
    crawl_log::event(
        db,
        run,
        row.as_ref(),
        failed,
        &format!("{url}: the catalog could not store this repository (database error)"),
    )
    .await?;
    Ok(failed)
}
