//! The motivation document of a case: the comparative evaluation with all its evidence, to keep
//! "agli atti del procedimento" (§1.7).
//!
//! [`Document::of`] gathers it from the stored case; it serializes as the JSON form, and
//! [`Document::blocks`] lays it out in the reader's language as headings, paragraphs, fact
//! lists, tables and lists, which the printable page and the PDF both render.
//! Everything comes from the events, in their order: the same events give the same document
//! (the PDF adds only its creation date).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::evidence::{Assessment, Choice, Coverage, Kind, Obligation, Phase, obligations};
use super::machine::{Case, DocumentRef, Event, State};
use crate::i18n::Lang;

/// The administration a case belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Administration {
    /// Its IPA code.
    pub ipa: String,
    /// Its name.
    pub name: String,
}

/// One candidate's evaluation against the needs, with the guards' values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessed {
    /// The phase.
    pub phase: Phase,
    /// The entry.
    pub software: i64,
    /// The snapshot the evaluation was based on.
    pub snapshot: i64,
    /// The guards.
    pub assessment: Assessment,
}

/// One event as the register of the document lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    /// The event's id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The user.
    pub user: Option<i64>,
    /// The IPA code acted for.
    pub ipa: String,
    /// From which state.
    pub from: State,
    /// To which state.
    pub to: State,
    /// The transition's name.
    pub transition: &'static str,
    /// The documents attached.
    pub documents: Vec<DocumentRef>,
}

/// The motivation document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The case's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The administration.
    pub administration: Administration,
    /// The state.
    pub state: State,
    /// The kind chosen, once decided.
    pub kind: Option<Kind>,
    /// The case, as its events fold.
    pub case: Case,
    /// Each evaluated candidate against the needs.
    pub assessments: Vec<Assessed>,
    /// The Annex E obligations of the decision.
    pub obligations: Vec<Obligation>,
    /// Every event, in order.
    pub events: Vec<Registered>,
}

impl Document {
    /// The document of case `id` of `administration`, from its `events` (with their ids) and
    /// their fold `case`.
    #[must_use]
    pub fn of(
        id: i64,
        administration: Administration,
        case: &Case,
        events: &[(i64, Event)],
    ) -> Self {
        let assessments = case
            .needs
            .as_ref()
            .map(|needs| {
                case.evaluations
                    .iter()
                    .map(|e| Assessed {
                        phase: e.phase,
                        software: e.evaluation.software,
                        snapshot: e.evaluation.snapshot,
                        assessment: e.evaluation.assess(needs),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id,
            title: case
                .opening
                .as_ref()
                .map(|o| o.title.clone())
                .unwrap_or_default(),
            administration,
            state: case.current(),
            kind: case.kind(),
            assessments,
            obligations: case
                .decision
                .as_ref()
                .map(|d| obligations(d.choice.kind(), d.planned_changes))
                .unwrap_or_default(),
            events: events
                .iter()
                .map(|(id, e)| Registered {
                    id: *id,
                    at: e.at,
                    user: e.actor.user,
                    ipa: e.actor.ipa.clone(),
                    from: e.from,
                    to: e.to,
                    transition: e.evidence.name(),
                    documents: e.documents.clone(),
                })
                .collect(),
            case: case.clone(),
        }
    }

    /// The name a catalog entry had in the case's searches or evaluations.
    fn entry_name(&self, software: i64) -> String {
        self.case
            .evaluations
            .iter()
            .find(|e| e.evaluation.software == software)
            .map(|e| e.evaluation.name.clone())
            .or_else(|| {
                self.case.searches.iter().find_map(|s| {
                    s.search
                        .results
                        .iter()
                        .find(|f| f.software == software)
                        .map(|f| f.name.clone())
                })
            })
            .unwrap_or_else(|| format!("#{software}"))
    }

    /// The document laid out in `lang`.
    #[must_use]
    pub fn blocks(&self, lang: Lang) -> Vec<Block> {
        let mut out = Vec::new();
        let t = |key: &str| lang.t(&format!("case.doc.{key}")).to_owned();
        let case = &self.case;
        out.push(Block::Heading {
            level: 1,
            text: lang.tf("case.doc.title", &[("title", &self.title)]),
        });
        let mut facts = vec![
            (
                t("administration"),
                format!("{} ({})", self.administration.name, self.administration.ipa),
            ),
            (t("state"), state_label(lang, self.state)),
        ];
        if let Some(opening) = &case.opening {
            facts.push((t("scope"), opening.scope.clone()));
            facts.push((t("officer"), opening.officer.clone()));
            facts.push((t("opened"), when(opening.at)));
        }
        out.push(Block::Facts(facts));
        if let Some((exclusion, motivation)) = &case.not_applicable {
            out.push(Block::Heading {
                level: 2,
                text: t("not_applicable"),
            });
            out.push(Block::Facts(vec![
                (
                    t("exclusion"),
                    lang.t(&format!("case.exclusion.{}", exclusion.as_str()))
                        .to_owned(),
                ),
                (t("motivation"), motivation.clone()),
            ]));
        }
        self.needs_blocks(lang, &mut out);
        for phase in [Phase::PaReuse, Phase::OpenSource] {
            self.phase_blocks(lang, phase, &mut out);
        }
        if let Some(motivation) = &case.impossibility {
            out.push(Block::Heading {
                level: 2,
                text: t("impossibility"),
            });
            out.push(Block::Paragraph(motivation.clone()));
        }
        self.alternatives_blocks(lang, &mut out);
        self.decision_blocks(lang, &mut out);
        self.register_blocks(lang, &mut out);
        out
    }

    fn needs_blocks(&self, lang: Lang, out: &mut Vec<Block>) {
        let t = |key: &str| lang.t(&format!("case.doc.{key}")).to_owned();
        let Some(needs) = &self.case.needs else {
            return;
        };
        out.push(Block::Heading {
            level: 2,
            text: t("needs"),
        });
        out.push(Block::Facts(vec![
            (t("context"), needs.context.clone()),
            (t("objectives"), needs.objectives.clone()),
            (t("budget"), money(lang, needs.budget)),
            (t("budget_covers"), needs.budget_covers.clone()),
            (t("days"), days(lang, needs.days)),
            (
                t("norms"),
                needs
                    .norms
                    .iter()
                    .map(|n| lang.t(&format!("case.norm.{}", n.as_str())).to_owned())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            (t("other_constraints"), needs.other_constraints.clone()),
        ]));
        out.push(Block::Table {
            caption: t("requirements"),
            headers: vec!["#".to_owned(), t("requirement"), t("indispensable")],
            rows: needs
                .requirements
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        (i + 1).to_string(),
                        r.text.clone(),
                        yes_no(lang, r.indispensable),
                    ]
                })
                .collect(),
        });
    }

    fn phase_blocks(&self, lang: Lang, phase: Phase, out: &mut Vec<Block>) {
        let t = |key: &str| lang.t(&format!("case.doc.{key}")).to_owned();
        let case = &self.case;
        let searches: Vec<_> = case.searches_of(phase).collect();
        let external: Vec<_> = case.external.iter().filter(|e| e.phase == phase).collect();
        if searches.is_empty() && external.is_empty() {
            return;
        }
        out.push(Block::Heading {
            level: 2,
            text: t(&format!("search_{}", phase.as_str())),
        });
        if !searches.is_empty() {
            out.push(Block::Table {
                caption: t("searches"),
                headers: vec![t("when"), t("query"), t("filters"), t("found")],
                rows: searches
                    .iter()
                    .map(|s| {
                        vec![
                            when(s.at),
                            s.search.query.clone(),
                            s.search
                                .filters
                                .iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            format!(
                                "{} — {}",
                                s.search.total,
                                s.search
                                    .results
                                    .iter()
                                    .map(|f| format!(
                                        "{} (#{}, snapshot {})",
                                        f.name, f.software, f.snapshot
                                    ))
                                    .collect::<Vec<_>>()
                                    .join("; ")
                            ),
                        ]
                    })
                    .collect(),
            });
        }
        if !external.is_empty() {
            out.push(Block::Table {
                caption: t("external"),
                headers: vec![
                    t("when"),
                    t("platform"),
                    t("query"),
                    t("address"),
                    t("found"),
                ],
                rows: external
                    .iter()
                    .map(|e| {
                        let platform = match e.search.platform {
                            super::evidence::Platform::DevelopersItalia => {
                                "Developers Italia".to_owned()
                            }
                            super::evidence::Platform::Other => e.search.name.clone(),
                        };
                        vec![
                            when(e.at),
                            platform,
                            e.search.query.clone(),
                            e.search.address.clone(),
                            e.search.outcome.clone(),
                        ]
                    })
                    .collect(),
            });
        }
        let candidates = case.candidates(phase);
        out.push(Block::Paragraph(if candidates.is_empty() {
            t("no_candidates")
        } else {
            format!(
                "{}: {}",
                t("candidates"),
                candidates
                    .iter()
                    .map(|s| self.entry_name(*s))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }));
        for evaluated in case.evaluations.iter().filter(|e| e.phase == phase) {
            let e = &evaluated.evaluation;
            out.push(Block::Heading {
                level: 3,
                text: lang.tf("case.doc.evaluation_of", &[("name", &e.name)]),
            });
            let f = &e.facts;
            let list = |v: &[String]| {
                if v.is_empty() {
                    "—".to_owned()
                } else {
                    v.join(", ")
                }
            };
            out.push(Block::Facts(vec![
                (t("evaluated"), when(evaluated.at)),
                (t("snapshot"), e.snapshot.to_string()),
                (t("version"), f.version.clone().unwrap_or_default()),
                (
                    t("publisher"),
                    match (&f.publisher, &f.ipa) {
                        (Some(p), Some(i)) => format!("{p} ({i})"),
                        (Some(p), None) => p.clone(),
                        (None, Some(i)) => i.clone(),
                        (None, None) => String::new(),
                    },
                ),
                (t("claims"), list(&f.claims)),
                (t("maintenance"), f.maintenance.clone().unwrap_or_default()),
                (
                    t("contracts"),
                    list(
                        &f.contracts
                            .iter()
                            .map(|c| match c.until {
                                Some(until) => format!("{} ({until})", c.name),
                                None => c.name.clone(),
                            })
                            .collect::<Vec<_>>(),
                    ),
                ),
                (t("used_by"), f.used_by.to_string()),
                (t("declarations"), f.declarations.to_string()),
                (
                    t("vitality"),
                    f.vitality.map(|v| v.to_string()).unwrap_or_default(),
                ),
                (t("licence"), f.licence.clone().unwrap_or_default()),
                (t("dependencies"), list(&f.dependencies)),
                (t("proprietary"), list(&f.proprietary)),
                (t("agreements"), e.agreements.clone()),
                (t("skills"), e.skills.clone()),
                (t("blocking"), e.blocking.clone()),
                (t("notes"), e.notes.clone()),
            ]));
            if let Some(licence) = &e.licence {
                out.push(Block::Facts(vec![
                    (t("licence_approved"), yes_no(lang, licence.approved)),
                    (t("licence_compatible"), yes_no(lang, licence.compatible)),
                    (t("licence_note"), licence.note.clone()),
                ]));
            }
            if let Some(needs) = &case.needs {
                out.push(Block::Table {
                    caption: t("coverage"),
                    headers: vec![t("requirement"), t("indispensable"), t("coverage")],
                    rows: needs
                        .requirements
                        .iter()
                        .zip(&e.coverage)
                        .map(|(r, c)| {
                            vec![
                                r.text.clone(),
                                yes_no(lang, r.indispensable),
                                coverage(lang, *c),
                            ]
                        })
                        .collect(),
                });
            }
            out.push(Block::Table {
                caption: t("tco"),
                headers: vec![t("tco_item"), t("amount")],
                rows: e
                    .tco
                    .items()
                    .iter()
                    .map(|(item, v)| {
                        vec![
                            lang.t(&format!("case.tco.{item}")).to_owned(),
                            money(lang, *v),
                        ]
                    })
                    .chain([vec!["S_TCO".to_owned(), money(lang, e.tco.total())]])
                    .collect(),
            });
            if let Some(a) = self
                .assessments
                .iter()
                .find(|a| a.phase == phase && a.software == e.software)
            {
                out.push(Block::List(guards(lang, &a.assessment)));
            }
        }
        if phase == Phase::PaReuse
            && let Some(motivation) = &case.pa_rejection
        {
            out.push(Block::Facts(vec![(t("rejection"), motivation.clone())]));
        }
    }

    fn alternatives_blocks(&self, lang: Lang, out: &mut Vec<Block>) {
        let t = |key: &str| lang.t(&format!("case.doc.{key}")).to_owned();
        let case = &self.case;
        if case.products.is_empty() && case.feasibility.is_none() && case.make_or_buy.is_none() {
            return;
        }
        out.push(Block::Heading {
            level: 2,
            text: t("alternatives"),
        });
        if !case.products.is_empty() {
            let mut headers = vec![t("product"), t("vendor")];
            headers.extend(
                super::evidence::Gates::default()
                    .all()
                    .iter()
                    .map(|(g, _)| lang.t(&format!("case.gate.{g}")).to_owned()),
            );
            headers.extend([t("s_tco"), t("days"), t("eligible")]);
            out.push(Block::Table {
                caption: t("products"),
                headers,
                rows: case
                    .products
                    .iter()
                    .map(|p| {
                        let mut row = vec![p.name.clone(), p.vendor.clone()];
                        row.extend(p.gates.all().iter().map(|(_, met)| yes_no(lang, *met)));
                        row.extend([
                            money(lang, p.tco.total()),
                            days(lang, p.days),
                            yes_no(lang, p.gates.missing().is_empty()),
                        ]);
                        row
                    })
                    .collect(),
            });
        }
        if let Some(f) = &case.feasibility {
            out.push(Block::Heading {
                level: 3,
                text: t("feasibility"),
            });
            out.push(Block::Facts(vec![
                (t("activities"), f.activities.clone()),
                (t("cost"), money(lang, f.cost)),
                (t("days"), days(lang, f.days)),
            ]));
        }
        if let Some(m) = &case.make_or_buy {
            out.push(Block::Heading {
                level: 3,
                text: t("make_or_buy"),
            });
            out.push(Block::Table {
                caption: t("aspects"),
                headers: vec![t("aspect"), t("notes")],
                rows: m
                    .aspects
                    .iter()
                    .map(|(a, note)| {
                        vec![
                            lang.t(&format!("case.aspect.{}", a.as_str())).to_owned(),
                            note.clone(),
                        ]
                    })
                    .collect(),
            });
            out.push(Block::Facts(vec![(t("rationale"), m.rationale.clone())]));
        }
    }

    fn decision_blocks(&self, lang: Lang, out: &mut Vec<Block>) {
        let t = |key: &str| lang.t(&format!("case.doc.{key}")).to_owned();
        let case = &self.case;
        if let Some(d) = &case.decision {
            out.push(Block::Heading {
                level: 2,
                text: t("decision"),
            });
            let chosen = match &d.choice {
                Choice::PaReuse { software, version }
                | Choice::OpenSource { software, version } => {
                    format!(
                        "{} — {} {version}",
                        self.entry_name(*software),
                        t("version")
                    )
                }
                Choice::Proprietary { product } => product.clone(),
                Choice::ExNovo => t("ex_novo"),
            };
            let mut facts = vec![
                (
                    t("kind"),
                    lang.t(&format!("case.kind.{}", d.choice.kind().as_str()))
                        .to_owned(),
                ),
                (t("chosen"), chosen),
                (t("motivation"), d.motivation.clone()),
                (
                    t("delivery"),
                    lang.t(&format!("case.delivery.{}", d.delivery.as_str()))
                        .to_owned(),
                ),
                (t("planned_changes"), yes_no(lang, d.planned_changes)),
            ];
            if let Some(at) = case.concluded_at {
                facts.push((t("concluded"), when(at)));
            }
            out.push(Block::Facts(facts));
            out.push(Block::Heading {
                level: 3,
                text: t("obligations"),
            });
            out.push(Block::List(
                self.obligations
                    .iter()
                    .map(|o| {
                        lang.t(&format!("case.obligation.{}", o.as_str()))
                            .to_owned()
                    })
                    .collect(),
            ));
        }
        if let Some(p) = &case.procurement {
            out.push(Block::Heading {
                level: 2,
                text: t("procurement"),
            });
            out.push(Block::Facts(vec![
                ("CIG".to_owned(), p.cig.clone()),
                (t("award_act"), p.award_act.clone()),
                (t("services"), p.services.clone()),
                (t("annexes"), p.annexes.join(", ")),
            ]));
        }
        if let Some(p) = &case.production {
            out.push(Block::Heading {
                level: 2,
                text: t("production"),
            });
            out.push(Block::Facts(vec![
                (t("live_on"), p.live_on.to_string()),
                (t("version"), p.version.clone()),
                (t("address"), p.address.clone()),
            ]));
        }
        let mut closing = Vec::new();
        if let Some(declaration) = case.declaration {
            closing.push((t("declaration"), format!("#{declaration}")));
        }
        if let Some(via) = &case.acknowledged_via {
            closing.push((
                t("acknowledged"),
                lang.t(&format!("case.via.{via}")).to_owned(),
            ));
        }
        if let Some(ownership) = &case.ownership {
            closing.push((t("ownership"), ownership.clone()));
        }
        if let Some(route) = &case.route {
            closing.push((
                t("route"),
                match route {
                    super::evidence::Route::Upstream { pull_requests } => pull_requests.join(", "),
                    super::evidence::Route::Variant { repository } => repository.clone(),
                },
            ));
        }
        if let Some(note) = &case.closing_note {
            closing.push((t("closing_note"), note.clone()));
        }
        if let Some(motivation) = &case.withdrawn {
            closing.push((t("withdrawn"), motivation.clone()));
        }
        if !closing.is_empty() {
            out.push(Block::Heading {
                level: 2,
                text: t("closing"),
            });
            out.push(Block::Facts(closing));
        }
    }

    fn register_blocks(&self, lang: Lang, out: &mut Vec<Block>) {
        let t = |key: &str| lang.t(&format!("case.doc.{key}")).to_owned();
        out.push(Block::Heading {
            level: 2,
            text: t("register"),
        });
        out.push(Block::Table {
            caption: t("register_caption"),
            headers: vec![t("when"), t("actor"), t("step"), t("documents")],
            rows: self
                .events
                .iter()
                .map(|e| {
                    vec![
                        when(e.at),
                        match e.user {
                            Some(user) => format!("{} #{user} ({})", t("user"), e.ipa),
                            None => format!("{} ({})", t("system"), e.ipa),
                        },
                        format!(
                            "{}: {} → {}",
                            lang.t(&format!("case.transition.{}", e.transition)),
                            state_label(lang, e.from),
                            state_label(lang, e.to)
                        ),
                        e.documents
                            .iter()
                            .map(|d| format!("{} ({} B, SHA-256 {})", d.name, d.size, d.sha256))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        });
    }
}

/// A piece of the document's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading of `level` 1 to 3.
    Heading {
        /// Its level.
        level: u8,
        /// Its text.
        text: String,
    },
    /// A paragraph.
    Paragraph(String),
    /// Labelled values (a two-column table whose first column heads each row); empty values
    /// are left out.
    Facts(Vec<(String, String)>),
    /// A table with a caption and column headers.
    Table {
        /// Its caption.
        caption: String,
        /// The column headers.
        headers: Vec<String>,
        /// The rows.
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    List(Vec<String>),
}

/// The guard `S_TCO < T_bilancio` as a sentence with its values, `within` saying whether it holds.
#[must_use]
pub fn budget_line(lang: Lang, within: bool, s_tco: u64, t_bilancio: u64) -> String {
    lang.tf(
        if within {
            "case.guard_line.budget_ok"
        } else {
            "case.guard_line.budget_ko"
        },
        &[
            ("s_tco", &money(lang, s_tco)),
            ("t_bilancio", &money(lang, t_bilancio)),
        ],
    )
}

/// The guard `S_tempi < T_tempi` as a sentence with its values, `within` saying whether it holds.
#[must_use]
pub fn time_line(lang: Lang, within: bool, s_tempi: u32, t_tempi: u32) -> String {
    lang.tf(
        if within {
            "case.guard_line.time_ok"
        } else {
            "case.guard_line.time_ko"
        },
        &[
            ("s_tempi", &days(lang, s_tempi)),
            ("t_tempi", &days(lang, t_tempi)),
        ],
    )
}

/// The guards of an assessment as sentences, with their values.
#[must_use]
pub fn guards(lang: Lang, a: &Assessment) -> Vec<String> {
    let mut out = vec![
        budget_line(lang, a.within_budget, a.s_tco, a.t_bilancio),
        time_line(lang, a.within_time, a.s_tempi, a.t_tempi),
    ];
    if !a.missing.is_empty() {
        let positions: Vec<String> = a.missing.iter().map(|m| (m + 1).to_string()).collect();
        out.push(lang.tf(
            "case.guard_line.missing",
            &[("requirements", &positions.join(", "))],
        ));
    }
    if a.blocked {
        out.push(lang.t("case.guard_line.blocked").to_owned());
    }
    if a.licence_refused {
        out.push(lang.t("case.guard_line.licence").to_owned());
    }
    out.push(
        lang.t(if a.eligible {
            "case.guard_line.eligible"
        } else {
            "case.guard_line.not_eligible"
        })
        .to_owned(),
    );
    out
}

/// A state in `lang`.
#[must_use]
pub fn state_label(lang: Lang, state: State) -> String {
    lang.t(&format!("case.state.{}", state.as_str())).to_owned()
}

fn yes_no(lang: Lang, value: bool) -> String {
    lang.t(if value { "case.doc.yes" } else { "case.doc.no" })
        .to_owned()
}

fn coverage(lang: Lang, c: Coverage) -> String {
    lang.t(&format!("case.coverage.{}", c.as_str())).to_owned()
}

/// `at` as the document writes times (UTC, to the minute).
#[must_use]
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An amount in euros, with the thousands grouped as `lang` writes them.
#[must_use]
pub fn money(lang: Lang, euros: u64) -> String {
    let digits = euros.to_string();
    let separator = match lang {
        Lang::It => '.',
        Lang::En => ',',
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    format!("€ {grouped}")
}

/// A number of days in `lang`.
#[must_use]
pub fn days(lang: Lang, n: u32) -> String {
    lang.count("case.doc.days_count", u64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_group_their_thousands() {
        assert_eq!(money(Lang::It, 60_000), "€ 60.000");
        assert_eq!(money(Lang::En, 1_234_567), "€ 1,234,567");
        assert_eq!(money(Lang::En, 999), "€ 999");
        assert_eq!(money(Lang::It, 0), "€ 0");
    }
}
