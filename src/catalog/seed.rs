//! Synthetic but realistic catalogs, for tests, demos and benchmarks.
//!
//! Entry `n` of seed `s` is always the same file: a valid publiccode.yml written the way Italian
//! administrations write them (Italian and sometimes English descriptions, categories, scopes,
//! the Italian section or `supports`, a real IPA code as publisher), so the whole pipeline —
//! validation, ingest, search — runs on it exactly as on crawled files.

use std::fmt::Write as _;

use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::{Fetched, IngestError, IngestOutcome, Origin, ingest_valid};
use crate::publiccode::{self, Context, Limits, Outcome};

/// A small deterministic generator (xorshift64*), so a seed always yields the same catalog.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }

    /// One item of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SUBJECTS: &[&str] = &[
    "Sportello",
    "Portale",
    "Gestione",
    "Piattaforma",
    "Registro",
    "Servizi",
    "Archivio",
    "Sistema",
    "Albo",
    "Protocollo",
    "Prenotazioni",
    "Pagamenti",
    "Anagrafe",
    "Tributi",
    "Segnalazioni",
];
const TOPICS: &[&str] = &[
    "edilizia",
    "scuole",
    "rifiuti",
    "mobilità",
    "turismo",
    "biblioteche",
    "cultura",
    "sanità",
    "ambiente",
    "cimiteri",
    "tributi",
    "commercio",
    "trasporti",
    "servizi sociali",
    "protezione civile",
    "università",
    "elezioni",
    "personale",
    "appalti",
    "musei",
];
const SENTENCES: &[&str] = &[
    "Il software consente ai cittadini di presentare pratiche online senza recarsi allo sportello.",
    "Gli uffici comunali gestiscono le richieste con un flusso documentale tracciato.",
    "La piattaforma si integra con i sistemi di autenticazione nazionali e con i pagamenti elettronici.",
    "I dati sono pubblicati in formato aperto e riutilizzabile dalle altre amministrazioni.",
    "Il progetto nasce dalla collaborazione tra enti locali e università del territorio.",
    "Le notifiche informano gli utenti sullo stato delle loro richieste in tempo reale.",
    "La soluzione è accessibile, responsiva e conforme alle linee guida di design dei servizi pubblici.",
    "Gli operatori dispongono di cruscotti statistici e di esportazioni per la rendicontazione.",
    "Il modulo di prenotazione riduce le code agli sportelli e i tempi di attesa.",
    "L'archivio conserva i documenti secondo le regole della conservazione digitale.",
];
const EN_SENTENCES: &[&str] = &[
    "Citizens submit applications online and follow their progress.",
    "Offices handle requests through a traceable document workflow.",
    "Open data is published for reuse by other administrations.",
];
const FEATURES: &[&str] = &[
    "Presentazione online delle istanze",
    "Pagamento con pagoPA",
    "Accesso con SPID e CIE",
    "Notifiche via app IO",
    "Cruscotto statistico",
    "Esportazione in formato aperto",
    "Gestione dei permessi per ruolo",
    "Firma digitale dei documenti",
    "Prenotazione appuntamenti",
];
const PLATFORMS: &[&str] = &["web", "linux", "windows", "android", "ios", "mac"];
const TYPES: &[&str] = &[
    "standalone/web",
    "standalone/backend",
    "standalone/mobile",
    "library",
    "addon",
];
const STATUSES: &[&str] = &[
    "stable",
    "stable",
    "stable",
    "beta",
    "development",
    "obsolete",
];
const LICENCES: &[&str] = &[
    "EUPL-1.2",
    "AGPL-3.0-or-later",
    "GPL-3.0-or-later",
    "MIT",
    "BSD-3-Clause",
    "Apache-2.0",
];
const MAINTENANCE: &[&str] = &["internal", "contract", "community", "none"];
const ALIASES: &[&str] = &["spid", "cie", "pagopa", "io", "anpr", "gdpr"];
const LANGUAGES: &[&str] = &["it", "en", "de", "fr", "sl"];
const PUBLISHERS: &[(&str, &str)] = &[
    ("c_h501", "Roma Capitale"),
    ("c_f205", "Comune di Milano"),
    ("c_l219", "Comune di Torino"),
    ("c_a944", "Comune di Bologna"),
    ("c_f839", "Comune di Napoli"),
    ("c_g273", "Comune di Palermo"),
    ("c_d612", "Comune di Firenze"),
    ("c_a662", "Comune di Bari"),
    ("r_piemon", "Regione Piemonte"),
    ("r_emiro", "Regione Emilia-Romagna"),
    ("r_lazio", "Regione Lazio"),
    ("r_toscan", "Regione Toscana"),
    ("r_veneto", "Regione del Veneto"),
    ("pcm", "Presidenza del Consiglio dei Ministri"),
    ("agid", "AgID"),
    ("inps", "INPS"),
    ("m_it", "Ministero dell'Interno"),
    ("istat", "ISTAT"),
];

/// The name and repository URL of entry `n`, and its publiccode.yml.
#[must_use]
pub fn entry(seed: u64, n: u64) -> (String, String) {
    let mut rng = Rng::new(seed ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let subject = rng.pick(SUBJECTS);
    let topic = rng.pick(TOPICS);
    let (ipa, publisher) = *rng.pick(PUBLISHERS);
    let name = format!("{subject} {topic} {n}");
    let url = format!(
        "https://code.example.org/{ipa}/{}-{n}",
        subject.to_lowercase()
    );
    let mut y = String::with_capacity(2048);
    let _ = writeln!(
        y,
        "publiccodeYmlVersion: \"0\"\nname: {name}\nurl: \"{url}\""
    );
    let _ = writeln!(y, "softwareVersion: \"{}.{}\"", rng.below(5), rng.below(20));
    let _ = writeln!(
        y,
        "releaseDate: \"20{:02}-{:02}-{:02}\"",
        15 + rng.below(11),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    y.push_str("platforms:\n");
    for p in distinct(&mut rng, PLATFORMS, 1, 2) {
        let _ = writeln!(y, "  - {p}");
    }
    y.push_str("categories:\n");
    let categories = crate::publiccode::vocabulary_categories();
    for c in distinct(&mut rng, categories, 1, 3) {
        let _ = writeln!(y, "  - {c}");
    }
    let _ = writeln!(
        y,
        "developmentStatus: {}\nsoftwareType: {}",
        rng.pick(STATUSES),
        rng.pick(TYPES)
    );
    y.push_str("intendedAudience:\n  countries:\n    - IT\n  scope:\n");
    let scopes = crate::publiccode::vocabulary_scopes();
    for s in distinct(&mut rng, scopes, 1, 2) {
        let _ = writeln!(y, "    - {s}");
    }
    if rng.chance(30) {
        y.push_str("usedBy:\n");
        for _ in 0..=rng.below(3) {
            let _ = writeln!(y, "  - {}", rng.pick(PUBLISHERS).1);
        }
    }
    y.push_str("description:\n  it:\n");
    let _ = writeln!(
        y,
        "    shortDescription: {subject} per {topic}, per enti pubblici e cittadini."
    );
    y.push_str("    longDescription: >\n");
    for _ in 0..3 + rng.below(4) {
        let _ = writeln!(y, "      {}", rng.pick(SENTENCES));
    }
    let _ = writeln!(y, "      Ambito principale: {topic}.");
    y.push_str("    features:\n");
    for f in distinct(&mut rng, FEATURES, 2, 3) {
        let _ = writeln!(y, "      - {f}");
    }
    if rng.chance(35) {
        let _ = writeln!(
            y,
            "  en:\n    shortDescription: {subject} for {topic}.\n    longDescription: >"
        );
        for s in EN_SENTENCES {
            let _ = writeln!(y, "      {s}");
        }
        y.push_str(
            "      It is maintained by an Italian public administration and is free to reuse.\n",
        );
        y.push_str("    features:\n      - Online applications\n");
    }
    let _ = writeln!(
        y,
        "legal:\n  license: {}\n  mainCopyrightOwner: {publisher}",
        rng.pick(LICENCES)
    );
    let maintenance = rng.pick(MAINTENANCE);
    let _ = writeln!(y, "maintenance:\n  type: {maintenance}");
    match *maintenance {
        "contract" => {
            let _ = writeln!(
                y,
                "  contractors:\n    - name: Fornitore {}\n      until: \"20{}-12-31\"",
                rng.below(50),
                26 + rng.below(4)
            );
        }
        "internal" | "community" => {
            y.push_str("  contacts:\n    - name: Ufficio sistemi informativi\n")
        }
        _ => {}
    }
    y.push_str("localisation:\n  localisationReady: true\n  availableLanguages:\n");
    for l in distinct(&mut rng, LANGUAGES, 1, 2) {
        let _ = writeln!(y, "    - {l}");
    }
    if rng.chance(60) {
        let _ = writeln!(
            y,
            "organisation:\n  name: {publisher}\n  uri: \"urn:x-italian-pa:{ipa}\""
        );
        y.push_str("supports:\n");
        for a in distinct(&mut rng, ALIASES, 1, 3) {
            let _ = writeln!(y, "  - id: \"alias:{a}\"");
        }
    } else {
        let _ = writeln!(y, "IT:\n  riuso:\n    codiceIPA: {ipa}\n  piattaforme:");
        for a in distinct(&mut rng, &ALIASES[..5], 1, 3) {
            let _ = writeln!(y, "    {a}: true");
        }
    }
    (url, y)
}

/// Ingests entries `0..count` of `seed` through the whole pipeline (validation included),
/// calling `progress` after each; returns how many were new.
///
/// # Errors
///
/// Fails on a database error, or if the generator ever produced an invalid file.
pub async fn populate(
    db: &DatabaseConnection,
    seed: u64,
    count: u64,
    mut progress: impl FnMut(u64),
) -> Result<u64, SeedError> {
    let mut new = 0;
    for n in 0..count {
        let (url, yaml) = entry(seed, n);
        let Outcome::Valid(v) =
            publiccode::check(yaml.as_bytes(), &Limits::default(), &Context::default())
        else {
            return Err(SeedError::Invalid(n));
        };
        let origin = Origin {
            repository_url: &url,
            forge: "git",
            facts: None,
            source_ipa: None,
        };
        let fetched = Fetched {
            bytes: yaml.as_bytes(),
            commit: None,
            fetched_at: Utc::now(),
        };
        if ingest_valid(db, origin, fetched, &v).await?.outcome == IngestOutcome::New {
            new += 1;
        }
        progress(n + 1);
    }
    if count >= super::COMPACT_AFTER {
        super::compact(db).await.map_err(IngestError::from)?;
    }
    Ok(new)
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The generator made an invalid file (a bug in the generator).
    #[error("synthetic entry {0} is invalid; this is a bug in the generator")]
    Invalid(u64),
    /// Ingest failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

/// `at_least` plus up to `extra - 1` more distinct items of `items` (fewer if there are not enough).
fn distinct<'a>(
    rng: &mut Rng,
    items: &'a [&'a str],
    at_least: usize,
    extra: usize,
) -> Vec<&'a str> {
    let count = at_least + rng.below(extra);
    let mut out: Vec<&str> = Vec::with_capacity(count);
    for _ in 0..count * 4 {
        if out.len() >= count.min(items.len()) {
            break;
        }
        let item = *rng.pick(items);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publiccode::{self, Context, Limits};

    #[test]
    fn entries_are_valid_and_deterministic() {
        for n in 0..300 {
            let (_, yaml) = entry(7, n);
            let outcome =
                publiccode::check(yaml.as_bytes(), &Limits::default(), &Context::default());
            assert!(
                outcome.is_valid(),
                "entry {n}:\n{yaml}\n{:#?}",
                outcome.diagnostics()
            );
        }
        assert_eq!(entry(7, 3), entry(7, 3));
        assert_ne!(entry(7, 3), entry(8, 3));
    }
}
