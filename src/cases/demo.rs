//! The demonstration cases of the demo catalog (`riuso dev demo-cases`, which `make run`
//! runs): the Comune di Bologna's finished evaluation, which chose to reuse the GovPay Interaction
//! Layer entry, declared it and had it acknowledged by its owner, and its evaluation in progress of a
//! whistleblowing solution. Both are published, so anyone can read them. Each candidate's facts
//! come from the catalog as it is ([`super::prefill`]); loading twice adds nothing.

use chrono::{DateTime, Days, Utc};
use sea_orm::DatabaseConnection;

use super::evidence::{
    Choice, Coverage, Decision, Delivery, Evaluation, Needs, Norm, Procurement, Production,
    Requirement, Search, Tco,
};
use super::machine::{Actor, Transition};
use super::{CaseError, prefill, store};
use crate::catalog::organisations;
use crate::community::declarations::{self, NewDeclaration};
use crate::community::memberships;

/// The reusing administration.
const IPA: &str = "c_a944";
/// The finished case's title.
const FINISHED: &str = "Pagamenti pagoPA dei servizi comunali";
/// The case in progress's title.
const IN_PROGRESS: &str = "Segnalazioni di illeciti (whistleblowing)";

/// The two cases loaded: the finished one and the one in progress, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoCases {
    /// The finished case.
    pub finished: i64,
    /// The case in progress.
    pub in_progress: i64,
}

fn requirement(text: &str, indispensable: bool) -> Requirement {
    Requirement {
        text: text.to_owned(),
        indispensable,
    }
}

/// Loads the demonstration cases at `now`, unless the Comune di Bologna has cases already;
/// `None` when the demo catalog's entries are missing.
///
/// # Errors
///
/// Fails on a database error, or when a guard refuses a move (which would be a bug here).
pub async fn load(
    db: &DatabaseConnection,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<Option<DemoCases>, CaseError> {
    let (Some((govpay, govpay_facts)), Some((comunica, _)), Some((whistle, whistle_facts))) = (
        entry(db, "GovPay Interaction Layer").await?,
        entry(db, "ComunicaPA").await?,
        entry(db, "Whistleblowing").await?,
    ) else {
        return Ok(None);
    };
    let bologna = organisations::for_ipa(db, IPA, "Comune di Bologna").await?;
    if !store::of_organisations(db, &[bologna.id]).await?.is_empty() {
        return Ok(None);
    }
    let rtd = memberships::demo_member(
        db,
        "rtd@comune.bologna.example",
        "Responsabile per la transizione digitale",
        bologna.id,
    )
    .await?;
    let actor = Actor::member(rtd.id, IPA);
    let at = |days_ago: u64| now.checked_sub_days(Days::new(days_ago)).unwrap_or(now);
    let needs = Needs {
        context: "I servizi comunali incassano tributi, rette e sanzioni da sportello e online; la riconciliazione degli incassi è manuale.".to_owned(),
        objectives: "Incassare tutto tramite pagoPA e riconciliare automaticamente gli incassi.".to_owned(),
        requirements: vec![
            requirement("Integrazione con la piattaforma pagoPA", true),
            requirement("Riconciliazione automatica degli incassi", true),
            requirement("Avvisi di pagamento nell'app IO", false),
        ],
        budget: 40_000,
        budget_covers: "installazione, integrazione con i gestionali, formazione, primo anno di esercizio".to_owned(),
        days: 150,
        norms: vec![Norm::Accessibility, Norm::Interoperability, Norm::Security, Norm::DataProtection],
        other_constraints: String::new(),
    };
    // The finished case.
    let finished = store::open(
        db,
        bologna.id,
        actor.clone(),
        Transition::Open {
            title: FINISHED.to_owned(),
            scope: "Il sistema di gestione dei pagamenti pagoPA per tutti i servizi del Comune"
                .to_owned(),
            officer: "Responsabile per la transizione digitale".to_owned(),
        },
        at(90),
    )
    .await?;
    let coverage = vec![
        Coverage::Covered,
        Coverage::Covered,
        Coverage::Customisation,
    ];
    let version = govpay_facts
        .version
        .clone()
        .unwrap_or_else(|| "latest".to_owned());
    let moves = vec![
        (Transition::DefineNeeds { needs: needs.clone() }, 88),
        (Transition::StartSearch, 85),
        (
            Transition::Search {
                search: Search {
                    query: "pagoPA".to_owned(),
                    filters: vec![("claim".to_owned(), "pagopa".to_owned())],
                    total: 2,
                    results: vec![govpay.clone(), comunica.clone()],
                },
            },
            85,
        ),
        (Transition::Shortlist { candidates: vec![govpay.software] }, 84),
        (
            Transition::Evaluate {
                evaluation: Evaluation {
                    software: govpay.software,
                    snapshot: govpay.snapshot,
                    slug: govpay.slug.clone(),
                    name: govpay.name.clone(),
                    facts: govpay_facts,
                    coverage,
                    agreements: "Supporto all'installazione offerto dal titolare".to_owned(),
                    skills: "Java e PostgreSQL presenti nel CED".to_owned(),
                    tco: Tco {
                        cloud: 6_000,
                        training: 3_000,
                        integration: 12_000,
                        customisation: 4_000,
                        compliance: 1_500,
                        other: 2_500,
                    },
                    days: 90,
                    blocking: String::new(),
                    licence: None,
                    notes: String::new(),
                },
            },
            80,
        ),
        (
            Transition::Select {
                decision: Decision {
                    choice: Choice::PaReuse {
                        software: govpay.software,
                        version,
                    },
                    motivation: "Copre i requisiti indispensabili con S_TCO e S_tempi entro i vincoli; è già in uso presso altre amministrazioni.".to_owned(),
                    delivery: Delivery::CloudIaas,
                    planned_changes: false,
                },
            },
            75,
        ),
        (
            Transition::Procure {
                procurement: Procurement {
                    cig: "Z3A1B2C4D5".to_owned(),
                    award_act: "Determinazione dirigenziale n. 123".to_owned(),
                    services: "Installazione, integrazione con i gestionali e formazione".to_owned(),
                    annexes: vec![],
                },
            },
            60,
        ),
        (
            Transition::GoLive {
                production: Production {
                    live_on: at(20).date_naive(),
                    version: "in esercizio".to_owned(),
                    address: "https://pagamenti.comune.bologna.example".to_owned(),
                },
            },
            20,
        ),
    ];
    for (transition, days_ago) in moves {
        store::transition(db, finished, actor.clone(), transition, &[], at(days_ago)).await?;
    }
    // The reuse declaration made from the case, then acknowledged by the owner's member.
    let declaration = declarations::declare(
        db,
        public_url,
        govpay.software,
        rtd.id,
        &NewDeclaration {
            organisation_id: bologna.id,
            version: "in esercizio".to_owned(),
            since: at(20).date_naive(),
            modified: false,
            variant_url: None,
            note: FINISHED.to_owned(),
            contact: "rtd@comune.bologna.example".to_owned(),
        },
    )
    .await?;
    store::transition(
        db,
        finished,
        actor.clone(),
        Transition::DeclareReuse { declaration },
        &[],
        at(19),
    )
    .await?;
    if let Some(owner) = govpay_owner(db, govpay.software).await? {
        let owner_member = memberships::demo_member(
            db,
            "ced@comune.montesilvano.example",
            "CED del Comune di Montesilvano",
            owner,
        )
        .await?;
        declarations::acknowledge(db, declaration, owner_member.id).await?;
        store::transition(
            db,
            finished,
            Actor::system(IPA),
            Transition::Acknowledge {
                declaration,
                via: "owner".to_owned(),
            },
            &[],
            at(10),
        )
        .await?;
        store::transition(
            db,
            finished,
            actor.clone(),
            Transition::Close {
                note: "Riuso riconosciuto dal titolare.".to_owned(),
            },
            &[],
            at(10),
        )
        .await?;
    }
    store::transition(
        db,
        finished,
        actor.clone(),
        Transition::Publish { published: true },
        &[],
        at(9),
    )
    .await?;
    // The case in progress: its only candidate is being evaluated.
    let in_progress = store::open(
        db,
        bologna.id,
        actor.clone(),
        Transition::Open {
            title: IN_PROGRESS.to_owned(),
            scope: "Il canale interno per le segnalazioni di illeciti (D.Lgs. 24/2023)".to_owned(),
            officer: "Responsabile della prevenzione della corruzione".to_owned(),
        },
        at(7),
    )
    .await?;
    let moves = vec![
        Transition::DefineNeeds {
            needs: Needs {
                context: "Le segnalazioni arrivano oggi per posta elettronica, senza garanzie di riservatezza.".to_owned(),
                objectives: "Un canale che garantisca la riservatezza del segnalante.".to_owned(),
                requirements: vec![
                    requirement("Cifratura delle segnalazioni e dell'identità del segnalante", true),
                    requirement("Segnalazioni anonime", true),
                    requirement("Dialogo con il segnalante", false),
                ],
                budget: 15_000,
                budget_covers: "installazione, personalizzazione grafica, formazione".to_owned(),
                days: 90,
                norms: vec![Norm::Accessibility, Norm::DataProtection, Norm::Security],
                other_constraints: String::new(),
            },
        },
        Transition::StartSearch,
        Transition::Search {
            search: Search {
                query: "whistleblowing".to_owned(),
                filters: vec![],
                total: 1,
                results: vec![whistle.clone()],
            },
        },
        Transition::Shortlist {
            candidates: vec![whistle.software],
        },
        Transition::Evaluate {
            evaluation: Evaluation {
                software: whistle.software,
                snapshot: whistle.snapshot,
                slug: whistle.slug.clone(),
                name: whistle.name.clone(),
                facts: whistle_facts,
                coverage: vec![Coverage::Covered, Coverage::Covered, Coverage::Missing],
                agreements: String::new(),
                skills: "Da verificare".to_owned(),
                tco: Tco {
                    cloud: 3_000,
                    training: 1_000,
                    integration: 2_000,
                    ..Tco::default()
                },
                days: 45,
                blocking: String::new(),
                licence: None,
                notes: "Valutazione in corso: manca il preventivo per l'installazione.".to_owned(),
            },
        },
        Transition::Publish { published: true },
    ];
    for (i, transition) in moves.into_iter().enumerate() {
        let days_ago = 6u64.saturating_sub(u64::try_from(i).unwrap_or(0));
        store::transition(
            db,
            in_progress,
            actor.clone(),
            transition,
            &[],
            at(days_ago),
        )
        .await?;
    }
    Ok(Some(DemoCases {
        finished,
        in_progress,
    }))
}

/// The demo entry named `name` as found, with its facts.
async fn entry(
    db: &DatabaseConnection,
    name: &str,
) -> Result<Option<(super::evidence::Found, super::evidence::CatalogFacts)>, CaseError> {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

    use crate::catalog::entities::software;
    let Some(row) = software::Entity::find()
        .filter(software::Column::Name.eq(name))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    prefill::candidate(db, &row.id.to_string()).await
}

/// The organisation that publishes entry `software_id`: its verified owner, else the
/// organisation its file names (the demo catalog is imported from files, not crawled from a
/// trusted source, so its publishers are not verified).
async fn govpay_owner(db: &DatabaseConnection, software_id: i64) -> Result<Option<i64>, CaseError> {
    use sea_orm::EntityTrait as _;

    use crate::catalog::entities::software;
    if let Some(owner) = crate::catalog::reuse::entries(db, [software_id])
        .await?
        .remove(&software_id)
        .and_then(|e| e.owner_id)
    {
        return Ok(Some(owner));
    }
    Ok(software::Entity::find_by_id(software_id)
        .one(db)
        .await?
        .and_then(|s| s.organisation_id))
}
