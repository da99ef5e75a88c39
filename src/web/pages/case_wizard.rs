//! The guided reuse case on the pages: `/cases/new` opens a case for one of the member's
//! administrations, `/cases/{id}/wizard` shows the page of the macro-phase the case is in
//! (`?page=` another page the state allows: the needs, the decision), and each form posts to
//! `/cases/{id}/wizard/{step}`, which fires the machine's transition through the store and
//! redirects back (post-redirect-get). A form that does not read, or a transition a guard
//! refuses, renders the page again with the values sent, the errors next to their fields and
//! the guard named.
//!
//! Only the members of the case's administration use it (`Action::Case`), published or not:
//! anyone else signed in is refused, anyone not signed in asked to sign in. The forms' reading
//! is `cases::wizard`'s; the guards are the machine's.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use crate::app::AppState;
use crate::cases::document::{days, guards, money, state_label};
use crate::cases::evidence::{
    Aspect, Coverage, Delivery, Exclusion, Kind, Norm, Phase, obligations,
};
use crate::cases::machine::{Actor, Transition};
use crate::cases::store::{self, Stored};
use crate::cases::wizard::{self, FieldError, Fields, Page};
use crate::cases::{CaseError, Guard, prefill};
use crate::catalog::entities::organisations as org_entity;
use crate::catalog::organisations;
use crate::community::authz::Action;
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{Form, Path, Query};
use crate::web::page::{PageCtx, render, render_with};
use crate::web::session::{Csrf, SignedIn};

/// A form as sent: its fields in order.
type Sent = Form<Vec<(String, String)>>;

/// The steps whose forms take an evidence document (field `document`, a multipart form).
const DOCUMENT_STEPS: [&str; 3] = ["impossibility", "product", "procure"];

/// A wizard form as sent: its fields in order and, from a multipart form, the evidence
/// document chosen (none when the file input was left empty).
pub struct StepForm {
    fields: Vec<(String, String)>,
    document: Option<Upload>,
}

/// An evidence document as uploaded.
struct Upload {
    name: String,
    media_type: String,
    content: axum::body::Bytes,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for StepForm {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Sent::from_request(req, state).await.map_err(|e| e.0)?;
            return Ok(Self {
                fields,
                document: None,
            });
        }
        let refused = |_| AppError::Refused {
            key: "error.form",
            conflict: false,
        };
        let mut parts = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::Refused {
                key: "error.form",
                conflict: false,
            })?;
        let mut fields = Vec::new();
        let mut document = None;
        while let Some(field) = parts.next_field().await.map_err(refused)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "document" {
                let file = field.file_name().unwrap_or_default().to_owned();
                let media_type = field.content_type().unwrap_or_default().to_owned();
                let content = field.bytes().await.map_err(refused)?;
                if !file.is_empty() || !content.is_empty() {
                    document = Some(Upload {
                        name: file,
                        media_type,
                        content,
                    });
                }
            } else {
                let value = field.text().await.map_err(refused)?;
                fields.push((name, value));
            }
        }
        Ok(Self { fields, document })
    }
}

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    ctx: PageCtx,
    csrf: String,
    /// The administrations the member may open a case for: (id, name).
    organisations: Vec<(i64, String)>,
    values: Fields,
    errors: Vec<(String, String)>,
}

impl NewPage {
    fn v(&self, name: &str) -> &str {
        self.values.one(name)
    }

    fn err(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

fn field_error<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

fn messages(lang: Lang, errors: Vec<FieldError>) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|e| (e.field, lang.t(e.key).to_owned()))
        .collect()
}

/// The administrations `me` is a verified member of, with their names.
async fn my_organisations(state: &AppState, me: &SignedIn) -> Result<Vec<(i64, String)>, AppError> {
    let ids: Vec<i64> = me.actor.organisations.iter().map(|(o, _)| *o).collect();
    let orgs = organisations::by_ids(&state.db, ids.iter().copied()).await?;
    Ok(ids
        .into_iter()
        .filter_map(|id| {
            orgs.get(&id).map(|o| {
                (
                    id,
                    super::publisher_name(state, &o.name, o.ipa_code.as_deref()),
                )
            })
        })
        .collect())
}

/// `GET /cases/new`: the form opening a case.
pub async fn new_form(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
) -> Result<Response, AppError> {
    let organisations = my_organisations(&state, &me).await?;
    render(&NewPage {
        ctx,
        csrf,
        organisations,
        values: Fields::default(),
        errors: Vec::new(),
    })
}

/// `POST /cases`: opens a case for one of the member's administrations.
pub async fn create(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Form(sent): Sent,
) -> Result<Response, AppError> {
    let fields = Fields(sent);
    let organisation: i64 = fields.one("organisation").parse().unwrap_or(0);
    me.may(Action::Case(organisation))?;
    let org = organisations::by_ids(&state.db, [organisation])
        .await?
        .remove(&organisation)
        .ok_or(AppError::NotFound)?;
    let actor = Actor::member(
        me.session.user.id,
        org.ipa_code.as_deref().unwrap_or_default(),
    );
    let opened = match wizard::opening(&fields) {
        Ok(opening) => store::open(&state.db, organisation, actor, opening, Utc::now())
            .await
            .map_err(|e| match e {
                CaseError::Guard(g) => vec![FieldError {
                    field: "title".to_owned(),
                    key: guard_key(&g),
                }],
                _ => Vec::new(),
            }),
        Err(errors) => Err(errors),
    };
    match opened {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}/wizard")).into_response()),
        Err(errors) => {
            let organisations = my_organisations(&state, &me).await?;
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage {
                    errors: messages(ctx.lang, errors),
                    ctx,
                    csrf,
                    organisations,
                    values: fields,
                },
            )
        }
    }
}

fn guard_key(g: &Guard) -> &'static str {
    match g {
        Guard::OpeningIncomplete => "case.wizard.error.required",
        _ => "case.wizard.error.refused",
    }
}

/// Case `id` for member `me` of its administration, with the administration and the actor
/// its moves are made as.
async fn case_for(
    state: &AppState,
    me: &SignedIn,
    id: i64,
) -> Result<(Stored, org_entity::Model, Actor), AppError> {
    let stored = store::load(&state.db, id)
        .await
        .map_err(super::cases::failed)?
        .ok_or(AppError::NotFound)?;
    me.may(Action::Case(stored.row.organisation_id))?;
    let org = organisations::by_ids(&state.db, [stored.row.organisation_id])
        .await?
        .remove(&stored.row.organisation_id)
        .ok_or(AppError::NotFound)?;
    let actor = Actor::member(
        me.session.user.id,
        org.ipa_code.as_deref().unwrap_or_default(),
    );
    Ok((stored, org, actor))
}

/// The wizard page's query.
#[derive(Debug, Deserialize)]
pub struct WizardQuery {
    page: Option<String>,
    candidate: Option<i64>,
}

/// A search recorded in the case, as the search page lists it.
pub struct SearchView {
    phase: String,
    query: String,
    filters: String,
    total: u64,
    /// (id, name, slug, publisher, licence, snapshot)
    results: Vec<(i64, String, String, String, String, i64)>,
}

/// A candidate with its evaluation, if any.
pub struct CandidateView {
    id: i64,
    name: String,
    slug: String,
    evaluated: bool,
    eligible: bool,
    guards: Vec<String>,
}

/// What the catalog says of the candidate being evaluated.
pub struct FactsView {
    id: i64,
    name: String,
    snapshot: i64,
    facts: Vec<(String, String)>,
}

/// A line of the page: a label and a value.
pub type Line = (String, String);

#[derive(Template)]
#[template(path = "cases/wizard.html")]
struct WizardPage {
    ctx: PageCtx,
    csrf: String,
    id: i64,
    title: String,
    state: String,
    state_key: &'static str,
    page: &'static str,
    /// The pages, with their labels and whether it is the one shown.
    steps: Vec<(&'static str, String, bool)>,
    values: Fields,
    errors: Vec<(String, String)>,
    /// The guard that refused the last move: its name and what it means.
    refused: Option<(&'static str, String)>,
    rows: usize,
    /// The requirement rows of the needs form: (number, text field, checkbox field).
    req_rows: Vec<(usize, String, String)>,
    /// The needs' requirements: (number, text, indispensable, coverage field).
    requirements: Vec<(usize, String, bool, String)>,
    norms: Vec<(&'static str, String)>,
    phase: &'static str,
    searches: Vec<SearchView>,
    external: Vec<Line>,
    candidates: Vec<CandidateView>,
    evaluating: Option<FactsView>,
    coverages: Vec<(&'static str, String)>,
    tco_items: Vec<(&'static str, String)>,
    budget: String,
    time: String,
    budget_raw: u64,
    days_raw: u32,
    impossibility: String,
    products: Vec<(String, String)>,
    feasibility: Option<String>,
    gates: Vec<(&'static str, String)>,
    aspects: Vec<(&'static str, String)>,
    /// The choices of the decision: (value, label).
    choices: Vec<(String, String)>,
    deliveries: Vec<(&'static str, String)>,
    /// Per kind that may be chosen: its label, its obligations, and with modifications.
    obligations: Vec<(String, Vec<String>, Vec<String>)>,
    /// The kind chosen, and its obligations.
    chosen: Option<(String, Vec<String>)>,
    declaration: Option<i64>,
    kind_declares: bool,
    /// Whether the case has ended (closed, withdrawn, not applicable).
    terminal: bool,
    /// The guards on `S_TCO` and `S_tempi` measured on the evaluation form just sent (empty unless
    /// the page shows a form sent back).
    submitted: Vec<String>,
    /// The exclusions of §2.2: (value, label).
    exclusions: Vec<(&'static str, String)>,
}

impl WizardPage {
    fn v(&self, name: &str) -> &str {
        self.values.one(name)
    }

    fn checked(&self, name: &str, value: &str) -> bool {
        self.values.all(name).any(|v| v == value)
    }

    fn err(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }

    /// The message key `prefix.<phase>`.
    fn pk(&self, prefix: &str) -> String {
        format!("{prefix}.{}", self.phase)
    }

    fn is(&self, state: &str) -> bool {
        self.state_key == state
    }
}

/// What a page shows besides the case: the values of its forms, the errors, the guard.
struct Shown {
    page: Page,
    candidate: Option<i64>,
    values: Option<Fields>,
    errors: Vec<FieldError>,
    refused: Option<Guard>,
    extra_rows: usize,
}

/// `GET /cases/{id}/wizard`: the page of the case's macro-phase.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(id): Path<i64>,
    Query(query): Query<WizardQuery>,
) -> Result<Response, AppError> {
    let (stored, _, _) = case_for(&state, &me, id).await?;
    let current = stored.case.current();
    let page = match query.page.as_deref() {
        Some("needs") => Page::Needs,
        Some("decision") if !wizard::kinds_from(current).is_empty() => Page::Decision,
        _ => Page::of(current),
    };
    let shown = Shown {
        page,
        candidate: query.candidate,
        values: None,
        errors: Vec::new(),
        refused: None,
        extra_rows: 0,
    };
    let page = build(&state, ctx, csrf, id, &stored, shown).await?;
    render(&page)
}

/// `POST /cases/{id}/wizard/{step}`: one move of the case.
pub async fn act(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path((id, step)): Path<(i64, String)>,
    sent: StepForm,
) -> Result<Response, AppError> {
    let (stored, org, actor) = case_for(&state, &me, id).await?;
    let f = Fields(sent.fields);
    let upload = sent
        .document
        .filter(|_| DOCUMENT_STEPS.contains(&step.as_str()));
    let upload_error = upload
        .as_ref()
        .filter(|u| u.content.len() > store::MAX_DOCUMENT_BYTES)
        .map(|_| field("document", "case.evidence_upload.too_large"));
    let current = stored.case.current();
    let now = Utc::now();
    let needs = stored.case.needs.clone();
    let mut page = Page::of(current);
    let mut candidate = None;
    let read: Result<Transition, Vec<FieldError>> = match step.as_str() {
        "needs" => {
            page = Page::Needs;
            if f.has("more") {
                let shown = Shown {
                    page,
                    candidate: None,
                    values: Some(f),
                    errors: Vec::new(),
                    refused: None,
                    extra_rows: wizard::BLANK_ROWS,
                };
                return render(&build(&state, ctx, csrf, id, &stored, shown).await?);
            }
            wizard::needs(&f)
        }
        "start" => Ok(Transition::StartSearch),
        "search" => {
            let (query, filters) = wizard::search_terms(&f);
            match wizard::search(&state.db, &state.search, &query, &filters).await {
                Ok(search) => Ok(Transition::Search { search }),
                Err(CaseError::Invalid(key)) => Err(vec![FieldError {
                    field: "q".to_owned(),
                    key,
                }]),
                Err(e) => return Err(super::cases::failed(e)),
            }
        }
        "external" => wizard::external(&f),
        "shortlist" => wizard::shortlist(&f),
        "evaluate" => {
            page = Page::Evaluate;
            let software = wizard::evaluated_software(&f).ok_or(AppError::NotFound)?;
            candidate = Some(software);
            let (found, facts) = prefill::candidate(&state.db, &software.to_string())
                .await
                .map_err(super::cases::failed)?
                .ok_or(AppError::NotFound)?;
            let phase = current.phase().unwrap_or(Phase::PaReuse);
            match &needs {
                Some(needs) => wizard::evaluation(&f, needs, phase, found, facts),
                None => Err(Vec::new()),
            }
        }
        "withdraw" => wizard::withdrawal(&f),
        "not-applicable" => wizard::not_applicable(&f),
        "reject" => wizard::motivated(&f, |motivation| Transition::Reject { motivation }),
        "impossibility" => wizard::motivated(&f, |motivation| Transition::DocumentImpossibility {
            motivation,
        }),
        "alternatives" => Ok(Transition::AnalyseAlternatives),
        "product" => wizard::product(&f),
        "ex-novo" => wizard::feasibility(&f),
        "make-or-buy" => wizard::make_or_buy(&f),
        "decide" => {
            page = Page::Decision;
            wizard::decision(&f, current)
        }
        "procure" => wizard::procurement(&f),
        "go-live" => wizard::production(&f, now.date_naive()),
        "modifications" => wizard::modifications(&f),
        "release" => wizard::release(&f),
        "close" => Ok(Transition::Close {
            note: f.one("note").trim().to_owned(),
        }),
        "publish" => Ok(Transition::Publish {
            published: f.has("published"),
        }),
        "declare" => {
            let contact = f.one("contact").trim().to_owned();
            let result = wizard::declare_reuse(
                &state.db,
                &state.config.public_url,
                id,
                org.id,
                actor,
                &contact,
                now,
            )
            .await;
            return match result {
                Ok(_) => Ok(Redirect::to(&format!("/cases/{id}/wizard")).into_response()),
                Err(CaseError::Community(crate::community::CommunityError::Invalid(key))) => {
                    refuse(
                        &state,
                        ctx,
                        csrf,
                        id,
                        &stored,
                        page,
                        f,
                        vec![field("contact", key)],
                        None,
                    )
                    .await
                }
                Err(CaseError::Community(crate::community::CommunityError::Conflict(key))) => {
                    refuse(
                        &state,
                        ctx,
                        csrf,
                        id,
                        &stored,
                        page,
                        f,
                        vec![field("contact", key)],
                        None,
                    )
                    .await
                }
                Err(CaseError::Guard(g)) => {
                    refuse(&state, ctx, csrf, id, &stored, page, f, Vec::new(), Some(g)).await
                }
                Err(CaseError::Community(crate::community::CommunityError::NotFound)) => {
                    Err(AppError::NotFound)
                }
                Err(e) => Err(super::cases::failed(e)),
            };
        }
        _ => return Err(AppError::NotFound),
    };
    let read = match (read, upload_error) {
        (Ok(_), Some(e)) => Err(vec![e]),
        (Err(mut errors), Some(e)) => {
            errors.push(e);
            Err(errors)
        }
        (read, None) => read,
    };
    let transition = match read {
        Ok(t) => t,
        Err(errors) => {
            let shown = Shown {
                page,
                candidate,
                values: Some(f),
                errors,
                refused: None,
                extra_rows: 0,
            };
            return render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build(&state, ctx, csrf, id, &stored, shown).await?,
            );
        }
    };
    let mut documents = Vec::new();
    if let Some(upload) = upload {
        // The guards first, so that a move they refuse leaves no document behind.
        if let Err(g) = stored
            .case
            .apply(actor.clone(), transition.clone(), Vec::new(), now)
        {
            return refuse(&state, ctx, csrf, id, &stored, page, f, Vec::new(), Some(g)).await;
        }
        match store::upload(
            &state.db,
            id,
            Some(me.session.user.id),
            &upload.name,
            &upload.media_type,
            &upload.content,
            now,
        )
        .await
        {
            Ok(doc) => documents.push(doc.id),
            Err(CaseError::TooLarge) => {
                let errors = vec![field("document", "case.evidence_upload.too_large")];
                return refuse(&state, ctx, csrf, id, &stored, page, f, errors, None).await;
            }
            Err(CaseError::Invalid(key)) => {
                let errors = vec![field("document", key)];
                return refuse(&state, ctx, csrf, id, &stored, page, f, errors, None).await;
            }
            Err(e) => return Err(super::cases::failed(e)),
        }
    }
    match store::transition(&state.db, id, actor, transition, &documents, now).await {
        Ok(event) => {
            let next = match Page::of(event.to) {
                Page::Evaluate if step == "evaluate" => format!(
                    "/cases/{id}/wizard?candidate={}",
                    candidate.unwrap_or_default()
                ),
                _ => format!("/cases/{id}/wizard"),
            };
            Ok(Redirect::to(&next).into_response())
        }
        Err(CaseError::Guard(g)) => {
            let shown = Shown {
                page,
                candidate,
                values: Some(f),
                errors: Vec::new(),
                refused: Some(g),
                extra_rows: 0,
            };
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build(&state, ctx, csrf, id, &stored, shown).await?,
            )
        }
        Err(e) => Err(super::cases::failed(e)),
    }
}

fn field(name: &str, key: &'static str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        key,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is rebuilt from everything the request carried"
)]
async fn refuse(
    state: &AppState,
    ctx: PageCtx,
    csrf: String,
    id: i64,
    stored: &Stored,
    page: Page,
    values: Fields,
    errors: Vec<FieldError>,
    refused: Option<Guard>,
) -> Result<Response, AppError> {
    let shown = Shown {
        page,
        candidate: None,
        values: Some(values),
        errors,
        refused,
        extra_rows: 0,
    };
    render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &build(state, ctx, csrf, id, stored, shown).await?,
    )
}

/// The lines of the guards `S_TCO < T_bilancio` and `S_tempi < T_tempi` measured on the
/// evaluation form `sent` against `needs`, in `lang`: a total that does not read is said so.
fn submitted_assessment(
    lang: Lang,
    sent: &Fields,
    needs: &crate::cases::evidence::Needs,
) -> Vec<String> {
    let (s_tco, s_tempi) = wizard::submitted_totals(sent);
    let budget = match s_tco {
        Some(s_tco) => {
            crate::cases::document::budget_line(lang, s_tco < needs.budget, s_tco, needs.budget)
        }
        None => lang.tf(
            "case.submitted.tco_unread",
            &[("t_bilancio", &money(lang, needs.budget))],
        ),
    };
    let time = match s_tempi {
        Some(s_tempi) => {
            crate::cases::document::time_line(lang, s_tempi < needs.days, s_tempi, needs.days)
        }
        None => lang.tf(
            "case.submitted.days_unread",
            &[("t_tempi", &days(lang, needs.days))],
        ),
    };
    vec![budget, time]
}

/// What guard `g` means, in `lang`, with its values.
pub fn guard_message(lang: Lang, g: &Guard) -> String {
    let key = format!("case.guard.{}", g.name());
    let list = |items: Vec<String>| items.join(", ");
    let args: Vec<(&str, String)> = match g {
        Guard::NotFrom { from, transition } => vec![
            ("from", state_label(lang, *from)),
            (
                "transition",
                lang.t(&format!("case.transition.{transition}")).to_owned(),
            ),
        ],
        Guard::NeedsIncomplete { missing } => vec![(
            "missing",
            list(
                missing
                    .iter()
                    .map(|m| {
                        lang.t(&format!("case.wizard.field.{}", m.as_str()))
                            .to_owned()
                    })
                    .collect(),
            ),
        )],
        Guard::NotFound { software } | Guard::NotACandidate { software } => {
            vec![("software", software.to_string())]
        }
        Guard::NotEvaluated { software } => vec![(
            "software",
            list(software.iter().map(ToString::to_string).collect()),
        )],
        Guard::KindNotHere { kind, from } => vec![
            (
                "kind",
                lang.t(&format!("case.kind.{}", kind.as_str())).to_owned(),
            ),
            ("from", state_label(lang, *from)),
        ],
        Guard::OverBudget { s_tco, t_bilancio } => vec![
            ("s_tco", money(lang, *s_tco)),
            ("t_bilancio", money(lang, *t_bilancio)),
        ],
        Guard::OverTime { s_tempi, t_tempi } => vec![
            ("s_tempi", days(lang, *s_tempi)),
            ("t_tempi", days(lang, *t_tempi)),
        ],
        Guard::MissingRequirements { requirements } => vec![(
            "requirements",
            list(requirements.iter().map(|r| (r + 1).to_string()).collect()),
        )],
        Guard::UnknownProduct { product } => vec![("product", product.clone())],
        Guard::Ineligible { gates } => vec![(
            "gates",
            list(
                gates
                    .iter()
                    .map(|g| lang.t(&format!("case.gate.{g}")).to_owned())
                    .collect(),
            ),
        )],
        Guard::NotReuse { kind } => {
            vec![(
                "kind",
                lang.t(&format!("case.kind.{}", kind.as_str())).to_owned(),
            )]
        }
        Guard::OtherDeclaration { declaration } => {
            vec![("declaration", declaration.to_string())]
        }
        _ => Vec::new(),
    };
    let args: Vec<(&str, &dyn std::fmt::Display)> = args
        .iter()
        .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
        .collect();
    lang.tf(&key, &args)
}

/// The default values of the forms of `page`, from what the case holds.
fn defaults(stored: &Stored, page: Page, candidate: Option<i64>) -> Fields {
    let case = &stored.case;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| out.push((k.to_owned(), v));
    match page {
        Page::Needs => {
            if let Some(n) = &case.needs {
                put("context", n.context.clone());
                put("objectives", n.objectives.clone());
                put("budget", n.budget.to_string());
                put("budget_covers", n.budget_covers.clone());
                put("days", n.days.to_string());
                put("other_constraints", n.other_constraints.clone());
                for norm in &n.norms {
                    put("norm", norm.as_str().to_owned());
                }
                for (i, r) in n.requirements.iter().enumerate() {
                    put(&format!("req_{i}_text"), r.text.clone());
                    if r.indispensable {
                        put(&format!("req_{i}_indispensable"), "on".to_owned());
                    }
                }
            }
        }
        Page::Evaluate => {
            let phase = case.current().phase().unwrap_or(Phase::PaReuse);
            if let Some(e) = candidate.and_then(|c| case.evaluation(phase, c)) {
                let e = &e.evaluation;
                for (i, c) in e.coverage.iter().enumerate() {
                    put(&format!("coverage_{i}"), c.as_str().to_owned());
                }
                for (name, v) in e.tco.items() {
                    put(&format!("tco_{name}"), v.to_string());
                }
                put("days", e.days.to_string());
                put("agreements", e.agreements.clone());
                put("skills", e.skills.clone());
                put("blocking", e.blocking.clone());
                put("notes", e.notes.clone());
                if let Some(l) = &e.licence {
                    if l.approved {
                        put("licence_approved", "on".to_owned());
                    }
                    if l.compatible {
                        put("licence_compatible", "on".to_owned());
                    }
                    put("licence_note", l.note.clone());
                }
            }
        }
        _ => {}
    }
    put("platform", "developers-italia".to_owned());
    Fields(out)
}

/// The page of case `id` as `shown` asks.
async fn build(
    state: &AppState,
    ctx: PageCtx,
    csrf: String,
    id: i64,
    stored: &Stored,
    shown: Shown,
) -> Result<WizardPage, AppError> {
    let lang = ctx.lang;
    let case = &stored.case;
    let current = case.current();
    let phase = current.phase();
    let submitted = match (&shown.values, &case.needs) {
        (Some(sent), Some(needs)) if shown.page == Page::Evaluate => {
            submitted_assessment(lang, sent, needs)
        }
        _ => Vec::new(),
    };
    let values = shown
        .values
        .unwrap_or_else(|| defaults(stored, shown.page, shown.candidate));
    let written = case.needs.as_ref().map_or(0, |n| n.requirements.len());
    let rows = wizard::rows(&values).max(written + wizard::BLANK_ROWS) + shown.extra_rows;
    let steps = Page::ALL
        .into_iter()
        .map(|p| {
            (
                p.as_str(),
                lang.t(&format!("case.wizard.page.{}", p.as_str()))
                    .to_owned(),
                p == shown.page,
            )
        })
        .collect();
    let searches = case
        .searches
        .iter()
        .map(|s| SearchView {
            phase: lang
                .t(&format!("case.wizard.phase.{}", s.phase.as_str()))
                .to_owned(),
            query: s.search.query.clone(),
            filters: s
                .search
                .filters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            total: s.search.total,
            results: s
                .search
                .results
                .iter()
                .map(|r| {
                    (
                        r.software,
                        r.name.clone(),
                        r.slug.clone(),
                        r.publisher.clone().unwrap_or_default(),
                        r.licence.clone().unwrap_or_default(),
                        r.snapshot,
                    )
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    let external = case
        .external
        .iter()
        .map(|e| {
            let platform = match e.search.platform {
                crate::cases::evidence::Platform::DevelopersItalia => {
                    "Developers Italia".to_owned()
                }
                crate::cases::evidence::Platform::Other => e.search.name.clone(),
            };
            (
                platform,
                format!(
                    "{} — {} — {}",
                    e.search.query, e.search.address, e.search.outcome
                ),
            )
        })
        .collect();
    let eval_phase = phase.unwrap_or(Phase::PaReuse);
    let candidate_ids: Vec<i64> = case.candidates(eval_phase).to_vec();
    let mut candidates = Vec::new();
    for c in &candidate_ids {
        let evaluated = case.evaluation(eval_phase, *c);
        let name_slug = evaluated
            .map(|e| (e.evaluation.name.clone(), e.evaluation.slug.clone()))
            .or_else(|| {
                case.searches_of(eval_phase)
                    .flat_map(|s| s.search.results.iter())
                    .find(|r| r.software == *c)
                    .map(|r| (r.name.clone(), r.slug.clone()))
            })
            .unwrap_or_default();
        let assessment = match (evaluated, &case.needs) {
            (Some(e), Some(n)) => Some(e.evaluation.assess(n)),
            _ => None,
        };
        candidates.push(CandidateView {
            id: *c,
            name: name_slug.0,
            slug: name_slug.1,
            evaluated: assessment.is_some(),
            eligible: assessment.as_ref().is_some_and(|a| a.eligible),
            guards: assessment
                .as_ref()
                .map(|a| guards(lang, a))
                .unwrap_or_default(),
        });
    }
    let subject = shown
        .candidate
        .filter(|c| candidate_ids.contains(c))
        .or_else(|| {
            candidates
                .iter()
                .find(|c| !c.evaluated)
                .or(candidates.first())
                .map(|c| c.id)
        });
    let evaluating = match (shown.page, subject) {
        (Page::Evaluate, Some(software)) => prefill::candidate(&state.db, &software.to_string())
            .await
            .map_err(super::cases::failed)?
            .map(|(found, facts)| {
                let t = |k: &str| lang.t(&format!("case.doc.{k}")).to_owned();
                let join = |v: &[String]| v.join(", ");
                FactsView {
                    id: found.software,
                    name: found.name,
                    snapshot: found.snapshot,
                    facts: vec![
                        (t("version"), facts.version.unwrap_or_default()),
                        (t("publisher"), facts.publisher.unwrap_or_default()),
                        (t("claims"), join(&facts.claims)),
                        (t("maintenance"), facts.maintenance.unwrap_or_default()),
                        (
                            t("contracts"),
                            facts
                                .contracts
                                .iter()
                                .map(|c| c.name.clone())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        (t("used_by"), facts.used_by.to_string()),
                        (t("declarations"), facts.declarations.to_string()),
                        (
                            t("vitality"),
                            facts.vitality.map(|v| v.to_string()).unwrap_or_default(),
                        ),
                        (t("licence"), facts.licence.unwrap_or_default()),
                        (t("dependencies"), join(&facts.dependencies)),
                        (t("proprietary"), join(&facts.proprietary)),
                    ],
                }
            }),
        _ => None,
    };
    let requirements = case
        .needs
        .as_ref()
        .map(|n| {
            n.requirements
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        i + 1,
                        r.text.clone(),
                        r.indispensable,
                        format!("coverage_{i}"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let kinds = wizard::kinds_from(current);
    let mut choices = Vec::new();
    for kind in &kinds {
        match kind {
            Kind::PaReuse | Kind::OpenSource => {
                for c in &candidates {
                    choices.push((c.id.to_string(), c.name.clone()));
                }
            }
            Kind::Proprietary => {
                for p in &case.products {
                    choices.push((format!("product:{}", p.name), p.name.clone()));
                }
            }
            Kind::ExNovo => {
                choices.push(("ex-novo".to_owned(), lang.t("case.doc.ex_novo").to_owned()));
            }
        }
    }
    let obligation_labels = |kind: Kind, changes: bool| -> Vec<String> {
        obligations(kind, changes)
            .into_iter()
            .map(|o| {
                lang.t(&format!("case.obligation.{}", o.as_str()))
                    .to_owned()
            })
            .collect()
    };
    let obligations_of = kinds
        .iter()
        .map(|k| {
            let plain = obligation_labels(*k, false);
            let with = obligation_labels(*k, true)
                .into_iter()
                .filter(|o| !plain.contains(o))
                .collect();
            (
                lang.t(&format!("case.kind.{}", k.as_str())).to_owned(),
                plain,
                with,
            )
        })
        .collect();
    let chosen = case.decision.as_ref().map(|d| {
        let kind = d.choice.kind();
        (
            lang.t(&format!("case.kind.{}", kind.as_str())).to_owned(),
            obligation_labels(kind, d.planned_changes),
        )
    });
    let needs = case.needs.as_ref();
    Ok(WizardPage {
        csrf,
        id,
        title: stored.row.title.clone(),
        state: state_label(lang, current),
        state_key: current.as_str(),
        page: shown.page.as_str(),
        steps,
        errors: messages(lang, shown.errors),
        refused: shown.refused.map(|g| (g.name(), guard_message(lang, &g))),
        rows,
        req_rows: (0..rows)
            .map(|i| {
                (
                    i + 1,
                    format!("req_{i}_text"),
                    format!("req_{i}_indispensable"),
                )
            })
            .collect(),
        requirements,
        norms: Norm::ALL
            .into_iter()
            .map(|n| {
                (
                    n.as_str(),
                    lang.t(&format!("case.norm.{}", n.as_str())).to_owned(),
                )
            })
            .collect(),
        phase: phase.map_or("", Phase::as_str),
        searches,
        external,
        candidates,
        evaluating,
        coverages: [
            Coverage::Covered,
            Coverage::Customisation,
            Coverage::Missing,
        ]
        .into_iter()
        .map(|c| {
            (
                c.as_str(),
                lang.t(&format!("case.coverage.{}", c.as_str())).to_owned(),
            )
        })
        .collect(),
        tco_items: crate::cases::evidence::Tco::default()
            .items()
            .into_iter()
            .map(|(name, _)| (name, lang.t(&format!("case.tco.{name}")).to_owned()))
            .collect(),
        budget: needs.map(|n| money(lang, n.budget)).unwrap_or_default(),
        time: needs.map(|n| days(lang, n.days)).unwrap_or_default(),
        budget_raw: needs.map_or(0, |n| n.budget),
        days_raw: needs.map_or(0, |n| n.days),
        impossibility: case.impossibility.clone().unwrap_or_default(),
        products: case
            .products
            .iter()
            .map(|p| {
                let missing = p.gates.missing();
                let gates = if missing.is_empty() {
                    lang.t("case.wizard.eligible").to_owned()
                } else {
                    lang.tf(
                        "case.wizard.gates_missing",
                        &[(
                            "gates",
                            &missing
                                .iter()
                                .map(|g| lang.t(&format!("case.gate.{g}")).to_owned())
                                .collect::<Vec<_>>()
                                .join(", "),
                        )],
                    )
                };
                (
                    p.name.clone(),
                    format!("S_TCO {} — {gates}", money(lang, p.tco.total())),
                )
            })
            .collect(),
        feasibility: case
            .feasibility
            .as_ref()
            .map(|f| format!("{} — {}", money(lang, f.cost), days(lang, f.days))),
        gates: [
            "interoperability",
            "data-protection",
            "security",
            "accessibility",
            "data-export",
        ]
        .into_iter()
        .map(|g| (g, lang.t(&format!("case.gate.{g}")).to_owned()))
        .collect(),
        aspects: Aspect::ALL
            .into_iter()
            .map(|a| {
                (
                    a.as_str(),
                    lang.t(&format!("case.aspect.{}", a.as_str())).to_owned(),
                )
            })
            .collect(),
        choices,
        deliveries: [Delivery::Saas, Delivery::CloudIaas]
            .into_iter()
            .map(|d| {
                (
                    d.as_str(),
                    lang.t(&format!("case.delivery.{}", d.as_str())).to_owned(),
                )
            })
            .collect(),
        obligations: obligations_of,
        chosen,
        declaration: case.declaration,
        kind_declares: case.kind().is_some_and(Kind::declares_reuse),
        terminal: case.current().is_terminal(),
        submitted,
        exclusions: Exclusion::ALL
            .into_iter()
            .map(|x| {
                (
                    x.as_str(),
                    lang.t(&format!("case.exclusion.{}", x.as_str())).to_owned(),
                )
            })
            .collect(),
        values,
        ctx,
    })
}
