//! The low-level checks every section uses: reading typed values out of YAML nodes while
//! recording what is wrong, with the key path and position of each finding.

use chrono::NaiveDate;
use unicode_segmentation::UnicodeSegmentation;

use super::diagnostic::{Code, Diagnostic};
use super::vocab;
use super::yaml::{Entry, Node, Pos, ScalarKind, Value};

/// Joins a key path and a key: `description.it` + `features`.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Joins a key path and a list index: `categories` + 2 → `categories[2]`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// The last segment of a key path, for messages: `description.en.features` → `features`.
pub(crate) fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A text value and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub value: String,
    pub pos: Pos,
    pub path: String,
}

/// Collects diagnostics while sections are read.
#[derive(Default)]
pub(crate) struct Checker {
    pub diagnostics: Vec<Diagnostic>,
}

impl Checker {
    pub fn error(&mut self, code: Code, key: &str, pos: Pos, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, key, pos, message));
    }

    pub fn warning(&mut self, code: Code, key: &str, pos: Pos, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(code, key, pos, message));
    }

    /// The value of a name (of the software, an administration, a person), without the
    /// invisible characters that let it pass for another name; a warning says they were there.
    pub fn name(&mut self, text: Text) -> String {
        // Line breaks and tabs of a folded name are harmless and common; other control
        // characters are errors of their own (see `control_characters`).
        if !text.value.chars().any(crate::links::invisible) {
            return text.value;
        }
        let clean = crate::untrusted::name(&text.value).into_owned();
        self.warning(
            Code::InvisibleCharacter,
            &text.path,
            text.pos,
            format!(
                "{} holds bidirectional controls or zero-width characters that can make it look like another name; they are ignored (\"{clean}\")",
                leaf(&text.path)
            ),
        );
        clean
    }

    /// Errors for every control character (other than TAB, LF and CR) a key or scalar of `node`
    /// holds once YAML escapes such as `"\0"` or `"\x1b"` are read.
    pub fn control_characters(&mut self, path: &str, node: &Node) {
        let bad = |s: &str| {
            s.chars()
                .find(|c| *c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        };
        match &node.value {
            Value::Scalar(s) => {
                if let Some(c) = bad(&s.text) {
                    self.error(
                        Code::ControlCharacter,
                        path,
                        node.pos,
                        format!(
                            "the value holds the control character U+{:04X}, which text may not contain; remove its escape",
                            u32::from(c)
                        ),
                    );
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.control_characters(&index(path, i), item);
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    let key_path = join(path, &e.key);
                    if let Some(c) = bad(&e.key) {
                        self.error(
                            Code::ControlCharacter,
                            &key_path,
                            e.key_pos,
                            format!(
                                "the key holds the control character U+{:04X}, which text may not contain",
                                u32::from(c)
                            ),
                        );
                    }
                    self.control_characters(&key_path, &e.value);
                }
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn wrong_type(&mut self, path: &str, node: &Node, pos: Pos, expected: &str) {
        self.error(
            Code::WrongType,
            path,
            pos,
            format!(
                "wrong type for this field: expected {expected}, found {}",
                node.type_name()
            ),
        );
    }

    pub fn required(&mut self, path: &str, pos: Pos) {
        self.error(
            Code::Required,
            path,
            pos,
            format!("{} is a required field", leaf(path)),
        );
    }

    pub fn deprecated(&mut self, path: &str, pos: Pos, advice: &str) {
        self.warning(
            Code::Deprecated,
            path,
            pos,
            format!("this key is deprecated and will be removed in the future. {advice}"),
        );
    }

    /// Reads a mapping; reports anything else but null. `pos` is where to point on error.
    pub fn map<'n>(&mut self, path: &str, node: &'n Node, pos: Pos) -> Option<&'n [Entry]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            _ if node.is_null() => None,
            _ => {
                self.wrong_type(path, node, pos, "a mapping");
                None
            }
        }
    }

    /// Reads a list; reports anything else but null.
    pub fn seq<'n>(&mut self, path: &str, node: &'n Node, pos: Pos) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ if node.is_null() => None,
            _ => {
                self.wrong_type(path, node, pos, "a list");
                None
            }
        }
    }

    /// Reports the keys of `entries` that are not in `known`, with a suggestion when one is close.
    pub fn known_keys(&mut self, path: &str, entries: &[Entry], known: &[&str]) {
        for entry in entries {
            if known.contains(&entry.key.as_str()) {
                continue;
            }
            let hint = match vocab::suggest(&entry.key, known.iter().copied()) {
                Some(s) => format!("; did you mean \"{s}\"?"),
                None => String::new(),
            };
            self.error(
                Code::UnknownKey,
                &join(path, &entry.key),
                entry.key_pos,
                format!("unknown field \"{}\"{hint}", entry.key),
            );
        }
    }

    /// Reads a text scalar. Numbers count as text (`softwareVersion: 1.0`); null is absent.
    pub fn text_node(&mut self, path: &str, node: &Node, pos: Pos) -> Option<Text> {
        match &node.value {
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => None,
                ScalarKind::Str | ScalarKind::Int | ScalarKind::Float => Some(Text {
                    value: s.text.clone(),
                    pos,
                    path: path.to_owned(),
                }),
                ScalarKind::Bool => {
                    self.wrong_type(path, node, pos, "text");
                    None
                }
            },
            _ => {
                self.wrong_type(path, node, pos, "text");
                None
            }
        }
    }

    /// Reads the optional text at `key` of a mapping.
    pub fn text(&mut self, path: &str, entries: &[Entry], key: &str) -> Option<Text> {
        let entry = find(entries, key)?;
        let text = self.text_node(&join(path, key), &entry.value, entry.key_pos)?;
        Some(text)
    }

    /// Reads the text at `key`, reporting it as required when absent or empty.
    pub fn required_text(
        &mut self,
        path: &str,
        entries: &[Entry],
        key: &str,
        parent: Pos,
    ) -> Option<Text> {
        let full = join(path, key);
        let entry = find(entries, key);
        let text = entry.and_then(|e| self.text_node(&full, &e.value, e.key_pos));
        match text {
            Some(t) if !t.value.is_empty() => Some(t),
            _ => {
                self.required(&full, entry.map_or(parent, |e| e.key_pos));
                None
            }
        }
    }

    /// Reads a boolean at `key` (YAML 1.2: only `true` and `false`).
    pub fn boolean(&mut self, path: &str, entries: &[Entry], key: &str) -> Option<(bool, Pos)> {
        let entry = find(entries, key)?;
        let full = join(path, key);
        match &entry.value.value {
            Value::Scalar(s) if s.kind == ScalarKind::Bool => {
                Some((s.text.eq_ignore_ascii_case("true"), entry.key_pos))
            }
            _ if entry.value.is_null() => None,
            _ => {
                let node = &entry.value;
                let hint = match node.as_scalar().map(|s| s.text.to_ascii_lowercase()) {
                    Some(t)
                        if ["yes", "no", "on", "off", "y", "n", "true", "false"]
                            .contains(&t.as_str()) =>
                    {
                        " (write true or false without quotes; YAML 1.2 reads yes/no/on/off as text)"
                    }
                    _ => "",
                };
                self.error(
                    Code::WrongType,
                    &full,
                    entry.key_pos,
                    format!(
                        "wrong type for this field: expected true or false, found {}{hint}",
                        node.type_name()
                    ),
                );
                None
            }
        }
    }

    /// Reads a list of text scalars at `key`.
    pub fn text_list(&mut self, path: &str, entries: &[Entry], key: &str) -> Vec<Text> {
        let Some(entry) = find(entries, key) else {
            return Vec::new();
        };
        let full = join(path, key);
        let Some(items) = self.seq(&full, &entry.value, entry.key_pos) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.text_node(&index(&full, i), item, item.pos))
            .collect()
    }

    /// Checks a length in user-perceived characters (grapheme clusters).
    ///
    /// Segmenting a text into graphemes is costly and `longDescription` is most of a file, so a
    /// text is segmented in full only when it breaks a limit: it has at most as many graphemes
    /// as `char`s, and reaching `min` needs only the first `min` graphemes.
    pub fn length(&mut self, text: &Text, min: Option<usize>, max: Option<usize>) {
        let may_be_too_long = max.is_some_and(|max| text.value.chars().count() > max);
        let may_be_too_short =
            min.is_some_and(|min| text.value.graphemes(true).take(min).count() < min);
        if !may_be_too_long && !may_be_too_short {
            return;
        }
        let count = text.value.graphemes(true).count();
        let name = leaf(&text.path);
        if let Some(max) = max.filter(|max| count > *max) {
            self.error(
                Code::TooLong,
                &text.path,
                text.pos,
                format!("{name} must be a maximum of {max} characters in length (it has {count})"),
            );
        }
        if let Some(min) = min.filter(|min| count < *min) {
            self.error(
                Code::TooShort,
                &text.path,
                text.pos,
                format!("{name} must be at least {min} characters in length (it has {count})"),
            );
        }
    }

    /// Checks an http(s) URL.
    pub fn http_url(&mut self, text: &Text) -> bool {
        if is_http_url(&text.value) {
            return true;
        }
        self.error(
            Code::InvalidHttpUrl,
            &text.path,
            text.pos,
            format!(
                "{} must be an HTTP URL (http:// or https://), not \"{}\"",
                leaf(&text.path),
                text.value
            ),
        );
        false
    }

    /// Checks a `YYYY-MM-DD` date.
    pub fn date(&mut self, text: &Text) -> Option<NaiveDate> {
        let parsed = (text.value.len() == 10)
            .then(|| NaiveDate::parse_from_str(&text.value, "%Y-%m-%d").ok())
            .flatten();
        if parsed.is_none() {
            self.error(
                Code::InvalidDate,
                &text.path,
                text.pos,
                format!(
                    "{} must be a date with format 'YYYY-MM-DD', not \"{}\"",
                    leaf(&text.path),
                    text.value
                ),
            );
        }
        parsed
    }

    /// Checks an e-mail address.
    pub fn email(&mut self, text: &Text) {
        if !email_address::EmailAddress::is_valid(&text.value) {
            self.error(
                Code::InvalidEmail,
                &text.path,
                text.pos,
                format!("{} must be a valid email address", leaf(&text.path)),
            );
        }
    }
}

/// The entry for `key`.
pub(crate) fn find<'e>(entries: &'e [Entry], key: &str) -> Option<&'e Entry> {
    entries.iter().find(|e| e.key == key)
}

/// Whether `s` parses as an absolute http or https URL with a host.
pub(crate) fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// The IPA code of a `urn:x-italian-pa:<code>` URI (prefix matched case-insensitively).
#[must_use]
pub fn ipa_urn_code(uri: &str) -> Option<&str> {
    const PREFIX: &str = "urn:x-italian-pa:";
    uri.get(..PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(PREFIX))
        .map(|_| &uri[PREFIX.len()..])
}
