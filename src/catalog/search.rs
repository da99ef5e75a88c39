//! Search: full text (SQLite FTS5 or PostgreSQL `tsvector`), facet filters with counts, sorts and
//! cursor pagination. [`Searcher`] is the one query API behind the CLI, the web pages and the
//! JSON API.
//!
//! The words are matched by the database's own full-text engine, so every server sees the same
//! text index. Filters, facet counts and the order of pages come from an in-process index of the
//! facet values (`index`), loaded from the database once and kept current by reading the rows
//! whose change stamp moved: counting eleven facets over 100,000 entries is a pass over bitmaps,
//! not eleven `GROUP BY`s.
//!
//! Facet counts respect the other active filters: the counts of `category` are computed with
//! every filter applied except the `category` one, so ticking a category never hides the others.

mod index;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError, RwLock};

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use self::index::{Doc, Index, Key, TextHits};
use super::text;
use crate::db::{in_list, statement};

/// A facet: a dimension search can filter on and count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    /// `categories`
    Category,
    /// `intendedAudience.scope`
    Scope,
    /// `softwareType`
    Type,
    /// `developmentStatus`
    Status,
    /// SPDX licence identifiers of `legal.license`
    Licence,
    /// The publisher (IPA code, or name)
    Publisher,
    /// Declared integrations and compliance (spid, cie, pagopa, io, anpr, gdpr, ...)
    Claim,
    /// `maintenance.type`
    Maintenance,
    /// `intendedAudience.countries`
    Country,
    /// `localisation.availableLanguages`
    Language,
    /// Whether the entry is active (`true`, `false`); active entries only by default.
    Active,
}

impl Facet {
    /// Every facet, in display order.
    pub const ALL: [Facet; 11] = [
        Facet::Category,
        Facet::Scope,
        Facet::Type,
        Facet::Status,
        Facet::Licence,
        Facet::Publisher,
        Facet::Claim,
        Facet::Maintenance,
        Facet::Country,
        Facet::Language,
        Facet::Active,
    ];

    /// The name used in filters (`category=...`) and stored in `software_facets`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Scope => "scope",
            Self::Type => "type",
            Self::Status => "status",
            Self::Licence => "licence",
            Self::Publisher => "publisher",
            Self::Claim => "claim",
            Self::Maintenance => "maintenance",
            Self::Country => "country",
            Self::Language => "language",
            Self::Active => "active",
        }
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Facet {
    type Err = SearchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s || (s == "license" && *f == Self::Licence))
            .ok_or_else(|| SearchError::UnknownFacet { name: s.to_owned() })
    }
}

/// The order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best text match first (most recently updated first without text).
    #[default]
    Relevance,
    /// Most recently updated first.
    Updated,
    /// Highest vitality first.
    Vitality,
    /// By name, A to Z.
    Name,
}

impl FromStr for Sort {
    type Err = SearchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "relevance" => Ok(Self::Relevance),
            "updated" => Ok(Self::Updated),
            "vitality" => Ok(Self::Vitality),
            "name" => Ok(Self::Name),
            other => Err(SearchError::UnknownSort(other.to_owned())),
        }
    }
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filter names a facet that does not exist.
    #[error("unknown filter {name:?}; filters are {known}", known = Facet::ALL.map(Facet::as_str).join(", "))]
    UnknownFacet {
        /// The name given.
        name: String,
    },
    /// An unknown sort.
    #[error("unknown sort {0:?}; sorts are relevance, updated, vitality, name")]
    UnknownSort(String),
    /// A cursor that this server did not make, or for another sort.
    #[error("invalid page cursor")]
    BadCursor,
    /// The database failed.
    #[error("database error while searching: {0}")]
    Db(#[from] DbErr),
}

/// Largest page size.
pub const MAX_LIMIT: u64 = 100;

/// What to search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Free text; every word must match (in any language, plurals and accents included).
    pub text: Option<String>,
    /// Facet filters: values of one facet are alternatives, different facets all apply.
    pub filters: BTreeMap<Facet, Vec<String>>,
    /// The order.
    pub sort: Sort,
    /// Page size (at most [`MAX_LIMIT`]).
    pub limit: u64,
    /// The cursor of the page to fetch, from [`Results::next`].
    pub after: Option<String>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Entry id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Whether the entry is active.
    pub active: bool,
    /// Publisher name, if known.
    pub publisher: Option<String>,
    /// The publisher's IPA code, if it has one (for its name in the IPA registry).
    #[serde(skip)]
    pub publisher_ipa: Option<String>,
    /// Whether the publisher is verified by the source the entry came from (else only claimed).
    pub publisher_verified: bool,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// Vitality index, if computed.
    pub vitality: Option<f64>,
    /// Text relevance, higher is better: 0 without text or when sorted otherwise (scoring every
    /// match of a common word is the dearest part of a search, and only relevance needs it).
    pub score: f64,
}

/// A page of results, the facet counts, and the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// How many entries match in all.
    pub total: u64,
    /// Counts per facet value, most frequent first.
    pub facets: BTreeMap<Facet, Vec<(String, u64)>>,
    /// The cursor of the next page, if any.
    pub next: Option<String>,
}

/// How far back, in microseconds, the index looks for changes before the time of its last
/// look: a write stamps its rows before it commits, so a transaction that commits late (or a
/// writer whose clock lags) is still seen.
const LOOKBACK_US: i64 = 10_000_000;

/// Ids per `IN (...)` list when loading changed entries.
const CHUNK: usize = 500;

/// The search engine of one catalog database. Cheap to clone: clones share the index.
#[derive(Clone)]
pub struct Searcher {
    db: DatabaseConnection,
    inner: Arc<Inner>,
}

struct Inner {
    index: OnceCell<RwLock<Index>>,
    /// The change stamp of the start of the last completed look for changes.
    checked_us: AtomicI64,
    /// Recent full-text matches: the next page, or another filter on the same words, reuses
    /// them instead of scoring every match again.
    texts: Mutex<TextCache>,
    /// The queries whose matches a search is scoring now, each with the turn the others wait.
    scoring: Mutex<HashMap<(String, bool), Turn>>,
}

/// The turn of the searches that want one query's matches while one of them scores them.
type Turn = Arc<tokio::sync::Mutex<()>>;

/// Full-text matches by query, the oldest dropped first; emptied whenever an entry changes.
#[derive(Default)]
struct TextCache {
    entries: HashMap<(String, bool), Arc<TextHits>>,
    /// Matches held in all, to bound the memory the cache takes.
    held: u64,
    order: std::collections::VecDeque<(String, bool)>,
    /// Bumped by every `clear`, so that a match read before a change is not cached after it.
    generation: u64,
}

impl TextCache {
    /// How many queries are kept at most.
    const CAPACITY: usize = 256;
    /// How many matches are held at most, all queries together (about 30 bytes each).
    const MAX_HELD: u64 = 2_000_000;

    fn get(&self, key: &(String, bool)) -> Option<Arc<TextHits>> {
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: (String, bool), hits: Arc<TextHits>, generation: u64) {
        if generation != self.generation || self.entries.contains_key(&key) {
            return;
        }
        while self.order.len() >= Self::CAPACITY || self.held + hits.len() > Self::MAX_HELD {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.entries.remove(&oldest) {
                self.held -= old.len();
            }
        }
        self.held += hits.len();
        self.order.push_back(key.clone());
        self.entries.insert(key, hits);
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.held = 0;
        self.generation += 1;
    }
}

impl fmt::Debug for Searcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Searcher")
            .field("loaded", &self.inner.index.initialized())
            .finish_non_exhaustive()
    }
}

impl Searcher {
    /// A searcher of the catalog in `db`; the index is loaded by the first search.
    #[must_use]
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            inner: Arc::new(Inner {
                index: OnceCell::new(),
                checked_us: AtomicI64::new(0),
                texts: Mutex::new(TextCache::default()),
                scoring: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Loads the index now rather than on the first search (a server does it at start).
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn warm(&self) -> Result<(), SearchError> {
        self.index().await?;
        Ok(())
    }

    /// The index, loaded on first use and brought up to date with the rows changed since.
    async fn index(&self) -> Result<&RwLock<Index>, DbErr> {
        let cell = self
            .inner
            .index
            .get_or_try_init(|| async {
                let started = super::change_stamp();
                let loading = std::time::Instant::now();
                let mut index = Index::default();
                let docs = load_docs(&self.db, None).await?;
                tracing::debug!(elapsed = ?std::time::Instant::now().duration_since(loading), "search index read");
                for doc in docs {
                    index.upsert(doc);
                }
                self.inner.checked_us.fetch_max(started, Ordering::Relaxed);
                tracing::debug!(entries = index.len(), elapsed = ?loading.elapsed(), "search index loaded");
                Ok::<_, DbErr>(RwLock::new(index))
            })
            .await?;
        self.refresh(cell).await?;
        Ok(cell)
    }

    /// Reloads the entries whose change stamp differs from the one the index holds.
    async fn refresh(&self, cell: &RwLock<Index>) -> Result<(), DbErr> {
        let started = super::change_stamp();
        let since = self
            .inner
            .checked_us
            .load(Ordering::Relaxed)
            .saturating_sub(LOOKBACK_US);
        let backend = self.db.get_database_backend();
        let rows = self
            .db
            .query_all_raw(statement(
                backend,
                "SELECT id, changed_at_us FROM software WHERE changed_at_us > ?",
                [since.into()],
            ))
            .await?;
        let stale: Vec<i64> = {
            let index = cell.read().unwrap_or_else(PoisonError::into_inner);
            let mut stale = Vec::new();
            for row in &rows {
                let id: i64 = row.try_get("", "id")?;
                let stamp: i64 = row.try_get("", "changed_at_us")?;
                if index.changed_at(id) != Some(stamp) {
                    stale.push(id);
                }
            }
            stale
        };
        if !stale.is_empty() {
            let mut docs = Vec::with_capacity(stale.len());
            for chunk in stale.chunks(CHUNK) {
                docs.extend(load_docs(&self.db, Some(chunk)).await?);
            }
            let mut index = cell.write().unwrap_or_else(PoisonError::into_inner);
            for doc in docs {
                index.upsert(doc);
            }
            // A changed entry may match other words now.
            self.inner
                .texts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            tracing::debug!(reloaded = stale.len(), "search index refreshed");
        }
        self.inner.checked_us.fetch_max(started, Ordering::Relaxed);
        Ok(())
    }

    /// Runs `query`.
    ///
    /// # Errors
    ///
    /// Fails on a cursor this server did not make or a database error.
    pub async fn search(&self, query: &Query) -> Result<Results, SearchError> {
        let backend = self.db.get_database_backend();
        let limit = usize::try_from(query.limit.clamp(1, MAX_LIMIT)).unwrap_or(20);
        let text = query.text.as_deref().and_then(|t| text_query(backend, t));
        let sort = match (query.sort, &text) {
            (Sort::Relevance, None) => Sort::Updated,
            (s, _) => s,
        };
        let after = query
            .after
            .as_deref()
            .map(|a| decode_cursor(a, sort))
            .transpose()?;
        let started = std::time::Instant::now();
        let cell = self.index().await?;
        let refresh_time = started.elapsed();
        let matches = match text {
            Some(text) => Some(self.matches(cell, text, sort == Sort::Relevance).await?),
            None => None,
        };
        let text_time = started.elapsed();
        let (placed, total, counts) = {
            let index = cell.read().unwrap_or_else(PoisonError::into_inner);
            let filters: Vec<(Facet, &[String])> = query
                .filters
                .iter()
                .filter(|(_, values)| !values.is_empty())
                .map(|(f, values)| (*f, values.as_slice()))
                .collect();
            let selection = index.select(&filters, matches.as_deref());
            let placed =
                selection.page(sort, after.as_ref().map(|(key, id)| (key, *id)), limit + 1);
            (placed, selection.matching.len(), selection.counts())
        };
        let select_time = started.elapsed();
        let more = placed.len() > limit;
        let placed = &placed[..placed.len().min(limit)];
        let next = if more {
            placed.last().map(|p| encode_cursor(sort, &p.key, p.id))
        } else {
            None
        };
        let hits = self.hits(placed).await?;
        tracing::debug!(
            ?text_time,
            ?refresh_time,
            ?select_time,
            total = ?started.elapsed(),
            matches = matches.as_ref().map(|m| m.len()),
            "search"
        );
        let mut facets: BTreeMap<Facet, Vec<(String, u64)>> =
            Facet::ALL.into_iter().map(|f| (f, Vec::new())).collect();
        for (facet, value, n) in counts {
            facets.entry(facet).or_default().push((value, n));
        }
        for counts in facets.values_mut() {
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        Ok(Results {
            hits,
            total,
            facets,
            next,
        })
    }

    /// "Did you mean": `text` with each word no entry's name and no vocabulary label holds
    /// replaced by the nearest one that does (see [`nearest_word`]), or `None` when no word
    /// changes. The caller checks that the suggestion finds something before it shows it.
    ///
    /// # Errors
    ///
    /// Fails on a database error.
    pub async fn did_you_mean(&self, text: &str) -> Result<Option<String>, SearchError> {
        let cell = self.index().await?;
        let index = cell.read().unwrap_or_else(PoisonError::into_inner);
        let mut changed = false;
        let words: Vec<String> = text::words(text)
            .map(|word| {
                if index.knows(&word) || LABEL_WORDS.contains_key(&word) {
                    return word;
                }
                let known = index
                    .words()
                    .chain(LABEL_WORDS.iter().map(|(w, n)| (w.as_str(), *n)));
                match nearest_word(&word, known) {
                    Some(near) => {
                        changed = true;
                        near.to_owned()
                    }
                    None => word,
                }
            })
            .collect();
        Ok(changed.then(|| words.join(" ")))
    }

    /// Every match of the full-text `query`, scored or not, from the cache when it holds them.
    async fn matches(
        &self,
        cell: &RwLock<Index>,
        query: String,
        scored: bool,
    ) -> Result<Arc<TextHits>, DbErr> {
        let key = (query, scored);
        if let Some(hit) = self.cached_matches(&key) {
            return Ok(hit);
        }
        // One search scores a query's matches; the others asking for them meanwhile wait for
        // its answer instead of each scoring them again (with 64 searches for a common word
        // arriving together, the first two seconds had a p99 of 335 ms; 37 ms since).
        let turn = Arc::clone(
            self.inner
                .scoring
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.clone())
                .or_default(),
        );
        let _turn = turn.lock().await;
        let scored_here = self.score_matches(cell, &key).await;
        let mut scoring = self
            .inner
            .scoring
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if scoring.get(&key).is_some_and(|t| Arc::ptr_eq(t, &turn)) {
            scoring.remove(&key);
        }
        scored_here
    }

    /// The cached matches of `key`, if any.
    fn cached_matches(&self, key: &(String, bool)) -> Option<Arc<TextHits>> {
        self.inner
            .texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
    }

    /// The matches of `key` from the cache, or else scored by the database and cached.
    async fn score_matches(
        &self,
        cell: &RwLock<Index>,
        key: &(String, bool),
    ) -> Result<Arc<TextHits>, DbErr> {
        let generation = {
            let cache = self
                .inner
                .texts
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(hit) = cache.get(key) {
                return Ok(hit);
            }
            cache.generation
        };
        let scored = key.1;
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(text_match(backend, &key.0, scored))
            .await?;
        let hits: Option<String> = match row {
            Some(row) => row.try_get("", "hits")?,
            None => None,
        };
        let matches = parse_matches(hits.as_deref(), scored);
        let matches = Arc::new(
            cell.read()
                .unwrap_or_else(PoisonError::into_inner)
                .text_hits(&matches, scored),
        );
        self.inner
            .texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(key.clone(), Arc::clone(&matches), generation);
        Ok(matches)
    }

    /// The rows of a page, in page order.
    async fn hits(&self, placed: &[index::Placed]) -> Result<Vec<Hit>, DbErr> {
        if placed.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.db.get_database_backend();
        let mut sql = String::from(
            "SELECT s.id, s.slug, s.name, s.active, s.updated_at, s.vitality, o.name AS publisher, \
             o.ipa_code AS publisher_ipa, s.publisher_verified \
             FROM software s LEFT JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN (",
        );
        sql.push_str(&in_list(placed.len()));
        sql.push(')');
        let rows = self
            .db
            .query_all_raw(statement(
                backend,
                &sql,
                placed.iter().map(|p| Value::from(p.id)),
            ))
            .await?;
        let mut by_id = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("", "id")?;
            by_id.insert(id, row);
        }
        let mut hits = Vec::with_capacity(placed.len());
        for p in placed {
            // An entry changed between the index and this read shows as it is now.
            let Some(row) = by_id.get(&p.id) else {
                continue;
            };
            hits.push(Hit {
                id: p.id,
                slug: row.try_get("", "slug")?,
                name: row.try_get("", "name")?,
                active: row.try_get("", "active")?,
                publisher: row.try_get("", "publisher")?,
                publisher_ipa: row.try_get("", "publisher_ipa")?,
                publisher_verified: row.try_get("", "publisher_verified")?,
                updated_at: row.try_get("", "updated_at")?,
                vitality: row.try_get("", "vitality")?,
                score: p.score,
            });
        }
        Ok(hits)
    }
}

/// The words of the labels of the standard's vocabularies (categories, scopes, software types,
/// development statuses, maintenance types) in every language of the interface: words search
/// finds (the labels are indexed with each entry) though no name holds them.
static LABEL_WORDS: LazyLock<HashMap<String, u32>> = LazyLock::new(|| {
    use crate::publiccode::vocab;
    let mut out = HashMap::new();
    let kinds = [
        ("category", &*vocab::CATEGORIES),
        ("scope", &*vocab::SCOPES),
        ("type", &*vocab::SOFTWARE_TYPES),
        ("status", &*vocab::DEVELOPMENT_STATUSES),
        ("maintenance", &*vocab::MAINTENANCE_TYPES),
    ];
    for (kind, values) in kinds {
        for value in values {
            for lang in crate::i18n::Lang::ALL {
                for word in text::words(&lang.label(kind, value)) {
                    *out.entry(word).or_default() += 1;
                }
            }
        }
    }
    out
});

/// The word of `known` (word, how often it occurs) nearest to `word` by Damerau-Levenshtein
/// distance, within one edit for words of up to five letters and two beyond; ties go to the
/// more frequent word, then the first in alphabetical order. Words under three letters get no
/// suggestion: too many words are one edit away from them.
#[must_use]
pub fn nearest_word<'a>(
    word: &str,
    known: impl Iterator<Item = (&'a str, u32)>,
) -> Option<&'a str> {
    let len = word.chars().count();
    if len < 3 {
        return None;
    }
    let cap = if len <= 5 { 1 } else { 2 };
    known
        .filter(|(w, _)| w.chars().count().abs_diff(len) <= cap && w.chars().count() >= 3)
        .filter_map(|(w, n)| {
            let d = strsim::damerau_levenshtein(word, w);
            (d <= cap && d > 0).then_some((d, std::cmp::Reverse(n), w))
        })
        .min()
        .map(|(_, _, w)| w)
}

/// Loads the index entries of `ids`, or of every entry.
///
/// Both reads aggregate in the database: the entries as one JSON array, the facets as one row
/// per value with the ids that hold it. A handful of rows cross the driver instead of one per
/// entry and facet value, which is what makes loading 100,000 entries take well under a second.
async fn load_docs(db: &DatabaseConnection, ids: Option<&[i64]>) -> Result<Vec<Doc>, DbErr> {
    let backend = db.get_database_backend();
    let (mut software, mut facets) = if backend == DbBackend::Postgres {
        (
            String::from(
                "SELECT CAST(json_agg(json_build_array(id, active, \
                 CAST(extract(epoch FROM updated_at) * 1000000 AS BIGINT), vitality, name, \
                 changed_at_us)) AS TEXT) AS docs FROM software",
            ),
            String::from(
                "SELECT facet, value, string_agg(CAST(software_id AS TEXT), ' ') AS ids \
                 FROM software_facets",
            ),
        )
    } else {
        (
            String::from(
                "SELECT json_group_array(json_array(id, active, \
                 CAST((julianday(updated_at) - 2440587.5) * 86400000000.0 AS INTEGER), vitality, \
                 name, changed_at_us)) AS docs FROM software",
            ),
            String::from(
                "SELECT facet, value, group_concat(software_id, ' ') AS ids FROM software_facets",
            ),
        )
    };
    let values: Vec<Value> = ids
        .unwrap_or_default()
        .iter()
        .map(|id| Value::from(*id))
        .collect();
    if let Some(ids) = ids {
        let list = in_list(ids.len());
        software.push_str(&format!(" WHERE id IN ({list})"));
        facets.push_str(&format!(" WHERE software_id IN ({list})"));
    }
    facets.push_str(" GROUP BY facet, value");
    let row = db
        .query_one_raw(statement(backend, &software, values.clone()))
        .await?;
    let json: Option<String> = match row {
        Some(row) => row.try_get("", "docs")?,
        None => None,
    };
    type Row = (i64, serde_json::Value, i64, Option<f64>, String, i64);
    let rows: Vec<Row> = match json {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| DbErr::Custom(format!("unreadable search entries: {e}")))?,
        None => Vec::new(),
    };
    let mut docs: HashMap<i64, Doc> = HashMap::with_capacity(rows.len());
    for (id, active, updated_us, vitality, name, changed_at_us) in rows {
        // SQLite has no boolean type: its JSON holds 0 and 1.
        let active = active
            .as_bool()
            .unwrap_or_else(|| active.as_i64() == Some(1));
        docs.insert(
            id,
            Doc {
                id,
                active,
                updated_us,
                vitality: vitality.unwrap_or(-1.0),
                name_key: name.to_lowercase(),
                changed_at_us,
                values: Vec::new(),
            },
        );
    }
    let rows = db
        .query_all_raw(statement(backend, &facets, values))
        .await?;
    for row in &rows {
        let facet: String = row.try_get("", "facet")?;
        let Ok(facet) = facet.parse::<Facet>() else {
            continue;
        };
        let value: String = row.try_get("", "value")?;
        let ids: String = row.try_get("", "ids")?;
        for id in ids.split(' ').filter_map(|id| id.parse::<i64>().ok()) {
            if let Some(doc) = docs.get_mut(&id) {
                doc.values.push((facet, value.clone()));
            }
        }
    }
    let mut docs: Vec<Doc> = docs.into_values().collect();
    docs.sort_unstable_by_key(|d| d.id);
    Ok(docs)
}

/// The full-text query of `text` in the database's syntax, or `None` without words. Every word
/// must match, through any of its keys (the word, its Italian and English stems). The text of
/// the searched table must be prepared by [`text::document`]: the communities' post search uses
/// both, so it tolerates accents and inflections exactly as the catalog does.
#[must_use]
pub fn text_query(backend: DbBackend, text: &str) -> Option<String> {
    // A document holds every word followed by its stems, so the stems alone find the word and
    // its inflections; one phrase fewer to score per word on a common word's many matches.
    let groups: Vec<Vec<String>> = text::words(text)
        .map(|w| {
            let keys = text::keys(&w);
            if keys.len() > 1 {
                keys.into_iter().skip(1).collect()
            } else {
                keys
            }
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    let (quote, or, and) = if backend == DbBackend::Postgres {
        ('\'', " | ", " & ")
    } else {
        ('"', " OR ", " AND ")
    };
    let query = groups
        .iter()
        .map(|keys| {
            let alternatives: Vec<String> =
                keys.iter().map(|k| format!("{quote}{k}{quote}")).collect();
            format!("({})", alternatives.join(or))
        })
        .collect::<Vec<_>>()
        .join(and);
    Some(query)
}

/// The statement returning every match of `query` as one text, `id score id score ...` with
/// `scored`, `id id ...` without (scoring is most of the cost of a common word).
fn text_match(backend: DbBackend, query: &str, scored: bool) -> Statement {
    let sql = match (backend, scored) {
        (DbBackend::Postgres, true) => {
            "SELECT string_agg(f.software_id || ' ' || ts_rank(f.document, q.query), ' ') AS hits \
             FROM software_fts f, to_tsquery('simple', $1) AS q(query) WHERE f.document @@ q.query"
        }
        (DbBackend::Postgres, false) => {
            "SELECT string_agg(CAST(f.software_id AS TEXT), ' ') AS hits \
             FROM software_fts f WHERE f.document @@ to_tsquery('simple', $1)"
        }
        // Weights: a word in the name counts ten times one in a description, three times one
        // in the publisher's name. The scores are materialized first: SQLite refuses bm25()
        // inside an aggregate.
        (_, true) => {
            "WITH m AS MATERIALIZED (SELECT rowid AS id, -bm25(software_fts, 10.0, 1.0, 3.0) AS score \
             FROM software_fts WHERE software_fts MATCH ?) \
             SELECT group_concat(id || ' ' || score, ' ') AS hits FROM m"
        }
        (_, false) => {
            "SELECT group_concat(rowid, ' ') AS hits FROM software_fts WHERE software_fts MATCH ?"
        }
    };
    Statement::from_sql_and_values(backend, sql, [query.into()])
}

/// Parses what [`text_match`] returns.
fn parse_matches(hits: Option<&str>, scored: bool) -> Vec<(i64, f64)> {
    let Some(hits) = hits else {
        return Vec::new();
    };
    let mut parts = hits.split(' ').filter(|p| !p.is_empty());
    let mut out = Vec::new();
    while let Some(id) = parts.next() {
        let score = if scored {
            parts
                .next()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0)
        } else {
            0.0
        };
        if let Ok(id) = id.parse::<i64>() {
            out.push((id, score));
        }
    }
    out
}

/// The position a cursor encodes: the sort, the sort key of the last hit of a page, its id.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: Sort,
    key: CursorKey,
    id: i64,
}

#[derive(Debug, Serialize, Deserialize)]
enum CursorKey {
    N(f64),
    T(i64),
    S(String),
}

fn encode_cursor(sort: Sort, key: &Key, id: i64) -> String {
    let key = match key {
        Key::Number(n) => CursorKey::N(*n),
        Key::Time(t) => CursorKey::T(*t),
        Key::Text(s) => CursorKey::S(s.clone()),
    };
    let json = serde_json::to_vec(&Cursor { sort, key, id }).unwrap_or_default();
    json.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(text: &str, sort: Sort) -> Result<(Key, i64), SearchError> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let cursor: Cursor = bytes
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(SearchError::BadCursor)?;
    let key = match (sort, cursor.key) {
        (Sort::Relevance | Sort::Vitality, CursorKey::N(n)) if cursor.sort == sort => {
            Key::Number(n)
        }
        (Sort::Updated, CursorKey::T(t)) if cursor.sort == sort => Key::Time(t),
        (Sort::Name, CursorKey::S(s)) if cursor.sort == sort => Key::Text(s),
        _ => return Err(SearchError::BadCursor),
    };
    Ok((key, cursor.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_word_is_within_a_few_edits() {
        let known = [
            ("protocollo", 3),
            ("protocolli", 1),
            ("scuola", 2),
            ("pagamenti", 5),
        ];
        let near = |w: &str| nearest_word(w, known.iter().copied());
        assert_eq!(near("protcollo"), Some("protocollo"), "a letter missing");
        assert_eq!(
            near("protocolol"),
            Some("protocollo"),
            "two letters swapped"
        );
        assert_eq!(near("sucola"), Some("scuola"));
        assert_eq!(near("pagametni"), Some("pagamenti"));
        assert_eq!(near("scuola"), None, "a known word needs no suggestion");
        assert_eq!(near("zzzqqqxxx"), None, "nothing near");
        assert_eq!(near("ab"), None, "too short to guess");
    }

    #[test]
    fn labels_are_part_of_the_vocabulary() {
        assert!(LABEL_WORDS.contains_key("scuola"));
        assert!(LABEL_WORDS.contains_key("schools"));
        assert!(LABEL_WORDS.contains_key("contabilita"));
    }
}
