//! The JSON shapes of `/api/v1`: response types, never entities, each documented in the OpenAPI
//! document. Field names follow the Developers Italia API where the concept is the same (`id`,
//! `url`, `active`, `vitality`, `publiccodeYml`, `createdAt`, `updatedAt`, `data`, `links`);
//! the README lists the mapping.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::crawl_log;
use crate::catalog::entities::{claims, crawl_events, crawl_runs, organisations, used_by};
use crate::catalog::read::{self, SnapshotSummary};
use crate::publiccode::{Claim, ClaimValue, Diagnostic};

/// The error body of every failed request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// A stable code and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`not_found`, `bad_request`, `invalid_cursor`,
    /// `rate_limited`, `too_large`, `unavailable`, `internal`).
    pub code: String,
    /// What went wrong, in English.
    pub message: String,
}

/// Links of a page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    /// The next page, absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One finding about a publiccode.yml file, as `riuso validate --format json` prints it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiagnosticResponse {
    /// `error` or `warning`.
    pub severity: String,
    /// Stable identifier of the rule (`required`, `invalid-value`, ...).
    pub code: String,
    /// Key path, e.g. `description.it.features[2]`; empty for the whole file.
    pub key: String,
    /// 1-based line, 0 when the finding concerns the whole file.
    pub line: u32,
    /// 1-based column, 0 when the finding concerns the whole file.
    pub column: u32,
    /// English message.
    pub message: String,
    /// Another position involved, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<RelatedResponse>,
}

/// A second place a diagnostic refers to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RelatedResponse {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is there.
    pub message: String,
}

impl From<&Diagnostic> for DiagnosticResponse {
    fn from(d: &Diagnostic) -> Self {
        Self {
            severity: d.severity.as_str().to_owned(),
            code: d.code.as_str().to_owned(),
            key: d.key.clone(),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            related: d.related.as_ref().map(|r| RelatedResponse {
                line: r.line,
                column: r.column,
                message: r.message.clone(),
            }),
        }
    }
}

/// What a claim says: a declared yes or no, or an IPA code (`publisher_ipa`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ClaimValueResponse {
    /// A declared yes or no.
    Declared(bool),
    /// An IPA code.
    Ipa(String),
}

/// A normalized compliance claim, with the key it came from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClaimResponse {
    /// `gdpr`, `spid`, `cie`, `anpr`, `pagopa`, `io`, `accessibility`, `interoperability`,
    /// `minimum-security` or `publisher_ipa`.
    pub kind: String,
    /// What it says.
    pub value: ClaimValueResponse,
    /// The key it came from, e.g. `IT.piattaforme.spid`.
    pub source: String,
}

impl From<&Claim> for ClaimResponse {
    fn from(c: &Claim) -> Self {
        Self {
            kind: c.kind.as_str().to_owned(),
            value: match &c.value {
                ClaimValue::Declared(yes) => ClaimValueResponse::Declared(*yes),
                ClaimValue::Ipa(code) => ClaimValueResponse::Ipa(code.clone()),
            },
            source: c.source.clone(),
        }
    }
}

impl From<claims::Model> for ClaimResponse {
    fn from(c: claims::Model) -> Self {
        let value = match c.value.as_str() {
            "true" => ClaimValueResponse::Declared(true),
            "false" => ClaimValueResponse::Declared(false),
            _ => ClaimValueResponse::Ipa(c.value),
        };
        Self {
            kind: c.kind,
            value,
            source: c.source_key,
        }
    }
}

/// `POST /api/v1/validate`: one file's verdict, as in `riuso validate --format json`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidationResponse {
    /// Whether the file is valid (warnings allowed).
    pub valid: bool,
    /// `publiccodeYmlVersion` as declared, when it could be read.
    pub publiccode_yml_version: Option<String>,
    /// Normalized claims of a valid file (empty for an invalid one).
    pub claims: Vec<ClaimResponse>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<DiagnosticResponse>,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SoftwareHit {
    /// Entry id.
    pub id: i64,
    /// Slug: the entry's stable address, from its repository URL.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Repository URL (Developers Italia: `url`).
    pub url: String,
    /// Whether the entry is active.
    pub active: bool,
    /// Publisher name, if known.
    pub publisher: Option<String>,
    /// Whether the publisher is verified: the source the entry was crawled from belongs to that
    /// administration (`publishers.yml` `ipa`). `false`: claimed by the file, not verified.
    pub publisher_verified: bool,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// Vitality index (0-100), if computed.
    pub vitality: Option<f64>,
    /// Text relevance (higher is better; 0 without text).
    pub score: f64,
}

/// A facet value and how many entries have it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    /// The value, as used in the filter of the same name.
    pub value: String,
    /// Matching entries.
    pub count: u64,
}

/// `GET /api/v1/software`: a page of results, their total and the facet counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct SoftwareList {
    /// The entries of this page.
    pub data: Vec<SoftwareHit>,
    /// How many entries match in all.
    pub total: u64,
    /// Counts per facet value, each facet counted with the other filters applied.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// The next page.
    pub links: Links,
}

/// The publisher of an entry, in brief.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationRef {
    /// Organisation id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// IPA code (Developers Italia: `alternativeId`).
    pub ipa_code: Option<String>,
}

impl From<&organisations::Model> for OrganisationRef {
    fn from(o: &organisations::Model) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            ipa_code: o.ipa_code.clone(),
        }
    }
}

/// A snapshot: one distinct publiccode.yml seen for an entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotResponse {
    /// Snapshot id.
    pub id: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// The commit the file was read at.
    pub commit: Option<String>,
    /// When it was fetched.
    pub fetched_at: DateTime<FixedOffset>,
    /// `publiccodeYmlVersion` as declared.
    pub publiccode_yml_version: Option<String>,
    /// Whether the file passed validation.
    pub valid: bool,
}

impl From<SnapshotSummary> for SnapshotResponse {
    fn from(s: SnapshotSummary) -> Self {
        Self {
            id: s.id,
            sha256: s.sha256,
            commit: s.commit_sha,
            fetched_at: s.fetched_at,
            publiccode_yml_version: s.declared_version,
            valid: s.valid,
        }
    }
}

/// A `usedBy` name, with the IPA code matched to it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsedByResponse {
    /// The name as written.
    pub name: String,
    /// The administration's IPA code, when one matched.
    pub ipa_code: Option<String>,
}

impl From<used_by::Model> for UsedByResponse {
    fn from(u: used_by::Model) -> Self {
        Self {
            name: u.name,
            ipa_code: u.ipa_code,
        }
    }
}

/// The current snapshot of an entry, with what was derived from it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrentSnapshotResponse {
    /// The snapshot.
    #[serde(flatten)]
    pub snapshot: SnapshotResponse,
    /// The file as fetched (Developers Italia: `publiccodeYml`; here the original bytes, not a
    /// re-serialisation).
    pub publiccode_yml: String,
    /// The file normalized to the latest standard, as JSON; absent when it is invalid.
    #[schema(value_type = Option<Object>)]
    pub publiccode: Option<serde_json::Value>,
    /// Normalized compliance claims.
    pub claims: Vec<ClaimResponse>,
    /// `usedBy`, with IPA codes.
    pub used_by: Vec<UsedByResponse>,
    /// Errors (invalid file) or warnings (valid file).
    pub diagnostics: Vec<DiagnosticResponse>,
}

/// The invalid file an entry's repository holds now: beside the last valid one, which stays
/// current through the grace, or the current one of an entry that never had a valid file.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvalidFileResponse {
    /// Since when the repository's file is invalid.
    pub since: DateTime<FixedOffset>,
    /// The latest invalid file.
    pub snapshot: SnapshotResponse,
    /// Its errors and warnings.
    pub diagnostics: Vec<DiagnosticResponse>,
}

/// `GET /api/v1/software/{id}`: one entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SoftwareResponse {
    /// Entry id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Repository URL (Developers Italia: `url`).
    pub url: String,
    /// Whether the entry is active (listed by default).
    pub active: bool,
    /// Why an administrator deactivated it, if one did (sticky: crawls never undo it).
    pub deactivation_reason: Option<String>,
    /// Vitality index (0-100), if computed.
    pub vitality: Option<f64>,
    /// The daily scores (0-100) the vitality index is the mean of, oldest first, one per day of
    /// its window (Developers Italia: `vitality`, there as comma-separated text); empty when
    /// the index was never computed.
    #[schema(schema_with = vitality_series_schema)]
    pub vitality_series: Vec<u8>,
    /// The publisher, when known.
    pub publisher: Option<OrganisationRef>,
    /// Whether the publisher is verified: the source the entry was crawled from belongs to that
    /// administration (`publishers.yml` `ipa`), which then owns the entry. `false`: claimed by
    /// the file, not verified (no publisher is never verified).
    pub publisher_verified: bool,
    /// When the entry was first seen.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// The current snapshot.
    pub current: Option<CurrentSnapshotResponse>,
    /// Snapshots seen, most recent first (at most 100).
    pub history: Vec<SnapshotResponse>,
    /// The invalid file the repository holds now, if it holds one (`RIUSO_INVALID_GRACE_DAYS`:
    /// an entry that was valid stays active with its last valid file for that many days).
    pub invalid: Option<InvalidFileResponse>,
}

/// `vitalitySeries`: an array of integers 0–100 (utoipa would give a `u8` no upper bound).
fn vitality_series_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(100)),
        )
        .description(Some(
            "The daily scores (0-100) the vitality index is the mean of, oldest first, one per \
             day of its window (Developers Italia: `vitality`, there as comma-separated text); \
             empty when the index was never computed.",
        ))
        .build()
}

impl SoftwareResponse {
    /// Maps the catalog's view of one entry.
    pub fn new(detail: read::SoftwareDetail) -> Self {
        let read::SoftwareDetail {
            software,
            repository,
            organisation,
            current,
            history,
            invalid,
        } = detail;
        let invalid = invalid.map(|i| InvalidFileResponse {
            since: i.since,
            diagnostics: i.diagnostics().iter().map(Into::into).collect(),
            snapshot: SnapshotResponse {
                id: i.snapshot.id,
                sha256: i.snapshot.sha256,
                commit: i.snapshot.commit_sha,
                fetched_at: i.snapshot.fetched_at,
                publiccode_yml_version: i.snapshot.declared_version,
                valid: i.snapshot.valid,
            },
        });
        let current = current.map(|c| {
            let diagnostics = c.diagnostics().iter().map(Into::into).collect();
            let publiccode = c.document_json();
            CurrentSnapshotResponse {
                snapshot: SnapshotResponse {
                    id: c.snapshot.id,
                    sha256: c.snapshot.sha256,
                    commit: c.snapshot.commit_sha,
                    fetched_at: c.snapshot.fetched_at,
                    publiccode_yml_version: c.snapshot.declared_version,
                    valid: c.snapshot.valid,
                },
                publiccode_yml: String::from_utf8_lossy(&c.snapshot.raw).into_owned(),
                publiccode,
                claims: c.claims.into_iter().map(ClaimResponse::from).collect(),
                used_by: c.used_by.into_iter().map(UsedByResponse::from).collect(),
                diagnostics,
            }
        });
        let vitality_series = software.vitality_series();
        Self {
            id: software.id,
            slug: software.slug,
            name: software.name,
            url: repository.url,
            active: software.active,
            deactivation_reason: software.deactivation_reason,
            vitality: software.vitality,
            vitality_series,
            publisher: organisation.as_ref().map(OrganisationRef::from),
            publisher_verified: software.publisher_verified,
            created_at: software.created_at,
            updated_at: software.updated_at,
            current,
            history: history.into_iter().map(SnapshotResponse::from).collect(),
            invalid,
        }
    }
}

/// An organisation: a publisher or a reuser.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationResponse {
    /// Organisation id.
    pub id: i64,
    /// Name (Developers Italia: `description`).
    pub name: String,
    /// IPA code, lower case (Developers Italia: `alternativeId`).
    pub ipa_code: Option<String>,
    /// `pa` for a public administration, when known.
    pub kind: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Active entries it publishes.
    pub software_count: u64,
    /// When it was first seen.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
}

impl From<read::OrganisationSummary> for OrganisationResponse {
    fn from(o: read::OrganisationSummary) -> Self {
        let read::OrganisationSummary {
            organisation: org,
            software_count,
        } = o;
        Self {
            id: org.id,
            name: org.name,
            ipa_code: org.ipa_code,
            kind: org.kind,
            website: org.website,
            software_count,
            created_at: org.created_at,
            updated_at: org.updated_at,
        }
    }
}

/// `GET /api/v1/organisations`: a page of organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationList {
    /// The organisations of this page, in id order.
    pub data: Vec<OrganisationResponse>,
    /// The next page.
    pub links: Links,
}

/// An entry as listed under its publisher.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SoftwareBrief {
    /// Entry id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Repository URL.
    pub url: String,
    /// Whether the entry is active.
    pub active: bool,
    /// Whether the organisation is its verified publisher (see `SoftwareResponse`); `false`:
    /// the entry's file only claims it.
    pub publisher_verified: bool,
    /// Vitality index (0-100), if computed.
    pub vitality: Option<f64>,
    /// When the entry was first seen.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
}

impl From<read::SoftwareSummary> for SoftwareBrief {
    fn from(s: read::SoftwareSummary) -> Self {
        Self {
            id: s.software.id,
            slug: s.software.slug,
            name: s.software.name,
            url: s.repository_url,
            active: s.software.active,
            publisher_verified: s.software.publisher_verified,
            vitality: s.software.vitality,
            created_at: s.software.created_at,
            updated_at: s.software.updated_at,
        }
    }
}

/// `GET /api/v1/organisations/{code}/software`: a page of an organisation's active entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct SoftwareBriefList {
    /// The entries of this page, in id order.
    pub data: Vec<SoftwareBrief>,
    /// The next page.
    pub links: Links,
}

/// `GET /api/v1/stats`: counts over the whole catalog.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsResponse {
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
    /// Active entries per value of `status`, `type`, `maintenance`, `claim`, `licence` and
    /// `scope`, most frequent first.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

impl From<read::Stats> for StatsResponse {
    fn from(s: read::Stats) -> Self {
        Self {
            software: s.software,
            active: s.active,
            organisations: s.organisations,
            public_administrations: s.public_administrations,
            snapshots: s.snapshots,
            invalid_snapshots: s.invalid_snapshots,
            crawl_runs: s.crawl_runs,
            facets: facet_counts(s.facets),
        }
    }
}

/// Facet counts as `{facet: [{value, count}]}`, most frequent first, ties by value.
pub fn facet_counts(
    facets: impl IntoIterator<Item = (String, Vec<(String, u64)>)>,
) -> BTreeMap<String, Vec<FacetCount>> {
    facets
        .into_iter()
        .map(|(facet, mut counts)| {
            // Most frequent first, ties by value: the order is part of the contract.
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (
                facet,
                counts
                    .into_iter()
                    .map(|(value, count)| FacetCount { value, count })
                    .collect(),
            )
        })
        .collect()
}

/// A crawl run: what one crawl found.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrawlRunResponse {
    /// Run id.
    pub id: i64,
    /// What started it (`schedule`, `manual`, `webhook`, ...).
    pub trigger: String,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// Counters of the run (repositories seen, new, updated, invalid, failed, ...).
    #[schema(value_type = Object)]
    pub stats: serde_json::Value,
    /// When it started.
    pub started_at: DateTime<FixedOffset>,
    /// When it ended.
    pub finished_at: Option<DateTime<FixedOffset>>,
}

impl From<crawl_runs::Model> for CrawlRunResponse {
    fn from(r: crawl_runs::Model) -> Self {
        let stats = serde_json::Value::Object(crawl_log::stored_counts(&r));
        Self {
            id: r.id,
            trigger: r.trigger,
            status: r.status,
            stats,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// `GET /api/v1/crawls`: a page of crawl runs, most recent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CrawlRunList {
    /// The runs of this page.
    pub data: Vec<CrawlRunResponse>,
    /// The next (older) page.
    pub links: Links,
}

/// What a crawl did with one repository (Developers Italia: a log entry).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrawlEventResponse {
    /// Event id.
    pub id: i64,
    /// The run it belongs to.
    pub crawl_run_id: Option<i64>,
    /// The repository concerned.
    pub repository_id: Option<i64>,
    /// The catalog entry concerned.
    pub software_id: Option<i64>,
    /// `new`, `updated`, `unchanged`, `invalid`, `skipped`, `failed`, ...
    pub outcome: String,
    /// Why, in English.
    pub message: String,
    /// When (Developers Italia: `createdAt`).
    pub at: DateTime<FixedOffset>,
}

impl From<crawl_events::Model> for CrawlEventResponse {
    fn from(e: crawl_events::Model) -> Self {
        Self {
            id: e.id,
            crawl_run_id: e.crawl_run_id,
            repository_id: e.repository_id,
            software_id: e.software_id,
            outcome: e.outcome,
            message: e.message,
            at: e.at,
        }
    }
}

/// `GET /api/v1/crawls/{id}/events`: a page of a run's events, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct CrawlEventList {
    /// The events of this page.
    pub data: Vec<CrawlEventResponse>,
    /// The next page.
    pub links: Links,
}

/// A reuse declaration: an administration says, through a verified member, that it uses the
/// software (Annex D of the AgID guidelines). Withdrawn declarations are not listed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationResponse {
    /// The declaration's id.
    pub id: i64,
    /// The declaring administration's IPA code.
    pub ipa_code: Option<String>,
    /// Its name.
    pub organisation: String,
    /// `declared`, `notified` (the owner was sent the Annex D issue) or `acknowledged` (the
    /// owner lists the administration in `usedBy`, or confirmed it).
    pub status: String,
    /// How it was acknowledged: `crawl` or `owner`.
    pub acknowledged_via: Option<String>,
    /// Version or commit in use.
    pub version: String,
    /// In use since (a date).
    pub since: chrono::NaiveDate,
    /// Whether the administration modified the software.
    pub modified: bool,
    /// The modified variant's repository, if any.
    pub variant_url: Option<String>,
    /// A public note.
    pub note: String,
    /// The Annex D issue on the owner's repository, once recorded.
    pub issue_url: Option<String>,
    /// Always true: only members confirmed by their administration can declare.
    pub verified: bool,
    /// When it was declared.
    pub declared_at: chrono::DateTime<chrono::FixedOffset>,
}

/// The declarations of one software.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationList {
    /// Acknowledged first, then by date.
    pub data: Vec<DeclarationResponse>,
}

impl From<&crate::community::declarations::Declaration> for DeclarationResponse {
    fn from(d: &crate::community::declarations::Declaration) -> Self {
        Self {
            id: d.row.id,
            ipa_code: d.organisation.ipa_code.clone(),
            organisation: d.organisation.name.clone(),
            status: d.status.as_str().to_owned(),
            acknowledged_via: d.row.acknowledged_via.clone(),
            version: d.row.version.clone(),
            since: d.row.since,
            modified: d.row.modified,
            variant_url: d.row.variant_url.clone(),
            note: d.row.note.clone(),
            issue_url: d.row.issue_url.clone(),
            verified: true,
            declared_at: d.row.created_at,
        }
    }
}

/// A text in both languages of the site.
#[derive(Debug, Serialize, ToSchema)]
pub struct Localized {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

/// One rule of the compliance rule set.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleResponse {
    /// Stable id, e.g. `licence.osi`.
    pub id: String,
    /// `error` (a requirement), `warning` (a recommendation) or `info`.
    pub severity: String,
    /// The section of the AgID guidelines it enforces, e.g. `§2.4, §5.3`.
    pub section: String,
    /// What it checks.
    pub description: Localized,
    /// How to fix a failure.
    pub fix: Localized,
}

/// The compliance rule set.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleList {
    /// The rule set's version; every stored result names the version that judged it.
    pub ruleset_version: u32,
    /// Every rule, in the order they run.
    pub data: Vec<RuleResponse>,
}

/// What one rule said of a snapshot.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleResultResponse {
    /// The rule's id.
    pub rule: String,
    /// `pass`, `fail`, `not-applicable` or `unknown` (a fact was not at hand yet).
    pub outcome: String,
    /// The rule's severity.
    pub severity: String,
    /// The guideline section.
    pub section: String,
    /// The key path (`legal.license`) or repository fact (`files:LICENSE`) it looked at.
    pub key_path: String,
    /// What it saw, in English.
    pub evidence: String,
}

/// One finding of a recorded outcome.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingResponse {
    /// A rule id, or a checklist item (`ownership`, `copyright-holder`, ...).
    pub subject: String,
    /// The guideline section.
    pub section: String,
    /// The key path or fact.
    pub key_path: String,
    /// What is wrong.
    pub message: String,
    /// The fix requested.
    pub fix: String,
}

/// The outcome a reviewer recorded.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeResponse {
    /// `compliant`, `compliant-with-remarks` or `non-compliant`.
    pub outcome: String,
    /// The snapshot judged.
    pub snapshot_id: Option<i64>,
    /// When it was recorded.
    pub recorded_at: DateTime<FixedOffset>,
    /// The findings, with the fixes requested.
    pub findings: Vec<FindingResponse>,
    /// When the fixes are due (non-compliant outcomes).
    pub deadline: Option<chrono::NaiveDate>,
}

/// One move of a review, its public part.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewEventResponse {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// `auto-check`, `changed`, `claim`, `assign`, `release`, `record` or `deactivate`.
    pub transition: String,
    /// `system`, `reviewer` or `admin`.
    pub role: String,
    /// The state it left.
    pub from: String,
    /// The state it reached.
    pub to: String,
    /// The snapshot it concerns, if any.
    pub snapshot_id: Option<i64>,
}

/// An entry's compliance: the latest automatic checks and the review.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewResponse {
    /// Entry id.
    pub id: i64,
    /// Entry slug.
    pub slug: String,
    /// Entry name.
    pub name: String,
    /// The review's state: `discovered`, `auto-checked`, `under-review`, `compliant`,
    /// `compliant-with-remarks`, `non-compliant` or `deactivated`.
    pub state: String,
    /// The current snapshot.
    pub snapshot_id: i64,
    /// The snapshot the latest checks judged (absent before the first check).
    pub checked_snapshot_id: Option<i64>,
    /// The rule set's version that judged it.
    pub ruleset_version: Option<i32>,
    /// When the latest checks ran.
    pub checked_at: Option<DateTime<FixedOffset>>,
    /// The latest checks, in rule order.
    pub results: Vec<RuleResultResponse>,
    /// The latest outcome, unless a changed file or licence undid it.
    pub outcome: Option<OutcomeResponse>,
    /// Every move of the review, oldest first.
    pub events: Vec<ReviewEventResponse>,
}

/// One entry of the reviewers' queue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntryResponse {
    /// Entry id.
    pub id: i64,
    /// Entry slug.
    pub slug: String,
    /// Entry name.
    pub name: String,
    /// Whether it is in the public catalog.
    pub active: bool,
    /// The publisher's name.
    pub publisher: Option<String>,
    /// The publisher's IPA code.
    pub publisher_ipa_code: Option<String>,
    /// The review's state.
    pub state: String,
    /// Since when it is in that state.
    pub since: DateTime<FixedOffset>,
    /// The reviewer who has it, while under review (user id).
    pub assignee: Option<i64>,
    /// The reviewer's name.
    pub assignee_name: Option<String>,
    /// The rules that failed in its latest check (errors and warnings).
    pub failed_rules: Vec<String>,
}

/// A page of the reviewers' queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueList {
    /// The entries, by id.
    pub data: Vec<QueueEntryResponse>,
    /// The next page.
    pub links: Links,
}

/// A catalog entry of a community.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunitySoftwareResponse {
    /// Entry id.
    pub id: i64,
    /// Entry slug.
    pub slug: String,
    /// Entry name.
    pub name: String,
}

/// A community: its public face (a members-only community's name, description and counts are
/// public; its threads and members are not).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommunityResponse {
    /// Community id.
    pub id: i64,
    /// Its address on the site, `/communities/{slug}`.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// `solution` (around catalog entries) or `practice`.
    pub kind: String,
    /// `public` (anyone reads) or `members` (members only).
    pub visibility: String,
    /// `open` or `approval` (a coordinator approves who joins).
    pub join_policy: String,
    /// Its description, Markdown as written.
    pub description: String,
    /// Active members, people and administrations.
    pub members: u64,
    /// Threads.
    pub threads: u64,
    /// The catalog entries it gathers around.
    pub software: Vec<CommunitySoftwareResponse>,
    /// When it was opened.
    pub created_at: DateTime<FixedOffset>,
}

/// A page of communities.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityList {
    /// The communities, by id.
    pub data: Vec<CommunityResponse>,
    /// The next page.
    pub links: Links,
}

/// A member of a community.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommunityMemberResponse {
    /// `person` or `organisation`.
    pub kind: String,
    /// The person's display name, or the administration's name.
    pub name: String,
    /// A person's `@handle` in the community.
    pub handle: Option<String>,
    /// An administration's IPA code.
    pub ipa_code: Option<String>,
    /// `observer`, `member`, `maintainer` or `coordinator`.
    pub role: String,
}

/// A community with its members (for those who may read it).
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityDetailResponse {
    /// The community.
    pub community: CommunityResponse,
    /// Its active members; absent for a members-only community the client is not a member of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<CommunityMemberResponse>>,
}

/// A thread.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadResponse {
    /// Thread id.
    pub id: i64,
    /// Its community's slug.
    pub community: String,
    /// `discussion`, `question`, `announcement` or `release`.
    pub kind: String,
    /// Its title (a release thread's is the version).
    pub title: String,
    /// Who started it; absent for a release a crawl saw.
    pub author: Option<String>,
    /// First in its community's list.
    pub pinned: bool,
    /// No more replies.
    pub locked: bool,
    /// A question's accepted answer (post id).
    pub accepted_post_id: Option<i64>,
    /// Posts.
    pub post_count: i64,
    /// The release of a release thread.
    pub release_id: Option<i64>,
    /// When it was started.
    pub created_at: DateTime<FixedOffset>,
    /// Its latest post.
    pub last_post_at: DateTime<FixedOffset>,
}

/// A page of threads.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadList {
    /// The threads, the newest first.
    pub data: Vec<ThreadResponse>,
    /// The next page.
    pub links: Links,
}

/// A post.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostResponse {
    /// Post id.
    pub id: i64,
    /// Its thread.
    pub thread_id: i64,
    /// Who wrote it ("former member" once the account is deleted).
    pub author: String,
    /// When.
    pub created_at: DateTime<FixedOffset>,
    /// When it was last edited.
    pub edited_at: Option<DateTime<FixedOffset>>,
    /// Deleted by its author or a moderator: no text.
    pub deleted: bool,
    /// Hidden by a moderator or by reports: no text.
    pub hidden: bool,
    /// Why a moderator hid it.
    pub hidden_reason: Option<String>,
    /// The text, Markdown as written.
    pub body: Option<String>,
    /// The text as sanitised HTML, mentions linked.
    pub html: Option<String>,
}

/// A page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    /// The posts, the oldest first.
    pub data: Vec<PostResponse>,
    /// The next page.
    pub links: Links,
}

/// What an administration says of a release.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdoptionResponse {
    /// `upgraded`, `testing` or `staying`.
    pub status: String,
    /// The version it stays on.
    pub staying_on: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// When it said so.
    pub updated_at: DateTime<FixedOffset>,
}

/// A release of a catalog entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseResponse {
    /// Release id.
    pub id: i64,
    /// The entry.
    pub software_id: i64,
    /// The version (`softwareVersion`, else the release date).
    pub version: String,
    /// `planned`, `candidate` or `released`.
    pub status: String,
    /// When it was released.
    pub release_date: Option<chrono::NaiveDate>,
    /// When a planned release is due.
    pub target_date: Option<chrono::NaiveDate>,
    /// Its notes, Markdown.
    pub notes: String,
    /// `crawl` (seen in the publiccode.yml) or `plan` (a coordinator's).
    pub source: String,
    /// Its thread.
    pub thread_id: Option<i64>,
}

/// One administration's line of the adoption matrix.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRowResponse {
    /// Its IPA code.
    pub ipa_code: Option<String>,
    /// Its name.
    pub name: String,
    /// The version its reuse declaration names.
    pub declared_version: Option<String>,
    /// What it said of each release, in the order of `releases` (null: nothing).
    pub adoptions: Vec<Option<AdoptionResponse>>,
}

/// Who runs what: an entry's latest releases (the newest first) and, for each administration
/// that declared reusing it, what it said of each.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixResponse {
    /// The entry.
    pub software: CommunitySoftwareResponse,
    /// Its latest releases.
    pub releases: Vec<ReleaseResponse>,
    /// The administrations, by name.
    pub rows: Vec<MatrixRowResponse>,
}

/// The administration a reuse case belongs to.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseAdministrationResponse {
    /// Its IPA code.
    pub ipa_code: Option<String>,
    /// Its name.
    pub name: String,
}

/// A reuse case (an art. 68 comparative evaluation) in a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummaryResponse {
    /// Case id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The administration.
    pub administration: CaseAdministrationResponse,
    /// Its state (`opened`, `needs-defined`, `searching-pa-reuse`, … `closed`, `withdrawn`,
    /// `not-applicable`).
    pub state: String,
    /// Whether anyone may read it.
    pub published: bool,
    /// When it last moved.
    pub updated_at: DateTime<FixedOffset>,
}

/// A page of reuse cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// The cases, newest first.
    pub data: Vec<CaseSummaryResponse>,
    /// The next page.
    pub links: Links,
}

/// One candidate's evaluation against the needs, with the guards' values.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseCandidateResponse {
    /// `pa-reuse` or `open-source`.
    pub phase: String,
    /// The catalog entry's id.
    pub software_id: i64,
    /// Its name when evaluated.
    pub name: String,
    /// The snapshot the evaluation was based on.
    pub snapshot_id: i64,
    /// When it was evaluated.
    pub evaluated_at: DateTime<FixedOffset>,
    /// The estimated total cost of ownership, in euros.
    pub s_tco: u64,
    /// The budget, in euros.
    pub t_bilancio: u64,
    /// `S_TCO < T_bilancio`.
    pub within_budget: bool,
    /// Days to production.
    pub s_tempi: u32,
    /// The acceptable days to production.
    pub t_tempi: u32,
    /// `S_tempi < T_tempi`.
    pub within_time: bool,
    /// Every guard holds.
    pub eligible: bool,
}

/// The decision of a reuse case.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDecisionResponse {
    /// `pa-reuse`, `open-source`, `proprietary` or `ex-novo`.
    pub kind: String,
    /// The catalog entry chosen, for reuse and open source.
    pub software_id: Option<i64>,
    /// Its version or commit.
    pub version: Option<String>,
    /// The proprietary product chosen.
    pub product: Option<String>,
    /// Why.
    pub motivation: String,
    /// `saas` or `cloud-iaas`.
    pub delivery: String,
    /// When the comparative evaluation was concluded.
    pub concluded_at: Option<DateTime<FixedOffset>>,
    /// The obligations that follow (Annex E), by name.
    pub obligations: Vec<String>,
}

/// A document attached to a move of a case.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDocumentResponse {
    /// Its file name.
    pub name: String,
    /// Its SHA-256, in hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One move of a reuse case.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseEventResponse {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// The transition (`open`, `define-needs`, `search`, `evaluate`, `select`, …).
    pub transition: String,
    /// The state it left.
    pub from: String,
    /// The state it reached.
    pub to: String,
    /// The IPA code acted for.
    pub ipa_code: String,
    /// The documents attached.
    pub documents: Vec<CaseDocumentResponse>,
}

/// A reuse case: its state, its candidates against the guards, its decision and every move.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseResponse {
    /// Case id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The administration.
    pub administration: CaseAdministrationResponse,
    /// Its state.
    pub state: String,
    /// Whether anyone may read it.
    pub published: bool,
    /// The budget `T_bilancio`, in euros, once the needs are defined.
    pub budget: Option<u64>,
    /// The acceptable days to production `T_tempi`.
    pub days: Option<u32>,
    /// The requirements of the needs document.
    pub requirements: Vec<String>,
    /// Each evaluated candidate.
    pub candidates: Vec<CaseCandidateResponse>,
    /// The decision, once taken.
    pub decision: Option<CaseDecisionResponse>,
    /// The reuse declaration made from the case.
    pub declaration_id: Option<i64>,
    /// Every move, oldest first.
    pub events: Vec<CaseEventResponse>,
}

/// A post that matched a search of the communities.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostHitResponse {
    /// Post id.
    pub id: i64,
    /// Its thread.
    pub thread_id: i64,
    /// The thread's title.
    pub thread_title: String,
    /// The community's slug.
    pub community: String,
    /// The community's name.
    pub community_name: String,
    /// Plain text of the post around the first word that matched (Markdown as written).
    pub excerpt: String,
    /// When the post was written.
    pub created_at: DateTime<FixedOffset>,
}

/// A page of posts that matched a search, the best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostHitList {
    /// The posts.
    pub data: Vec<PostHitResponse>,
    /// How many posts match in all.
    pub total: u64,
    /// The next page.
    pub links: Links,
}
