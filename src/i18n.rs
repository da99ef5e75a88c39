//! Italian and English for the pages and the e-mail: the languages and their messages. (Which
//! language a request gets is `web::lang`'s business.)
//!
//! Messages live in `locales/it.toml` and
//! `locales/en.toml`, embedded at build time; both files hold the same keys (a test checks it,
//! and another that every key the templates use exists). A missing key shows as itself, so a slip
//! is visible on the page instead of failing the request.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use url::form_urlencoded;

use crate::publiccode::Code;

/// The cookie that remembers the language chosen.
pub const COOKIE_NAME: &str = "riuso_lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Italiano, the default.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Italian first.
    pub const ALL: [Self; 2] = [Self::It, Self::En];

    /// The BCP 47 tag (`it`, `en`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::It => "it",
            Self::En => "en",
        }
    }

    /// The language's own name.
    #[must_use]
    pub fn native_name(self) -> &'static str {
        match self {
            Self::It => "Italiano",
            Self::En => "English",
        }
    }

    /// The language of a tag such as `en-GB`, if it is one of ours.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "it" => Some(Self::It),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The best of ours for an `Accept-Language` header, by quality then order.
    #[must_use]
    pub fn negotiate(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The message `key`, or the key itself when it is missing.
    #[must_use]
    pub fn t(self, key: &str) -> &str {
        self.lookup(key).unwrap_or(key)
    }

    /// The message `key`, if there is one.
    #[must_use]
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        MESSAGES
            .get(&self)
            .and_then(|m| m.get(key))
            .map(String::as_str)
    }

    /// The message `key` with each `{name}` replaced by its value.
    #[must_use]
    pub fn tf(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let mut out = self.t(key).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), &value.to_string());
        }
        out
    }

    /// `key.one` or `key.other` for `n`, with `{n}` replaced.
    #[must_use]
    pub fn count(self, key: &str, n: u64) -> String {
        let form = if n == 1 { "one" } else { "other" };
        self.tf(&format!("{key}.{form}"), &[("n", &n)])
    }

    /// What a validator diagnostic code means, in this language.
    #[must_use]
    pub fn diagnostic_help(self, code: Code) -> &'static str {
        self.lookup(&format!("diagnostic.{}", code.as_str()))
            .unwrap_or(code.help())
    }

    /// How the value `value` of the vocabulary `kind` reads in this language: the message
    /// `value.<kind>.<value>` (`/` spelt `_`, language tags by their primary subtag), else the
    /// value itself, with a category's or scope's hyphens as spaces. Kinds: `category`,
    /// `scope`, `type`, `status`, `maintenance`, `platform`, `language`, `claim`, `active`,
    /// `event`.
    #[must_use]
    pub fn label(self, kind: &str, value: &str) -> String {
        let key = if kind == "language" {
            let primary = value.split(['-', '_']).next().unwrap_or(value);
            format!("value.language.{}", primary.to_ascii_lowercase())
        } else if kind == "platform" {
            format!("value.platform.{}", value.trim().to_lowercase())
        } else {
            format!("value.{kind}.{}", value.replace('/', "_"))
        };
        match self.lookup(&key) {
            Some(label) => label.to_owned(),
            None if matches!(kind, "category" | "scope") => value.replace('-', " "),
            None => value.to_owned(),
        }
    }

    /// The language asked for with `lang=` in `query`, if it is one of ours.
    #[must_use]
    pub fn from_query(query: Option<&str>) -> Option<Self> {
        form_urlencoded::parse(query?.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Self::from_tag(&v))
    }
}

type Messages = HashMap<Lang, HashMap<String, String>>;

static MESSAGES: LazyLock<Messages> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|lang| (lang, flatten(source(lang))))
        .collect()
});

/// The embedded message file of `lang`.
fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::It => include_str!("../locales/it.toml"),
        Lang::En => include_str!("../locales/en.toml"),
    }
}

/// `[section.sub] key = "text"` as `section.sub.key`; a file that does not parse gives no
/// messages (the tests parse both, so that cannot ship).
fn flatten(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Ok(value) = basic_toml::from_str::<serde_json::Value>(text) {
        walk("", &value, &mut out);
    }
    out
}

fn walk(prefix: &str, value: &serde_json::Value, out: &mut HashMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                walk(&path, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(lang: Lang) -> BTreeSet<String> {
        basic_toml::from_str::<serde_json::Value>(source(lang)).unwrap();
        flatten(source(lang)).into_keys().collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let it = keys(Lang::It);
        let en = keys(Lang::En);
        assert_eq!(
            it.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "in it.toml only"
        );
        assert_eq!(
            en.difference(&it).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "in en.toml only"
        );
    }

    #[test]
    fn every_diagnostic_code_is_explained_in_italian() {
        for code in Code::ALL {
            let key = format!("diagnostic.{}", code.as_str());
            assert_ne!(Lang::It.t(&key), key, "{key} missing from it.toml");
        }
    }

    #[test]
    fn every_key_the_templates_and_pages_use_exists() {
        let known = keys(Lang::En);
        let mut used = BTreeSet::new();
        let mut files = Vec::new();
        for dir in ["templates", "src/web", "src/community"] {
            let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        files.push(path);
                    }
                }
            }
        }
        for file in files.iter().filter(|f| !f.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(file).unwrap();
            // `t("key")`, `tf("key", ...)` and `count("key", n)` (which adds .one/.other).
            for call in ["t(\"", "tf(\"", "count(\""] {
                for (i, _) in text.match_indices(call) {
                    // `t("` also ends `count("`: only a call of its own counts.
                    if text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        continue;
                    }
                    let rest = &text[i + call.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    if !key.contains('.') || key.contains(['{', ' ']) {
                        continue;
                    }
                    if call == "count(\"" {
                        used.insert((format!("{key}.one"), file.to_owned()));
                        used.insert((format!("{key}.other"), file.clone()));
                    } else {
                        used.insert((key.to_owned(), file.clone()));
                    }
                }
            }
        }
        // Keys handed around as values (error keys, notices) rather than passed to `t`.
        for file in files.iter().filter(|f| !f.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(file).unwrap();
            for section in [
                "account.",
                "membership.",
                "declaration.",
                "admin.",
                "error.",
            ] {
                for (i, _) in text.match_indices(&format!("\"{section}")) {
                    let rest = &text[i + 1..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    let plural = known.contains(&format!("{key}.one"));
                    if key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                        && !key.ends_with('.')
                        && !key.ends_with(".html")
                        && !plural
                    {
                        used.insert((key.to_owned(), file.clone()));
                    }
                }
            }
        }
        let missing: Vec<_> = used.iter().filter(|(k, _)| !known.contains(k)).collect();
        assert!(
            missing.is_empty(),
            "keys used but not defined: {missing:#?}"
        );
        assert!(used.len() > 50, "the scan found only {} keys", used.len());
    }

    #[test]
    fn every_category_and_scope_has_a_label_in_both_languages() {
        use crate::publiccode::vocab::{CATEGORIES, SCOPES, SOFTWARE_TYPES};
        for lang in Lang::ALL {
            for (kind, values) in [
                ("category", &*CATEGORIES),
                ("scope", &*SCOPES),
                ("type", &*SOFTWARE_TYPES),
            ] {
                for value in values {
                    let key = format!("value.{kind}.{}", value.replace('/', "_"));
                    assert!(lang.lookup(&key).is_some(), "{lang:?}: no {key}");
                }
            }
        }
        assert_eq!(Lang::It.label("scope", "education"), "Istruzione e scuola");
        assert_eq!(Lang::En.label("language", "it-IT"), "Italian");
        assert_eq!(Lang::It.label("language", "de"), "tedesco");
        assert_eq!(Lang::It.label("platform", "Android"), "Android");
        assert_eq!(
            Lang::En.label("category", "not-a-category"),
            "not a category"
        );
        assert_eq!(Lang::En.label("type", "standalone/web"), "Web application");
    }

    #[test]
    fn negotiation_follows_quality_then_order() {
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,it;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::negotiate("fr, it;q=0.5, en;q=0.4"), Some(Lang::It));
        assert_eq!(Lang::negotiate("fr, de"), None);
        assert_eq!(Lang::negotiate("en;q=0, it;q=0.1"), Some(Lang::It));
        assert_eq!(Lang::from_query(Some("q=x&lang=en")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("lang=de")), None);
    }

    #[test]
    fn placeholders_and_plurals() {
        assert_eq!(Lang::En.count("search.results", 1), "1 solution");
        assert_eq!(Lang::It.count("search.results", 3), "3 soluzioni");
        assert_eq!(Lang::En.t("no.such.key"), "no.such.key");
    }
}
