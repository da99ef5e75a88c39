//! Open-data exports of the catalog: CSV, JSON Lines, and DCAT-AP_IT as Turtle or JSON-LD.
//!
//! An [`Exporter`] pulls the catalog from the database one keyset page at a time and renders
//! each page to bytes, so memory stays constant whatever the catalog size. The HTTP handlers
//! stream its chunks as a response body; `riuso export` writes them to a file. It knows no
//! HTTP: it only reads pages through `catalog::read` and renders them.
//!
//! The exports hold the active entries with a valid current snapshot: what the catalog lists.
//!
//! DCAT-AP_IT mapping (one `dcatapit:Dataset` per entry; see the README for the table):
//! the catalog is a `dcatapit:Catalog`; each entry a `dcatapit:Dataset` with `dct:identifier`,
//! `dct:title`, `dct:description`, `dct:modified`, `dcat:theme`, `dct:accrualPeriodicity`,
//! `dct:rightsHolder` and `dct:publisher` (a `dcatapit:Agent` whose `dct:identifier` is the IPA
//! code), `dcat:contactPoint` and one `dcatapit:Distribution` (the entry's record in the API, with
//! the software's licence as a `dcatapit:LicenseDocument`).

use std::fmt::Write as _;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use sea_orm::{DatabaseConnection, DbErr};
use serde_json::{Map, Value, json};

use crate::catalog::read::{self, ExportRow};
use crate::links::SafeHref;

/// Entries read from the database per page.
pub const PAGE: u64 = 500;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, one entry per row, with a header.
    Csv,
    /// One JSON object per line, the normalized publiccode.yml included.
    Jsonl,
    /// DCAT-AP_IT as Turtle.
    Turtle,
    /// DCAT-AP_IT as JSON-LD.
    JsonLd,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Csv, Format::Jsonl, Format::Turtle, Format::JsonLd];

    /// The file extension, also the name used on the command line and in URLs.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Jsonl => "jsonl",
            Self::Turtle => "ttl",
            Self::JsonLd => "jsonld",
        }
    }

    /// The media type.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Jsonl => "application/jsonl; charset=utf-8",
            Self::Turtle => "text/turtle; charset=utf-8",
            Self::JsonLd => "application/ld+json",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Self::Csv),
            "jsonl" | "ndjson" => Ok(Self::Jsonl),
            "ttl" | "turtle" => Ok(Self::Turtle),
            "jsonld" | "json-ld" => Ok(Self::JsonLd),
            other => Err(format!(
                "unknown export format {other:?}; formats are csv, jsonl, ttl, jsonld"
            )),
        }
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The database failed.
    #[error("database error while exporting: {0}")]
    Db(#[from] DbErr),
    /// A row could not be written.
    #[error("cannot write the export: {0}")]
    Write(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Body,
    Footer,
    Done,
}

/// Pulls the export chunk by chunk; each chunk is one page of entries (or the header/footer).
#[derive(Debug)]
pub struct Exporter {
    db: DatabaseConnection,
    format: Format,
    base: String,
    stage: Stage,
    after: Option<i64>,
}

impl Exporter {
    /// An export of the catalog in `db`; `base_url` is the public address of this riuso, used
    /// for the IRIs of the catalog, its datasets and its agents.
    #[must_use]
    pub fn new(db: DatabaseConnection, format: Format, base_url: &str) -> Self {
        Self {
            db,
            format,
            base: base_url.trim_end_matches('/').to_owned(),
            stage: Stage::Header,
            after: None,
        }
    }

    /// The next chunk of the export, or `None` at the end.
    ///
    /// # Errors
    ///
    /// Fails when the database fails; the export is then incomplete.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ExportError> {
        match self.stage {
            Stage::Header => {
                self.stage = Stage::Body;
                let modified = read::last_modified(&self.db).await?;
                Ok(Some(self.header(modified)))
            }
            Stage::Body => {
                let page = read::export_page(&self.db, self.after, PAGE).await?;
                match page.next {
                    Some(next) => self.after = Some(next),
                    None => self.stage = Stage::Footer,
                }
                let mut out = Vec::with_capacity(page.items.len() * 2048);
                for row in &page.items {
                    self.entry(row, &mut out)?;
                }
                Ok(Some(out))
            }
            Stage::Footer => {
                self.stage = Stage::Done;
                Ok(Some(self.footer()))
            }
            Stage::Done => Ok(None),
        }
    }

    fn catalog_iri(&self) -> String {
        format!("{}/#catalog", self.base)
    }

    fn header(&self, modified: Option<DateTime<FixedOffset>>) -> Vec<u8> {
        match self.format {
            Format::Csv => {
                let mut line = CSV_COLUMNS.join(",");
                line.push_str("\r\n");
                line.into_bytes()
            }
            Format::Jsonl => Vec::new(),
            Format::Turtle => {
                let mut out = String::new();
                for (prefix, iri) in PREFIXES {
                    let _ = writeln!(out, "@prefix {prefix}: <{iri}> .");
                }
                out.push('\n');
                for t in self.catalog_triples(modified) {
                    t.write_turtle(&mut out);
                }
                out.into_bytes()
            }
            Format::JsonLd => {
                let context: Map<String, Value> = PREFIXES
                    .iter()
                    .map(|(p, iri)| ((*p).to_owned(), Value::String((*iri).to_owned())))
                    .collect();
                let mut out = format!("{{\"@context\":{},\"@graph\":[\n", Value::Object(context));
                out.push_str(&jsonld_nodes(&self.catalog_triples(modified)));
                out.into_bytes()
            }
        }
    }

    fn footer(&self) -> Vec<u8> {
        match self.format {
            Format::JsonLd => b"\n]}\n".to_vec(),
            _ => Vec::new(),
        }
    }

    fn entry(&self, row: &ExportRow, out: &mut Vec<u8>) -> Result<(), ExportError> {
        match self.format {
            Format::Csv => {
                let fields = csv_fields(row);
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.extend_from_slice(line.join(",").as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &json_entry(row))
                    .map_err(|e| ExportError::Write(e.to_string()))?;
                out.push(b'\n');
            }
            Format::Turtle => {
                let mut text = String::new();
                for t in self.dataset_triples(row) {
                    t.write_turtle(&mut text);
                }
                out.extend_from_slice(text.as_bytes());
            }
            Format::JsonLd => {
                out.extend_from_slice(b",\n");
                out.extend_from_slice(jsonld_nodes(&self.dataset_triples(row)).as_bytes());
            }
        }
        Ok(())
    }

    fn catalog_triples(&self, modified: Option<DateTime<FixedOffset>>) -> Vec<Triple> {
        let catalog = self.catalog_iri();
        let operator = format!("{}/#operator", self.base);
        let mut t = vec![
            Triple::iri(&catalog, "rdf:type", "dcatapit:Catalog"),
            Triple::iri(&catalog, "rdf:type", "dcat:Catalog"),
            Triple::text(&catalog, "dct:title", "Catalogo del software a riuso", "it"),
            Triple::text(
                &catalog,
                "dct:title",
                "Catalogue of reusable software",
                "en",
            ),
            Triple::text(
                &catalog,
                "dct:description",
                "Software che le pubbliche amministrazioni mettono a riuso, dai file publiccode.yml dei loro repository.",
                "it",
            ),
            Triple::text(
                &catalog,
                "dct:description",
                "Software Italian public administrations offer for reuse, from the publiccode.yml files of their repositories.",
                "en",
            ),
            Triple::iri(&catalog, "dct:publisher", &operator),
            Triple::iri(&catalog, "foaf:homepage", &format!("{}/", self.base)),
            Triple::iri(
                &catalog,
                "dct:language",
                "http://publications.europa.eu/resource/authority/language/ITA",
            ),
            Triple::iri(&operator, "rdf:type", "dcatapit:Agent"),
            Triple::iri(&operator, "rdf:type", "foaf:Agent"),
            Triple::plain(&operator, "foaf:name", "riuso"),
            Triple::plain(&operator, "dct:identifier", &self.base),
        ];
        if let Some(m) = modified {
            t.push(Triple::date(&catalog, "dct:modified", m));
        }
        t
    }

    fn dataset_triples(&self, row: &ExportRow) -> Vec<Triple> {
        let dataset = format!("{}/software/{}", self.base, row.slug);
        let pc = &row.publiccode;
        let mut t = vec![
            Triple::iri(&self.catalog_iri(), "dcat:dataset", &dataset),
            Triple::iri(&dataset, "rdf:type", "dcatapit:Dataset"),
            Triple::iri(&dataset, "rdf:type", "dcat:Dataset"),
            Triple::plain(
                &dataset,
                "dct:identifier",
                &format!(
                    "{}:{}",
                    row.publisher_ipa.as_deref().unwrap_or("riuso"),
                    row.slug
                ),
            ),
            Triple::date(&dataset, "dct:modified", row.updated_at),
            Triple::date(&dataset, "dct:issued", row.created_at),
            Triple::iri(
                &dataset,
                "dct:accrualPeriodicity",
                "http://publications.europa.eu/resource/authority/frequency/IRREG",
            ),
        ];
        let descriptions = pc.get("description").and_then(Value::as_object);
        let mut titled = false;
        for (lang, d) in descriptions.into_iter().flatten() {
            let title = d
                .get("localisedName")
                .and_then(Value::as_str)
                .unwrap_or(&row.name);
            t.push(Triple::text(&dataset, "dct:title", title, lang));
            titled = true;
            if let Some(long) = d.get("longDescription").and_then(Value::as_str) {
                t.push(Triple::text(&dataset, "dct:description", long.trim(), lang));
            }
        }
        if !titled {
            t.push(Triple::text(&dataset, "dct:title", &row.name, "it"));
        }
        let mut themes: Vec<&str> = strings(pc.pointer("/intendedAudience/scope"))
            .map(theme_of_scope)
            .collect();
        themes.sort_unstable();
        themes.dedup();
        if themes.is_empty() {
            themes.push("GOVE");
        }
        for theme in themes {
            t.push(Triple::iri(
                &dataset,
                "dcat:theme",
                &format!("http://publications.europa.eu/resource/authority/data-theme/{theme}"),
            ));
        }
        for category in strings(pc.get("categories")) {
            t.push(Triple::plain(&dataset, "dcat:keyword", category));
        }
        if let Some(landing) = pc
            .get("landingURL")
            .and_then(Value::as_str)
            .or(Some(row.url.as_str()))
            .and_then(iri)
        {
            t.push(Triple::iri(&dataset, "dcat:landingPage", &landing));
        }

        // The rights holder and publisher: the administration by IPA code, or whoever the file
        // names as owner, identified by the repository.
        let agent = match &row.publisher_ipa {
            Some(code) => format!("{}/organisations/{code}", self.base),
            None => format!("{dataset}#owner"),
        };
        let agent_name = agent_name(row.publisher_name.clone(), pc, &row.url)
            .unwrap_or_else(|| row.name.clone());
        t.push(Triple::iri(&dataset, "dct:rightsHolder", &agent));
        t.push(Triple::iri(&dataset, "dct:publisher", &agent));
        t.push(Triple::iri(&agent, "rdf:type", "dcatapit:Agent"));
        t.push(Triple::iri(&agent, "rdf:type", "foaf:Agent"));
        t.push(Triple::plain(&agent, "foaf:name", &agent_name));
        t.push(Triple::plain(
            &agent,
            "dct:identifier",
            row.publisher_ipa.as_deref().unwrap_or(&row.url),
        ));

        // The contact point: the maintainers, reached through the repository (personal e-mail
        // addresses are not copied into bulk exports).
        let contact = format!("{dataset}#contact");
        t.push(Triple::iri(&dataset, "dcat:contactPoint", &contact));
        t.push(Triple::iri(&contact, "rdf:type", "dcatapit:Organization"));
        t.push(Triple::iri(&contact, "rdf:type", "vcard:Organization"));
        t.push(Triple::plain(&contact, "vcard:fn", &agent_name));
        if let Some(url) = iri(&row.url) {
            t.push(Triple::iri(&contact, "vcard:hasURL", &url));
        }

        let distribution = format!("{dataset}#record");
        let record = format!("{}/api/v1/software/{}", self.base, row.slug);
        t.push(Triple::iri(&dataset, "dcat:distribution", &distribution));
        t.push(Triple::iri(
            &distribution,
            "rdf:type",
            "dcatapit:Distribution",
        ));
        t.push(Triple::iri(&distribution, "rdf:type", "dcat:Distribution"));
        t.push(Triple::plain(
            &distribution,
            "dct:title",
            "publiccode.yml (JSON, normalized)",
        ));
        t.push(Triple::iri(
            &distribution,
            "dct:format",
            "http://publications.europa.eu/resource/authority/file-type/JSON",
        ));
        t.push(Triple::iri(&distribution, "dcat:accessURL", &record));
        t.push(Triple::iri(&distribution, "dcat:downloadURL", &record));
        let licence = pc
            .pointer("/legal/license")
            .and_then(Value::as_str)
            .unwrap_or("");
        let licence_doc = format!(
            "https://spdx.org/licenses/{}",
            first_licence_id(licence).unwrap_or("NOASSERTION")
        );
        t.push(Triple::iri(&distribution, "dct:license", &licence_doc));
        t.push(Triple::iri(
            &licence_doc,
            "rdf:type",
            "dcatapit:LicenseDocument",
        ));
        t.push(Triple::plain(&licence_doc, "foaf:name", licence));
        t
    }
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 19] = [
    "id",
    "slug",
    "name",
    "url",
    "publisherName",
    "publisherIpaCode",
    "developmentStatus",
    "softwareType",
    "license",
    "categories",
    "scope",
    "platforms",
    "availableLanguages",
    "claims",
    "landingURL",
    "shortDescription",
    "vitality",
    "createdAt",
    "updatedAt",
];

fn csv_fields(row: &ExportRow) -> [String; 19] {
    let pc = &row.publiccode;
    let joined = |v: Option<&Value>| strings(v).collect::<Vec<_>>().join(";");
    let claims: Vec<&str> = row
        .claims
        .iter()
        .filter(|(_, v)| v == "true")
        .map(|(k, _)| k.as_str())
        .collect();
    [
        row.id.to_string(),
        row.slug.clone(),
        row.name.clone(),
        row.url.clone(),
        row.publisher_name.clone().unwrap_or_default(),
        row.publisher_ipa.clone().unwrap_or_default(),
        str_at(pc, "/developmentStatus").unwrap_or_default(),
        str_at(pc, "/softwareType").unwrap_or_default(),
        str_at(pc, "/legal/license").unwrap_or_default(),
        joined(pc.get("categories")),
        joined(pc.pointer("/intendedAudience/scope")),
        joined(pc.get("platforms")),
        joined(pc.pointer("/localisation/availableLanguages")),
        claims.join(";"),
        str_at(pc, "/landingURL").unwrap_or_default(),
        short_description(pc).unwrap_or_default(),
        row.vitality.map(|v| v.to_string()).unwrap_or_default(),
        row.created_at.to_rfc3339(),
        row.updated_at.to_rfc3339(),
    ]
}

/// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
///
/// A field a spreadsheet could run as a formula is prefixed with `'`: one that starts with `=`,
/// `+`, `-`, `@` (or their full-width forms), TAB or CR, also after leading whitespace
/// (` =1+1`, `\n@SUM(…)`), as OWASP's CSV injection advice lists.
fn csv_field(value: &str) -> String {
    let formula = |c: char| {
        matches!(
            c,
            '=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
        )
    };
    let risky = value.starts_with(['\t', '\r'])
        || value.trim_start().starts_with(formula)
        || value
            .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
            .starts_with(formula);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn json_entry(row: &ExportRow) -> Value {
    let claims: Map<String, Value> = row
        .claims
        .iter()
        .map(|(k, v)| {
            let value = match v.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.to_owned()),
            };
            (k.clone(), value)
        })
        .collect();
    json!({
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "url": row.url,
        "publisher": row.publisher_name.as_ref().map(|name| json!({
            "name": name,
            "ipaCode": row.publisher_ipa,
        })),
        "active": true,
        "vitality": row.vitality,
        "claims": claims,
        "createdAt": row.created_at.to_rfc3339(),
        "updatedAt": row.updated_at.to_rfc3339(),
        "publiccode": row.publiccode,
    })
}

fn strings(v: Option<&Value>) -> impl Iterator<Item = &str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The name of the agent that publishes an entry, as the pages name it: the administration's
/// (from the IPA registry), else the organisation the file names, its `repoOwner`, its
/// `mainCopyrightOwner` only when that names an organisation (it often names people), else the
/// owner of the repository at `url` (the account in its path).
fn agent_name(publisher: Option<String>, pc: &Value, url: &str) -> Option<String> {
    publisher
        .or_else(|| str_at(pc, "/organisation/name"))
        .or_else(|| str_at(pc, "/legal/repoOwner"))
        .or_else(|| {
            str_at(pc, "/legal/mainCopyrightOwner")
                .filter(|owner| crate::catalog::names_an_organisation(owner))
        })
        .or_else(|| {
            let url = url::Url::parse(url).ok()?;
            let owner = url.path_segments()?.find(|s| !s.is_empty())?;
            Some(owner.to_owned())
        })
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn short_description(pc: &Value) -> Option<String> {
    let descriptions = pc.get("description")?.as_object()?;
    ["it", "en"]
        .iter()
        .find_map(|l| descriptions.get(*l))
        .or_else(|| descriptions.values().next())
        .and_then(|d| d.get("shortDescription"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The first licence identifier of an SPDX expression (`EUPL-1.2 OR MIT` → `EUPL-1.2`).
fn first_licence_id(expression: &str) -> Option<&str> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .find(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "WITH"))
        .filter(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+'))
        })
}

/// The EU data theme (`http://publications.europa.eu/resource/authority/data-theme/`) closest to
/// an `intendedAudience.scope` value; `GOVE` (government and public sector) otherwise.
#[must_use]
pub fn theme_of_scope(scope: &str) -> &'static str {
    match scope {
        "agriculture" => "AGRI",
        "culture" | "education" | "sport" => "EDUC",
        "energy" => "ENER",
        "environment" => "ENVI",
        "finance-and-economic-development" | "manufacturing" | "tourism" => "ECON",
        "healthcare" => "HEAL",
        "foreign-affairs" => "INTR",
        "justice" | "security" | "defence" | "emergency-services" => "JUST",
        "research" | "science-and-technology" => "TECH",
        "society" | "welfare" | "employment" => "SOCI",
        "transportation" | "infrastructures" => "TRAN",
        _ => "GOVE",
    }
}

/// Prefixes of the DCAT-AP_IT exports.
const PREFIXES: [(&str, &str); 7] = [
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dcatapit", "http://dati.gov.it/onto/dcatapit#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// An absolute IRI safe to write between `<` and `>`: an address [`SafeHref::web`] accepts, with
/// the characters Turtle forbids in IRIs percent-encoded; `None` for anything else.
fn iri(url: &str) -> Option<String> {
    let safe = SafeHref::web(url.trim())?;
    let parsed = url::Url::parse(safe.as_str()).ok()?;
    let mut out = String::with_capacity(parsed.as_str().len());
    for c in parsed.as_str().chars() {
        if c <= ' ' || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\') {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// An RDF object.
#[derive(Debug, Clone)]
enum Object {
    /// An IRI, full or `prefix:local`.
    Iri(String),
    /// A literal with a language tag.
    Text(String, String),
    /// A plain string literal.
    Plain(String),
    /// An `xsd:date`.
    Date(String),
}

/// One statement; subjects and predicates are IRIs, full or `prefix:local`.
#[derive(Debug, Clone)]
struct Triple {
    subject: String,
    predicate: &'static str,
    object: Object,
}

impl Triple {
    fn iri(s: &str, p: &'static str, o: &str) -> Self {
        Self {
            subject: s.to_owned(),
            predicate: p,
            object: Object::Iri(o.to_owned()),
        }
    }

    fn text(s: &str, p: &'static str, o: &str, lang: &str) -> Self {
        Self {
            subject: s.to_owned(),
            predicate: p,
            object: Object::Text(o.to_owned(), lang.to_owned()),
        }
    }

    fn plain(s: &str, p: &'static str, o: &str) -> Self {
        Self {
            subject: s.to_owned(),
            predicate: p,
            object: Object::Plain(o.to_owned()),
        }
    }

    fn date(s: &str, p: &'static str, at: DateTime<FixedOffset>) -> Self {
        Self {
            subject: s.to_owned(),
            predicate: p,
            object: Object::Date(at.format("%Y-%m-%d").to_string()),
        }
    }

    fn write_turtle(&self, out: &mut String) {
        let object = match &self.object {
            Object::Iri(i) => turtle_iri(i),
            Object::Text(v, lang) => format!("{}@{lang}", turtle_string(v)),
            Object::Plain(v) => turtle_string(v),
            Object::Date(d) => format!("\"{d}\"^^xsd:date"),
        };
        let _ = writeln!(
            out,
            "{} {} {object} .",
            turtle_iri(&self.subject),
            self.predicate
        );
    }
}

/// `prefix:local` for our own vocabulary terms, `<iri>` for everything else.
fn turtle_iri(iri: &str) -> String {
    if PREFIXES.iter().any(|(p, _)| {
        iri.strip_prefix(p)
            .is_some_and(|r| r.starts_with(':') && !r.contains('/'))
    }) {
        iri.to_owned()
    } else {
        format!("<{iri}>")
    }
}

/// A Turtle string literal with every character that needs it escaped.
fn turtle_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The triples as JSON-LD node objects (one per subject, in first-seen order), comma-separated.
fn jsonld_nodes(triples: &[Triple]) -> String {
    let mut nodes: Vec<(String, Map<String, Value>)> = Vec::new();
    for t in triples {
        let index = match nodes.iter().position(|(s, _)| *s == t.subject) {
            Some(i) => i,
            None => {
                let mut node = Map::new();
                node.insert("@id".to_owned(), Value::String(t.subject.clone()));
                nodes.push((t.subject.clone(), node));
                nodes.len() - 1
            }
        };
        let node = &mut nodes[index].1;
        let (key, value) = if t.predicate == "rdf:type" {
            let Object::Iri(class) = &t.object else {
                continue;
            };
            ("@type", Value::String(class.clone()))
        } else {
            let value = match &t.object {
                Object::Iri(i) => json!({ "@id": i }),
                Object::Text(v, lang) => json!({ "@value": v, "@language": lang }),
                Object::Plain(v) => Value::String(v.clone()),
                Object::Date(d) => json!({ "@value": d, "@type": "xsd:date" }),
            };
            (t.predicate, value)
        };
        match node.get_mut(key) {
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                node.insert(key.to_owned(), value);
            }
        }
    }
    nodes
        .into_iter()
        .map(|(_, node)| Value::Object(node).to_string())
        .collect::<Vec<_>>()
        .join(",\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_is_never_named_after_people() {
        let url = "https://github.com/comune-esempio/app";
        let file = |legal: Value| serde_json::json!({ "legal": legal });
        // The registry's name first, then the organisation the file names, then repoOwner.
        assert_eq!(
            agent_name(
                Some("Comune di Esempio".to_owned()),
                &file(Value::Null),
                url
            )
            .as_deref(),
            Some("Comune di Esempio")
        );
        let named = serde_json::json!({ "organisation": { "name": "Regione Esempio" },
            "legal": { "repoOwner": "Altro", "mainCopyrightOwner": "Mario Rossi" } });
        assert_eq!(
            agent_name(None, &named, url).as_deref(),
            Some("Regione Esempio")
        );
        let owner = file(serde_json::json!({ "repoOwner": "Comune di Prova",
            "mainCopyrightOwner": "Mario Rossi" }));
        assert_eq!(
            agent_name(None, &owner, url).as_deref(),
            Some("Comune di Prova")
        );
        // A copyright owner that names people gives way to the repository's account.
        let person = file(serde_json::json!({ "mainCopyrightOwner": "Mario Rossi" }));
        assert_eq!(
            agent_name(None, &person, url).as_deref(),
            Some("comune-esempio")
        );
        let office = file(serde_json::json!({ "mainCopyrightOwner": "Comune di Esempio" }));
        assert_eq!(
            agent_name(None, &office, url).as_deref(),
            Some("Comune di Esempio")
        );
        assert_eq!(agent_name(None, &person, "not a url"), None);
    }

    #[test]
    fn escapes() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        for risky in [
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            " =1",
            "\n=1",
            "\t",
            "\rplain",
            " \t@x",
            "\u{ff1d}1+1",
            "\u{0}=1",
        ] {
            assert!(
                csv_field(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(csv_field("Comune di Roma"), "Comune di Roma");
        assert_eq!(csv_field("a = b"), "a = b");
        assert_eq!(
            turtle_string("a\"b\\c\nd\u{1}"),
            "\"a\\\"b\\\\c\\nd\\u0001\""
        );
        assert_eq!(
            iri("https://example.org/a{c}|").as_deref(),
            Some("https://example.org/a%7Bc%7D%7C")
        );
        for unsafe_iri in [
            "javascript:alert(1)",
            "file:///srv/riuso/x",
            "//evil.example/",
            "https://user@example.org/",
            "https://example.org/a b",
        ] {
            assert_eq!(iri(unsafe_iri), None, "{unsafe_iri}");
        }
        assert_eq!(first_licence_id("(EUPL-1.2 OR MIT)"), Some("EUPL-1.2"));
        assert_eq!(turtle_iri("dct:title"), "dct:title");
        assert_eq!(turtle_iri("https://x.org/a"), "<https://x.org/a>");
    }
}
