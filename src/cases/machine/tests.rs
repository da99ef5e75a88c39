//! The machine walked: every allowed transition with its evidence succeeds, every other is
//! refused naming its guard, and folding the events rebuilds the case.

use chrono::NaiveDate;

use super::*;
use crate::cases::evidence::{
    Aspect, CatalogFacts, Choice, Coverage, Delivery, Found, Gates, LicenceCheck, Norm,
    Requirement, Tco,
};

const IPA: &str = "c_a944";
const PA: i64 = 10;
const PA_OTHER: i64 = 11;
const OSS: i64 = 20;
const DECLARATION: i64 = 99;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-10T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn member() -> Actor {
    Actor::member(7, IPA)
}

fn open() -> Transition {
    Transition::Open {
        title: "Protocollo informatico".to_owned(),
        scope: "Il protocollo dell'ente".to_owned(),
        officer: "Mario Rossi, RTD".to_owned(),
    }
}

fn needs() -> Needs {
    Needs {
        context: "L'ufficio protocollo registra 20.000 documenti l'anno".to_owned(),
        objectives: "Un protocollo conforme alle regole tecniche".to_owned(),
        requirements: vec![
            Requirement {
                text: "Protocollazione PEC".to_owned(),
                indispensable: true,
            },
            Requirement {
                text: "App per dispositivi mobili".to_owned(),
                indispensable: false,
            },
        ],
        budget: 60_000,
        budget_covers: "migrazione, installazione, formazione".to_owned(),
        days: 180,
        norms: vec![Norm::Accessibility, Norm::Interoperability],
        other_constraints: String::new(),
    }
}

fn define_needs() -> Transition {
    Transition::DefineNeeds { needs: needs() }
}

fn found(software: i64) -> Found {
    Found {
        software,
        snapshot: software * 100,
        slug: format!("entry-{software}"),
        name: format!("Entry {software}"),
        publisher: Some("Comune".to_owned()),
        ipa: Some("c_h501".to_owned()),
        licence: Some("EUPL-1.2".to_owned()),
    }
}

fn search(results: &[i64]) -> Transition {
    Transition::Search {
        search: Search {
            query: "protocollo".to_owned(),
            filters: vec![("category".to_owned(), "document-management".to_owned())],
            total: results.len() as u64,
            results: results.iter().map(|s| found(*s)).collect(),
        },
    }
}

fn developers_italia() -> Transition {
    Transition::ExternalSearch {
        search: ExternalSearch {
            platform: Platform::DevelopersItalia,
            name: String::new(),
            query: "protocollo".to_owned(),
            address: "https://developers.italia.it/it/search?q=protocollo".to_owned(),
            outcome: "the same entries".to_owned(),
        },
    }
}

fn shortlist(candidates: &[i64]) -> Transition {
    Transition::Shortlist {
        candidates: candidates.to_vec(),
    }
}

fn evaluation(software: i64) -> Evaluation {
    Evaluation {
        software,
        snapshot: software * 100,
        slug: format!("entry-{software}"),
        name: format!("Entry {software}"),
        facts: CatalogFacts {
            version: Some("1.0".to_owned()),
            publisher: Some("Comune".to_owned()),
            ipa: Some("c_h501".to_owned()),
            claims: vec!["accessibility".to_owned()],
            maintenance: Some("internal".to_owned()),
            contracts: vec![],
            used_by: 3,
            declarations: 1,
            vitality: Some(70),
            licence: Some("EUPL-1.2".to_owned()),
            dependencies: vec!["PostgreSQL".to_owned()],
            proprietary: vec![],
        },
        coverage: vec![Coverage::Covered, Coverage::Missing],
        agreements: String::new(),
        skills: "Java".to_owned(),
        tco: Tco {
            training: 5_000,
            integration: 10_000,
            ..Tco::default()
        },
        days: 90,
        blocking: String::new(),
        licence: (software == OSS).then(|| LicenceCheck {
            approved: true,
            compatible: true,
            note: "EUPL-1.2".to_owned(),
        }),
        notes: String::new(),
    }
}

fn evaluate(software: i64) -> Transition {
    Transition::Evaluate {
        evaluation: evaluation(software),
    }
}

fn product(name: &str, gates: Gates, cost: u64) -> Transition {
    Transition::AssessProduct {
        product: Product {
            name: name.to_owned(),
            vendor: "Vendor S.p.A.".to_owned(),
            gates,
            coverage: "all".to_owned(),
            tco: Tco {
                cloud: cost,
                ..Tco::default()
            },
            days: 60,
            notes: String::new(),
        },
    }
}

fn all_gates() -> Gates {
    Gates {
        interoperability: true,
        data_protection: true,
        security: true,
        accessibility: true,
        data_export: true,
    }
}

fn feasibility() -> Transition {
    Transition::StudyExNovo {
        feasibility: Feasibility {
            activities: "analysis, development, testing".to_owned(),
            cost: 120_000,
            days: 365,
        },
    }
}

fn make_or_buy() -> Transition {
    Transition::CompareMakeOrBuy {
        comparison: MakeOrBuy {
            aspects: vec![(Aspect::BuyFast, "three months".to_owned())],
            rationale: "the product is faster and within budget".to_owned(),
        },
    }
}

fn motivation() -> String {
    "none fits the indispensable requirements".to_owned()
}

fn select(choice: Choice) -> Transition {
    Transition::Select {
        decision: Decision {
            choice,
            motivation: "the best candidate under the guards".to_owned(),
            delivery: Delivery::CloudIaas,
            planned_changes: false,
        },
    }
}

fn select_pa() -> Transition {
    select(Choice::PaReuse {
        software: PA,
        version: "1.0".to_owned(),
    })
}

fn select_oss() -> Transition {
    select(Choice::OpenSource {
        software: OSS,
        version: "2.1".to_owned(),
    })
}

fn select_product() -> Transition {
    select(Choice::Proprietary {
        product: "Prodotto".to_owned(),
    })
}

fn procure() -> Transition {
    Transition::Procure {
        procurement: Procurement {
            cig: "Z1A2B3C4D5".to_owned(),
            award_act: "Determina n. 12 del 2026".to_owned(),
            services: "installazione e formazione".to_owned(),
            annexes: vec![],
        },
    }
}

fn go_live() -> Transition {
    Transition::GoLive {
        production: Production {
            live_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            version: "1.0".to_owned(),
            address: "https://protocollo.comune.example.it".to_owned(),
        },
    }
}

fn acknowledge() -> Transition {
    Transition::Acknowledge {
        declaration: DECLARATION,
        via: "owner".to_owned(),
    }
}

fn release() -> Transition {
    Transition::ReleaseModifications {
        route: Route::Upstream {
            pull_requests: vec!["https://github.com/owner/repo/pull/1".to_owned()],
        },
    }
}

fn close() -> Transition {
    Transition::Close {
        note: "done".to_owned(),
    }
}

fn withdraw() -> Transition {
    Transition::Withdraw {
        motivation: "the office was merged".to_owned(),
    }
}

/// The moves that lead to `state` along the canonical paths.
fn path(state: State) -> Vec<Transition> {
    use State as S;
    let mut to_pa_search = vec![
        open(),
        define_needs(),
        Transition::StartSearch,
        search(&[PA, PA_OTHER]),
    ];
    let to_oss_search = {
        let mut p = to_pa_search.clone();
        p.extend([shortlist(&[]), search(&[OSS]), developers_italia()]);
        p
    };
    let to_impossibility = {
        let mut p = to_oss_search.clone();
        p.extend([Transition::DocumentImpossibility {
            motivation: motivation(),
        }]);
        p
    };
    let to_alternatives = {
        let mut p = to_impossibility.clone();
        p.extend([
            Transition::AnalyseAlternatives,
            product("Prodotto", all_gates(), 40_000),
            feasibility(),
        ]);
        p
    };
    let to_selected = {
        let mut p = to_pa_search.clone();
        p.extend([shortlist(&[PA]), evaluate(PA), select_pa()]);
        p
    };
    let extend = |mut p: Vec<Transition>, more: Vec<Transition>| {
        p.extend(more);
        p
    };
    match state {
        S::Opened => vec![open()],
        S::NotApplicable => vec![
            open(),
            Transition::NotApplicable {
                exclusion: Exclusion::Hardware,
                motivation: "only servers".to_owned(),
            },
        ],
        S::NeedsDefined => vec![open(), define_needs()],
        S::SearchingPaReuse => to_pa_search,
        S::EvaluatingPaReuse => {
            to_pa_search.extend([shortlist(&[PA]), evaluate(PA)]);
            to_pa_search
        }
        S::SearchingOpenSource => to_oss_search,
        S::EvaluatingOpenSource => extend(to_oss_search, vec![shortlist(&[OSS]), evaluate(OSS)]),
        S::ImpossibilityDocumented => to_impossibility,
        S::AnalysingAlternatives => to_alternatives,
        S::MakeOrBuyCompared => extend(to_alternatives, vec![make_or_buy()]),
        S::SolutionSelected => to_selected,
        S::Procuring => extend(to_selected, vec![procure()]),
        S::InProduction => extend(to_selected, vec![procure(), go_live()]),
        S::ReuseDeclared => extend(
            to_selected,
            vec![
                procure(),
                go_live(),
                Transition::DeclareReuse {
                    declaration: DECLARATION,
                },
            ],
        ),
        S::ModifiedReleasePending => extend(
            to_selected,
            vec![
                procure(),
                go_live(),
                Transition::PendModifications {
                    ownership: "art. 5 of the contract".to_owned(),
                },
            ],
        ),
        S::ReuseAcknowledged => extend(path(S::ReuseDeclared), vec![acknowledge()]),
        S::ModificationsReleased => extend(path(S::ModifiedReleasePending), vec![release()]),
        S::Closed => extend(path(S::ReuseAcknowledged), vec![close()]),
        S::Withdrawn => vec![open(), define_needs(), withdraw()],
    }
}

/// A case in `state` reached through allowed transitions, with its events.
fn at(state: State) -> (Case, Vec<Event>) {
    let mut case = Case::default();
    let mut events = Vec::new();
    for transition in path(state) {
        let name = transition.name();
        let event = case
            .apply(member(), transition, vec![], now())
            .unwrap_or_else(|g| panic!("{name} on the way to {state:?} refused: {g}"));
        case.absorb(&event);
        events.push(event);
    }
    assert_eq!(case.state, Some(state));
    (case, events)
}

/// Every transition, with evidence valid along the canonical paths.
fn every_transition() -> Vec<Transition> {
    vec![
        open(),
        Transition::NotApplicable {
            exclusion: Exclusion::Outsourcing,
            motivation: "full outsourcing".to_owned(),
        },
        define_needs(),
        Transition::StartSearch,
        search(&[PA]),
        developers_italia(),
        shortlist(&[PA]),
        shortlist(&[OSS]),
        shortlist(&[]),
        evaluate(PA),
        evaluate(OSS),
        Transition::Reject {
            motivation: motivation(),
        },
        Transition::DocumentImpossibility {
            motivation: motivation(),
        },
        Transition::AnalyseAlternatives,
        product("Altro", all_gates(), 10_000),
        feasibility(),
        make_or_buy(),
        select_pa(),
        select_oss(),
        select_product(),
        select(Choice::ExNovo),
        procure(),
        go_live(),
        Transition::DeclareReuse {
            declaration: DECLARATION,
        },
        Transition::PendModifications {
            ownership: "art. 5".to_owned(),
        },
        acknowledge(),
        release(),
        close(),
        withdraw(),
        Transition::Publish { published: true },
    ]
}

/// What `transition` does from `state` on the canonical path: the state it leads to, or the
/// guard that refuses it.
fn expected(from: State, transition: &Transition) -> Result<State, Guard> {
    use State as S;
    let not_from = Err(Guard::NotFrom {
        from,
        transition: transition.name(),
    });
    match transition {
        Transition::Open { .. } => return Err(Guard::AlreadyOpen),
        Transition::Publish { .. } => return Ok(from),
        _ if from.is_terminal() => return not_from,
        _ => {}
    }
    match (from, transition) {
        (_, Transition::Withdraw { .. }) => Ok(S::Withdrawn),
        (S::Opened, Transition::NotApplicable { .. }) => Ok(S::NotApplicable),
        (S::Opened | S::NeedsDefined, Transition::DefineNeeds { .. }) => Ok(S::NeedsDefined),
        (S::NeedsDefined, Transition::StartSearch) => Ok(S::SearchingPaReuse),
        (
            S::SearchingPaReuse | S::SearchingOpenSource,
            Transition::Search { .. } | Transition::ExternalSearch { .. },
        ) => Ok(from),
        (S::SearchingPaReuse, Transition::Shortlist { candidates }) => {
            match candidates.as_slice() {
                [] => Ok(S::SearchingOpenSource),
                [PA] => Ok(S::EvaluatingPaReuse),
                [other, ..] => Err(Guard::NotFound { software: *other }),
            }
        }
        (S::SearchingOpenSource, Transition::Shortlist { candidates }) => {
            match candidates.as_slice() {
                [] => Err(Guard::NoCandidates),
                [OSS] => Ok(S::EvaluatingOpenSource),
                [other, ..] => Err(Guard::NotFound { software: *other }),
            }
        }
        (S::EvaluatingPaReuse, Transition::Evaluate { evaluation }) => {
            if evaluation.software == PA {
                Ok(from)
            } else {
                Err(Guard::NotACandidate {
                    software: evaluation.software,
                })
            }
        }
        (S::EvaluatingOpenSource, Transition::Evaluate { evaluation }) => {
            if evaluation.software == OSS {
                Ok(from)
            } else {
                Err(Guard::NotACandidate {
                    software: evaluation.software,
                })
            }
        }
        (S::EvaluatingPaReuse, Transition::Reject { .. }) => Ok(S::SearchingOpenSource),
        (
            S::SearchingOpenSource | S::EvaluatingOpenSource,
            Transition::DocumentImpossibility { .. },
        ) => Ok(S::ImpossibilityDocumented),
        (S::ImpossibilityDocumented, Transition::AnalyseAlternatives) => {
            Ok(S::AnalysingAlternatives)
        }
        (
            S::AnalysingAlternatives,
            Transition::AssessProduct { .. } | Transition::StudyExNovo { .. },
        ) => Ok(from),
        (S::AnalysingAlternatives, Transition::CompareMakeOrBuy { .. }) => Ok(S::MakeOrBuyCompared),
        (_, Transition::Select { decision }) => {
            let kind = decision.choice.kind();
            let home = match kind {
                Kind::PaReuse => S::EvaluatingPaReuse,
                Kind::OpenSource => S::EvaluatingOpenSource,
                Kind::Proprietary | Kind::ExNovo => S::MakeOrBuyCompared,
            };
            if from == home {
                Ok(S::SolutionSelected)
            } else if matches!(
                from,
                S::EvaluatingPaReuse | S::EvaluatingOpenSource | S::MakeOrBuyCompared
            ) {
                Err(Guard::KindNotHere { kind, from })
            } else {
                not_from
            }
        }
        (S::SolutionSelected, Transition::Procure { .. }) => Ok(S::Procuring),
        (S::Procuring, Transition::GoLive { .. }) => Ok(S::InProduction),
        (S::InProduction, Transition::DeclareReuse { .. }) => Ok(S::ReuseDeclared),
        (S::InProduction, Transition::PendModifications { .. }) => Ok(S::ModifiedReleasePending),
        (S::ReuseDeclared, Transition::Acknowledge { .. }) => Ok(S::ReuseAcknowledged),
        (S::ModifiedReleasePending, Transition::ReleaseModifications { .. }) => {
            Ok(S::ModificationsReleased)
        }
        // The canonical path chose a PA solution: it is declared before closing.
        (S::InProduction, Transition::Close { .. }) => Err(Guard::DeclarationRequired),
        (S::ReuseAcknowledged | S::ModificationsReleased, Transition::Close { .. }) => {
            Ok(S::Closed)
        }
        _ => not_from,
    }
}

#[test]
fn every_allowed_transition_succeeds_and_every_other_is_refused_naming_its_guard() {
    let mut allowed = 0;
    for from in State::ALL {
        let (case, _) = at(from);
        for transition in every_transition() {
            let result = case.apply(member(), transition.clone(), vec![], now());
            match expected(from, &transition) {
                Ok(to) => {
                    let event = result.unwrap_or_else(|g| {
                        panic!("{} from {from:?} refused: {g}", transition.name())
                    });
                    assert_eq!((event.from, event.to), (from, to), "{}", transition.name());
                    assert_eq!(event.evidence, transition, "the evidence is kept");
                    assert_eq!(event.actor.ipa, IPA, "the acting IPA code is kept");
                    allowed += 1;
                }
                Err(guard) => assert_eq!(result, Err(guard), "{} from {from:?}", transition.name()),
            }
        }
    }
    // Counted by hand from the table in the module's documentation, for these evidences.
    assert_eq!(allowed, 67);
}

#[test]
fn a_new_case_opens_first_and_once() {
    let fresh = Case::default();
    assert_eq!(fresh.current(), State::Opened);
    for transition in every_transition() {
        let result = fresh.apply(member(), transition.clone(), vec![], now());
        match transition {
            Transition::Open { .. } => assert_eq!(result.unwrap().to, State::Opened),
            _ => assert_eq!(result, Err(Guard::NotOpened), "{}", transition.name()),
        }
    }
    assert_eq!(
        fresh.apply(
            member(),
            Transition::Open {
                title: "t".to_owned(),
                scope: " ".to_owned(),
                officer: "o".to_owned()
            },
            vec![],
            now()
        ),
        Err(Guard::OpeningIncomplete)
    );
}

/// Applies `moves` to `state`'s case and answers the case.
fn then(state: State, moves: Vec<Transition>) -> Case {
    let (mut case, _) = at(state);
    for transition in moves {
        let event = case.apply(member(), transition, vec![], now()).unwrap();
        case.absorb(&event);
    }
    case
}

#[test]
fn the_guards_say_which_one_failed() {
    let (opened, _) = at(State::Opened);
    let (pa_search, _) = at(State::SearchingPaReuse);
    let (pa_eval, _) = at(State::EvaluatingPaReuse);
    let (oss_eval, _) = at(State::EvaluatingOpenSource);
    let (alternatives, _) = at(State::AnalysingAlternatives);
    let (make_or_buy_done, _) = at(State::MakeOrBuyCompared);
    let (selected, _) = at(State::SolutionSelected);
    let (procuring, _) = at(State::Procuring);
    let (production, _) = at(State::InProduction);
    let (declared, _) = at(State::ReuseDeclared);
    let (pending, _) = at(State::ModifiedReleasePending);
    // A PA candidate evaluated but failing each guard in turn.
    let failing = |change: &dyn Fn(&mut Evaluation)| -> Case {
        let (mut case, _) = at(State::SearchingPaReuse);
        let mut evaluation = evaluation(PA);
        change(&mut evaluation);
        for transition in [
            search(&[PA]),
            shortlist(&[PA]),
            Transition::Evaluate { evaluation },
        ] {
            let event = case.apply(member(), transition, vec![], now()).unwrap();
            case.absorb(&event);
        }
        case
    };
    let over_budget = failing(&|e| e.tco.other = 50_000);
    let over_time = failing(&|e| e.days = 180);
    let missing = failing(&|e| e.coverage = vec![Coverage::Missing, Coverage::Covered]);
    let blocked = failing(&|e| e.blocking = "runs only on Windows".to_owned());
    // An open-source candidate whose licence check failed.
    let refused = {
        let mut case = then(
            State::SearchingOpenSource,
            vec![search(&[OSS]), developers_italia(), shortlist(&[OSS])],
        );
        let mut evaluation = evaluation(OSS);
        evaluation.licence = Some(LicenceCheck {
            approved: true,
            compatible: false,
            note: "incompatible with an integration".to_owned(),
        });
        let event = case
            .apply(member(), Transition::Evaluate { evaluation }, vec![], now())
            .unwrap();
        case.absorb(&event);
        case
    };
    let ineligible = then(
        State::AnalysingAlternatives,
        vec![
            product(
                "Prodotto",
                Gates {
                    data_export: false,
                    ..all_gates()
                },
                10_000,
            ),
            make_or_buy(),
        ],
    );
    let expensive = then(
        State::AnalysingAlternatives,
        vec![product("Prodotto", all_gates(), 60_000), make_or_buy()],
    );
    let no_feasibility = {
        let mut case = Case::default();
        for transition in path(State::ImpossibilityDocumented)
            .into_iter()
            .chain([Transition::AnalyseAlternatives])
        {
            let event = case.apply(member(), transition, vec![], now()).unwrap();
            case.absorb(&event);
        }
        case
    };
    // The invariants hold even on a case assembled by hand.
    let undocumented = Case {
        impossibility: None,
        ..at(State::ImpossibilityDocumented).0
    };
    let not_excluded = Case {
        pa_excluded: false,
        ..oss_eval.clone()
    };
    let proprietary_production = then(
        State::MakeOrBuyCompared,
        vec![select_product(), procure(), go_live()],
    );
    let empty = String::new;
    let cases: Vec<(Case, Actor, Transition, Guard)> = vec![
        (
            pa_search.clone(),
            Actor::system(IPA),
            search(&[PA]),
            Guard::NeedsMember,
        ),
        (
            pa_search.clone(),
            Actor {
                user: None,
                role: Role::Member,
                ipa: IPA.to_owned(),
            },
            search(&[PA]),
            Guard::NeedsMember,
        ),
        (opened.clone(), member(), open(), Guard::AlreadyOpen),
        (
            opened.clone(),
            member(),
            Transition::NotApplicable {
                exclusion: Exclusion::Hardware,
                motivation: empty(),
            },
            Guard::NeedsMotivation,
        ),
        (
            opened.clone(),
            member(),
            Transition::DefineNeeds {
                needs: Needs {
                    budget: 0,
                    norms: vec![],
                    ..needs()
                },
            },
            Guard::NeedsIncomplete {
                missing: vec![NeedsField::Budget, NeedsField::Norms],
            },
        ),
        (
            then(State::NeedsDefined, vec![Transition::StartSearch]),
            member(),
            shortlist(&[]),
            Guard::NoSearch,
        ),
        (
            pa_search.clone(),
            member(),
            Transition::ExternalSearch {
                search: ExternalSearch {
                    platform: Platform::Other,
                    name: empty(),
                    query: "protocollo".to_owned(),
                    address: "https://joinup.ec.europa.eu".to_owned(),
                    outcome: empty(),
                },
            },
            Guard::ExternalSearchIncomplete,
        ),
        (
            then(
                State::SearchingPaReuse,
                vec![shortlist(&[]), search(&[OSS])],
            ),
            member(),
            shortlist(&[OSS]),
            Guard::DevelopersItaliaNotSearched,
        ),
        (
            then(State::SearchingPaReuse, vec![shortlist(&[])]),
            member(),
            Transition::DocumentImpossibility {
                motivation: motivation(),
            },
            Guard::DevelopersItaliaNotSearched,
        ),
        (
            then(State::SearchingOpenSource, vec![developers_italia()]),
            member(),
            Transition::DocumentImpossibility {
                motivation: empty(),
            },
            Guard::NeedsMotivation,
        ),
        (
            then(
                State::SearchingOpenSource,
                vec![search(&[OSS]), developers_italia()],
            ),
            member(),
            shortlist(&[]),
            Guard::NoCandidates,
        ),
        (
            then(
                State::NeedsDefined,
                vec![Transition::StartSearch, search(&[PA])],
            ),
            member(),
            shortlist(&[PA, PA_OTHER]),
            Guard::NotFound { software: PA_OTHER },
        ),
        (
            pa_eval.clone(),
            member(),
            evaluate(PA_OTHER),
            Guard::NotACandidate { software: PA_OTHER },
        ),
        (
            pa_eval.clone(),
            member(),
            Transition::Evaluate {
                evaluation: Evaluation {
                    coverage: vec![Coverage::Covered],
                    ..evaluation(PA)
                },
            },
            Guard::CoverageIncomplete,
        ),
        (
            oss_eval.clone(),
            member(),
            Transition::Evaluate {
                evaluation: Evaluation {
                    licence: None,
                    ..evaluation(OSS)
                },
            },
            Guard::NeedsLicenceCheck,
        ),
        (
            then(
                State::SearchingPaReuse,
                vec![
                    search(&[PA, PA_OTHER]),
                    shortlist(&[PA, PA_OTHER]),
                    evaluate(PA),
                ],
            ),
            member(),
            Transition::Reject {
                motivation: motivation(),
            },
            Guard::NotEvaluated {
                software: vec![PA_OTHER],
            },
        ),
        (
            pa_eval.clone(),
            member(),
            Transition::Reject {
                motivation: " ".to_owned(),
            },
            Guard::NeedsMotivation,
        ),
        (
            undocumented.clone(),
            member(),
            Transition::AnalyseAlternatives,
            Guard::NoImpossibilityDocument,
        ),
        (
            Case {
                impossibility: None,
                ..alternatives.clone()
            },
            member(),
            make_or_buy(),
            Guard::NoImpossibilityDocument,
        ),
        (
            alternatives.clone(),
            member(),
            product(" ", all_gates(), 1),
            Guard::ProductIncomplete,
        ),
        (
            alternatives.clone(),
            member(),
            Transition::StudyExNovo {
                feasibility: Feasibility {
                    activities: "x".to_owned(),
                    cost: 0,
                    days: 10,
                },
            },
            Guard::FeasibilityIncomplete,
        ),
        (
            no_feasibility.clone(),
            member(),
            make_or_buy(),
            Guard::NoFeasibilityProject,
        ),
        (
            alternatives.clone(),
            member(),
            Transition::CompareMakeOrBuy {
                comparison: MakeOrBuy {
                    aspects: vec![],
                    rationale: empty(),
                },
            },
            Guard::NeedsMotivation,
        ),
        (
            pa_eval.clone(),
            member(),
            select(Choice::ExNovo),
            Guard::KindNotHere {
                kind: Kind::ExNovo,
                from: State::EvaluatingPaReuse,
            },
        ),
        (
            not_excluded.clone(),
            member(),
            select_oss(),
            Guard::PaReuseNotExcluded,
        ),
        (
            over_budget.clone(),
            member(),
            select_pa(),
            Guard::OverBudget {
                s_tco: 65_000,
                t_bilancio: 60_000,
            },
        ),
        (
            over_time.clone(),
            member(),
            select_pa(),
            Guard::OverTime {
                s_tempi: 180,
                t_tempi: 180,
            },
        ),
        (
            missing.clone(),
            member(),
            select_pa(),
            Guard::MissingRequirements {
                requirements: vec![0],
            },
        ),
        (blocked.clone(), member(), select_pa(), Guard::Blocked),
        (
            refused.clone(),
            member(),
            select_oss(),
            Guard::LicenceRefused,
        ),
        (
            pa_eval.clone(),
            member(),
            select(Choice::PaReuse {
                software: PA_OTHER,
                version: "1".to_owned(),
            }),
            Guard::NotACandidate { software: PA_OTHER },
        ),
        (
            then(
                State::SearchingPaReuse,
                vec![search(&[PA, PA_OTHER]), shortlist(&[PA, PA_OTHER])],
            ),
            member(),
            select_pa(),
            Guard::NotEvaluated { software: vec![PA] },
        ),
        (
            pa_eval.clone(),
            member(),
            select(Choice::PaReuse {
                software: PA,
                version: " ".to_owned(),
            }),
            Guard::NeedsVersion,
        ),
        (
            pa_eval.clone(),
            member(),
            Transition::Select {
                decision: Decision {
                    choice: Choice::PaReuse {
                        software: PA,
                        version: "1.0".to_owned(),
                    },
                    motivation: empty(),
                    delivery: Delivery::Saas,
                    planned_changes: false,
                },
            },
            Guard::NeedsMotivation,
        ),
        (
            make_or_buy_done.clone(),
            member(),
            select(Choice::Proprietary {
                product: "Nessuno".to_owned(),
            }),
            Guard::UnknownProduct {
                product: "Nessuno".to_owned(),
            },
        ),
        (
            ineligible.clone(),
            member(),
            select_product(),
            Guard::Ineligible {
                gates: vec!["data-export"],
            },
        ),
        (
            expensive.clone(),
            member(),
            select_product(),
            Guard::OverBudget {
                s_tco: 60_000,
                t_bilancio: 60_000,
            },
        ),
        (
            Case {
                feasibility: None,
                ..make_or_buy_done.clone()
            },
            member(),
            select(Choice::ExNovo),
            Guard::NoFeasibilityProject,
        ),
        (
            selected.clone(),
            member(),
            Transition::Procure {
                procurement: Procurement {
                    cig: empty(),
                    award_act: " ".to_owned(),
                    services: empty(),
                    annexes: vec![],
                },
            },
            Guard::NeedsAwardAct,
        ),
        (
            selected.clone(),
            member(),
            Transition::Procure {
                procurement: Procurement {
                    cig: "123".to_owned(),
                    award_act: "Determina 1".to_owned(),
                    services: empty(),
                    annexes: vec![],
                },
            },
            Guard::BadCig,
        ),
        (
            procuring.clone(),
            member(),
            Transition::GoLive {
                production: Production {
                    live_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    version: empty(),
                    address: "https://x.example".to_owned(),
                },
            },
            Guard::NeedsVersion,
        ),
        (
            procuring.clone(),
            member(),
            Transition::GoLive {
                production: Production {
                    live_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    version: "1".to_owned(),
                    address: "ftp://x.example".to_owned(),
                },
            },
            Guard::BadAddress,
        ),
        (
            procuring.clone(),
            member(),
            Transition::GoLive {
                production: Production {
                    live_on: NaiveDate::from_ymd_opt(2026, 12, 11).unwrap(),
                    version: "1".to_owned(),
                    address: "https://x.example".to_owned(),
                },
            },
            Guard::FutureDate,
        ),
        (
            proprietary_production.clone(),
            member(),
            Transition::DeclareReuse { declaration: 1 },
            Guard::NotReuse {
                kind: Kind::Proprietary,
            },
        ),
        (
            proprietary_production.clone(),
            member(),
            Transition::PendModifications {
                ownership: "x".to_owned(),
            },
            Guard::NotReuse {
                kind: Kind::Proprietary,
            },
        ),
        (
            production.clone(),
            member(),
            close(),
            Guard::DeclarationRequired,
        ),
        (
            production.clone(),
            member(),
            Transition::PendModifications { ownership: empty() },
            Guard::NeedsOwnership,
        ),
        (
            declared.clone(),
            member(),
            Transition::Acknowledge {
                declaration: 1,
                via: "owner".to_owned(),
            },
            Guard::OtherDeclaration { declaration: 1 },
        ),
        (
            pending.clone(),
            member(),
            Transition::ReleaseModifications {
                route: Route::Variant {
                    repository: "not an address".to_owned(),
                },
            },
            Guard::BadAddress,
        ),
        (
            pending.clone(),
            member(),
            Transition::ReleaseModifications {
                route: Route::Upstream {
                    pull_requests: vec![],
                },
            },
            Guard::BadAddress,
        ),
        (
            opened.clone(),
            member(),
            Transition::Withdraw {
                motivation: empty(),
            },
            Guard::NeedsMotivation,
        ),
    ];
    let mut names = std::collections::BTreeSet::new();
    for (case, actor, transition, guard) in cases {
        let result = case.apply(actor.clone(), transition.clone(), vec![], now());
        assert_eq!(
            result,
            Err(guard.clone()),
            "{} by {actor:?}",
            transition.name()
        );
        // The message names the guard's values.
        assert!(!guard.to_string().is_empty());
        names.insert(guard.name());
    }
    // Every guard but "not-from", "not-opened" and "opening-incomplete" (the tests above walk
    // them) is exercised.
    assert_eq!(names.len(), 35, "{names:?}");
    // The system acknowledges, and closes what the acknowledgement ends, nothing else.
    let (acknowledged, _) = at(State::ReuseAcknowledged);
    assert!(
        acknowledged
            .apply(Actor::system(IPA), close(), vec![], now())
            .is_ok()
    );
    assert_eq!(
        production.apply(Actor::system(IPA), close(), vec![], now()),
        Err(Guard::NeedsMember)
    );
    // A proprietary case closes from production.
    assert!(
        declared
            .apply(Actor::system(IPA), acknowledge(), vec![], now())
            .is_ok()
    );
    assert_eq!(
        proprietary_production
            .apply(member(), close(), vec![], now())
            .unwrap()
            .to,
        State::Closed
    );
    // Ex novo from the make-or-buy comparison; a CIG is optional.
    assert!(
        make_or_buy_done
            .apply(member(), select(Choice::ExNovo), vec![], now())
            .is_ok()
    );
    assert!(
        selected
            .apply(
                member(),
                Transition::Procure {
                    procurement: Procurement {
                        cig: empty(),
                        award_act: "Determina 1".to_owned(),
                        services: empty(),
                        annexes: vec![]
                    }
                },
                vec![],
                now()
            )
            .is_ok()
    );
}

#[test]
fn folding_the_events_rebuilds_the_case() {
    for state in State::ALL {
        let (case, events) = at(state);
        let replayed = Case::replay(&events).unwrap();
        assert_eq!(replayed, case, "{state:?}");
        // Events round-trip through their stored JSON.
        let stored = serde_json::to_string(&events).unwrap();
        let back: Vec<Event> = serde_json::from_str(&stored).unwrap();
        assert_eq!(Case::replay(&back).unwrap(), case);
    }
    let (closed, events) = at(State::Closed);
    assert_eq!(closed.kind(), Some(Kind::PaReuse));
    assert_eq!(closed.declaration, Some(DECLARATION));
    assert_eq!(closed.concluded_at, Some(now()));
    assert_eq!(closed.opening.as_ref().unwrap().ipa, IPA);
    assert_eq!(closed.searches.len(), 1);
    assert_eq!(closed.searches[0].search.results[0].snapshot, PA * 100);
    // A revised evaluation replaces the first; a revised product too.
    let revised = then(
        State::EvaluatingPaReuse,
        vec![Transition::Evaluate {
            evaluation: Evaluation {
                days: 30,
                ..evaluation(PA)
            },
        }],
    );
    assert_eq!(revised.evaluations.len(), 1);
    assert_eq!(revised.evaluations[0].evaluation.days, 30);
    let alternatives = then(
        State::AnalysingAlternatives,
        vec![product("Prodotto ", all_gates(), 1)],
    );
    assert_eq!(alternatives.products.len(), 1);
    // Publishing is a move like any other, and works on a closed case.
    let published = closed
        .apply(
            member(),
            Transition::Publish { published: true },
            vec![],
            now(),
        )
        .unwrap();
    let mut with = events.clone();
    with.push(published);
    assert!(Case::replay(&with).unwrap().published);
    // A chain with a gap does not fold, nor one that does not start with the opening.
    let mut broken = events.clone();
    broken.remove(2);
    assert_eq!(
        Case::replay(&broken),
        Err(BrokenChain {
            index: 2,
            expected: Some(State::NeedsDefined),
            found: State::SearchingPaReuse,
        })
    );
    assert!(Case::replay(&events[1..]).is_err());
}

#[test]
fn stored_names_are_what_serde_writes() {
    for state in State::ALL {
        assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        assert_eq!(State::parse(state.as_str()), Some(state));
    }
    for role in [Role::Member, Role::System] {
        assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
    }
    for transition in every_transition() {
        let value = serde_json::to_value(&transition).unwrap();
        assert_eq!(value["transition"], transition.name());
    }
}
