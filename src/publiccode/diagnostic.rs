//! Diagnostics: what is wrong (or old-fashioned) in a publiccode.yml, and where.
//!
//! One shape serves the CLI, the crawler's stored snapshots, the API and the web validator.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::yaml::Pos;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file is invalid.
    Error,
    /// The file is valid, but something should change (usually a deprecated key).
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($variant:ident => $id:literal, $help:literal;)*) => {
        /// A stable identifier for each kind of diagnostic.
        ///
        /// The string form (e.g. `required`) never changes once released: scripts, SARIF rule ids
        /// and translations key on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $help] $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable string id.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $id,)* }
            }

            /// A one-line English explanation of the rule.
            #[must_use]
            pub fn help(self) -> &'static str {
                match self { $(Self::$variant => $help,)* }
            }
        }
    };
}

codes! {
    TooLarge => "file-too-large", "The file is larger than the configured size limit.";
    NotUtf8 => "not-utf8", "The file must be encoded as UTF-8.";
    ControlCharacter => "control-character", "Text may not hold control characters such as NUL or ESC (only tab and line breaks).";
    InvisibleCharacter => "invisible-character", "A name holds bidirectional controls or zero-width characters, which can make it look like another name.";
    YamlSyntax => "yaml-syntax", "The file is not valid YAML.";
    TooDeep => "too-deep", "Lists and mappings are nested too deeply.";
    TooManyNodes => "too-many-nodes", "The document is too large once YAML aliases are expanded.";
    DuplicateKey => "duplicate-key", "A key appears twice in the same mapping.";
    NotAMapping => "not-a-mapping", "The document must be a mapping of keys to values.";
    UnknownKey => "unknown-key", "The key is not part of the publiccode.yml standard.";
    WrongType => "wrong-type", "The value has the wrong YAML type for this key.";
    Required => "required", "A required key is missing or empty.";
    Empty => "empty", "A list that must hold at least one item is empty.";
    InvalidValue => "invalid-value", "The value is not one of those the standard allows.";
    TooLong => "too-long", "The text is longer than the standard allows.";
    TooShort => "too-short", "The text is shorter than the standard requires.";
    InvalidUrl => "invalid-url", "The value is not a valid URL.";
    InvalidHttpUrl => "invalid-http-url", "The value must be an http:// or https:// URL.";
    InvalidUri => "invalid-uri", "The value is not a valid URI or URN.";
    InvalidEmail => "invalid-email", "The value is not a valid e-mail address.";
    InvalidDate => "invalid-date", "Dates must be written as YYYY-MM-DD.";
    InvalidLanguage => "invalid-language", "Language codes must be valid BCP 47 tags, such as it or en-GB.";
    InvalidCountry => "invalid-country", "Country codes must be ISO 3166-1 alpha-2, such as IT.";
    InvalidLicense => "invalid-license", "The licence must be a valid SPDX expression.";
    InvalidCategory => "invalid-category", "The category is not in the standard's list.";
    InvalidScope => "invalid-scope", "The scope is not in the standard's list.";
    InvalidIpaCode => "invalid-ipa-code", "The code is not in the list of Italian public administrations (IPA).";
    UnknownAlias => "unknown-alias", "The supports alias is not in the standard's list.";
    InvalidMimeType => "invalid-mime-type", "The value is not a valid MIME type.";
    InvalidVideo => "invalid-video", "Videos must be URLs of a provider that supports oEmbed.";
    InvalidPath => "invalid-path", "Only relative paths or http(s) URLs are allowed.";
    FileNotFound => "file-not-found", "The referenced file does not exist in the repository.";
    InvalidImage => "invalid-image", "The referenced file is not an image of an accepted format.";
    MaintenanceMismatch => "maintenance-mismatch", "maintenance.contractors and maintenance.contacts must agree with maintenance.type.";
    SectionConflict => "section-conflict", "The same country section is given twice (it and IT).";
    UnsupportedVersion => "unsupported-version", "The publiccodeYmlVersion is not one the standard defines.";
    OldVersion => "old-version", "The file declares an older version of the standard.";
    Deprecated => "deprecated", "The key is deprecated and will be removed.";
    Unreachable => "unreachable", "The URL could not be fetched (network checks only).";
    NotARepository => "not-a-repository", "The url does not point at a code repository (network checks only).";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown diagnostic code {s:?}"))
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A second place a diagnostic refers to, e.g. the first occurrence of a duplicated key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is there.
    pub message: String,
}

/// One finding about a publiccode.yml file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable identifier of the rule.
    pub code: Code,
    /// Key path, e.g. `description.it.features[2]`; empty for the whole file.
    pub key: String,
    /// 1-based line, 0 when the finding concerns the whole file.
    pub line: u32,
    /// 1-based column, 0 when the finding concerns the whole file.
    pub column: u32,
    /// English message.
    pub message: String,
    /// Another position involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Related>,
}

impl Diagnostic {
    /// An error at `pos`.
    #[must_use]
    pub fn error(code: Code, key: impl Into<String>, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, key, pos, message)
    }

    /// A warning at `pos`.
    #[must_use]
    pub fn warning(
        code: Code,
        key: impl Into<String>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, code, key, pos, message)
    }

    fn new(
        severity: Severity,
        code: Code,
        key: impl Into<String>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code,
            key: key.into(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            related: None,
        }
    }

    /// Where the diagnostic points.
    #[must_use]
    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }

    /// Whether this is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `line:column: severity: key: message`, the format editors' error parsers know.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}: {}",
            self.line, self.column, self.severity, self.key, self.message
        )
    }
}
