//! `RawPublicCode`: exactly what the YAML says, with positions, before any rule is applied.

use super::yaml::{self, Document, Limits, ParseError};

/// A publiccode.yml read as YAML, not yet checked against the standard.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPublicCode {
    /// The positioned YAML tree.
    pub document: Document,
}

impl RawPublicCode {
    /// The file as JSON, for JSON Schema validation and storage of what was read.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        self.document.root.to_json()
    }

    /// `publiccodeYmlVersion` as written, if it is a scalar.
    #[must_use]
    pub fn declared_version(&self) -> Option<&str> {
        let entry = self.document.root.get("publiccodeYmlVersion")?;
        Some(entry.value.as_scalar()?.text.as_str())
    }

    /// `name` as written, if it is a scalar that is not blank.
    #[must_use]
    pub fn declared_name(&self) -> Option<&str> {
        let entry = self.document.root.get("name")?;
        let name = entry.value.as_scalar()?.text.trim();
        (!name.is_empty()).then_some(name)
    }
}

/// Reads `bytes` as YAML within `limits`.
///
/// # Errors
///
/// Returns a [`ParseError`] when the bytes are not a readable YAML document.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<RawPublicCode, ParseError> {
    yaml::parse(bytes, limits).map(|document| RawPublicCode { document })
}
