//! The reviewers' pages: the queue at `/review` (filtered by state, failed check, publisher,
//! assignee and age; paged; bulk assignment; a CSV export at `/review.csv`) and one entry's
//! review at `/review/{slug}` (the automatic checks with their findings, the history, and the
//! forms that claim the entry, give it back and record an outcome with the human checklist).
//!
//! For the site roles reviewer and administrator (`community::authz::Action::Review`): anyone
//! not signed in is sent to the sign-in page, anyone else gets 403. Every move goes through the
//! typed transitions of `compliance::review`, whose guards are shown in the reader's language.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use askama::Template;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use chrono::{NaiveDate, Utc};
use url::form_urlencoded;

use super::compliance::{self, OutcomeView, ResultView, item_str, verdict_str};
use crate::app::AppState;
use crate::catalog::read;
use crate::community::accounts::SiteRole;
use crate::community::authz::{self, Action, Actor as Person};
use crate::compliance::queue::{self, Filter, Line, Overview};
use crate::compliance::review::{
    Actor, Checked, ChecklistItem, Finding, Guard, Outcome, State, Subject, Transition, Verdict,
};
use crate::compliance::rules::RuleId;
use crate::compliance::{ComplianceError, store};
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{Form, Key, Path};
use crate::web::page::{PageCtx, render, render_with};
use crate::web::params::{self, Params, QuerySpec};
use crate::web::session::{Csrf, Viewer};

/// Entries on a page of the queue.
const PAGE_SIZE: u64 = 25;

/// Most lines the CSV export holds.
const CSV_MAX: usize = 10_000;

/// The queue page's parameters: the filters, the cursor, the language, and what the last
/// assignment did.
#[derive(Debug)]
pub struct QueueParams;

impl QuerySpec for QueueParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        static NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| {
            params::REVIEW_FILTERS
                .iter()
                .copied()
                .chain(["after", "lang", "assigned", "refused"])
                .collect()
        });
        &NAMES
    }
}

/// The person signed in as a reviewer: the actor of their moves. Anyone not signed in is sent
/// to sign in (and brought back to `uri`), anyone else is refused.
async fn reviewer(state: &AppState, viewer: &Viewer, uri: &Uri) -> Result<Actor, Response> {
    let person = viewer
        .actor(state)
        .await
        .map_err(axum::response::IntoResponse::into_response)?;
    let Some(person) = person else {
        let next: String = form_urlencoded::byte_serialize(uri.path().as_bytes()).collect();
        return Err(Redirect::to(&format!("/account/sign-in?next={next}")).into_response());
    };
    authz::check(Some(&person), Action::Review).map_err(|e| AppError::from(e).into_response())?;
    Ok(actor_of(&person))
}

/// The review actor of a person allowed to review.
fn actor_of(person: &Person) -> Actor {
    if person.site_role == Some(SiteRole::Admin) {
        Actor::admin(person.user_id)
    } else {
        Actor::reviewer(person.user_id)
    }
}

/// A refused move in the reader's language.
fn guard_error(lang: Lang, guard: &Guard) -> String {
    match guard {
        Guard::NotFrom { from, .. } => lang.tf(
            "review.guard.not_from",
            &[("state", &lang.t(&compliance::state_key(*from)))],
        ),
        Guard::ChecklistIncomplete { missing } => {
            let items: Vec<String> = missing
                .iter()
                .map(|i| {
                    lang.t(&format!("review.checklist.{}", item_str(*i)))
                        .to_owned()
                })
                .collect();
            lang.tf(
                "review.guard.checklist_incomplete",
                &[("items", &items.join(", "))],
            )
        }
        other => lang
            .t(match other {
                Guard::SystemOnly => "review.guard.system_only",
                Guard::NeedsReviewer => "review.guard.needs_reviewer",
                Guard::NotAssigned => "review.guard.not_assigned",
                Guard::ProblemOnChecklist => "review.guard.problem_on_checklist",
                Guard::NeedsRemarks => "review.guard.needs_remarks",
                Guard::NeedsFindings => "review.guard.needs_findings",
                Guard::NeedsDeadline => "review.guard.needs_deadline",
                Guard::NeedsReason => "review.guard.needs_reason",
                _ => "review.guard.not_a_reviewer",
            })
            .to_owned(),
    }
}

/// A failed compliance operation as a page error.
fn failed(e: ComplianceError) -> AppError {
    match e {
        ComplianceError::Db(db) => AppError::from(db),
        ComplianceError::NotFound => AppError::NotFound,
        other => AppError::Internal(anyhow::Error::new(other)),
    }
}

/// A line of the queue as shown.
pub struct LineView {
    id: i64,
    slug: String,
    name: String,
    active: bool,
    publisher: String,
    publisher_code: Option<String>,
    state: String,
    state_class: &'static str,
    since: String,
    assignee: Option<String>,
    failed: Vec<&'static str>,
    /// The label of its checkbox.
    select_label: String,
}

impl LineView {
    fn of(lang: Lang, state: &AppState, line: Line) -> Self {
        Self {
            select_label: lang.tf("review.select_entry", &[("name", &line.name)]),
            id: line.software_id,
            slug: line.slug,
            name: line.name,
            active: line.active,
            publisher: line
                .publisher
                .as_deref()
                .map(|p| super::publisher_name(state, p, line.publisher_code.as_deref()))
                .unwrap_or_default(),
            publisher_code: line.publisher_code,
            state: compliance::state_key(line.state),
            state_class: compliance::state_class(line.state),
            since: line.since.format("%Y-%m-%d").to_string(),
            assignee: line.assignee.map(|(_, name)| name),
            failed: line.failed.iter().map(|r| r.as_str()).collect(),
        }
    }
}

/// The filters as the form shows them.
pub struct FilterView {
    state: String,
    rule: String,
    publisher: String,
    assignee: String,
    age: String,
}

impl FilterView {
    fn of(f: &Filter) -> Self {
        Self {
            state: f.state.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            rule: f.rule.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            publisher: f.publisher.clone().unwrap_or_default(),
            assignee: f.assignee.map(|a| a.to_string()).unwrap_or_default(),
            age: f.min_age_days.map(|a| a.to_string()).unwrap_or_default(),
        }
    }

    /// The query string of these filters (without the cursor).
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", &self.state),
            ("rule", &self.rule),
            ("publisher", &self.publisher),
            ("assignee", &self.assignee),
            ("age", &self.age),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

#[derive(Template)]
#[template(path = "review/queue.html")]
struct QueuePage {
    ctx: PageCtx,
    csrf: String,
    filter: FilterView,
    /// (value, label key)
    states: Vec<(&'static str, String)>,
    rules: Vec<&'static str>,
    reviewers: Vec<(String, String)>,
    lines: Vec<LineView>,
    shown: String,
    next: Option<String>,
    csv: String,
    filtered: bool,
    notice: Option<String>,
}

/// `GET /review`: the queue.
pub async fn queue(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    uri: Uri,
    Csrf(csrf): Csrf,
    params: Params<QueueParams>,
) -> Result<Response, AppError> {
    if let Err(response) = reviewer(&state, &viewer, &uri).await {
        return Ok(response);
    }
    let filter = params.review_filter()?;
    let after = params
        .one("after")?
        .map(|v| v.parse::<i64>().map_err(|_| AppError::InvalidCursor))
        .transpose()?;
    let page = queue::queue(&state.db, &filter, after, PAGE_SIZE, Utc::now()).await?;
    let reviewers = queue::reviewers(&state.db).await?;
    let view = FilterView::of(&filter);
    let query = view.query();
    let lang = ctx.lang;
    let count = |name: &str| -> u64 {
        params
            .one(name)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (assigned, refused) = (count("assigned"), count("refused"));
    let notice = (assigned + refused > 0).then(|| {
        let mut text = lang.count("review.assigned", assigned);
        if refused > 0 {
            text.push(' ');
            text.push_str(&lang.tf("review.assign_refused", &[("names", &refused)]));
        }
        text
    });
    let lines: Vec<LineView> = page
        .lines
        .into_iter()
        .map(|l| LineView::of(lang, &state, l))
        .collect();
    let sep = if query.is_empty() { "" } else { "&" };
    render(&QueuePage {
        shown: lang.count("review.shown", u64::try_from(lines.len()).unwrap_or(0)),
        next: page
            .next
            .map(|id| format!("/review?{query}{sep}after={id}")),
        csv: if query.is_empty() {
            "/review.csv".to_owned()
        } else {
            format!("/review.csv?{query}")
        },
        filtered: filter != Filter::default(),
        ctx,
        csrf,
        filter: view,
        states: State::ALL
            .iter()
            .map(|s| (s.as_str(), compliance::state_key(*s)))
            .collect(),
        rules: RuleId::ALL.iter().map(|r| r.as_str()).collect(),
        reviewers: reviewers
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        lines,
        notice,
    })
}

/// `GET /review.csv`: the filtered queue as CSV, in the reader's language.
pub async fn csv(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    uri: Uri,
    params: Params<QueueParams>,
) -> Result<Response, AppError> {
    if let Err(response) = reviewer(&state, &viewer, &uri).await {
        return Ok(response);
    }
    let filter = params.review_filter()?;
    let lang = ctx.lang;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, record: Vec<String>| {
        out.write_record(
            record
                .iter()
                .map(|cell| super::compare::spreadsheet_safe(cell)),
        )
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))
    };
    write(
        &mut out,
        [
            "review.col_entry",
            "review.col_publisher",
            "publishers.ipa",
            "review.col_state",
            "review.col_since",
            "review.col_assignee",
            "review.col_failed",
        ]
        .iter()
        .map(|k| lang.t(k).to_owned())
        .chain(["URL".to_owned()])
        .collect(),
    )?;
    let now = Utc::now();
    let mut after = None;
    let mut written = 0;
    loop {
        let page = queue::queue(&state.db, &filter, after, queue::MAX_PAGE, now).await?;
        for line in page.lines {
            let publisher = line
                .publisher
                .as_deref()
                .map(|p| super::publisher_name(&state, p, line.publisher_code.as_deref()))
                .unwrap_or_default();
            write(
                &mut out,
                vec![
                    line.name,
                    publisher,
                    line.publisher_code.unwrap_or_default(),
                    lang.t(&compliance::state_key(line.state)).to_owned(),
                    line.since.format("%Y-%m-%d").to_string(),
                    line.assignee.map(|(_, n)| n).unwrap_or_default(),
                    line.failed
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    format!(
                        "{}/software/{}",
                        state.config.public_url.trim_end_matches('/'),
                        line.slug
                    ),
                ],
            )?;
            written += 1;
        }
        match page.next {
            Some(next) if written < CSV_MAX => after = Some(next),
            _ => break,
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot finish the CSV: {e}")))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{}\"", lang.t("review.csv_name"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `POST /review/assign`: assigns the selected entries (`software`, repeated) to `reviewer`.
pub async fn assign(
    state: AppState,
    viewer: Viewer,
    uri: Uri,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = match reviewer(&state, &viewer, &uri).await {
        Ok(actor) => actor,
        Err(response) => return Ok(response),
    };
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "software")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(AppError::Refused {
            key: "review.none_selected",
            conflict: false,
        });
    }
    let to = fields
        .iter()
        .find(|(k, _)| k == "reviewer")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .ok_or(AppError::Refused {
            key: "review.guard.not_a_reviewer",
            conflict: false,
        })?;
    let done = match queue::assign(&state.db, &ids, to, actor, Utc::now()).await {
        Ok(done) => done,
        Err(ComplianceError::Guard(Guard::NotAReviewer)) => {
            return Err(AppError::Refused {
                key: "review.guard.not_a_reviewer",
                conflict: false,
            });
        }
        Err(e) => return Err(failed(e)),
    };
    // Back to the queue as it was filtered.
    let mut back = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &fields {
        if params::REVIEW_FILTERS.contains(&k.as_str()) && !v.is_empty() {
            back.append_pair(k, v);
        }
    }
    back.append_pair("assigned", &done.done.len().to_string());
    back.append_pair("refused", &done.refused.len().to_string());
    Ok(Redirect::to(&format!("/review?{}", back.finish())).into_response())
}

/// A move of the history as shown.
pub struct EventView {
    at: String,
    /// The message key of the move.
    transition: String,
    /// The message key of the role.
    role: String,
    from: String,
    to: String,
}

/// A checklist item of the record form.
pub struct ItemView {
    key: &'static str,
    label: String,
    help: String,
    section: &'static str,
}

#[derive(Template)]
#[template(path = "review/show.html")]
struct ReviewPage {
    ctx: PageCtx,
    csrf: String,
    slug: String,
    name: String,
    title: String,
    state: String,
    state_class: &'static str,
    assignee: Option<String>,
    deadline: Option<String>,
    snapshot: i64,
    ruleset: Option<String>,
    results: Vec<ResultView>,
    failing: Vec<ResultView>,
    outcome: Option<OutcomeView>,
    events: Vec<EventView>,
    can_claim: bool,
    can_record: bool,
    /// Someone else has it: who, in a sentence.
    held_by: Option<String>,
    items: Vec<ItemView>,
    /// (value, label)
    verdicts: Vec<(&'static str, String)>,
    /// (value, label)
    outcomes: Vec<(&'static str, String)>,
    error: Option<String>,
    /// What the reviewer sent, when the page comes back with an error.
    draft: BTreeMap<String, String>,
    today: String,
}

impl ReviewPage {
    fn new(
        ctx: PageCtx,
        csrf: String,
        overview: &Overview,
        me: Actor,
        error: Option<String>,
        draft: BTreeMap<String, String>,
    ) -> Self {
        let lang = ctx.lang;
        let review = &overview.review;
        let software = &overview.loaded.software;
        let results = compliance::results(lang, &overview.results);
        let failing = compliance::results(lang, &overview.results)
            .into_iter()
            .filter(|r| r.failed)
            .collect();
        let mine = review.state == State::UnderReview
            && (me.role == crate::compliance::review::Role::Admin || review.reviewer == me.user);
        let held_by = (review.state == State::UnderReview && review.reviewer != me.user)
            .then_some(overview.reviewer.as_ref())
            .flatten()
            .map(|(_, name)| lang.tf("review.not_yours", &[("name", name)]));
        Self {
            title: lang.tf("review.entry_title", &[("name", &software.name)]),
            slug: software.slug.clone(),
            name: software.name.clone(),
            state: compliance::state_key(review.state),
            state_class: compliance::state_class(review.state),
            assignee: (review.state == State::UnderReview)
                .then(|| overview.reviewer.as_ref().map(|(_, n)| n.clone()))
                .flatten(),
            deadline: review.deadline.map(|d| d.to_string()),
            snapshot: overview.loaded.snapshot.id,
            ruleset: overview.results.first().map(|r| {
                lang.tf(
                    "compliance.ruleset",
                    &[
                        ("version", &r.ruleset_version),
                        ("date", &r.checked_at.format("%Y-%m-%d")),
                    ],
                )
            }),
            results,
            failing,
            outcome: compliance::outcome(lang, overview),
            events: overview
                .events
                .iter()
                .rev()
                .map(|e| EventView {
                    at: e.at.format("%Y-%m-%d %H:%M").to_string(),
                    transition: format!("review.move.{}", e.evidence.name()),
                    role: format!("review.role.{}", e.actor.role.as_str()),
                    from: compliance::state_key(e.from),
                    to: compliance::state_key(e.to),
                })
                .collect(),
            can_claim: matches!(
                review.state,
                State::AutoChecked
                    | State::Compliant
                    | State::CompliantWithRemarks
                    | State::NonCompliant
            ),
            can_record: mine,
            held_by,
            items: ChecklistItem::ALL
                .iter()
                .map(|&item| ItemView {
                    key: item_str(item),
                    label: lang
                        .t(&format!("review.checklist.{}", item_str(item)))
                        .to_owned(),
                    help: lang
                        .t(&format!("review.checklist_help.{}", item_str(item)))
                        .to_owned(),
                    section: item.section(),
                })
                .collect(),
            verdicts: [Verdict::Confirmed, Verdict::Problem, Verdict::NotApplicable]
                .iter()
                .map(|&v| {
                    (
                        verdict_str(v),
                        lang.t(&format!("review.verdict.{}", verdict_str(v)))
                            .to_owned(),
                    )
                })
                .collect(),
            outcomes: [
                Outcome::Compliant,
                Outcome::CompliantWithRemarks,
                Outcome::NonCompliant,
            ]
            .iter()
            .map(|&o| {
                let value = o.state().as_str();
                (value, lang.t(&format!("review.outcome.{value}")).to_owned())
            })
            .collect(),
            error,
            draft,
            today: Utc::now().date_naive().to_string(),
            ctx,
            csrf,
        }
    }

    /// What the reviewer wrote in field `name`, when the page comes back.
    fn value(&self, name: &str) -> &str {
        self.draft.get(name).map_or("", String::as_str)
    }

    /// What the reviewer wrote in field `prefix.key`, when the page comes back.
    fn field(&self, prefix: &str, key: &str) -> &str {
        self.value(&format!("{prefix}.{key}"))
    }

    /// Whether field `name` was sent as `value`.
    fn sent(&self, name: &str, value: &str) -> bool {
        self.draft.get(name).is_some_and(|v| v == value)
    }

    /// Whether the rule's finding box is ticked: as sent, or ticked on a fresh form.
    fn keeps(&self, rule: &str) -> bool {
        if self.draft.is_empty() {
            return true;
        }
        self.draft.contains_key(&format!("finding.{rule}"))
    }
}

/// The entry `slug` and its review, for a reviewer.
async fn overview_of(state: &AppState, slug: &Key) -> Result<Overview, AppError> {
    let detail = read::software(&state.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    queue::overview(&state.db, &detail)
        .await
        .map_err(failed)?
        .ok_or(AppError::NotFound)
}

/// `GET /review/{slug}`: one entry's review.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    uri: Uri,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let me = match reviewer(&state, &viewer, &uri).await {
        Ok(actor) => actor,
        Err(response) => return Ok(response),
    };
    let overview = overview_of(&state, &slug).await?;
    render(&ReviewPage::new(
        ctx,
        csrf,
        &overview,
        me,
        None,
        BTreeMap::new(),
    ))
}

/// Applies `transition` by the reviewer to entry `slug` and goes back to its page; a refused
/// move comes back as the page with the guard, in the reader's language, and what was sent.
async fn apply(
    state: &AppState,
    ctx: PageCtx,
    csrf: String,
    me: Actor,
    overview: &Overview,
    transition: Result<Transition, String>,
    draft: BTreeMap<String, String>,
) -> Result<Response, AppError> {
    let lang = ctx.lang;
    let refused = |ctx: PageCtx, message: String, draft: BTreeMap<String, String>| {
        render_with(
            axum::http::StatusCode::BAD_REQUEST,
            &ReviewPage::new(ctx, csrf.clone(), overview, me, Some(message), draft),
        )
    };
    let transition = match transition {
        Ok(t) => t,
        Err(message) => return refused(ctx, message, draft),
    };
    let id = overview.loaded.software.id;
    let public_url = &state.config.public_url;
    match store::transition(&state.db, id, me, transition, Utc::now(), public_url).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/review/{}", overview.loaded.software.slug)).into_response())
        }
        Err(ComplianceError::Guard(guard)) => refused(ctx, guard_error(lang, &guard), draft),
        Err(e) => Err(failed(e)),
    }
}

/// `POST /review/{slug}/claim`.
pub async fn claim(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    uri: Uri,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let me = match reviewer(&state, &viewer, &uri).await {
        Ok(actor) => actor,
        Err(response) => return Ok(response),
    };
    let overview = overview_of(&state, &slug).await?;
    apply(
        &state,
        ctx,
        csrf,
        me,
        &overview,
        Ok(Transition::Claim),
        BTreeMap::new(),
    )
    .await
}

/// `POST /review/{slug}/release`: gives the entry back to the queue.
pub async fn release(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    uri: Uri,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let me = match reviewer(&state, &viewer, &uri).await {
        Ok(actor) => actor,
        Err(response) => return Ok(response),
    };
    let overview = overview_of(&state, &slug).await?;
    let note = fields
        .iter()
        .find(|(k, _)| k == "note")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    apply(
        &state,
        ctx,
        csrf,
        me,
        &overview,
        Ok(Transition::Release { note }),
        BTreeMap::new(),
    )
    .await
}

/// Longest text a field of the record form keeps.
const MAX_FIELD: usize = 2000;

/// The outcome the record form asks for, from its fields (`outcome`, `snapshot`,
/// `verdict.<item>`, `note.<item>`, `fix.<item>`, `finding.<rule>`, `fix.<rule>`, `remark`,
/// `remark_item`, `remark_fix`, `deadline`), checked against `overview`; a message in `lang`
/// when the form itself is wrong (the guards judge the rest).
fn record_of(
    lang: Lang,
    overview: &Overview,
    draft: &BTreeMap<String, String>,
) -> Result<Transition, String> {
    let field = |name: &str| -> String {
        draft
            .get(name)
            .map(|v| v.trim().chars().take(MAX_FIELD).collect())
            .unwrap_or_default()
    };
    let outcome = match field("outcome").as_str() {
        "compliant" => Outcome::Compliant,
        "compliant-with-remarks" => Outcome::CompliantWithRemarks,
        "non-compliant" => Outcome::NonCompliant,
        _ => return Err(lang.t("review.guard.unknown_outcome").to_owned()),
    };
    if field("snapshot") != overview.loaded.snapshot.id.to_string() {
        return Err(lang.t("review.guard.stale").to_owned());
    }
    let deadline = match field("deadline").as_str() {
        "" => None,
        d => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| lang.t("review.guard.bad_deadline").to_owned())?,
        ),
    };
    let mut checklist = Vec::new();
    let mut findings = Vec::new();
    for item in ChecklistItem::ALL {
        let key = item_str(item);
        let verdict = match field(&format!("verdict.{key}")).as_str() {
            "confirmed" => Verdict::Confirmed,
            "problem" => Verdict::Problem,
            "not-applicable" => Verdict::NotApplicable,
            _ => continue,
        };
        let note = field(&format!("note.{key}"));
        if verdict == Verdict::Problem {
            findings.push(Finding {
                subject: Subject::Checklist(item),
                section: item.section().to_owned(),
                key_path: String::new(),
                message: note.clone(),
                fix: field(&format!("fix.{key}")),
            });
        }
        checklist.push(Checked {
            item,
            verdict,
            note,
        });
    }
    for row in &overview.results {
        let Some(result) = store::result_of(row) else {
            continue;
        };
        let id = result.rule.as_str();
        if !result.is_finding() || !draft.contains_key(&format!("finding.{id}")) {
            continue;
        }
        let fix = match field(&format!("fix.{id}")) {
            f if f.is_empty() => compliance::rule_fix(lang, result.rule),
            f => f,
        };
        findings.push(Finding {
            subject: Subject::Rule(result.rule),
            section: result.rule.section().to_owned(),
            key_path: result.key_path,
            message: result.detail,
            fix,
        });
    }
    let remark = field("remark");
    if !remark.is_empty() {
        let item = ChecklistItem::ALL
            .into_iter()
            .find(|i| item_str(*i) == field("remark_item"))
            .unwrap_or(ChecklistItem::DeclaredCompliance);
        findings.push(Finding {
            subject: Subject::Checklist(item),
            section: item.section().to_owned(),
            key_path: String::new(),
            message: remark,
            fix: field("remark_fix"),
        });
    }
    Ok(Transition::Record {
        outcome,
        snapshot: overview.loaded.snapshot.id,
        checklist,
        findings,
        deadline,
    })
}

/// `POST /review/{slug}/record`: records the outcome with the checklist and the findings.
pub async fn record(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    uri: Uri,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let me = match reviewer(&state, &viewer, &uri).await {
        Ok(actor) => actor,
        Err(response) => return Ok(response),
    };
    let overview = overview_of(&state, &slug).await?;
    let draft: BTreeMap<String, String> = fields.into_iter().filter(|(k, _)| k != "csrf").collect();
    let transition = record_of(ctx.lang, &overview, &draft);
    apply(&state, ctx, csrf, me, &overview, transition, draft).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guard_reads_in_both_languages() {
        let guards = [
            Guard::NotFrom {
                from: State::Deactivated,
                transition: "claim",
            },
            Guard::SystemOnly,
            Guard::NeedsReviewer,
            Guard::NotAssigned,
            Guard::ChecklistIncomplete {
                missing: vec![ChecklistItem::Ownership, ChecklistItem::CopyrightHolder],
            },
            Guard::ProblemOnChecklist,
            Guard::NeedsRemarks,
            Guard::NeedsFindings,
            Guard::NeedsDeadline,
            Guard::NeedsReason,
            Guard::NotAReviewer,
        ];
        for lang in Lang::ALL {
            for guard in &guards {
                let text = guard_error(lang, guard);
                assert!(
                    !text.starts_with("review."),
                    "{guard:?} in {lang:?}: {text}"
                );
                assert!(!text.contains('{'), "{guard:?} in {lang:?}: {text}");
            }
        }
        assert!(
            guard_error(
                Lang::It,
                &Guard::ChecklistIncomplete {
                    missing: vec![ChecklistItem::Ownership]
                }
            )
            .contains("Titolarità")
        );
        let view = compliance::FindingView::of(
            Lang::En,
            &Finding {
                subject: Subject::Checklist(ChecklistItem::Ownership),
                section: "§2.1".to_owned(),
                key_path: String::new(),
                message: "no clause".to_owned(),
                fix: "attach the contract".to_owned(),
            },
        );
        assert_eq!(view.subject, "Ownership");
    }
}
