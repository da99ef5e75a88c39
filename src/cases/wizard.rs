//! The guided case (the wizard's pages): which page of the case a state is on, and the
//! reading of each page's form into the [`Transition`] it asks for, with the fields that
//! cannot be read (each with the message key saying why, `locales/*.toml` `case.wizard.error`).
//!
//! What is read here is then checked by the guards of [`super::machine`] through
//! [`super::store::transition`]: a form that reads well can still be refused, and the page
//! says by which guard. Two steps also read the catalog: the search ([`search`], the same
//! engine as the `/software` page, recording the snapshot of each result) and the reuse
//! declaration made from the case ([`declare_reuse`]).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;

use super::evidence::{
    Aspect, CatalogFacts, Choice, Coverage, Decision, Delivery, Evaluation, Exclusion,
    ExternalSearch, Feasibility, Found, Gates, Kind, LicenceCheck, MAX_REQUIREMENTS, MAX_RESULTS,
    MakeOrBuy, Needs, Norm, Phase, Platform, Procurement, Product, Production, Requirement, Route,
    Search, Tco, valid_cig, web_address,
};
use super::machine::{Actor, Case, State, Transition};
use super::{CaseError, store};
use crate::catalog::search::{Facet, Query, Searcher, Sort};
use crate::community::declarations::{self, NewDeclaration};

/// The blank requirement rows the needs form offers below the written ones (more with its
/// "add rows" button, which works without JavaScript).
pub const BLANK_ROWS: usize = 3;

/// The longest text a field keeps.
const MAX_TEXT: usize = 10_000;

/// The pages of the wizard, one per macro-phase (the search and the evaluation split the
/// second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Macro-phase 1: the needs document.
    Needs,
    /// Macro-phase 2: the searches and the shortlist (PA reuse, then open source).
    Search,
    /// Macro-phase 2: the evaluation of the candidates.
    Evaluate,
    /// Macro-phase 3: the impossibility, proprietary products, ex novo, make or buy.
    Alternatives,
    /// The decision.
    Decision,
    /// After the decision: procurement, production, the reuse declaration, the closing.
    FollowUp,
    /// Nothing left to do.
    Done,
}

impl Page {
    /// The page a case in `state` is on.
    #[must_use]
    pub fn of(state: State) -> Self {
        use State as S;
        match state {
            S::Opened | S::NeedsDefined => Self::Needs,
            S::SearchingPaReuse | S::SearchingOpenSource => Self::Search,
            S::EvaluatingPaReuse | S::EvaluatingOpenSource => Self::Evaluate,
            S::ImpossibilityDocumented | S::AnalysingAlternatives => Self::Alternatives,
            S::MakeOrBuyCompared => Self::Decision,
            S::SolutionSelected
            | S::Procuring
            | S::InProduction
            | S::ReuseDeclared
            | S::ModifiedReleasePending
            | S::ReuseAcknowledged
            | S::ModificationsReleased => Self::FollowUp,
            S::Closed | S::Withdrawn | S::NotApplicable => Self::Done,
        }
    }

    /// Its stable name (the message key `case.wizard.page.<name>`, the page's element ids).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Needs => "needs",
            Self::Search => "search",
            Self::Evaluate => "evaluate",
            Self::Alternatives => "alternatives",
            Self::Decision => "decision",
            Self::FollowUp => "follow-up",
            Self::Done => "done",
        }
    }

    /// The pages in the order a case goes through them.
    pub const ALL: [Self; 7] = [
        Self::Needs,
        Self::Search,
        Self::Evaluate,
        Self::Alternatives,
        Self::Decision,
        Self::FollowUp,
        Self::Done,
    ];
}

/// The kinds of solution that may be chosen from `state` (none outside the three states a
/// decision is taken from).
#[must_use]
pub fn kinds_from(state: State) -> Vec<Kind> {
    match state {
        State::EvaluatingPaReuse => vec![Kind::PaReuse],
        State::EvaluatingOpenSource => vec![Kind::OpenSource],
        State::MakeOrBuyCompared => vec![Kind::Proprietary, Kind::ExNovo],
        _ => Vec::new(),
    }
}

/// The fields of a submitted form, in the order sent (a checkbox or a multiple choice gives a
/// name several times).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or the empty string.
    #[must_use]
    pub fn one(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` was sent (a ticked checkbox).
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The text of `name`, trimmed and capped.
    fn text(&self, name: &str) -> String {
        self.one(name).trim().chars().take(MAX_TEXT).collect()
    }
}

/// A field that cannot be read: its name and the message key saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the form.
    pub field: String,
    /// The message key (`case.wizard.error.*`).
    pub key: &'static str,
}

/// The errors of a form, gathered so that the page shows them all at once.
#[derive(Debug, Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, key: &'static str) {
        self.0.push(FieldError {
            field: field.to_owned(),
            key,
        });
    }

    fn required(&mut self, f: &Fields, field: &str) -> String {
        let text = f.text(field);
        if text.is_empty() {
            self.add(field, "case.wizard.error.required");
        }
        text
    }

    fn amount(&mut self, f: &Fields, field: &str) -> u64 {
        match amount(f.one(field)) {
            Some(v) => v,
            None => {
                self.add(field, "case.wizard.error.amount");
                0
            }
        }
    }

    fn days(&mut self, f: &Fields, field: &str) -> u32 {
        match amount(f.one(field)).and_then(|v| u32::try_from(v).ok()) {
            Some(v) => v,
            None => {
                self.add(field, "case.wizard.error.days");
                0
            }
        }
    }

    fn done<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// A whole number of euros or days as people write it (`40000`, `40.000`, `40 000`, `€ 40,000`);
/// an empty field is zero. `None` when it is not a number.
#[must_use]
pub fn amount(raw: &str) -> Option<u64> {
    let digits: String = raw
        .trim()
        .trim_start_matches('€')
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}' | '\'' | '_'))
        .collect();
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The opening form: title, scope, officer.
///
/// # Errors
///
/// The fields left empty.
pub fn opening(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let title = e.required(f, "title");
    let scope = e.required(f, "scope");
    let officer = e.required(f, "officer");
    if title.chars().count() > 200 {
        e.add("title", "case.wizard.error.too_long");
    }
    e.done(Transition::Open {
        title,
        scope,
        officer,
    })
}

/// How many requirement rows a needs form sent (`rows`), within bounds.
#[must_use]
pub fn rows(f: &Fields) -> usize {
    amount(f.one("rows"))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
        .min(MAX_REQUIREMENTS + BLANK_ROWS)
}

/// The needs form: the context and objectives, the requirements (rows `req_{i}_text` with the
/// checkbox `req_{i}_indispensable`; a row left blank is dropped), the budget, the time, the
/// norms and the other constraints.
///
/// # Errors
///
/// The fields missing or that are not numbers.
pub fn needs(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let context = e.required(f, "context");
    let requirements: Vec<Requirement> = (0..rows(f))
        .filter_map(|i| {
            let text = f.text(&format!("req_{i}_text"));
            (!text.is_empty()).then(|| Requirement {
                text,
                indispensable: f.has(&format!("req_{i}_indispensable")),
            })
        })
        .collect();
    if requirements.is_empty() {
        e.add("req_0_text", "case.wizard.error.requirements");
    }
    if requirements.len() > MAX_REQUIREMENTS {
        e.add("req_0_text", "case.wizard.error.too_many");
    }
    let budget = e.amount(f, "budget");
    if budget == 0 && !e.0.iter().any(|x| x.field == "budget") {
        e.add("budget", "case.wizard.error.positive");
    }
    let days = e.days(f, "days");
    if days == 0 && !e.0.iter().any(|x| x.field == "days") {
        e.add("days", "case.wizard.error.positive");
    }
    let norms: Vec<Norm> = Norm::ALL
        .into_iter()
        .filter(|n| f.all("norm").any(|v| v == n.as_str()))
        .collect();
    if norms.is_empty() {
        e.add("norm", "case.wizard.error.norms");
    }
    e.done(Transition::DefineNeeds {
        needs: Needs {
            context,
            objectives: f.text("objectives"),
            requirements,
            budget,
            budget_covers: f.text("budget_covers"),
            days,
            norms,
            other_constraints: f.text("other_constraints"),
        },
    })
}

/// The catalog filters the search form offers: the facet and the form's field.
pub const SEARCH_FILTERS: [Facet; 2] = [Facet::Claim, Facet::Category];

/// The search form's words and filters.
#[must_use]
pub fn search_terms(f: &Fields) -> (String, Vec<(String, String)>) {
    let query: String = f.text("q").chars().take(200).collect();
    let filters = SEARCH_FILTERS
        .iter()
        .filter_map(|facet| {
            let value = f.text(facet.as_str());
            (!value.is_empty()).then(|| (facet.as_str().to_owned(), value))
        })
        .collect();
    (query, filters)
}

/// Searches the catalog with `searcher` (the engine of the `/software` page) for `query` with
/// `filters` (pairs of [`SEARCH_FILTERS`]), and answers the search as the case records it: the
/// first [`MAX_RESULTS`] results, each with the snapshot it was read from (entries without one
/// are left out: there is nothing to evaluate yet).
///
/// # Errors
///
/// Fails on a database error or a filter the engine refuses.
pub async fn search(
    db: &DatabaseConnection,
    searcher: &Searcher,
    query: &str,
    filters: &[(String, String)],
) -> Result<Search, CaseError> {
    let mut q = Query {
        text: Some(query.trim().to_owned()).filter(|t| !t.is_empty()),
        sort: Sort::Relevance,
        limit: u64::try_from(MAX_RESULTS).unwrap_or(50),
        ..Query::default()
    };
    for (name, value) in filters {
        let facet: Facet = name
            .parse()
            .map_err(|_| CaseError::Invalid("case.wizard.error.filter"))?;
        q.filters.entry(facet).or_default().push(value.clone());
    }
    let results = searcher.search(&q).await.map_err(|e| match e {
        crate::catalog::search::SearchError::Db(db) => CaseError::Db(db),
        _ => CaseError::Invalid("case.wizard.error.filter"),
    })?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let found = super::prefill::found(db, &ids).await?;
    Ok(Search {
        query: query.trim().to_owned(),
        filters: filters.to_vec(),
        total: results.total,
        results: found,
    })
}

/// The external search form (the open-source phase's search of Developers Italia, or another
/// platform).
///
/// # Errors
///
/// The fields missing or that are not web addresses.
pub fn external(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let platform = Platform::parse(f.one("platform")).unwrap_or(Platform::DevelopersItalia);
    let name = f.text("name");
    if platform == Platform::Other && name.is_empty() {
        e.add("name", "case.wizard.error.required");
    }
    let query = e.required(f, "query");
    let address = f.text("address");
    if !web_address(&address) {
        e.add("address", "case.wizard.error.address");
    }
    e.done(Transition::ExternalSearch {
        search: ExternalSearch {
            platform,
            name,
            query,
            address,
            outcome: f.text("outcome"),
        },
    })
}

/// The shortlist form: the entries ticked (`candidate`), none to say nothing fits.
///
/// # Errors
///
/// A value that is not an entry's id (a tampered form).
pub fn shortlist(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let mut candidates = Vec::new();
    for v in f.all("candidate") {
        match v.parse::<i64>() {
            Ok(id) if !candidates.contains(&id) => candidates.push(id),
            Ok(_) => {}
            Err(_) => e.add("candidate", "case.wizard.error.candidate"),
        }
    }
    e.done(Transition::Shortlist { candidates })
}

/// The candidate an evaluation form is about (`software`).
#[must_use]
pub fn evaluated_software(f: &Fields) -> Option<i64> {
    f.one("software").parse().ok()
}

/// The TCO items of a form (`tco_<item>`).
fn tco(e: &mut Errors, f: &Fields) -> Tco {
    let mut item = |name: &str| e.amount(f, &format!("tco_{name}"));
    Tco {
        cloud: item("cloud"),
        training: item("training"),
        integration: item("integration"),
        customisation: item("customisation"),
        compliance: item("compliance"),
        other: item("other"),
    }
}

/// `S_TCO` and `S_tempi` of the evaluation form `f` as sent, each `None` when a field it is made
/// of is not a number: what the guards measure, before the form as a whole reads.
#[must_use]
pub fn submitted_totals(f: &Fields) -> (Option<u64>, Option<u32>) {
    let mut e = Errors::default();
    let s_tco = tco(&mut e, f).total();
    let s_tempi = e.days(f, "days");
    let failed = |prefix: &str| e.0.iter().any(|x| x.field.starts_with(prefix));
    (
        (!failed("tco_")).then_some(s_tco),
        (!failed("days")).then_some(s_tempi),
    )
}

/// The evaluation form of candidate `found` in `phase`, against `needs` (its requirements by
/// position, `coverage_{i}`), with the catalog's `facts` read when the form was sent.
///
/// # Errors
///
/// The fields missing or that are not numbers.
pub fn evaluation(
    f: &Fields,
    needs: &Needs,
    phase: Phase,
    found: Found,
    facts: CatalogFacts,
) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let coverage: Vec<Coverage> = (0..needs.requirements.len())
        .map(|i| {
            let field = format!("coverage_{i}");
            Coverage::parse(f.one(&field)).unwrap_or_else(|| {
                e.add(&field, "case.wizard.error.coverage");
                Coverage::Missing
            })
        })
        .collect();
    let tco = tco(&mut e, f);
    let days = e.days(f, "days");
    if days == 0 && !e.0.iter().any(|x| x.field == "days") {
        e.add("days", "case.wizard.error.positive");
    }
    let licence = (phase == Phase::OpenSource).then(|| LicenceCheck {
        approved: f.has("licence_approved"),
        compatible: f.has("licence_compatible"),
        note: f.text("licence_note"),
    });
    e.done(Transition::Evaluate {
        evaluation: Evaluation {
            software: found.software,
            snapshot: found.snapshot,
            slug: found.slug,
            name: found.name,
            facts,
            coverage,
            agreements: f.text("agreements"),
            skills: f.text("skills"),
            tco,
            days,
            blocking: f.text("blocking"),
            licence,
            notes: f.text("notes"),
        },
    })
}

/// A form with only a motivation (`motivation`): the rejection of the PA solutions, the
/// impossibility document; `make` builds the transition.
///
/// # Errors
///
/// The motivation is empty.
pub fn motivated(
    f: &Fields,
    make: impl FnOnce(String) -> Transition,
) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let motivation = e.required(f, "motivation");
    e.done(make(motivation))
}

/// The withdrawal form: its reason (`withdraw_motivation`) and the confirmation checkbox
/// (`withdraw_confirm`).
///
/// # Errors
///
/// The reason missing, the box not ticked.
pub fn withdrawal(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let motivation = e.required(f, "withdraw_motivation");
    if !f.has("withdraw_confirm") {
        e.add("withdraw_confirm", "case.withdrawal.unconfirmed");
    }
    e.done(Transition::Withdraw { motivation })
}

/// The form that marks a case not applicable: the exclusion of §2.2 (`exclusion`), the reason
/// (`na_motivation`) and the confirmation checkbox (`na_confirm`).
///
/// # Errors
///
/// No known exclusion chosen, the reason missing, the box not ticked.
pub fn not_applicable(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let exclusion = Exclusion::parse(f.one("exclusion"));
    if exclusion.is_none() {
        e.add("exclusion", "case.withdrawal.no_exclusion");
    }
    let motivation = e.required(f, "na_motivation");
    if !f.has("na_confirm") {
        e.add("na_confirm", "case.withdrawal.unconfirmed");
    }
    match exclusion {
        Some(exclusion) => e.done(Transition::NotApplicable {
            exclusion,
            motivation,
        }),
        None => Err(e.0),
    }
}

/// The proprietary product form with its five gates (`gate_<name>` checkboxes).
///
/// # Errors
///
/// The fields missing or that are not numbers.
pub fn product(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let name = e.required(f, "product_name");
    let tco = tco(&mut e, f);
    let days = e.days(f, "product_days");
    e.done(Transition::AssessProduct {
        product: Product {
            name,
            vendor: f.text("vendor"),
            gates: Gates {
                interoperability: f.has("gate_interoperability"),
                data_protection: f.has("gate_data-protection"),
                security: f.has("gate_security"),
                accessibility: f.has("gate_accessibility"),
                data_export: f.has("gate_data-export"),
            },
            coverage: f.text("product_coverage"),
            tco,
            days,
            notes: f.text("product_notes"),
        },
    })
}

/// The ex-novo feasibility project form.
///
/// # Errors
///
/// The fields missing, zero or that are not numbers.
pub fn feasibility(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let activities = e.required(f, "activities");
    let cost = e.amount(f, "cost");
    if cost == 0 && !e.0.iter().any(|x| x.field == "cost") {
        e.add("cost", "case.wizard.error.positive");
    }
    let days = e.days(f, "feasibility_days");
    if days == 0 && !e.0.iter().any(|x| x.field == "feasibility_days") {
        e.add("feasibility_days", "case.wizard.error.positive");
    }
    e.done(Transition::StudyExNovo {
        feasibility: Feasibility {
            activities,
            cost,
            days,
        },
    })
}

/// The make-or-buy form: the aspects ticked (`aspect`), each with its note (`note_<aspect>`),
/// and the rationale.
///
/// # Errors
///
/// The rationale is empty.
pub fn make_or_buy(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let rationale = e.required(f, "rationale");
    let aspects = Aspect::ALL
        .into_iter()
        .filter(|a| f.all("aspect").any(|v| v == a.as_str()))
        .map(|a| (a, f.text(&format!("note_{}", a.as_str()))))
        .collect();
    e.done(Transition::CompareMakeOrBuy {
        comparison: MakeOrBuy { aspects, rationale },
    })
}

/// The decision form from `state`: the choice (`choice`: an entry's id for PA reuse and open
/// source, `product:<name>`, or `ex-novo`), the version, the motivation, the delivery and
/// whether modifications are planned.
///
/// # Errors
///
/// The fields missing or a choice the state does not offer.
pub fn decision(f: &Fields, state: State) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let raw = f.one("choice").trim();
    let version = f.text("version");
    let choice = match state {
        State::EvaluatingPaReuse | State::EvaluatingOpenSource => match raw.parse::<i64>() {
            Ok(software) if state == State::EvaluatingPaReuse => {
                Some(Choice::PaReuse { software, version })
            }
            Ok(software) => Some(Choice::OpenSource { software, version }),
            Err(_) => None,
        },
        State::MakeOrBuyCompared => {
            if raw == "ex-novo" {
                Some(Choice::ExNovo)
            } else {
                raw.strip_prefix("product:").map(|p| Choice::Proprietary {
                    product: p.to_owned(),
                })
            }
        }
        _ => None,
    };
    let Some(choice) = choice else {
        e.add("choice", "case.wizard.error.choice");
        return Err(e.0);
    };
    let motivation = e.required(f, "motivation");
    let Some(delivery) = Delivery::parse(f.one("delivery")) else {
        e.add("delivery", "case.wizard.error.required");
        return Err(e.0);
    };
    e.done(Transition::Select {
        decision: Decision {
            choice,
            motivation,
            delivery,
            planned_changes: f.has("planned_changes"),
        },
    })
}

/// The procurement form.
///
/// # Errors
///
/// The award act is missing or the CIG is not ten letters and digits.
pub fn procurement(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let award_act = e.required(f, "award_act");
    let cig = f.text("cig").to_uppercase();
    if !cig.is_empty() && !valid_cig(&cig) {
        e.add("cig", "case.wizard.error.cig");
    }
    let annexes = ["A", "B", "D"]
        .into_iter()
        .filter(|a| f.all("annex").any(|v| v == *a))
        .map(str::to_owned)
        .collect();
    e.done(Transition::Procure {
        procurement: Procurement {
            cig,
            award_act,
            services: f.text("services"),
            annexes,
        },
    })
}

/// The production form; `today` is the latest go-live date accepted.
///
/// # Errors
///
/// The fields missing, a date that is not one or lies ahead, an address that is not a web
/// address.
pub fn production(f: &Fields, today: NaiveDate) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let live_on = match NaiveDate::parse_from_str(f.one("live_on").trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            e.add("live_on", "case.wizard.error.future");
            d
        }
        Ok(d) => d,
        Err(_) => {
            e.add("live_on", "case.wizard.error.date");
            today
        }
    };
    let version = e.required(f, "deployed_version");
    let address = f.text("address");
    if !web_address(&address) {
        e.add("address", "case.wizard.error.address");
    }
    e.done(Transition::GoLive {
        production: Production {
            live_on,
            version,
            address,
        },
    })
}

/// The modifications form: who owns them.
///
/// # Errors
///
/// The ownership is missing.
pub fn modifications(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let ownership = e.required(f, "ownership");
    e.done(Transition::PendModifications { ownership })
}

/// The release of the modifications: upstream (`pull_requests`, one address a line) or a
/// variant repository (`repository`).
///
/// # Errors
///
/// An address that is not a web address, or none.
pub fn release(f: &Fields) -> Result<Transition, Vec<FieldError>> {
    let mut e = Errors::default();
    let route = if f.one("route") == "variant" {
        let repository = f.text("repository");
        if !web_address(&repository) {
            e.add("repository", "case.wizard.error.address");
        }
        Route::Variant { repository }
    } else {
        let pull_requests: Vec<String> = f
            .one("pull_requests")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if pull_requests.is_empty() || !pull_requests.iter().all(|p| web_address(p)) {
            e.add("pull_requests", "case.wizard.error.address");
        }
        Route::Upstream { pull_requests }
    };
    e.done(Transition::ReleaseModifications { route })
}

/// Declares, for organisation `organisation_id`, the reuse of the solution case `case_id`
/// chose, as its production says it (version, go-live date, whether modified), with
/// `contact`; then records the declaration in the case. The guards are checked first, so a
/// case that may not declare leaves no declaration behind. The owner's acknowledgement (a
/// crawl of its `usedBy`, or its member confirming) later closes the case
/// ([`store::follow_declarations`]).
///
/// # Errors
///
/// [`CaseError::Guard`] when the case may not declare, [`CaseError::Community`] when the
/// declaration is refused (an unusable contact, one standing already), the database's errors.
pub async fn declare_reuse(
    db: &DatabaseConnection,
    public_url: &str,
    case_id: i64,
    organisation_id: i64,
    actor: Actor,
    contact: &str,
    now: DateTime<Utc>,
) -> Result<i64, CaseError> {
    let stored = store::load(db, case_id).await?.ok_or(CaseError::NotFound)?;
    let case: &Case = &stored.case;
    // The guards first, with a placeholder: the declaration's id is not checked by them.
    case.apply(
        actor.clone(),
        Transition::DeclareReuse { declaration: 0 },
        Vec::new(),
        now,
    )?;
    let software = case
        .decision
        .as_ref()
        .and_then(|d| d.choice.software())
        .ok_or(CaseError::NotFound)?;
    let production = case.production.as_ref().ok_or(CaseError::NotFound)?;
    let user = actor
        .user
        .ok_or(CaseError::Guard(super::Guard::NeedsMember))?;
    let title = case
        .opening
        .as_ref()
        .map(|o| o.title.clone())
        .unwrap_or_default();
    let declaration = declarations::declare(
        db,
        public_url,
        software,
        user,
        &NewDeclaration {
            organisation_id,
            version: production.version.clone(),
            since: production.live_on,
            modified: case.decision.as_ref().is_some_and(|d| d.planned_changes),
            variant_url: None,
            note: title,
            contact: contact.trim().to_owned(),
        },
    )
    .await?;
    store::transition(
        db,
        case_id,
        actor,
        Transition::DeclareReuse { declaration },
        &[],
        now,
    )
    .await?;
    Ok(declaration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(amount("40.000"), Some(40_000));
        assert_eq!(amount("€ 40,000"), Some(40_000));
        assert_eq!(amount(" "), Some(0));
        assert_eq!(amount("-5"), None);
        assert_eq!(amount("dieci"), None);
    }

    #[test]
    fn the_needs_form_drops_blank_rows_and_names_every_missing_field() {
        let Err(errors) = needs(&fields(&[("rows", "3"), ("budget", "x")])) else {
            panic!("an empty form reads");
        };
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["context", "req_0_text", "budget", "days", "norm"]);
        let Ok(Transition::DefineNeeds { needs }) = needs(&fields(&[
            ("rows", "3"),
            ("context", "c"),
            ("req_0_text", "PEC"),
            ("req_0_indispensable", "on"),
            ("req_1_text", " "),
            ("req_2_text", "app"),
            ("budget", "10.000"),
            ("days", "90"),
            ("norm", "accessibility"),
            ("norm", "bogus"),
        ])) else {
            panic!("a complete form does not read");
        };
        assert_eq!(needs.requirements.len(), 2);
        assert!(needs.requirements[0].indispensable && !needs.requirements[1].indispensable);
        assert_eq!(needs.budget, 10_000);
        assert_eq!(needs.norms, vec![Norm::Accessibility]);
        assert!(needs.missing().is_empty());
    }

    #[test]
    fn a_decision_offers_only_the_kinds_of_its_state() {
        let f = fields(&[
            ("choice", "7"),
            ("version", "1.0"),
            ("motivation", "m"),
            ("delivery", "saas"),
        ]);
        assert!(matches!(
            decision(&f, State::EvaluatingPaReuse),
            Ok(Transition::Select { decision }) if decision.choice.kind() == Kind::PaReuse
        ));
        assert!(decision(&f, State::MakeOrBuyCompared).is_err());
        let ex = fields(&[
            ("choice", "ex-novo"),
            ("motivation", "m"),
            ("delivery", "saas"),
        ]);
        assert!(decision(&ex, State::MakeOrBuyCompared).is_ok());
        assert_eq!(Page::of(State::MakeOrBuyCompared), Page::Decision);
        assert_eq!(kinds_from(State::MakeOrBuyCompared).len(), 2);
    }
}
