//! Read queries other than search: one entry with its snapshots, organisations and their
//! software, catalog statistics, crawl runs and events, and the keyset pages the open-data
//! exports stream.
//!
//! Every listing is ordered by primary key and paged by keyset (`id > after`), so a page costs
//! the same wherever it is, and an entry added while a client pages never shifts the others.
//! Nothing here knows HTTP or the shape of an API response: callers map the models.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, FromQueryResult,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};

use super::entities::{
    claims, crawl_events, crawl_runs, organisations, repositories, snapshots, software, used_by,
};
use super::search::{Facet, Query, SearchError, Searcher};

/// Snapshots listed in an entry's history, most recent first.
pub const HISTORY_LIMIT: u64 = 100;

/// One page of a keyset listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page, in id order.
    pub items: Vec<T>,
    /// The id to pass as `after` for the next page, if there is one.
    pub next: Option<i64>,
}

impl<T> Page<T> {
    /// Splits `rows` (fetched with one row more than `limit`) into a page and its cursor.
    fn from_rows(mut rows: Vec<T>, limit: u64, id: impl Fn(&T) -> i64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&id)
        } else {
            None
        };
        Self { items: rows, next }
    }
}

/// A snapshot as listed in a history: everything but the raw bytes and the normalized document.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct SnapshotSummary {
    /// Snapshot id.
    pub id: i64,
    /// SHA-256 of the raw file, hex.
    pub sha256: String,
    /// The commit the file was read at.
    pub commit_sha: Option<String>,
    /// When it was fetched.
    pub fetched_at: chrono::DateTime<chrono::FixedOffset>,
    /// `publiccodeYmlVersion` as declared.
    pub declared_version: Option<String>,
    /// Whether the file passed validation.
    pub valid: bool,
    /// `softwareVersion` of the file, when it passed validation and declares one.
    pub software_version: Option<String>,
}

/// The current snapshot of an entry, with what was derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentSnapshot {
    /// The snapshot row (raw bytes, diagnostics and normalized document as stored).
    pub snapshot: snapshots::Model,
    /// Its normalized claims.
    pub claims: Vec<claims::Model>,
    /// Its `usedBy` names, with the IPA code matched to each.
    pub used_by: Vec<used_by::Model>,
}

/// One catalog entry with its repository, publisher, current snapshot and history.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftwareDetail {
    /// The entry.
    pub software: software::Model,
    /// Its repository.
    pub repository: repositories::Model,
    /// Its publisher, when known.
    pub organisation: Option<organisations::Model>,
    /// The current snapshot, when there is one.
    pub current: Option<CurrentSnapshot>,
    /// Up to [`HISTORY_LIMIT`] snapshots, most recent first.
    pub history: Vec<SnapshotSummary>,
    /// The invalid file the repository holds now, when it holds one.
    pub invalid: Option<InvalidFile>,
}

/// The invalid file an entry's repository holds: beside the last valid one (which stays
/// current), or the current one of an entry that never had a valid file.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidFile {
    /// Since when the repository's file is invalid.
    pub since: chrono::DateTime<chrono::FixedOffset>,
    /// The latest invalid file, with its diagnostics.
    pub snapshot: snapshots::Model,
}

/// Finds an entry by id (all digits) or by slug, with everything the detail view shows.
///
/// # Errors
///
/// Fails on a database error.
pub async fn software(
    db: &impl ConnectionTrait,
    id_or_slug: &str,
) -> Result<Option<SoftwareDetail>, DbErr> {
    let query = software::Entity::find();
    let query = match id_or_slug.parse::<i64>() {
        Ok(id) => query.filter(software::Column::Id.eq(id)),
        Err(_) => query.filter(software::Column::Slug.eq(id_or_slug)),
    };
    // The entry, its repository and its publisher in one statement.
    let Some((entry, repository, organisation)) = query
        .find_also_related(repositories::Entity)
        .find_also_related(organisations::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(repository) = repository else {
        return Err(DbErr::RecordNotFound(format!(
            "repository {} of software {}",
            entry.repository_id, entry.id
        )));
    };
    let current = match entry.current_snapshot_id {
        Some(id) => match snapshots::Entity::find_by_id(id).one(db).await? {
            Some(snapshot) => {
                let claims = claims::Entity::find()
                    .filter(claims::Column::SnapshotId.eq(id))
                    .order_by_asc(claims::Column::Kind)
                    .order_by_asc(claims::Column::Id)
                    .all(db)
                    .await?;
                let used_by = used_by::Entity::find()
                    .filter(used_by::Column::SnapshotId.eq(id))
                    .order_by_asc(used_by::Column::Id)
                    .all(db)
                    .await?;
                Some(CurrentSnapshot {
                    snapshot,
                    claims,
                    used_by,
                })
            }
            None => None,
        },
        None => None,
    };
    let history = snapshots::Entity::find()
        .select_only()
        .columns([
            snapshots::Column::Id,
            snapshots::Column::Sha256,
            snapshots::Column::CommitSha,
            snapshots::Column::FetchedAt,
            snapshots::Column::DeclaredVersion,
            snapshots::Column::Valid,
        ])
        .column_as(
            sea_orm::sea_query::Expr::cust(match db.get_database_backend() {
                // Not a JSON cast: PostgreSQL refuses a whole document for one `\u0000` in
                // any of its strings, and a crawled file may hold one. The document is
                // serde_json's compact output, so the key and its string value are adjacent.
                sea_orm::DbBackend::Postgres => {
                    "substring(normalized from '\"softwareVersion\":\"(([^\"\\\\]|\\\\.)*)\"')"
                }
                _ => "json_extract(normalized, '$.softwareVersion')",
            }),
            "software_version",
        )
        .filter(snapshots::Column::SoftwareId.eq(entry.id))
        .order_by_desc(snapshots::Column::FetchedAt)
        .order_by_desc(snapshots::Column::Id)
        .limit(HISTORY_LIMIT)
        .into_model::<SnapshotSummary>()
        .all(db)
        .await?;
    let invalid = match (entry.invalid_since, entry.invalid_snapshot_id) {
        (Some(since), Some(id)) => snapshots::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|snapshot| InvalidFile { since, snapshot }),
        _ => None,
    };
    Ok(Some(SoftwareDetail {
        software: entry,
        repository,
        organisation,
        current,
        history,
        invalid,
    }))
}

/// Repository URLs of the entries `ids`, by entry id: what a search hit does not carry.
///
/// # Errors
///
/// Fails on a database error.
pub async fn repository_urls(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        url: String,
    }
    let rows: Vec<Row> = crate::db::rows_in(
        db,
        "SELECT s.id AS id, r.url AS url FROM software s \
         JOIN repositories r ON r.id = s.repository_id WHERE s.id IN",
        ids,
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.url)).collect())
}

/// An organisation with how many active entries it publishes.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationSummary {
    /// The organisation.
    pub organisation: organisations::Model,
    /// Active entries it publishes.
    pub software_count: u64,
}

/// Organisations in id order, `limit` at a time after `after`.
///
/// # Errors
///
/// Fails on a database error.
pub async fn organisations(
    db: &impl ConnectionTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<OrganisationSummary>, DbErr> {
    let rows = organisations::Entity::find()
        .filter(organisations::Column::Id.gt(after.unwrap_or(0)))
        .order_by_asc(organisations::Column::Id)
        .limit(limit.saturating_add(1))
        .all(db)
        .await?;
    let page = Page::from_rows(rows, limit, |o| o.id);
    let mut items = Vec::with_capacity(page.items.len());
    for organisation in page.items {
        let software_count = active_software_of(organisation.id).count(db).await?;
        items.push(OrganisationSummary {
            organisation,
            software_count,
        });
    }
    Ok(Page {
        items,
        next: page.next,
    })
}

fn active_software_of(organisation_id: i64) -> sea_orm::Select<software::Entity> {
    software::Entity::find()
        .filter(software::Column::OrganisationId.eq(organisation_id))
        .filter(software::Column::Active.eq(true))
}

/// An organisation by IPA code (any case) or by id (all digits), with its active entry count.
///
/// # Errors
///
/// Fails on a database error.
pub async fn organisation(
    db: &impl ConnectionTrait,
    code_or_id: &str,
) -> Result<Option<OrganisationSummary>, DbErr> {
    let query = organisations::Entity::find();
    let query = match code_or_id.parse::<i64>() {
        Ok(id) => query.filter(organisations::Column::Id.eq(id)),
        Err(_) => query.filter(organisations::Column::IpaCode.eq(code_or_id.to_ascii_lowercase())),
    };
    let Some(organisation) = query.one(db).await? else {
        return Ok(None);
    };
    let software_count = active_software_of(organisation.id).count(db).await?;
    Ok(Some(OrganisationSummary {
        organisation,
        software_count,
    }))
}

/// An entry as listed under its publisher.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftwareSummary {
    /// The entry.
    pub software: software::Model,
    /// Its repository URL.
    pub repository_url: String,
}

/// The active entries an organisation publishes, in id order.
///
/// # Errors
///
/// Fails on a database error.
pub async fn software_of(
    db: &impl ConnectionTrait,
    organisation_id: i64,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<SoftwareSummary>, DbErr> {
    let rows = active_software_of(organisation_id)
        .filter(software::Column::Id.gt(after.unwrap_or(0)))
        .order_by_asc(software::Column::Id)
        .limit(limit.saturating_add(1))
        .all(db)
        .await?;
    let page = Page::from_rows(rows, limit, |s| s.id);
    let ids: Vec<i64> = page.items.iter().map(|s| s.id).collect();
    let urls = repository_urls(db, &ids).await?;
    let items = page
        .items
        .into_iter()
        .map(|software| SoftwareSummary {
            repository_url: urls.get(&software.id).cloned().unwrap_or_default(),
            software,
        })
        .collect();
    Ok(Page {
        items,
        next: page.next,
    })
}

/// Counts over the whole catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Catalog entries.
    pub software: u64,
    /// Active entries.
    pub active: u64,
    /// Organisations known.
    pub organisations: u64,
    /// Organisations with an IPA code.
    pub public_administrations: u64,
    /// Snapshots kept.
    pub snapshots: u64,
    /// Snapshots that failed validation.
    pub invalid_snapshots: u64,
    /// Crawl runs recorded.
    pub crawl_runs: u64,
    /// Active entries per facet value (`status`, `type`, `claim`, ...), most frequent first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
}

/// Facets counted in [`Stats`]: the short, closed vocabularies.
const STATS_FACETS: &[&str] = &["status", "type", "maintenance", "claim", "licence", "scope"];

/// The catalog's statistics.
///
/// # Errors
///
/// Fails on a database error.
pub async fn stats(db: &impl ConnectionTrait, search: &Searcher) -> Result<Stats, DbErr> {
    // The facet counts of active entries are what an empty search counts: the search index
    // answers them, rather than a GROUP BY over every facet row.
    let everything = search
        .search(&Query::default())
        .await
        .map_err(|e| match e {
            SearchError::Db(e) => e,
            other => DbErr::Custom(other.to_string()),
        })?;
    let facets: BTreeMap<String, Vec<(String, u64)>> = STATS_FACETS
        .iter()
        .map(|name| {
            let counts = name
                .parse::<Facet>()
                .ok()
                .and_then(|f| everything.facets.get(&f).cloned())
                .unwrap_or_default();
            ((*name).to_owned(), counts)
        })
        .collect();
    Ok(Stats {
        software: software::Entity::find().count(db).await?,
        active: everything.total,
        organisations: organisations::Entity::find().count(db).await?,
        public_administrations: organisations::Entity::find()
            .filter(organisations::Column::IpaCode.is_not_null())
            .count(db)
            .await?,
        snapshots: snapshots::Entity::find().count(db).await?,
        invalid_snapshots: snapshots::Entity::find()
            .filter(snapshots::Column::Valid.eq(false))
            .count(db)
            .await?,
        crawl_runs: crawl_runs::Entity::find().count(db).await?,
        facets,
    })
}

/// Crawl runs, most recent first (keyset on descending id: `before` is the last id seen).
///
/// # Errors
///
/// Fails on a database error.
pub async fn crawl_runs(
    db: &impl ConnectionTrait,
    before: Option<i64>,
    limit: u64,
) -> Result<Page<crawl_runs::Model>, DbErr> {
    let mut query = crawl_runs::Entity::find();
    if let Some(before) = before {
        query = query.filter(crawl_runs::Column::Id.lt(before));
    }
    let rows = query
        .order_by_desc(crawl_runs::Column::Id)
        .limit(limit.saturating_add(1))
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, limit, |r| r.id))
}

/// One crawl run.
///
/// # Errors
///
/// Fails on a database error.
pub async fn crawl_run(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<crawl_runs::Model>, DbErr> {
    crawl_runs::Entity::find_by_id(id).one(db).await
}

/// The events of a crawl run, in the order they happened.
///
/// # Errors
///
/// Fails on a database error.
pub async fn crawl_events(
    db: &impl ConnectionTrait,
    run_id: i64,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<crawl_events::Model>, DbErr> {
    let rows = crawl_events::Entity::find()
        .filter(crawl_events::Column::CrawlRunId.eq(run_id))
        .filter(crawl_events::Column::Id.gt(after.unwrap_or(0)))
        .order_by_asc(crawl_events::Column::Id)
        .limit(limit.saturating_add(1))
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, limit, |e| e.id))
}

/// When the newest exported entry last changed: the catalog's modification date.
///
/// # Errors
///
/// Fails on a database error.
pub async fn last_modified(
    db: &impl ConnectionTrait,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, DbErr> {
    Ok(software::Entity::find()
        .filter(software::Column::Active.eq(true))
        .order_by_desc(software::Column::UpdatedAt)
        .one(db)
        .await?
        .map(|s| s.updated_at))
}

/// One entry as the open-data exports write it: the active entry, its repository, publisher,
/// and current valid snapshot's normalized document and claims.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// Entry id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Repository URL.
    pub url: String,
    /// Publisher name, when known.
    pub publisher_name: Option<String>,
    /// Publisher IPA code, when known.
    pub publisher_ipa: Option<String>,
    /// Vitality index, if computed.
    pub vitality: Option<f64>,
    /// When the entry was first seen.
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
    /// Last change.
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
    /// The normalized publiccode.yml (`PublicCode` as JSON) of the current snapshot.
    pub publiccode: serde_json::Value,
    /// Declared claims as `(kind, value)`, e.g. `("spid", "true")`, `("publisher_ipa", "c_h501")`.
    pub claims: Vec<(String, String)>,
}

/// One page of the export: active entries with a valid current snapshot, in id order.
///
/// Memory is bounded by `limit` rows whatever the catalog size; the exports call it until
/// `next` is `None`.
///
/// # Errors
///
/// Fails on a database error, or when a stored normalized document is not JSON.
pub async fn export_page(
    db: &impl ConnectionTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<ExportRow>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        slug: String,
        name: String,
        url: String,
        publisher_name: Option<String>,
        publisher_ipa: Option<String>,
        vitality: Option<f64>,
        created_at: chrono::DateTime<chrono::FixedOffset>,
        updated_at: chrono::DateTime<chrono::FixedOffset>,
        snapshot_id: i64,
        normalized: String,
    }
    let backend = db.get_database_backend();
    let t = match backend {
        sea_orm::DbBackend::Postgres => "TRUE",
        _ => "1",
    };
    let rows = Row::find_by_statement(crate::db::statement(
        backend,
        &format!(
            "SELECT s.id AS id, s.slug AS slug, s.name AS name, r.url AS url, \
             o.name AS publisher_name, o.ipa_code AS publisher_ipa, s.vitality AS vitality, \
             s.created_at AS created_at, s.updated_at AS updated_at, \
             sn.id AS snapshot_id, sn.normalized AS normalized \
             FROM software s \
             JOIN repositories r ON r.id = s.repository_id \
             JOIN snapshots sn ON sn.id = s.current_snapshot_id \
             LEFT JOIN organisations o ON o.id = s.organisation_id \
             WHERE s.active = {t} AND sn.valid = {t} AND sn.normalized IS NOT NULL AND s.id > ? \
             ORDER BY s.id LIMIT ?"
        ),
        [
            after.unwrap_or(0).into(),
            i64::try_from(limit.saturating_add(1))
                .unwrap_or(i64::MAX)
                .into(),
        ],
    ))
    .all(db)
    .await?;
    let page = Page::from_rows(rows, limit, |r| r.id);
    let snapshot_ids: Vec<i64> = page.items.iter().map(|r| r.snapshot_id).collect();
    let mut claims_by_snapshot: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    if !snapshot_ids.is_empty() {
        for claim in claims::Entity::find()
            .filter(claims::Column::SnapshotId.is_in(snapshot_ids))
            .order_by_asc(claims::Column::Id)
            .all(db)
            .await?
        {
            claims_by_snapshot
                .entry(claim.snapshot_id)
                .or_default()
                .push((claim.kind, claim.value));
        }
    }
    let mut items = Vec::with_capacity(page.items.len());
    for row in page.items {
        let publiccode = serde_json::from_str(&row.normalized).map_err(|e| {
            DbErr::Custom(format!(
                "the normalized document of snapshot {} is not JSON: {e}",
                row.snapshot_id
            ))
        })?;
        items.push(ExportRow {
            id: row.id,
            slug: row.slug,
            name: row.name,
            url: row.url,
            publisher_name: row.publisher_name,
            publisher_ipa: row.publisher_ipa,
            vitality: row.vitality,
            created_at: row.created_at,
            updated_at: row.updated_at,
            publiccode,
            claims: claims_by_snapshot
                .remove(&row.snapshot_id)
                .unwrap_or_default(),
        });
    }
    Ok(Page {
        items,
        next: page.next,
    })
}
