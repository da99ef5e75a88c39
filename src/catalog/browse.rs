//! Read queries of the web pages beyond what the API shares with them in [`super::read`]: the
//! newest entries, cards for a page of search hits, a snapshot's file for the history diff, the
//! reuse of a publisher's solutions, and the stored document and diagnostics of a snapshot.
//!
//! Nothing here knows HTML: the pages map these into their own view structs.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::{
    ColumnTrait as _, DatabaseConnection, DbErr, EntityTrait as _, FromQueryResult,
    QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use serde::Deserialize;

use super::entities::{snapshots, software};
use super::read::{CurrentSnapshot, InvalidFile};
use crate::publiccode::{Diagnostic, PublicCode};

impl InvalidFile {
    /// The diagnostics recorded at ingest, in file order.
    #[must_use]
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        serde_json::from_str(&self.snapshot.diagnostics).unwrap_or_default()
    }
}

impl CurrentSnapshot {
    /// The file as normalized at ingest, when it was valid.
    #[must_use]
    pub fn document(&self) -> Option<PublicCode> {
        document(self.snapshot.normalized.as_deref())
    }

    /// The file as normalized at ingest, as JSON, when it was valid.
    #[must_use]
    pub fn document_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.snapshot.normalized.as_deref()?).ok()
    }

    /// The diagnostics recorded at ingest, in file order.
    #[must_use]
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        serde_json::from_str(&self.snapshot.diagnostics).unwrap_or_default()
    }
}

/// A stored normalized document; `None` for an invalid file (or one stored by a release that
/// wrote another shape, which the next crawl rewrites).
fn document(normalized: Option<&str>) -> Option<PublicCode> {
    serde_json::from_str(normalized?).ok()
}

/// The `limit` most recently added active entries, newest first (ids grow with time, and the
/// primary key orders them without another index).
///
/// # Errors
///
/// Fails on a database error.
pub async fn newest(db: &DatabaseConnection, limit: u64) -> Result<Vec<software::Model>, DbErr> {
    software::Entity::find()
        .filter(software::Column::Active.eq(true))
        .order_by_desc(software::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The `limit` most recently changed active entries, latest first.
///
/// # Errors
///
/// Fails on a database error.
pub async fn recently_updated(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<software::Model>, DbErr> {
    software::Entity::find()
        .filter(software::Column::Active.eq(true))
        .order_by_desc(software::Column::UpdatedAt)
        .order_by_desc(software::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Active entries in id order, `limit` at a time after `after`: slugs and dates for the sitemap.
///
/// # Errors
///
/// Fails on a database error.
pub async fn active_after(
    db: &DatabaseConnection,
    after: i64,
    limit: u64,
) -> Result<Vec<software::Model>, DbErr> {
    software::Entity::find()
        .filter(software::Column::Active.eq(true))
        .filter(software::Column::Id.gt(after))
        .order_by_asc(software::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// What a search result shows beside the hit: the descriptions and a few facts of the current
/// file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// Repository URL.
    pub repository_url: String,
    /// `shortDescription` by language tag.
    pub short_descriptions: BTreeMap<String, String>,
    /// `legal.license`.
    pub licence: Option<String>,
    /// `developmentStatus`.
    pub status: Option<String>,
    /// `softwareType`.
    pub software_type: Option<String>,
    /// Since when the repository's file is invalid, if it is.
    pub invalid_since: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// The part of a normalized document a card needs (the rest is skipped, not built).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardDocument {
    #[serde(default)]
    description: BTreeMap<String, CardDescription>,
    #[serde(default)]
    legal: Option<CardLegal>,
    development_status: Option<String>,
    software_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardDescription {
    #[serde(default)]
    short_description: String,
}

#[derive(Deserialize)]
struct CardLegal {
    license: String,
}

/// Cards of the entries `ids`, by entry id (an id without an entry is left out), each file read
/// afresh: [`CardFiles::cards`] keeps what it read for the next call.
///
/// # Errors
///
/// Fails on a database error.
pub async fn cards(db: &DatabaseConnection, ids: &[i64]) -> Result<BTreeMap<i64, Card>, DbErr> {
    CardFiles::default().cards(db, ids).await
}

/// What a card shows of one snapshot's file.
#[derive(Debug, Default)]
struct CardFile {
    short_descriptions: BTreeMap<String, String>,
    licence: Option<String>,
    status: Option<String>,
    software_type: Option<String>,
}

impl CardFile {
    /// The card's part of a normalized document (an unreadable one shows nothing).
    fn of(normalized: Option<&str>) -> Self {
        match normalized.and_then(|n| serde_json::from_str::<CardDocument>(n).ok()) {
            Some(doc) => Self {
                short_descriptions: doc
                    .description
                    .into_iter()
                    .map(|(lang, d)| (lang, d.short_description))
                    .collect(),
                licence: doc.legal.map(|l| l.license),
                status: doc.development_status,
                software_type: doc.software_type,
            },
            None => Self::default(),
        }
    }
}

/// The card facts of the snapshots already read, by snapshot id, for one catalog database. A
/// snapshot is never changed nor deleted once written, so what was read of it stays true: a page of search
/// results then reads one short row an entry instead of each whole file (a tenth of the search
/// page's time at 10,000 entries). Bounded; the oldest are dropped first.
#[derive(Debug, Default)]
pub struct CardFiles {
    files: Mutex<CardFileCache>,
}

#[derive(Debug, Default)]
struct CardFileCache {
    by_snapshot: HashMap<i64, Arc<CardFile>>,
    order: VecDeque<i64>,
}

impl CardFiles {
    /// Snapshots kept at most (a card holds its short descriptions: about a kilobyte).
    const CAPACITY: usize = 20_000;

    /// Cards of the entries `ids`, by entry id (an id without an entry is left out).
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn cards(
        &self,
        db: &DatabaseConnection,
        ids: &[i64],
    ) -> Result<BTreeMap<i64, Card>, DbErr> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i64,
            url: String,
            snapshot: Option<i64>,
            invalid_since: Option<chrono::DateTime<chrono::FixedOffset>>,
        }
        #[derive(FromQueryResult)]
        struct FileRow {
            id: i64,
            normalized: Option<String>,
        }
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let rows: Vec<Row> = crate::db::rows_in(
            db,
            "SELECT s.id AS id, r.url AS url, s.current_snapshot_id AS snapshot, \
             s.invalid_since AS invalid_since FROM software s \
             JOIN repositories r ON r.id = s.repository_id WHERE s.id IN",
            ids,
        )
        .await?;
        let mut files = HashMap::new();
        let mut unread = Vec::new();
        {
            let cache = self.files.lock().unwrap_or_else(PoisonError::into_inner);
            for snapshot in rows.iter().filter_map(|r| r.snapshot) {
                match cache.by_snapshot.get(&snapshot) {
                    Some(file) => {
                        files.insert(snapshot, Arc::clone(file));
                    }
                    None => unread.push(snapshot),
                }
            }
        }
        if !unread.is_empty() {
            let read: Vec<FileRow> = crate::db::rows_in(
                db,
                "SELECT id, normalized FROM snapshots WHERE id IN",
                &unread,
            )
            .await?;
            let mut cache = self.files.lock().unwrap_or_else(PoisonError::into_inner);
            for row in read {
                let file = Arc::new(CardFile::of(row.normalized.as_deref()));
                cache.keep(row.id, Arc::clone(&file));
                files.insert(row.id, file);
            }
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let file = row.snapshot.and_then(|s| files.get(&s));
                let card = Card {
                    repository_url: row.url,
                    short_descriptions: file
                        .map(|f| f.short_descriptions.clone())
                        .unwrap_or_default(),
                    licence: file.and_then(|f| f.licence.clone()),
                    status: file.and_then(|f| f.status.clone()),
                    software_type: file.and_then(|f| f.software_type.clone()),
                    invalid_since: row.invalid_since,
                };
                (row.id, card)
            })
            .collect())
    }
}

impl CardFileCache {
    fn keep(&mut self, snapshot: i64, file: Arc<CardFile>) {
        if self.by_snapshot.insert(snapshot, file).is_some() {
            return;
        }
        self.order.push_back(snapshot);
        while self.order.len() > CardFiles::CAPACITY {
            if let Some(oldest) = self.order.pop_front() {
                self.by_snapshot.remove(&oldest);
            }
        }
    }
}

/// One snapshot of an entry with its file, for the history diff.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotFile {
    /// Snapshot id.
    pub id: i64,
    /// The commit it was read at.
    pub commit_sha: Option<String>,
    /// When it was fetched.
    pub fetched_at: chrono::DateTime<chrono::FixedOffset>,
    /// Whether it passed validation.
    pub valid: bool,
    /// The file as fetched.
    pub raw: Vec<u8>,
}

/// Snapshot `id` of entry `software_id`, if it is one of its snapshots.
///
/// # Errors
///
/// Fails on a database error.
pub async fn snapshot_file(
    db: &DatabaseConnection,
    software_id: i64,
    id: i64,
) -> Result<Option<SnapshotFile>, DbErr> {
    Ok(snapshots::Entity::find_by_id(id)
        .filter(snapshots::Column::SoftwareId.eq(software_id))
        .one(db)
        .await?
        .map(|s| SnapshotFile {
            id: s.id,
            commit_sha: s.commit_sha,
            fetched_at: s.fetched_at,
            valid: s.valid,
            raw: s.raw,
        }))
}

/// An administration that declares, in an entry's current file, that it uses the entry.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Reuse {
    /// The entry's slug.
    pub slug: String,
    /// The entry's name.
    pub software: String,
    /// The name as written in `usedBy`.
    pub user: String,
    /// Its IPA code, when matched.
    pub ipa_code: Option<String>,
}

/// Who declares using the active entries organisation `organisation_id` publishes, verified
/// (other than itself), from their current files, by entry then user name; at most `limit` rows.
/// A file that only claims the organisation as its publisher says nothing in its name.
///
/// # Errors
///
/// Fails on a database error.
pub async fn reuse_of(
    db: &DatabaseConnection,
    organisation_id: i64,
    limit: u64,
) -> Result<Vec<Reuse>, DbErr> {
    let backend = db.get_database_backend();
    Reuse::find_by_statement(crate::db::statement(
        backend,
        "SELECT s.slug AS slug, s.name AS software, u.name AS user, u.ipa_code AS ipa_code \
         FROM software s JOIN used_by u ON u.snapshot_id = s.current_snapshot_id \
         JOIN organisations o ON o.id = s.organisation_id \
         WHERE s.organisation_id = ? AND s.active = ? AND s.publisher_verified = ? \
         AND (u.ipa_code IS NULL OR o.ipa_code IS NULL OR u.ipa_code <> o.ipa_code) \
         ORDER BY s.name, s.id, u.name LIMIT ?",
        [
            organisation_id.into(),
            true.into(),
            true.into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ],
    ))
    .all(db)
    .await
}

/// Names of the organisations with the IPA codes `codes` (lower case), by code.
///
/// # Errors
///
/// Fails on a database error.
pub async fn organisation_names(
    db: &DatabaseConnection,
    codes: &[String],
) -> Result<BTreeMap<String, String>, DbErr> {
    use super::entities::organisations;
    if codes.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(organisations::Entity::find()
        .filter(organisations::Column::IpaCode.is_in(codes.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| Some((o.ipa_code?, o.name)))
        .collect())
}

/// The `limit` latest crawl events of entry `software_id`, latest first.
///
/// # Errors
///
/// Fails on a database error.
pub async fn recent_events(
    db: &impl sea_orm::ConnectionTrait,
    software_id: i64,
    limit: u64,
) -> Result<Vec<super::entities::crawl_events::Model>, DbErr> {
    use super::entities::crawl_events;
    crawl_events::Entity::find()
        .filter(crawl_events::Column::SoftwareId.eq(software_id))
        .order_by_desc(crawl_events::Column::At)
        .order_by_desc(crawl_events::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
