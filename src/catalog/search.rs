//! Search: full text (SQLite FTS5 or PostgreSQL `tsvector`), facet filters with counts, sorts and
//! cursor pagination. The one query API behind the CLI, the web pages and the JSON API.
//!
//! Facet counts respect the other active filters: the counts of `category` are computed with
//! every filter applied except the `category` one, so ticking a category never hides the others.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};
use serde::{Deserialize, Serialize};

use super::text;

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
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// Vitality index, if computed.
    pub vitality: Option<f64>,
    /// Text relevance (higher is better; 0 without text).
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

/// A SQL fragment with its bound values, placeholders written as `?` and numbered for
/// PostgreSQL when the statement is built.
#[derive(Default, Clone)]
struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.values.push(value.into());
        self
    }

    fn append(&mut self, other: &Sql) -> &mut Self {
        self.text.push_str(&other.text);
        self.values.extend(other.values.iter().cloned());
        self
    }

    fn statement(&self, backend: DbBackend) -> Statement {
        let text = if backend == DbBackend::Postgres {
            let mut out = String::with_capacity(self.text.len() + 16);
            let mut n = 0;
            for c in self.text.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        } else {
            self.text.clone()
        };
        Statement::from_sql_and_values(backend, text, self.values.clone())
    }
}

/// The full-text match as `(id, score)` rows, or `None` without text.
fn text_match(backend: DbBackend, text: &str) -> Option<Sql> {
    let groups: Vec<Vec<String>> = text::words(text).map(|w| text::keys(&w)).collect();
    if groups.is_empty() {
        return None;
    }
    let mut sql = Sql::default();
    if backend == DbBackend::Postgres {
        let query = groups
            .iter()
            .map(|keys| {
                format!(
                    "({})",
                    keys.iter()
                        .map(|k| format!("'{k}'"))
                        .collect::<Vec<_>>()
                        .join(" | ")
                )
            })
            .collect::<Vec<_>>()
            .join(" & ");
        sql.push("SELECT f.software_id AS id, ts_rank(f.document, q.query) AS score FROM software_fts f, to_tsquery('simple', ")
            .bind(query)
            .push(") AS q(query) WHERE f.document @@ q.query");
    } else {
        let query = groups
            .iter()
            .map(|keys| {
                format!(
                    "({})",
                    keys.iter()
                        .map(|k| format!("\"{k}\""))
                        .collect::<Vec<_>>()
                        .join(" OR ")
                )
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        sql.push("SELECT rowid AS id, -bm25(software_fts, 10.0, 1.0, 3.0) AS score FROM software_fts WHERE software_fts MATCH ")
            .bind(query);
    }
    Some(sql)
}

/// `WHERE` conditions on `s` (the software table) for every filter except `skip`.
fn conditions(query: &Query, skip: Option<Facet>) -> Sql {
    let mut sql = Sql::default();
    let active = query.filters.get(&Facet::Active);
    if skip != Some(Facet::Active) {
        match active.map(Vec::as_slice) {
            None => {
                sql.push(" AND s.active = ").bind(true);
            }
            Some(values) => {
                let wants_true = values.iter().any(|v| v == "true");
                let wants_false = values.iter().any(|v| v == "false");
                if wants_true != wants_false {
                    sql.push(" AND s.active = ").bind(wants_true);
                }
            }
        }
    }
    for (facet, values) in &query.filters {
        if *facet == Facet::Active || Some(*facet) == skip || values.is_empty() {
            continue;
        }
        sql.push(" AND s.id IN (SELECT software_id FROM software_facets WHERE facet = ")
            .bind(facet.as_str())
            .push(" AND value IN (");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(v.clone());
        }
        sql.push("))");
    }
    sql
}

/// The keyset position a cursor encodes: the sort values of the last hit of a page.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: Sort,
    key: CursorKey,
    id: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum CursorKey {
    Number(f64),
    Text(String),
}

fn encode_cursor(cursor: &Cursor) -> String {
    let json = serde_json::to_vec(cursor).unwrap_or_default();
    json.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(text: &str, sort: Sort) -> Result<Cursor, SearchError> {
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
    if cursor.sort != sort {
        return Err(SearchError::BadCursor);
    }
    Ok(cursor)
}

/// Runs `query`.
///
/// # Errors
///
/// Fails on an unknown cursor or a database error.
pub async fn search(db: &DatabaseConnection, query: &Query) -> Result<Results, SearchError> {
    let backend = db.get_database_backend();
    let limit = query.limit.clamp(1, MAX_LIMIT);
    let matched = query.text.as_deref().and_then(|t| text_match(backend, t));
    let sort = match (query.sort, &matched) {
        (Sort::Relevance, None) => Sort::Updated,
        (s, _) => s,
    };

    // The candidate rows: the software table, joined with the text match when there is one.
    // The match is materialized once per statement: left to the planner, SQLite would run the
    // full-text query again for every row of `software`.
    // `CROSS JOIN` keeps SQLite's join order as written: candidates first, then lookups by key.
    let mut with = Sql::default();
    let mut from = Sql::default();
    let mut base_where = Sql::default();
    match &matched {
        Some(m) => {
            with.push("WITH t AS MATERIALIZED (").append(m).push(") ");
            from.push(" FROM t CROSS JOIN software s");
            base_where.push(" WHERE s.id = t.id");
        }
        None => {
            from.push(" FROM software s");
            base_where.push(" WHERE 1 = 1");
        }
    }
    let score = if matched.is_some() {
        "t.score"
    } else {
        "CAST(0.0 AS DOUBLE PRECISION)"
    };

    // The page.
    let mut page = with.clone();
    page.push(
        "SELECT s.id, s.slug, s.name, s.active, s.updated_at, s.vitality, (SELECT o.name FROM organisations o WHERE o.id = s.organisation_id) AS publisher, ",
    )
    .push(score)
    .push(" AS score")
    .append(&from)
    .append(&base_where)
    .append(&conditions(query, None));
    let (key_expr, direction) = match sort {
        Sort::Relevance => (score.to_owned(), "DESC"),
        Sort::Updated => ("s.updated_at".to_owned(), "DESC"),
        Sort::Vitality => ("COALESCE(s.vitality, -1.0)".to_owned(), "DESC"),
        Sort::Name => ("LOWER(s.name)".to_owned(), "ASC"),
    };
    if let Some(after) = &query.after {
        let cursor = decode_cursor(after, sort)?;
        let cmp = if direction == "DESC" { "<" } else { ">" };
        let key = key_value(sort, &cursor.key)?;
        page.push(&format!(" AND ({key_expr} {cmp} "))
            .bind(key.clone());
        page.push(&format!(" OR ({key_expr} = ")).bind(key);
        page.push(" AND s.id > ").bind(cursor.id).push("))");
    }
    page.push(&format!(
        " ORDER BY {key_expr} {direction}, s.id ASC LIMIT "
    ))
    .bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
    let started = std::time::Instant::now();
    let rows = db.query_all_raw(page.statement(backend)).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "search page");
    let mut hits = Vec::with_capacity(rows.len());
    for row in &rows {
        hits.push(Hit {
            id: row.try_get("", "id")?,
            slug: row.try_get("", "slug")?,
            name: row.try_get("", "name")?,
            active: row.try_get("", "active")?,
            publisher: row.try_get("", "publisher")?,
            updated_at: row.try_get("", "updated_at")?,
            vitality: row.try_get("", "vitality")?,
            score: row
                .try_get::<f64>("", "score")
                .or_else(|_| row.try_get::<f32>("", "score").map(f64::from))?,
        });
    }
    let next = if hits.len() as u64 > limit {
        hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        hits.last().map(|last| {
            let key = match sort {
                Sort::Relevance => CursorKey::Number(last.score),
                Sort::Updated => CursorKey::Text(last.updated_at.to_rfc3339()),
                Sort::Vitality => CursorKey::Number(last.vitality.unwrap_or(-1.0)),
                Sort::Name => CursorKey::Text(last.name.to_lowercase()),
            };
            encode_cursor(&Cursor {
                sort,
                key,
                id: last.id,
            })
        })
    } else {
        None
    };

    // The total and every facet count in one statement, so the text match runs once: the
    // facets without a filter of their own share the fully filtered set; each facet that has a
    // filter (and `active`) is counted without that filter, so its other values stay visible.
    let mut counts = with.clone();
    counts
        .push("SELECT 'total' AS facet, '' AS value, COUNT(*) AS n")
        .append(&from)
        .append(&base_where)
        .append(&conditions(query, None));
    let shared: Vec<Facet> = Facet::ALL
        .into_iter()
        .filter(|f| *f != Facet::Active && !query.filters.contains_key(f))
        .collect();
    if !shared.is_empty() {
        counts
            .push(" UNION ALL SELECT sf.facet AS facet, sf.value AS value, COUNT(*) AS n")
            .append(&from)
            .push(" CROSS JOIN software_facets sf")
            .append(&base_where)
            .append(&conditions(query, None))
            .push(" AND sf.software_id = s.id AND sf.facet IN (");
        for (i, facet) in shared.iter().enumerate() {
            if i > 0 {
                counts.push(", ");
            }
            counts.bind(facet.as_str());
        }
        counts.push(") GROUP BY sf.facet, sf.value");
    }
    for facet in query.filters.keys().filter(|f| **f != Facet::Active) {
        counts
            .push(" UNION ALL SELECT sf.facet AS facet, sf.value AS value, COUNT(*) AS n")
            .append(&from)
            .push(" CROSS JOIN software_facets sf")
            .append(&base_where)
            .append(&conditions(query, Some(*facet)))
            .push(" AND sf.software_id = s.id AND sf.facet = ")
            .bind(facet.as_str())
            .push(" GROUP BY sf.facet, sf.value");
    }
    counts
        .push(" UNION ALL SELECT 'active' AS facet, CASE WHEN s.active THEN 'true' ELSE 'false' END AS value, COUNT(*) AS n")
        .append(&from)
        .append(&base_where)
        .append(&conditions(query, Some(Facet::Active)))
        .push(" GROUP BY s.active");
    let started = std::time::Instant::now();
    let rows = db.query_all_raw(counts.statement(backend)).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "search counts");
    let mut total = 0u64;
    let mut facets: BTreeMap<Facet, Vec<(String, u64)>> =
        Facet::ALL.into_iter().map(|f| (f, Vec::new())).collect();
    for row in &rows {
        let facet: String = row.try_get("", "facet")?;
        let value: String = row.try_get("", "value")?;
        let n = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0);
        if facet == "total" {
            total = n;
        } else if let Ok(f) = facet.parse::<Facet>() {
            facets.entry(f).or_default().push((value, n));
        }
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

/// The value a cursor key is compared with, typed as the sort column is.
fn key_value(sort: Sort, key: &CursorKey) -> Result<Value, SearchError> {
    Ok(match (sort, key) {
        (Sort::Updated, CursorKey::Text(t)) => DateTime::parse_from_rfc3339(t)
            .map_err(|_| SearchError::BadCursor)?
            .into(),
        (Sort::Name, CursorKey::Text(t)) => t.clone().into(),
        (Sort::Relevance | Sort::Vitality, CursorKey::Number(n)) => (*n).into(),
        _ => return Err(SearchError::BadCursor),
    })
}
