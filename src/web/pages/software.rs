//! `GET /software/{slug}` (one solution: its localized description, facts, compliance claims,
//! declared users, vitality chart, history, diagnostics and crawl status; while its
//! repository's file is invalid, a banner at the top with that file's diagnostics, each linked
//! to its line of the file listed on the page) and
//! `GET /software/{slug}/diff` (what changed between two snapshots of its publiccode.yml).

use askama::Template;
use axum::response::Response;
use sea_orm::TransactionTrait as _;
use similar::{ChangeTag, TextDiff};

use super::source::{self, DiagnosticView, FileLine};
use crate::app::AppState;
use crate::catalog::browse::{self, SnapshotFile};
use crate::catalog::entities::crawl_events;
use crate::catalog::read::{self, SoftwareDetail};
use crate::community::authz::{self, Action, Actor};
use crate::i18n::Lang;
use crate::links::{Link, SafeHref};
use crate::publiccode::PublicCode;
use crate::web::error::AppError;
use crate::web::extract::{Key, Path};
use crate::web::limits::CpuJobs;
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};
use crate::web::session::Viewer;

mod chart;

/// Crawl events shown on the page.
const EVENTS: u64 = 5;

/// A compliance claim as shown.
pub struct ClaimView {
    label: String,
    value: String,
    source: String,
}

/// An administration that declares using the solution.
pub struct UserView {
    /// Its name: the IPA registry's when the code is known there, else as the file gives it.
    name: String,
    ipa_code: Option<String>,
}

/// Users listed before "show all".
const USERS_SHOWN: usize = 10;

/// A snapshot in the history table.
pub struct HistoryRow {
    id: i64,
    date: String,
    commit: Option<String>,
    /// `softwareVersion` of that file.
    software_version: Option<String>,
    /// `publiccodeYmlVersion` of that file.
    version: Option<String>,
    valid: bool,
}

impl HistoryRow {
    fn of(h: read::SnapshotSummary) -> Self {
        Self {
            id: h.id,
            date: h.fetched_at.format("%Y-%m-%d %H:%M").to_string(),
            commit: h.commit_sha.map(|c| c.chars().take(10).collect()),
            software_version: h.software_version,
            version: h.declared_version,
            valid: h.valid,
        }
    }
}

/// The date of the repository's last change as its forge reported it (GitHub's `pushed_at`,
/// GitLab's `last_activity_at`, Gitea's `updated_at`, or an HTTP `Last-Modified`), as
/// `YYYY-MM-DD`; nothing when the forge gave none.
#[must_use]
pub fn repository_changed(
    repository: &crate::catalog::entities::repositories::Model,
) -> Option<String> {
    let raw = repository.last_modified.as_deref()?.trim();
    chrono::DateTime::parse_from_rfc3339(raw)
        .or_else(|_| chrono::DateTime::parse_from_rfc2822(raw))
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// The invalid file the repository holds, at the top of the page and listed line by line.
pub struct InvalidView {
    /// `publiccode.yml invalid since` and the date.
    title: String,
    /// What it means for the entry: kept through its grace, deactivated, never valid.
    note: String,
    /// Its diagnostics, linking to its lines (`L<n>`).
    diagnostics: Vec<DiagnosticView>,
    /// When and at which commit it was read.
    read: String,
    lines: Vec<FileLine>,
    /// How many of its lines are not listed, when some are not.
    omitted: Option<String>,
}

/// The anchors of the lines of the invalid file: `L12`.
const INVALID_LINE: &str = "L";

/// The anchors of the lines of the current file: `current-L12`.
const CURRENT_LINE: &str = "current-L";

impl InvalidView {
    /// The view of `invalid`, the file of an entry whose current file is `current_valid` or not
    /// (never valid), `active` or not, deactivated by hand or not, with a grace of `grace_days`.
    fn of(
        lang: Lang,
        invalid: &read::InvalidFile,
        current_valid: bool,
        software: &crate::catalog::entities::software::Model,
        grace_days: u32,
    ) -> Self {
        let since = invalid.since.format("%Y-%m-%d").to_string();
        let note = if !current_valid {
            lang.t("software.invalid_never").to_owned()
        } else if software.active {
            let until = invalid.since + chrono::TimeDelta::days(i64::from(grace_days));
            lang.tf(
                "software.invalid_grace",
                &[("date", &until.format("%Y-%m-%d"))],
            )
        } else if software.deactivated_manually {
            lang.t("software.invalid_kept").to_owned()
        } else {
            lang.tf("software.invalid_deactivated", &[("days", &grace_days)])
        };
        let all = invalid.diagnostics();
        let text = String::from_utf8_lossy(&invalid.snapshot.raw);
        let listing = source::listing(&text, &all, &all, source::MAX_LINES);
        let left_out = u64::try_from(listing.omitted).unwrap_or(u64::MAX);
        let commit = invalid
            .snapshot
            .commit_sha
            .as_ref()
            .map(|c| format!(" · {}", c.chars().take(10).collect::<String>()))
            .unwrap_or_default();
        Self {
            title: lang.tf("software.invalid_since", &[("date", &since)]),
            note,
            diagnostics: all
                .iter()
                .map(|d| DiagnosticView::of(lang, d, INVALID_LINE))
                .collect(),
            read: format!(
                "{}{commit}",
                lang.tf(
                    "software.invalid_read",
                    &[(
                        "date",
                        &invalid.snapshot.fetched_at.format("%Y-%m-%d %H:%M")
                    )]
                )
            ),
            lines: listing.lines,
            omitted: (listing.omitted > 0)
                .then(|| lang.tf("validator.lines_omitted", &[("n", &left_out)])),
        }
    }
}

/// A crawl event as shown.
pub struct EventView {
    date: String,
    outcome: String,
    message: String,
}

/// A maintainer or contact.
pub struct PersonView {
    name: String,
    /// A contractor whose contract ended before today.
    expired: bool,
    /// Their details (affiliation, website, e-mail, phone), each a link when it is a safe one.
    detail: Vec<Link>,
}

/// The parts of the current file the page shows.
pub struct DocumentView {
    localised_name: Option<String>,
    generic_name: Option<String>,
    short_description: String,
    /// The long description as sanitised HTML ([`crate::untrusted::markdown`]).
    long_description: String,
    features: Vec<String>,
    /// Screenshots embedded in the page: https images only.
    screenshots: Vec<SafeHref>,
    videos: Vec<Link>,
    /// The language the description is shown in, when it is not the page's.
    description_lang: Option<String>,
    platforms: Vec<String>,
    categories: Vec<String>,
    scopes: Vec<String>,
    licence: String,
    status: String,
    software_type: String,
    version: Option<String>,
    release_date: Option<String>,
    maintenance: String,
    contractors: Vec<PersonView>,
    contacts: Vec<PersonView>,
    languages: Vec<String>,
    countries: Vec<String>,
    proprietary: Vec<String>,
    open_dependencies: Vec<String>,
    landing_url: Option<Link>,
    documentation: Option<Link>,
    api_documentation: Option<Link>,
    roadmap: Option<Link>,
    is_based_on: Vec<Link>,
}

impl DocumentView {
    fn of(lang: Lang, doc: PublicCode) -> Self {
        let today = chrono::Utc::now().date_naive();
        let (desc_lang, description) = pick_description(lang, &doc);
        let description = description.cloned().unwrap_or_default();
        let dep = |d: &crate::publiccode::Dependency| match &d.version {
            Some(v) => format!("{} {v}", d.name),
            None => d.name.clone(),
        };
        Self {
            localised_name: description
                .localised_name
                .clone()
                .filter(|l| !same_name(l, &doc.name)),
            generic_name: description.generic_name.clone().filter(|g| {
                !same_name(g, &doc.name)
                    && !description
                        .localised_name
                        .as_deref()
                        .is_some_and(|l| same_name(g, l))
            }),
            short_description: description.short_description.clone(),
            long_description: crate::untrusted::markdown(&description.long_description),
            features: description.features.clone(),
            screenshots: description
                .screenshots
                .iter()
                .filter_map(|s| SafeHref::image(s))
                .collect(),
            videos: description.videos.iter().map(|v| Link::web(v)).collect(),
            description_lang: desc_lang
                .filter(|l| Lang::from_tag(l) != Some(lang))
                .map(str::to_owned),
            platforms: doc
                .platforms
                .iter()
                .map(|p| lang.label("platform", p))
                .collect(),
            categories: doc
                .categories
                .iter()
                .map(|c| lang.label("category", c))
                .collect(),
            scopes: doc
                .intended_audience
                .scope
                .iter()
                .map(|c| lang.label("scope", c))
                .collect(),
            licence: doc.legal.license,
            status: value(lang, "status", doc.development_status.as_str()),
            software_type: value(lang, "type", doc.software_type.as_str()),
            version: doc.software_version,
            release_date: doc.release_date.map(|d| d.to_string()),
            maintenance: value(lang, "maintenance", doc.maintenance.kind.as_str()),
            contractors: doc
                .maintenance
                .contractors
                .into_iter()
                .map(|c| PersonView {
                    name: c.name,
                    expired: c.until < today,
                    detail: [
                        Some(text(format!("{} {}", lang.t("software.until"), c.until))),
                        c.website.as_deref().map(Link::web),
                        c.email.as_deref().map(Link::mailto),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                })
                .collect(),
            contacts: doc
                .maintenance
                .contacts
                .into_iter()
                .map(|c| PersonView {
                    name: c.name,
                    expired: false,
                    detail: [
                        c.affiliation.map(text),
                        c.email.as_deref().map(Link::mailto),
                        c.phone.as_deref().map(Link::tel),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                })
                .collect(),
            languages: doc
                .localisation
                .available_languages
                .iter()
                .map(|l| lang.label("language", l))
                .collect(),
            countries: doc
                .intended_audience
                .countries
                .iter()
                .map(|c| c.to_uppercase())
                .collect(),
            proprietary: doc.depends_on.proprietary.iter().map(dep).collect(),
            open_dependencies: doc.depends_on.open.iter().map(dep).collect(),
            landing_url: doc.landing_url.as_deref().map(Link::web),
            documentation: description.documentation.as_deref().map(Link::web),
            api_documentation: description.api_documentation.as_deref().map(Link::web),
            roadmap: doc.roadmap.as_deref().map(Link::web),
            is_based_on: doc.is_based_on.iter().map(|b| Link::web(b)).collect(),
        }
    }
}

/// Whether two names are the same to a reader (case and surrounding space aside).
fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// A detail shown as text only.
fn text(value: String) -> Link {
    Link {
        text: value,
        href: None,
    }
}

/// The description in the page's language, else Italian, else English, else the first given;
/// with the tag it was found under.
fn pick_description(
    lang: Lang,
    doc: &PublicCode,
) -> (Option<&str>, Option<&crate::publiccode::Description>) {
    let by_lang = |want: Lang| {
        doc.description
            .iter()
            .find(|(tag, _)| Lang::from_tag(tag) == Some(want))
    };
    let found = by_lang(lang)
        .or_else(|| by_lang(Lang::It))
        .or_else(|| by_lang(Lang::En))
        .or_else(|| doc.description.iter().next());
    match found {
        Some((tag, d)) => (Some(tag.as_str()), Some(d)),
        None => (None, None),
    }
}

/// The label of a vocabulary value in `lang` (the value itself when there is none).
fn value(lang: Lang, facet: &str, v: &str) -> String {
    let key = format!("value.{facet}.{}", v.replace('/', "_"));
    let label = lang.t(&key);
    if label == key {
        v.to_owned()
    } else {
        label.to_owned()
    }
}

#[derive(Template)]
#[template(path = "software/show.html")]
struct SoftwarePage {
    ctx: PageCtx,
    slug: String,
    name: String,
    active: bool,
    inactive_reason: Option<String>,
    publisher: Option<(String, Option<String>)>,
    /// Whether the publisher is verified by the entry's source (else claimed, not verified).
    publisher_verified: bool,
    /// The repository; its button is a link only when the address is a safe one.
    repository: Link,
    archived: bool,
    gone: bool,
    document: Option<DocumentView>,
    claims: Vec<ClaimView>,
    /// The first [`USERS_SHOWN`] users.
    users: Vec<UserView>,
    /// The others, behind "show all".
    more_users: Vec<UserView>,
    /// How many users the file declares.
    users_total: u64,
    /// When the repository last changed, as its forge says.
    repository_changed: Option<String>,
    declarations: super::declarations::Section,
    /// The community of the solution, its latest threads and who runs what.
    community: super::releases::SoftwareSection,
    /// The compliance section, once the entry has a file.
    compliance: Option<super::compliance::Section>,
    vitality: Option<u8>,
    chart: String,
    vitality_facts: Vec<String>,
    history: Vec<HistoryRow>,
    /// The warnings of the current file, linking to its lines.
    diagnostics: Vec<DiagnosticView>,
    /// The current file's lines, when it has warnings to link to.
    current_lines: Vec<FileLine>,
    /// The invalid file the repository holds, if it holds one.
    invalid: Option<InvalidView>,
    events: Vec<EventView>,
}

/// The page of one solution. Its reads share one connection and one view of the database: a
/// read transaction instead of a trip through the pool for each.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let db = state.db.begin().await?;
    let detail = read::software(&db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = match &viewer.0 {
        Some(session) => Some(Actor::of(&db, &session.user).await?),
        None => None,
    };
    let declarations =
        super::declarations::section(&state, &db, &viewer, detail.software.id).await?;
    let events = browse::recent_events(&db, detail.software.id, EVENTS).await?;
    let compliance = compliance_section(&state, &db, &ctx, actor.as_ref(), &detail).await?;
    let community = super::releases::software_section(
        &state,
        &db,
        actor.as_ref(),
        ctx.lang,
        &viewer,
        (
            detail.software.id,
            &detail.software.slug,
            &detail.software.name,
        ),
        detail
            .software
            .organisation_id
            .filter(|_| detail.software.publisher_verified),
    )
    .await?;
    db.commit().await?;
    let mut page = SoftwarePage::new(ctx, &state, detail, declarations, events);
    page.compliance = compliance;
    page.community = community;
    render(&page)
}

/// The compliance section of `detail`'s page, with the links `actor` may follow.
async fn compliance_section(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    ctx: &PageCtx,
    actor: Option<&Actor>,
    detail: &SoftwareDetail,
) -> Result<Option<super::compliance::Section>, AppError> {
    let overview = crate::compliance::queue::overview(db, detail)
        .await
        .map_err(|e| match e {
            crate::compliance::ComplianceError::Db(db) => AppError::from(db),
            other => AppError::Internal(anyhow::Error::new(other)),
        })?;
    let Some(overview) = overview else {
        return Ok(None);
    };
    let may = |action| authz::check(actor, action).is_ok();
    let may_release = match detail.software.organisation_id {
        Some(org) => may(Action::ViewRelease(org)),
        None => may(Action::Review),
    };
    Ok(Some(super::compliance::Section::new(
        ctx.lang,
        &state.config.public_url,
        &overview,
        may(Action::Review),
        may_release,
    )))
}

impl SoftwarePage {
    /// The page of `detail`, with its `declarations` section and its recent crawl `events`.
    fn new(
        ctx: PageCtx,
        state: &AppState,
        detail: SoftwareDetail,
        declarations: super::declarations::Section,
        events: Vec<crawl_events::Model>,
    ) -> Self {
        let lang = ctx.lang;
        let SoftwareDetail {
            software,
            repository,
            organisation,
            current,
            history,
            invalid,
        } = detail;
        let current_valid = current.as_ref().is_some_and(|c| c.snapshot.valid);
        let invalid = invalid.map(|i| {
            InvalidView::of(
                lang,
                &i,
                current_valid,
                &software,
                state.config.invalid_grace_days,
            )
        });
        let document = current
            .as_ref()
            .and_then(read::CurrentSnapshot::document)
            .map(|d| DocumentView::of(lang, d));
        // The current file of an entry that never had a valid one is the invalid file: its
        // diagnostics are at the top of the page with it.
        let current_diagnostics = current
            .as_ref()
            .filter(|c| c.snapshot.valid)
            .map(read::CurrentSnapshot::diagnostics)
            .unwrap_or_default();
        let current_lines = match &current {
            Some(c) if !current_diagnostics.is_empty() => {
                let text = String::from_utf8_lossy(&c.snapshot.raw);
                // Only the lines around its warnings: the page describes the file already.
                source::listing(&text, &current_diagnostics, &current_diagnostics, 0).lines
            }
            _ => Vec::new(),
        };
        let diagnostics = current_diagnostics
            .iter()
            .map(|d| DiagnosticView::of(lang, d, CURRENT_LINE))
            .collect();
        let (claims, users) = match current {
            Some(c) => (
                c.claims
                    .into_iter()
                    .map(|claim| ClaimView {
                        label: value(lang, "claim", &claim.kind),
                        value: match claim.value.as_str() {
                            "true" => lang.t("software.claim_yes").to_owned(),
                            "false" => lang.t("software.claim_no").to_owned(),
                            other => other.to_owned(),
                        },
                        source: claim.source_key,
                    })
                    .collect(),
                c.used_by
                    .into_iter()
                    .map(|u| UserView {
                        name: super::publisher_name(state, &u.name, u.ipa_code.as_deref()),
                        ipa_code: u.ipa_code,
                    })
                    .collect::<Vec<_>>(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let users_total = u64::try_from(users.len()).unwrap_or(u64::MAX);
        let mut users = users;
        let more_users = users.split_off(users.len().min(USERS_SHOWN));
        let vitality = software.vitality.map(super::search::vitality_points);
        let series = software.vitality_series();
        let chart = vitality.map_or_else(String::new, |v| {
            chart::vitality(lang, v, &series, software.vitality_window_end)
        });
        let vitality_facts = software.vitality_facts().map(|f| {
            [
                lang.tf("software.vitality_commits", &[("n", &f.commits)]),
                lang.tf("software.vitality_authors", &[("n", &f.authors)]),
                lang.tf("software.vitality_tags", &[("n", &f.tags)]),
            ]
            .into_iter()
            .chain(
                f.age_days
                    .map(|d| lang.tf("software.vitality_age", &[("n", &d)])),
            )
            .chain(
                software
                    .vitality_window_end
                    .map(|d| lang.tf("software.vitality_window", &[("date", &d)])),
            )
            .collect::<Vec<_>>()
        });
        SoftwarePage {
            ctx,
            slug: software.slug,
            name: software.name,
            active: software.active,
            inactive_reason: software.deactivation_reason,
            publisher_verified: software.publisher_verified,
            publisher: organisation.map(|o| {
                let href = o
                    .ipa_code
                    .clone()
                    .or_else(|| Some(o.id.to_string()))
                    .map(|code| format!("/publishers/{code}"));
                (
                    super::publisher_name(state, &o.name, o.ipa_code.as_deref()),
                    href,
                )
            }),
            repository_changed: repository_changed(&repository),
            repository: Link::web(&repository.url),
            archived: repository.archived,
            gone: repository.gone_at.is_some(),
            document,
            claims,
            users,
            more_users,
            users_total,
            declarations,
            community: super::releases::SoftwareSection::default(),
            compliance: None,
            vitality,
            chart,
            vitality_facts: vitality_facts.unwrap_or_default(),
            history: history.into_iter().map(HistoryRow::of).collect(),
            diagnostics,
            current_lines,
            invalid,
            events: events
                .into_iter()
                .map(|e| EventView {
                    date: e.at.format("%Y-%m-%d %H:%M").to_string(),
                    outcome: value(lang, "event", &e.outcome),
                    message: e.message,
                })
                .collect(),
        }
    }
}

/// One line of a diff.
pub struct DiffLine {
    /// `added`, `removed` or `same`.
    kind: &'static str,
    old: Option<usize>,
    new: Option<usize>,
    text: String,
}

/// How long the diff of two snapshots searches for the smallest one.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_secs(1);

/// The lines of the diff from `old` to `new`.
fn diff_lines(old: &[u8], new: &[u8]) -> Vec<DiffLine> {
    let old_text = String::from_utf8_lossy(old);
    let new_text = String::from_utf8_lossy(new);
    TextDiff::configure()
        .timeout(DIFF_DEADLINE)
        .diff_lines(old_text.as_ref(), new_text.as_ref())
        .iter_all_changes()
        .map(|change| DiffLine {
            kind: match change.tag() {
                ChangeTag::Insert => "added",
                ChangeTag::Delete => "removed",
                ChangeTag::Equal => "same",
            },
            old: change.old_index().map(|i| i + 1),
            new: change.new_index().map(|i| i + 1),
            text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect()
}

/// A snapshot as named on the diff page.
pub struct SnapshotMeta {
    id: i64,
    date: String,
    commit: Option<String>,
    valid: bool,
}

impl SnapshotMeta {
    fn of(s: &SnapshotFile) -> Self {
        Self {
            id: s.id,
            date: s.fetched_at.format("%Y-%m-%d %H:%M").to_string(),
            commit: s.commit_sha.as_ref().map(|c| c.chars().take(10).collect()),
            valid: s.valid,
        }
    }
}

#[derive(Template)]
#[template(path = "software/diff.html")]
struct DiffPage {
    ctx: PageCtx,
    slug: String,
    name: String,
    from: SnapshotMeta,
    to: SnapshotMeta,
    lines: Vec<DiffLine>,
    history: Vec<HistoryRow>,
}

/// The parameters of the diff: the two snapshots, the language.
#[derive(Debug)]
pub struct DiffParams;

impl QuerySpec for DiffParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["from", "to", "lang"]
    }
}

/// What changed between two snapshots (`from`, `to`: snapshot ids; by default the one before
/// the current and the current).
pub async fn diff(
    state: AppState,
    jobs: CpuJobs,
    ctx: PageCtx,
    Path(slug): Path<Key>,
    params: Params<DiffParams>,
) -> Result<Response, AppError> {
    let id = |name: &str| -> Result<Option<i64>, AppError> {
        params
            .one(name)?
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    AppError::invalid("invalid.snapshot", &[("name", &name), ("value", &v)])
                })
            })
            .transpose()
    };
    let (from, to) = (id("from")?, id("to")?);
    let detail = read::software(&state.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let newest = detail.history.first().map(|h| h.id);
    let before = detail.history.get(1).map(|h| h.id);
    let (Some(to), Some(from)) = (to.or(newest), from.or(before).or(newest)) else {
        return Err(AppError::NotFound);
    };
    let load = |id: i64| browse::snapshot_file(&state.db, detail.software.id, id);
    let (Some(old), Some(new)) = (load(from).await?, load(to).await?) else {
        return Err(AppError::invalid("invalid.snapshots_of_another", &[]));
    };
    // A diff of two large files is CPU work: off the async runtime, a few at once, and with a
    // deadline after which it falls back to a coarser (still correct) diff.
    let (old_raw, new_raw) = (old.raw.clone(), new.raw.clone());
    let lines = jobs.run(move || diff_lines(&old_raw, &new_raw)).await?;
    render(&DiffPage::new(ctx, detail, &old, &new, lines))
}

impl DiffPage {
    /// The page of the diff `lines` from snapshot `old` to `new` of `detail`.
    fn new(
        ctx: PageCtx,
        detail: SoftwareDetail,
        old: &SnapshotFile,
        new: &SnapshotFile,
        lines: Vec<DiffLine>,
    ) -> Self {
        Self {
            ctx,
            slug: detail.software.slug,
            name: detail.software.name,
            from: SnapshotMeta::of(old),
            to: SnapshotMeta::of(new),
            lines,
            history: detail.history.into_iter().map(HistoryRow::of).collect(),
        }
    }
}
