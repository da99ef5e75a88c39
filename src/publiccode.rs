//! The publiccode.yml standard: reading, validating and normalizing the files.
//!
//! Pure: no I/O, no network, no database, no async. [`parse()`] reads bytes into a
//! [`RawPublicCode`] that keeps the line and column of every node; [`validate()`] turns it into a
//! [`Validated`] value (with warnings) or a [`Rejected`] list of diagnostics. The CLI, the
//! crawler, the web validator and the API all go through these two functions. Files referenced
//! by a publiccode.yml are reached only through the caller's [`Assets`].

mod assets;
mod check;
mod claims;
mod diagnostic;
mod lang;
mod links;
mod model;
mod raw;
mod validate;
pub mod vocab;
pub mod yaml;

pub use assets::{Asset, Assets, HEAD_BYTES, png_width};
pub use check::ipa_urn_code;
pub use claims::{Claim, ClaimKind, ClaimValue};
pub use diagnostic::{Code, Diagnostic, Related, Severity};
pub use links::{Link, LinkKind, links};
pub use model::{
    Contact, Contractor, Dependency, DependsOn, Description, DevelopmentStatus, IntendedAudience,
    Italian, Legal, Localisation, Maintenance, MaintenanceType, Organisation, PublicCode,
    SoftwareType,
};
pub use raw::{RawPublicCode, parse};
pub use validate::{Rejected, Validated, validate};
pub use vocab::{is_ipa_code, is_oembed_url};

/// The `categories` vocabulary.
#[must_use]
pub fn vocabulary_categories() -> &'static [&'static str] {
    &vocab::CATEGORIES
}

/// The `intendedAudience.scope` vocabulary.
#[must_use]
pub fn vocabulary_scopes() -> &'static [&'static str] {
    &vocab::SCOPES
}

/// The `publiccodeYmlVersion` values accepted, in the order messages list them.
#[must_use]
pub fn supported_versions() -> &'static [&'static str] {
    &vocab::VERSIONS
}
pub use yaml::{Limits, ParseError, Pos};

/// What validation may rely on besides the file itself.
#[derive(Default, Clone, Copy)]
pub struct Context<'a> {
    /// Check the file as if it declared this `publiccodeYmlVersion`.
    pub version_override: Option<&'a str>,
    /// Where relative paths (logo, screenshots) are looked up; `None` checks their form only.
    pub assets: Option<&'a dyn Assets>,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("version_override", &self.version_override)
            .field("assets", &self.assets.is_some())
            .finish()
    }
}

/// The outcome of checking one file from bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The file is valid (possibly with warnings).
    Valid(Box<Validated>),
    /// The file is invalid; the diagnostics say why.
    Invalid(Rejected),
}

impl Outcome {
    /// Every diagnostic, errors and warnings, in source order.
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Valid(v) => v.warnings(),
            Self::Invalid(r) => &r.diagnostics,
        }
    }

    /// Whether the file passed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid(_))
    }
}

/// Parses and validates `bytes`; a YAML that cannot be read becomes a single diagnostic.
#[must_use]
pub fn check(bytes: &[u8], limits: &Limits, ctx: &Context<'_>) -> Outcome {
    inspect(bytes, limits, ctx).outcome
}

/// What [`inspect`] learns about a file in one parse.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The verdict and its diagnostics.
    pub outcome: Outcome,
    /// `publiccodeYmlVersion` as written, if the file could be read.
    pub declared_version: Option<String>,
    /// `name` as written, if the file could be read (an invalid file's title).
    pub declared_name: Option<String>,
    /// The http(s) URLs the file points at, for optional network checks.
    pub links: Vec<Link>,
}

/// [`check()`], plus the declared version and the links of the file, from a single parse.
#[must_use]
pub fn inspect(bytes: &[u8], limits: &Limits, ctx: &Context<'_>) -> Inspection {
    match parse(bytes, limits) {
        Ok(raw) => Inspection {
            declared_version: raw.declared_version().map(str::to_owned),
            declared_name: raw.declared_name().map(str::to_owned),
            links: links(&raw),
            outcome: match validate(&raw, ctx) {
                Ok(v) => Outcome::Valid(Box::new(v)),
                Err(r) => Outcome::Invalid(r),
            },
        },
        Err(e) => Inspection {
            outcome: Outcome::Invalid(Rejected {
                diagnostics: vec![parse_error_diagnostic(&e)],
            }),
            declared_version: None,
            declared_name: None,
            links: Vec::new(),
        },
    }
}

/// The diagnostic that reports a [`ParseError`].
#[must_use]
pub fn parse_error_diagnostic(error: &ParseError) -> Diagnostic {
    let code = match error {
        ParseError::TooLarge { .. } => Code::TooLarge,
        ParseError::NotUtf8 { .. } => Code::NotUtf8,
        ParseError::ControlCharacter { .. } => Code::ControlCharacter,
        ParseError::TooDeep { .. } => Code::TooDeep,
        ParseError::TooManyNodes { .. } => Code::TooManyNodes,
        ParseError::Syntax { .. }
        | ParseError::UnknownAnchor { .. }
        | ParseError::ComplexKey { .. }
        | ParseError::MultipleDocuments { .. } => Code::YamlSyntax,
    };
    Diagnostic::error(code, "", error.pos(), error.to_string())
}
