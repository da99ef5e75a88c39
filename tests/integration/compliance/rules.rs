//! Each rule on real files of `tests/fixtures/real`: a passing and a failing case, the file
//! read and validated as the crawler does, the repository it was found in named by the
//! fixture's `owner__repo` file name. The rules that need the repository's own files are
//! exercised through fixture-forge repositories in `forge.rs`.

use chrono::NaiveDate;
use riuso::compliance::facts::{
    Declared, FileFacts, NamedText, PublisherFacts, RepoFiles, RepositoryFacts, UsedBy, Vitality,
};
use riuso::compliance::rules::Outcome;
use riuso::compliance::{Facts, RuleId, RuleResult, evaluate};
use riuso::publiccode::Limits;

use crate::support::fixtures;

/// The day the rules run in these tests.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

/// The facts of real file `name` (`owner__repo.yml`), found in `https://github.com/owner/repo`.
fn real(name: &str) -> Facts {
    let bytes = std::fs::read(fixtures().join("real").join(name)).unwrap();
    let (owner, repo) = name.trim_end_matches(".yml").split_once("__").unwrap();
    Facts {
        today: today(),
        repository: RepositoryFacts {
            url: format!("https://github.com/{owner}/{repo}"),
            archived: false,
            private: false,
        },
        file: FileFacts::from_bytes(&bytes, &Limits::default()),
        files: None,
        publisher: PublisherFacts::default(),
        vitality: None,
        used_by: Vec::new(),
    }
}

fn result(facts: &Facts, rule: RuleId) -> RuleResult {
    evaluate(facts)
        .into_iter()
        .find(|r| r.rule == rule)
        .unwrap()
}

#[track_caller]
fn assert_outcome(facts: &Facts, rule: RuleId, outcome: Outcome) -> RuleResult {
    let r = result(facts, rule);
    assert_eq!(r.outcome, outcome, "{rule}: {r:?}");
    assert_eq!(r.severity, rule.severity());
    r
}

#[test]
fn every_rule_runs_on_every_real_file_without_panicking() {
    for entry in std::fs::read_dir(fixtures().join("real")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".yml") {
            continue;
        }
        let results = evaluate(&real(&name));
        assert_eq!(results.len(), RuleId::ALL.len(), "{name}");
    }
}

#[test]
fn file_valid() {
    assert_outcome(
        &real("regione-piemonte__risca.yml"),
        RuleId::FileValid,
        Outcome::Pass,
    );
    let broken = assert_outcome(
        &real("Azienda-USL-di-Bologna__DAE-RespondER.yml"),
        RuleId::FileValid,
        Outcome::Fail,
    );
    assert!(broken.detail.contains("yaml-syntax"), "{}", broken.detail);
}

#[test]
fn keys_deprecated() {
    assert_outcome(
        &real("Comune-di-Montesilvano__ComunicaPA.yml"),
        RuleId::KeysDeprecated,
        Outcome::Pass,
    );
    let old = assert_outcome(
        &real("ASL2-Liguria__onesys.yml"),
        RuleId::KeysDeprecated,
        Outcome::Fail,
    );
    assert!(old.detail.contains("it.conforme"), "{}", old.detail);
}

#[test]
fn url_matches_repository() {
    assert_outcome(
        &real("italia__publiccode-parser-go.yml"),
        RuleId::UrlMatchesRepository,
        Outcome::Pass,
    );
    // The front end's file still names the back end's repository: a technical fork.
    let fork = assert_outcome(
        &real("5Tsrl__emma-frontend.yml"),
        RuleId::UrlMatchesRepository,
        Outcome::Fail,
    );
    assert_eq!(fork.key_path, "url");
    assert!(fork.detail.contains("emma-backend"), "{}", fork.detail);
}

#[test]
fn variant_is_based_on() {
    assert_outcome(
        &real("CommonGateway__BRPBundle.yml"),
        RuleId::VariantIsBasedOn,
        Outcome::Pass,
    );
    assert_outcome(
        &real("italia__publiccode-parser-go.yml"),
        RuleId::VariantIsBasedOn,
        Outcome::NotApplicable,
    );
    // Based on the prototype, but its `url` names another repository than the one it is in.
    assert_outcome(
        &real("ConductionNL__Challenge-component.yml"),
        RuleId::VariantIsBasedOn,
        Outcome::Fail,
    );
}

#[test]
fn repository_public_and_not_archived() {
    let mut facts = real("regione-piemonte__risca.yml");
    assert_outcome(&facts, RuleId::RepoPublic, Outcome::Pass);
    assert_outcome(&facts, RuleId::RepoNotArchived, Outcome::Pass);
    facts.repository.private = true;
    facts.repository.archived = true;
    assert_outcome(&facts, RuleId::RepoPublic, Outcome::Fail);
    assert_outcome(&facts, RuleId::RepoNotArchived, Outcome::Fail);
}

#[test]
fn licence_spdx() {
    assert_outcome(
        &real("regione-piemonte__risca.yml"),
        RuleId::LicenceSpdx,
        Outcome::Pass,
    );
    // The file is invalid, but its licence is still read, and is not an SPDX expression.
    let prose = assert_outcome(
        &real("CARD-AI__BLKT-VMS-Validavimas.yml"),
        RuleId::LicenceSpdx,
        Outcome::Fail,
    );
    assert_eq!(prose.key_path, "legal.license");
    assert!(prose.detail.contains("Apache License"), "{}", prose.detail);
    // `-or-later` is how GNU licences say it; the EUPL says `EUPL-1.2+`.
    assert_outcome(
        &real("ConductionNL__commonground-gateway.yml"),
        RuleId::LicenceSpdx,
        Outcome::Fail,
    );
}

#[test]
fn licence_osi() {
    assert_outcome(
        &real("regione-piemonte__risca.yml"),
        RuleId::LicenceOsi,
        Outcome::Pass,
    );
    let nc = assert_outcome(
        &real("Camilochiang__Agricultural_datasets.yml"),
        RuleId::LicenceOsi,
        Outcome::Fail,
    );
    assert!(nc.detail.contains("CC-BY-NC-4.0"), "{}", nc.detail);
    // A documentation and data licence alone is no software licence.
    assert_outcome(
        &real("Cetriq__Classify.yml"),
        RuleId::LicenceOsi,
        Outcome::Fail,
    );
}

#[test]
fn licence_recommended() {
    assert_outcome(
        &real("regione-piemonte__risca.yml"),
        RuleId::LicenceRecommended,
        Outcome::Pass,
    );
    assert_outcome(
        &real("AgID__wai-portal.yml"),
        RuleId::LicenceRecommended,
        Outcome::Pass,
    );
    assert_outcome(
        &real("ComuneFI__BiCoreBundle.yml"),
        RuleId::LicenceRecommended,
        Outcome::Fail,
    );
}

#[test]
fn ipa_valid() {
    let ok = assert_outcome(
        &real("regione-piemonte__risca.yml"),
        RuleId::IpaValid,
        Outcome::Pass,
    );
    assert_eq!(ok.key_path, "organisation.uri");
    let unknown = assert_outcome(
        &real("ASL2-Liguria__onesys.yml"),
        RuleId::IpaValid,
        Outcome::Fail,
    );
    assert_eq!(unknown.key_path, "it.riuso.codiceIPA");
    assert_outcome(
        &real("italia__publiccode-parser-go.yml"),
        RuleId::IpaValid,
        Outcome::NotApplicable,
    );
}

#[test]
fn ipa_matches_publisher() {
    let mut facts = real("regione-piemonte__risca.yml");
    assert_outcome(&facts, RuleId::IpaMatchesPublisher, Outcome::Fail);
    facts.publisher.verified = true;
    assert_outcome(&facts, RuleId::IpaMatchesPublisher, Outcome::Pass);
}

#[test]
fn maintenance_current() {
    assert_outcome(
        &real("CSTSistemiSUD__GeoCity.yml"),
        RuleId::MaintenanceCurrent,
        Outcome::Pass,
    );
    let ended = assert_outcome(
        &real("RegioneBasilicata__ProvvedimentiAmministrativi.yml"),
        RuleId::MaintenanceCurrent,
        Outcome::Fail,
    );
    assert!(ended.detail.contains("2008-01-01"), "{}", ended.detail);
    assert_outcome(
        &real("regione-piemonte__apisan.yml"),
        RuleId::MaintenanceCurrent,
        Outcome::Fail,
    );
    assert_outcome(
        &real("comunedibari__payflowpa.yml"),
        RuleId::MaintenanceCurrent,
        Outcome::Fail,
    );
}

#[test]
fn vitality_and_activity_thresholds() {
    let mut facts = real("regione-piemonte__risca.yml");
    assert_outcome(&facts, RuleId::VitalityThreshold, Outcome::Unknown);
    assert_outcome(&facts, RuleId::ActivityThreshold, Outcome::Unknown);
    facts.vitality = Some(Vitality {
        index: 65.0,
        facts: Some(riuso::catalog::vitality::VitalityFacts {
            commits: 12,
            authors: 3,
            ..Default::default()
        }),
    });
    assert_outcome(&facts, RuleId::VitalityThreshold, Outcome::Pass);
    assert_outcome(&facts, RuleId::ActivityThreshold, Outcome::Pass);
    facts.vitality = Some(Vitality {
        index: 4.0,
        facts: Some(riuso::catalog::vitality::VitalityFacts::default()),
    });
    assert_outcome(&facts, RuleId::VitalityThreshold, Outcome::Fail);
    assert_outcome(&facts, RuleId::ActivityThreshold, Outcome::Fail);
}

#[test]
fn used_by_names_are_matched() {
    // The names as the catalog stores them; the matching itself is tested on the databases.
    let named = |file: &str, code: Option<&str>| {
        let mut facts = real(file);
        let declared = facts.file.code.as_ref().unwrap().used_by.clone();
        facts.used_by = declared
            .into_iter()
            .map(|name| UsedBy {
                name,
                ipa_code: code.map(str::to_owned),
            })
            .collect();
        facts
    };
    assert_outcome(
        &named("AgID__wai-portal.yml", Some("agid")),
        RuleId::UsedByIpa,
        Outcome::Pass,
    );
    let foreign = assert_outcome(
        &named("Amsterdam__signals-frontend.yml", None),
        RuleId::UsedByIpa,
        Outcome::Fail,
    );
    assert!(foreign.detail.contains("Gemeente Amsterdam"));
    assert_outcome(
        &real("regione-piemonte__risca.yml"),
        RuleId::UsedByIpa,
        Outcome::NotApplicable,
    );
}

#[test]
fn the_repository_files_rules_say_unknown_without_a_clone_and_judge_with_one() {
    let mut facts = real("regione-piemonte__risca.yml");
    for rule in [
        RuleId::LicenceFile,
        RuleId::ReadmeEssentials,
        RuleId::DocsOpenFormat,
    ] {
        assert_outcome(&facts, rule, Outcome::Unknown);
    }
    let text = |path: &str, text: &str| NamedText {
        path: path.to_owned(),
        text: text.to_owned(),
    };
    facts.files = Some(RepoFiles {
        commit: "0".repeat(40),
        licence: Some(text(
            "LICENSE",
            "See https://joinup.ec.europa.eu/collection/eupl",
        )),
        readme: None,
        security: None,
        paths: vec!["LICENSE".to_owned(), "doc/manuale.pdf".to_owned()],
    });
    let stub = assert_outcome(&facts, RuleId::LicenceFile, Outcome::Fail);
    assert!(stub.detail.contains("too short"), "{}", stub.detail);
    assert_outcome(&facts, RuleId::ReadmeEssentials, Outcome::Fail);
    assert_outcome(&facts, RuleId::DocsOpenFormat, Outcome::Fail);
    // The keys the rules read from the file are the file's own.
    assert_eq!(
        Declared::of(&facts.file).licence.as_deref(),
        Some("EUPL-1.2")
    );
}
