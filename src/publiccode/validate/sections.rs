//! The sections of the standard, one function each, read into the typed model.

use std::collections::BTreeMap;

use crate::publiccode::Context;
use crate::publiccode::assets::{self, AssetKind};
use crate::publiccode::check::{Checker, Text, find, index, ipa_urn_code, join};
use crate::publiccode::diagnostic::Code;
use crate::publiccode::lang;
use crate::publiccode::model::{
    Contact, Contractor, Dependency, DependsOn, Description, DevelopmentStatus, IntendedAudience,
    Legal, Localisation, Maintenance, MaintenanceType, Organisation, PublicCode, SoftwareType,
};
use crate::publiccode::vocab;
use crate::publiccode::yaml::{Entry, Node, Pos, Value};

/// Reads every section except the country section; `None` when a required part is missing.
pub(super) fn read(
    ck: &mut Checker,
    top: &[Entry],
    root: Pos,
    ctx: &Context<'_>,
    version: &str,
) -> Option<PublicCode> {
    let name = ck.required_text("", top, "name", root);
    let application_suite = ck.text("", top, "applicationSuite");
    let url = ck.required_text("", top, "url", root);
    if let Some(u) = &url
        && !is_url(&u.value)
    {
        ck.error(
            Code::InvalidUrl,
            "url",
            u.pos,
            format!(
                "url must be a valid URL of the code repository, not \"{}\"",
                u.value
            ),
        );
    }
    let landing_url = ck.text("", top, "landingURL");
    if let Some(u) = &landing_url {
        ck.http_url(u);
    }
    let is_based_on = read_is_based_on(ck, top);
    let software_version = ck.text("", top, "softwareVersion");
    let release_date = ck.text("", top, "releaseDate").and_then(|d| ck.date(&d));
    let logo = read_image(ck, top, "logo", AssetKind::Logo, ctx);
    let monochrome_logo = read_image(ck, top, "monochromeLogo", AssetKind::Logo, ctx);
    if let Some(e) = find(top, "monochromeLogo") {
        ck.deprecated("monochromeLogo", e.key_pos, "Use 'logo' instead");
    }
    let input_types = read_mime_types(ck, top, "inputTypes");
    let output_types = read_mime_types(ck, top, "outputTypes");
    let platforms = read_platforms(ck, top, root);
    let categories = read_closed_list(
        ck,
        top,
        "categories",
        &vocab::CATEGORIES,
        Code::InvalidCategory,
        "https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/categories-list.rst",
    );
    let used_by = ck.text_list("", top, "usedBy");
    let roadmap = ck.text("", top, "roadmap");
    if let Some(r) = &roadmap {
        ck.http_url(r);
    }
    let development_status = read_enum(
        ck,
        top,
        "developmentStatus",
        root,
        &vocab::DEVELOPMENT_STATUSES,
    )
    .and_then(|t| DevelopmentStatus::from_key(&t.value));
    let software_type = read_enum(ck, top, "softwareType", root, &vocab::SOFTWARE_TYPES)
        .and_then(|t| SoftwareType::from_key(&t.value));
    let intended_audience = read_intended_audience(ck, top);
    let description = read_descriptions(ck, top, root, ctx);
    let legal = read_legal(ck, top, root, ctx);
    let maintenance = read_maintenance(ck, top, root);
    let localisation = read_localisation(ck, top, root);
    let depends_on = read_depends_on(ck, top);
    let organisation = find(top, "organisation").and_then(|e| {
        let fields = ck.map("organisation", &e.value, e.key_pos)?;
        Some(read_organisation(ck, "organisation", fields, e.key_pos))
    });
    let funded_by = read_funded_by(ck, top);
    let supports = read_supports(ck, top);

    Some(PublicCode {
        publiccode_yml_version: version.to_owned(),
        name: ck.name(name?),
        application_suite: application_suite.map(|t| t.value),
        url: url?.value,
        landing_url: landing_url.map(|t| t.value),
        is_based_on,
        software_version: software_version.map(|t| t.value),
        release_date,
        logo,
        monochrome_logo,
        input_types,
        output_types,
        platforms,
        categories,
        used_by: used_by.into_iter().map(|t| ck.name(t)).collect(),
        roadmap: roadmap.map(|t| t.value),
        development_status: development_status?,
        software_type: software_type?,
        intended_audience,
        description: description?,
        legal: legal?,
        maintenance: maintenance?,
        localisation: localisation?,
        depends_on,
        organisation,
        funded_by,
        supports,
        it: None,
    })
}

fn is_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| u.has_host() || u.scheme() == "file")
}

/// A URI: an absolute URL with a scheme, or an RFC 2141 URN (`urn:<nid>:<nss>`).
fn is_uri(s: &str) -> bool {
    if let Some(rest) = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("urn:"))
        .map(|_| &s[4..])
    {
        let Some((nid, nss)) = rest.split_once(':') else {
            return false;
        };
        let nid_ok = (1..=32).contains(&nid.len())
            && nid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !nid.starts_with('-');
        return nid_ok && !nss.is_empty() && !nss.contains(char::is_whitespace);
    }
    url::Url::parse(s).is_ok_and(|u| !u.cannot_be_a_base() || u.scheme() == "mailto")
}

fn read_is_based_on(ck: &mut Checker, top: &[Entry]) -> Vec<String> {
    let Some(entry) = find(top, "isBasedOn") else {
        return Vec::new();
    };
    let texts = match &entry.value.value {
        Value::Seq(_) => ck.text_list("", top, "isBasedOn"),
        Value::Scalar(_) => ck
            .text_node("isBasedOn[0]", &entry.value, entry.key_pos)
            .into_iter()
            .collect(),
        Value::Map(_) => {
            ck.wrong_type(
                "isBasedOn",
                &entry.value,
                entry.key_pos,
                "a URL or a list of URLs",
            );
            Vec::new()
        }
    };
    for t in &texts {
        if !is_url(&t.value) {
            ck.error(
                Code::InvalidUrl,
                &t.path,
                t.pos,
                format!("isBasedOn must list valid URLs, not \"{}\"", t.value),
            );
        }
    }
    texts.into_iter().map(|t| t.value).collect()
}

fn read_image(
    ck: &mut Checker,
    fields: &[Entry],
    key: &str,
    kind: AssetKind,
    ctx: &Context<'_>,
) -> Option<String> {
    // An empty logo is no logo, as the reference reads it.
    let text = ck.text("", fields, key).filter(|t| !t.value.is_empty())?;
    assets::check(ck, &text, kind, ctx);
    Some(text.value)
}

fn read_mime_types(ck: &mut Checker, top: &[Entry], key: &str) -> Vec<String> {
    let Some(entry) = find(top, key) else {
        return Vec::new();
    };
    if let Value::Map(entries) = &entry.value.value {
        // Point at the offending inner key, the way the reference does.
        let at = entries
            .first()
            .map_or(key.to_owned(), |e| join(key, &e.key));
        ck.wrong_type(&at, &entry.value, entry.key_pos, "a list of MIME types");
        return Vec::new();
    }
    ck.deprecated(key, entry.key_pos, "It's safe to drop it");
    let items = ck.text_list("", top, key);
    for t in &items {
        if !is_mime_type(&t.value) {
            ck.error(
                Code::InvalidMimeType,
                &t.path,
                t.pos,
                format!(
                    "{} is not a valid MIME type (e.g. text/csv)",
                    crate::publiccode::check::leaf(&t.path)
                ),
            );
        }
    }
    items.into_iter().map(|t| t.value).collect()
}

/// `type/subtype` without parameters (RFC 2045 tokens), as the reference accepts.
fn is_mime_type(value: &str) -> bool {
    let token = |s: &str, extra: &[u8]| {
        (1..=127).contains(&s.len())
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_-".contains(&b) || extra.contains(&b))
    };
    value
        .trim()
        .split_once('/')
        .is_some_and(|(ty, sub)| token(ty, b"") && token(sub, b".+"))
}

fn read_platforms(ck: &mut Checker, top: &[Entry], root: Pos) -> Vec<String> {
    let items = ck.text_list("", top, "platforms");
    if items.is_empty() {
        let pos = find(top, "platforms").map_or(root, |e| e.key_pos);
        ck.error(
            Code::Empty,
            "platforms",
            pos,
            "platforms must contain more than 0 items (e.g. web, windows, linux, android)",
        );
    }
    items.into_iter().map(|t| t.value).collect()
}

fn read_closed_list(
    ck: &mut Checker,
    fields: &[Entry],
    key: &str,
    vocabulary: &[&'static str],
    code: Code,
    reference: &str,
) -> Vec<String> {
    let items = ck.text_list("", fields, key);
    closed_values(ck, items, vocabulary, code, reference)
}

fn closed_values(
    ck: &mut Checker,
    items: Vec<Text>,
    vocabulary: &[&'static str],
    code: Code,
    reference: &str,
) -> Vec<String> {
    let mut out = Vec::with_capacity(items.len());
    for t in items {
        if vocabulary.contains(&t.value.as_str()) {
            out.push(t.value);
            continue;
        }
        let leaf = crate::publiccode::check::leaf(&t.path);
        let noun = if code == Code::InvalidScope {
            "scope"
        } else {
            "category"
        };
        let hint = vocab::suggest(&t.value, vocabulary.iter().copied())
            .map(|s| format!("; did you mean \"{s}\"?"))
            .unwrap_or_default();
        ck.error(
            code,
            &t.path,
            t.pos,
            format!(
                "{leaf} must be a valid {noun}: \"{}\" is not in the list{hint} (see {reference})",
                t.value
            ),
        );
    }
    out
}

fn read_enum(
    ck: &mut Checker,
    fields: &[Entry],
    key: &str,
    parent: Pos,
    allowed: &[&'static str],
) -> Option<Text> {
    let text = ck.required_text("", fields, key, parent)?;
    enum_value(ck, text, allowed)
}

fn enum_value(ck: &mut Checker, text: Text, allowed: &[&'static str]) -> Option<Text> {
    if allowed.contains(&text.value.as_str()) {
        return Some(text);
    }
    let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
    let list = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    let hint = vocab::suggest(&text.value, allowed.iter().copied())
        .map(|s| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default();
    ck.error(
        Code::InvalidValue,
        &text.path,
        text.pos,
        format!(
            "{} must be one of the following: {list}, not \"{}\"{hint}",
            crate::publiccode::check::leaf(&text.path),
            text.value
        ),
    );
    None
}

fn read_intended_audience(ck: &mut Checker, top: &[Entry]) -> IntendedAudience {
    let mut out = IntendedAudience::default();
    let Some(entry) = find(top, "intendedAudience") else {
        return out;
    };
    let path = "intendedAudience";
    let Some(fields) = ck.map(path, &entry.value, entry.key_pos) else {
        return out;
    };
    ck.known_keys(
        path,
        fields,
        &["countries", "unsupportedCountries", "scope"],
    );
    out.countries = read_countries(ck, fields, "countries");
    out.unsupported_countries = read_countries(ck, fields, "unsupportedCountries");
    let scopes = ck.text_list(path, fields, "scope");
    out.scope = closed_values(
        ck,
        scopes,
        &vocab::SCOPES,
        Code::InvalidScope,
        "https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard/scope-list.rst",
    );
    out
}

fn read_countries(ck: &mut Checker, fields: &[Entry], key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in ck.text_list("intendedAudience", fields, key) {
        let upper = t.value.to_ascii_uppercase();
        let known = vocab::COUNTRIES.contains(&upper.as_str());
        if known && t.value == upper {
            out.push(upper);
        } else if known && t.value == t.value.to_ascii_lowercase() {
            ck.warning(
                Code::Deprecated,
                &t.path,
                t.pos,
                format!(
                    "lowercase country codes are deprecated. Use uppercase instead ('{upper}')"
                ),
            );
            out.push(upper);
        } else {
            ck.error(
                Code::InvalidCountry,
                &t.path,
                t.pos,
                format!(
                    "{} must be a valid ISO 3166-1 alpha-2 two-letter country code (e.g. IT), not \"{}\"",
                    crate::publiccode::check::leaf(&t.path),
                    t.value
                ),
            );
        }
    }
    out
}

const DESCRIPTION_KEYS: &[&str] = &[
    "localisedName",
    "genericName",
    "shortDescription",
    "longDescription",
    "documentation",
    "apiDocumentation",
    "features",
    "screenshots",
    "videos",
    "awards",
];

fn read_descriptions(
    ck: &mut Checker,
    top: &[Entry],
    root: Pos,
    ctx: &Context<'_>,
) -> Option<BTreeMap<String, Description>> {
    let entry = find(top, "description");
    let languages = entry.and_then(|e| ck.map("description", &e.value, e.key_pos));
    let pos = entry.map_or(root, |e| e.key_pos);
    let Some(languages) = languages.filter(|l| !l.is_empty()) else {
        ck.error(
            Code::Empty,
            "description",
            pos,
            "description must contain more than 0 items: add at least one language, e.g. `it:` or `en:`",
        );
        return None;
    };
    let mut out = BTreeMap::new();
    let mut complete = true;
    for lang in languages {
        let path = join("description", &lang.key);
        if !lang::is_valid_tag(&lang.key) {
            ck.error(
                Code::InvalidLanguage,
                &path,
                lang.key_pos,
                format!(
                    "\"{}\" is not a valid BCP 47 language tag (use e.g. it, en, en-GB, de-AT)",
                    lang.key
                ),
            );
        }
        let Some(fields) = ck.map(&path, &lang.value, lang.key_pos) else {
            if lang.value.is_null() {
                ck.required(&join(&path, "shortDescription"), lang.key_pos);
            }
            complete = false;
            continue;
        };
        match read_description(ck, &path, fields, lang.value.pos, ctx) {
            Some(d) => {
                out.insert(lang.key.clone(), d);
            }
            None => complete = false,
        }
    }
    complete.then_some(out)
}

fn read_description(
    ck: &mut Checker,
    path: &str,
    fields: &[Entry],
    at: Pos,
    ctx: &Context<'_>,
) -> Option<Description> {
    ck.known_keys(path, fields, DESCRIPTION_KEYS);
    let localised_name = ck.text(path, fields, "localisedName");
    let generic_name = ck.text(path, fields, "genericName");
    if let Some(g) = &generic_name {
        ck.length(g, None, Some(35));
        ck.deprecated(&g.path, g.pos, "It's safe to drop it");
    }
    let short = ck.required_text(path, fields, "shortDescription", at);
    if let Some(s) = &short {
        ck.length(s, None, Some(150));
    }
    let long = ck.required_text(path, fields, "longDescription", at);
    if let Some(l) = &long {
        ck.length(l, Some(150), Some(10_000));
    }
    let documentation = ck.text(path, fields, "documentation");
    if let Some(d) = &documentation {
        ck.http_url(d);
    }
    let api_documentation = ck.text(path, fields, "apiDocumentation");
    if let Some(d) = &api_documentation {
        ck.http_url(d);
    }
    let features = ck.text_list(path, fields, "features");
    if features.is_empty() {
        let pos = find(fields, "features").map_or(at, |e| e.key_pos);
        ck.error(
            Code::Empty,
            &join(path, "features"),
            pos,
            "features must contain more than 0 items: list what the software does",
        );
    }
    let screenshots = ck.text_list(path, fields, "screenshots");
    for s in &screenshots {
        assets::check(ck, s, AssetKind::Screenshot, ctx);
    }
    let videos = ck.text_list(path, fields, "videos");
    for v in &videos {
        ck.http_url(v);
        if !vocab::is_oembed_url(&v.value) {
            ck.error(
                Code::InvalidVideo,
                &v.path,
                v.pos,
                format!(
                    "'{}' is not a valid video URL supporting oEmbed (e.g. a YouTube or Vimeo page)",
                    v.value
                ),
            );
        }
    }
    let awards = ck.text_list(path, fields, "awards");
    Some(Description {
        localised_name: localised_name.map(|t| ck.name(t)),
        generic_name: generic_name.map(|t| ck.name(t)),
        short_description: short?.value,
        long_description: long?.value,
        documentation: documentation.map(|t| t.value),
        api_documentation: api_documentation.map(|t| t.value),
        features: features.into_iter().map(|t| t.value).collect(),
        screenshots: screenshots.into_iter().map(|t| t.value).collect(),
        videos: videos.into_iter().map(|t| t.value).collect(),
        awards: awards.into_iter().map(|t| t.value).collect(),
    })
}

fn read_legal(ck: &mut Checker, top: &[Entry], root: Pos, ctx: &Context<'_>) -> Option<Legal> {
    let entry = find(top, "legal");
    let fields = entry.and_then(|e| ck.map("legal", &e.value, e.key_pos));
    let Some(fields) = fields else {
        ck.required("legal.license", entry.map_or(root, |e| e.key_pos));
        return None;
    };
    ck.known_keys(
        "legal",
        fields,
        &["license", "mainCopyrightOwner", "repoOwner", "authorsFile"],
    );
    let at = entry.map_or(root, |e| e.value.pos);
    let license = ck.required_text("legal", fields, "license", at);
    if let Some(l) = &license
        && let Err(e) = spdx::Expression::parse_mode(&l.value, spdx::ParseMode::LAX)
    {
        ck.error(
                Code::InvalidLicense,
                &l.path,
                l.pos,
                format!(
                    "license must be a valid SPDX license expression such as EUPL-1.2 or AGPL-3.0-or-later (see https://spdx.org/licenses): {}",
                    e.reason
                ),
            );
    }
    let main_copyright_owner = ck.text("legal", fields, "mainCopyrightOwner");
    let repo_owner = ck.text("legal", fields, "repoOwner");
    if let Some(r) = &repo_owner {
        ck.deprecated(&r.path, r.pos, "Use 'organisation.name' instead");
    }
    let authors_file = ck.text("legal", fields, "authorsFile");
    if let Some(a) = &authors_file {
        ck.deprecated(&a.path, a.pos, "It's safe to drop it");
        assets::check(ck, a, AssetKind::File, ctx);
    }
    Some(Legal {
        license: license?.value,
        main_copyright_owner: main_copyright_owner.map(|t| ck.name(t)),
        repo_owner: repo_owner.map(|t| ck.name(t)),
        authors_file: authors_file.map(|t| t.value),
    })
}

fn read_maintenance(ck: &mut Checker, top: &[Entry], root: Pos) -> Option<Maintenance> {
    let entry = find(top, "maintenance");
    let fields = entry.and_then(|e| ck.map("maintenance", &e.value, e.key_pos));
    let Some(fields) = fields else {
        ck.required("maintenance.type", entry.map_or(root, |e| e.key_pos));
        return None;
    };
    ck.known_keys("maintenance", fields, &["type", "contractors", "contacts"]);
    let at = entry.map_or(root, |e| e.value.pos);
    let kind = read_enum_in(
        ck,
        "maintenance",
        fields,
        "type",
        at,
        &vocab::MAINTENANCE_TYPES,
    )
    .and_then(|t| MaintenanceType::from_key(&t.value));
    let contractors_entry = find(fields, "contractors");
    let contractors = read_items(ck, "maintenance", fields, "contractors", read_contractor);
    let contacts_entry = find(fields, "contacts");
    let contacts = read_items(ck, "maintenance", fields, "contacts", read_contact);
    let type_pos = find(fields, "type").map_or(at, |e| e.key_pos);
    match kind {
        Some(MaintenanceType::Contract) if contractors_entry.is_none_or(|e| e.value.is_null()) => {
            ck.error(
                Code::MaintenanceMismatch,
                "maintenance.contractors",
                type_pos,
                "contractors is a required field when \"type\" is \"contract\": list who maintains the software and until when",
            );
        }
        Some(k @ (MaintenanceType::Internal | MaintenanceType::Community))
            if contacts_entry.is_none_or(|e| e.value.is_null()) =>
        {
            let name = if k == MaintenanceType::Internal {
                "internal"
            } else {
                "community"
            };
            ck.error(
                Code::MaintenanceMismatch,
                "maintenance.contacts",
                type_pos,
                format!("contacts is a required field when \"type\" is \"{name}\": list at least one maintainer"),
            );
        }
        _ => {}
    }
    if let (Some(k), Some(e)) = (kind, contractors_entry)
        && k != MaintenanceType::Contract
    {
        ck.error(
            Code::MaintenanceMismatch,
            "maintenance.contractors",
            e.key_pos,
            "contractors must not be present unless \"type\" is \"contract\"",
        );
    }
    Some(Maintenance {
        kind: kind?,
        contractors: contractors?,
        contacts: contacts?,
    })
}

fn read_enum_in(
    ck: &mut Checker,
    path: &str,
    fields: &[Entry],
    key: &str,
    parent: Pos,
    allowed: &[&'static str],
) -> Option<Text> {
    let text = ck.required_text(path, fields, key, parent)?;
    enum_value(ck, text, allowed)
}

/// Reads a list of mappings with `read_one`; `None` if any item is broken.
fn read_items<T>(
    ck: &mut Checker,
    path: &str,
    fields: &[Entry],
    key: &str,
    read_one: fn(&mut Checker, &str, &[Entry], Pos) -> Option<T>,
) -> Option<Vec<T>> {
    let Some(entry) = find(fields, key) else {
        return Some(Vec::new());
    };
    let full = join(path, key);
    let items = list_of_maps(ck, &full, entry)?;
    let mut out = Vec::with_capacity(items.len());
    let mut complete = true;
    for (i, item) in items.iter().enumerate() {
        let item_path = index(&full, i);
        let Some(item_fields) = ck.map(&item_path, item, item.pos) else {
            complete = false;
            continue;
        };
        match read_one(ck, &item_path, item_fields, item.pos) {
            Some(v) => out.push(v),
            None => complete = false,
        }
    }
    complete.then_some(out)
}

/// A list expected; a mapping is reported at its first key, as the reference does.
fn list_of_maps<'n>(ck: &mut Checker, path: &str, entry: &'n Entry) -> Option<&'n [Node]> {
    match &entry.value.value {
        Value::Map(_) => {
            ck.wrong_type(path, &entry.value, entry.key_pos, "a list");
            None
        }
        _ => ck.seq(path, &entry.value, entry.key_pos).or(Some(&[])),
    }
}

fn read_contractor(ck: &mut Checker, path: &str, fields: &[Entry], at: Pos) -> Option<Contractor> {
    ck.known_keys(path, fields, &["name", "until", "email", "website"]);
    let name = ck.required_text(path, fields, "name", at);
    let until = ck
        .required_text(path, fields, "until", at)
        .and_then(|t| ck.date(&t));
    let email = ck.text(path, fields, "email");
    if let Some(e) = &email {
        ck.email(e);
    }
    let website = ck.text(path, fields, "website");
    if let Some(w) = &website {
        ck.http_url(w);
    }
    Some(Contractor {
        name: ck.name(name?),
        until: until?,
        email: email.map(|t| t.value),
        website: website.map(|t| t.value),
    })
}

fn read_contact(ck: &mut Checker, path: &str, fields: &[Entry], at: Pos) -> Option<Contact> {
    ck.known_keys(path, fields, &["name", "email", "phone", "affiliation"]);
    let name = ck.required_text(path, fields, "name", at);
    let email = ck.text(path, fields, "email");
    if let Some(e) = &email {
        ck.email(e);
    }
    let phone = ck.text(path, fields, "phone");
    let affiliation = ck.text(path, fields, "affiliation");
    Some(Contact {
        name: ck.name(name?),
        email: email.map(|t| t.value),
        phone: phone.map(|t| t.value),
        affiliation: affiliation.map(|t| t.value),
    })
}

fn read_localisation(ck: &mut Checker, top: &[Entry], root: Pos) -> Option<Localisation> {
    let entry = find(top, "localisation");
    let fields = entry.and_then(|e| ck.map("localisation", &e.value, e.key_pos));
    let Some(fields) = fields else {
        let pos = entry.map_or(root, |e| e.key_pos);
        ck.required("localisation.localisationReady", pos);
        ck.required("localisation.availableLanguages", pos);
        return None;
    };
    ck.known_keys(
        "localisation",
        fields,
        &["localisationReady", "availableLanguages"],
    );
    let at = entry.map_or(root, |e| e.value.pos);
    let ready = ck.boolean("localisation", fields, "localisationReady");
    if ready.is_none() {
        let pos = find(fields, "localisationReady").map_or(at, |e| e.key_pos);
        ck.required("localisation.localisationReady", pos);
    }
    let languages = ck.text_list("localisation", fields, "availableLanguages");
    if languages.is_empty() {
        let (pos, present) = find(fields, "availableLanguages")
            .map_or((at, false), |e| (e.key_pos, !e.value.is_null()));
        if present {
            ck.error(
                Code::Empty,
                "localisation.availableLanguages",
                pos,
                "availableLanguages must contain more than 0 items",
            );
        } else {
            ck.required("localisation.availableLanguages", pos);
        }
    }
    for l in &languages {
        if !lang::is_valid_tag(&l.value) {
            ck.error(
                Code::InvalidLanguage,
                &l.path,
                l.pos,
                format!(
                    "{} must be a valid BCP 47 language tag (e.g. it, en, en-GB), not \"{}\"",
                    crate::publiccode::check::leaf(&l.path),
                    l.value
                ),
            );
        }
    }
    Some(Localisation {
        localisation_ready: ready?.0,
        available_languages: (!languages.is_empty())
            .then(|| languages.into_iter().map(|t| t.value).collect())?,
    })
}

fn read_depends_on(ck: &mut Checker, top: &[Entry]) -> DependsOn {
    let mut out = DependsOn::default();
    let Some(entry) = find(top, "dependsOn") else {
        return out;
    };
    let Some(fields) = ck.map("dependsOn", &entry.value, entry.key_pos) else {
        return out;
    };
    ck.known_keys("dependsOn", fields, &["open", "proprietary", "hardware"]);
    out.open = read_items(ck, "dependsOn", fields, "open", read_dependency).unwrap_or_default();
    out.proprietary =
        read_items(ck, "dependsOn", fields, "proprietary", read_dependency).unwrap_or_default();
    out.hardware =
        read_items(ck, "dependsOn", fields, "hardware", read_dependency).unwrap_or_default();
    out
}

fn read_dependency(ck: &mut Checker, path: &str, fields: &[Entry], at: Pos) -> Option<Dependency> {
    ck.known_keys(
        path,
        fields,
        &["name", "versionMin", "versionMax", "optional", "version"],
    );
    let name = ck.required_text(path, fields, "name", at);
    let version_min = ck.text(path, fields, "versionMin");
    let version_max = ck.text(path, fields, "versionMax");
    let version = ck.text(path, fields, "version");
    let optional = ck.boolean(path, fields, "optional");
    Some(Dependency {
        name: name?.value,
        version_min: version_min.map(|t| t.value),
        version_max: version_max.map(|t| t.value),
        version: version.map(|t| t.value),
        optional: optional.is_some_and(|(b, _)| b),
    })
}

fn read_organisation(ck: &mut Checker, path: &str, fields: &[Entry], at: Pos) -> Organisation {
    ck.known_keys(path, fields, &["name", "uri"]);
    let name = ck.text(path, fields, "name");
    let uri = ck.required_text(path, fields, "uri", at);
    if let Some(u) = &uri {
        check_organisation_uri(ck, u);
    }
    Organisation {
        name: name.map(|t| ck.name(t)),
        uri: uri.map(|t| t.value),
    }
}

/// `uri` must be a URI; an Italian PA URN must name a code in the IPA list.
fn check_organisation_uri(ck: &mut Checker, uri: &Text) {
    if !is_uri(&uri.value) {
        ck.error(
            Code::InvalidUri,
            &uri.path,
            uri.pos,
            format!(
                "uri is not a valid URI: \"{}\" (use a web address, or urn:x-italian-pa:<IPA code> for an Italian administration)",
                uri.value
            ),
        );
        return;
    }
    if let Some(code) = ipa_urn_code(&uri.value)
        && !vocab::is_ipa_code(code)
    {
        ck.error(
                Code::InvalidIpaCode,
                &uri.path,
                uri.pos,
                format!(
                    "uri must be a valid Italian Public Administration Code (iPA) with format 'urn:x-italian-pa:[codiceIPA]': \"{code}\" is not in the IPA list (see https://indicepa.gov.it)"
                ),
            );
    }
}

fn read_funded_by(ck: &mut Checker, top: &[Entry]) -> Vec<Organisation> {
    let Some(entry) = find(top, "fundedBy") else {
        return Vec::new();
    };
    let Some(items) = list_of_maps(ck, "fundedBy", entry) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = index("fundedBy", i);
        if let Some(fields) = ck.map(&path, item, item.pos) {
            out.push(read_organisation(ck, &path, fields, item.pos));
        }
    }
    out
}

fn read_supports(ck: &mut Checker, top: &[Entry]) -> Vec<String> {
    let Some(entry) = find(top, "supports") else {
        return Vec::new();
    };
    let Some(items) = list_of_maps(ck, "supports", entry) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = index("supports", i);
        let Some(fields) = ck.map(&path, item, item.pos) else {
            continue;
        };
        ck.known_keys(&path, fields, &["id"]);
        let Some(id) = ck.required_text(&path, fields, "id", item.pos) else {
            continue;
        };
        if let Some(alias) = id.value.strip_prefix("alias:") {
            if !vocab::SUPPORT_ALIASES.contains(&alias) {
                let hint = vocab::suggest(alias, vocab::SUPPORT_ALIASES.iter().copied())
                    .map(|s| format!("; did you mean \"alias:{s}\"?"))
                    .unwrap_or_default();
                ck.error(
                    Code::UnknownAlias,
                    &id.path,
                    id.pos,
                    format!(
                        "id contains an unknown alias \"{alias}\"{hint} (known: {})",
                        vocab::SUPPORT_ALIASES.join(", ")
                    ),
                );
                continue;
            }
        } else if !is_uri(&id.value) {
            ck.error(
                Code::InvalidUri,
                &id.path,
                id.pos,
                format!("id must be alias:<name> or a URI, not \"{}\"", id.value),
            );
            continue;
        }
        out.push(id.value);
    }
    out
}
