//! The typed model of a publiccode.yml that passed validation.
//!
//! Every accepted version of the standard is read into this one shape (the latest), the way the
//! reference validator does; deprecated keys are kept so old and new forms can be compared.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `developmentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DevelopmentStatus {
    /// `concept`
    Concept,
    /// `development`
    Development,
    /// `beta`
    Beta,
    /// `stable`
    Stable,
    /// `obsolete`
    Obsolete,
}

impl DevelopmentStatus {
    /// The key as written in publiccode.yml.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Concept => "concept",
            Self::Development => "development",
            Self::Beta => "beta",
            Self::Stable => "stable",
            Self::Obsolete => "obsolete",
        }
    }

    /// Parses the standard's spelling.
    #[must_use]
    pub fn from_key(s: &str) -> Option<Self> {
        Some(match s {
            "concept" => Self::Concept,
            "development" => Self::Development,
            "beta" => Self::Beta,
            "stable" => Self::Stable,
            "obsolete" => Self::Obsolete,
            _ => return None,
        })
    }
}

/// `softwareType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SoftwareType {
    /// `standalone/mobile`
    #[serde(rename = "standalone/mobile")]
    StandaloneMobile,
    /// `standalone/iot`
    #[serde(rename = "standalone/iot")]
    StandaloneIot,
    /// `standalone/desktop`
    #[serde(rename = "standalone/desktop")]
    StandaloneDesktop,
    /// `standalone/web`
    #[serde(rename = "standalone/web")]
    StandaloneWeb,
    /// `standalone/backend`
    #[serde(rename = "standalone/backend")]
    StandaloneBackend,
    /// `standalone/other`
    #[serde(rename = "standalone/other")]
    StandaloneOther,
    /// `addon`
    #[serde(rename = "addon")]
    Addon,
    /// `library`
    #[serde(rename = "library")]
    Library,
    /// `configurationFiles`
    #[serde(rename = "configurationFiles")]
    ConfigurationFiles,
}

impl SoftwareType {
    /// The key as written in publiccode.yml.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StandaloneMobile => "standalone/mobile",
            Self::StandaloneIot => "standalone/iot",
            Self::StandaloneDesktop => "standalone/desktop",
            Self::StandaloneWeb => "standalone/web",
            Self::StandaloneBackend => "standalone/backend",
            Self::StandaloneOther => "standalone/other",
            Self::Addon => "addon",
            Self::Library => "library",
            Self::ConfigurationFiles => "configurationFiles",
        }
    }

    /// Parses the standard's spelling.
    #[must_use]
    pub fn from_key(s: &str) -> Option<Self> {
        Some(match s {
            "standalone/mobile" => Self::StandaloneMobile,
            "standalone/iot" => Self::StandaloneIot,
            "standalone/desktop" => Self::StandaloneDesktop,
            "standalone/web" => Self::StandaloneWeb,
            "standalone/backend" => Self::StandaloneBackend,
            "standalone/other" => Self::StandaloneOther,
            "addon" => Self::Addon,
            "library" => Self::Library,
            "configurationFiles" => Self::ConfigurationFiles,
            _ => return None,
        })
    }
}

/// `maintenance.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MaintenanceType {
    /// Maintained by the owner's own staff.
    Internal,
    /// Maintained by contractors (see `contractors`).
    Contract,
    /// Maintained by a community.
    Community,
    /// Not maintained.
    None,
}

impl MaintenanceType {
    /// The key as written in publiccode.yml.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Contract => "contract",
            Self::Community => "community",
            Self::None => "none",
        }
    }

    /// Parses the standard's spelling.
    #[must_use]
    pub fn from_key(s: &str) -> Option<Self> {
        Some(match s {
            "internal" => Self::Internal,
            "contract" => Self::Contract,
            "community" => Self::Community,
            "none" => Self::None,
            _ => return None,
        })
    }
}

/// One language's entry of `description`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// `localisedName`
    pub localised_name: Option<String>,
    /// `genericName` (deprecated)
    pub generic_name: Option<String>,
    /// `shortDescription`
    pub short_description: String,
    /// `longDescription`
    pub long_description: String,
    /// `documentation`
    pub documentation: Option<String>,
    /// `apiDocumentation`
    pub api_documentation: Option<String>,
    /// `features`
    pub features: Vec<String>,
    /// `screenshots`
    pub screenshots: Vec<String>,
    /// `videos`
    pub videos: Vec<String>,
    /// `awards`
    pub awards: Vec<String>,
}

/// `legal`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Legal {
    /// `license`, an SPDX expression.
    pub license: String,
    /// `mainCopyrightOwner`
    pub main_copyright_owner: Option<String>,
    /// `repoOwner` (deprecated)
    pub repo_owner: Option<String>,
    /// `authorsFile` (deprecated)
    pub authors_file: Option<String>,
}

/// A contractor in `maintenance.contractors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contractor {
    /// `name`
    pub name: String,
    /// `until`
    pub until: NaiveDate,
    /// `email`
    pub email: Option<String>,
    /// `website`
    pub website: Option<String>,
}

/// A contact in `maintenance.contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// `name`
    pub name: String,
    /// `email`
    pub email: Option<String>,
    /// `phone`
    pub phone: Option<String>,
    /// `affiliation`
    pub affiliation: Option<String>,
}

/// `maintenance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Maintenance {
    /// `type`
    #[serde(rename = "type")]
    pub kind: MaintenanceType,
    /// `contractors`
    pub contractors: Vec<Contractor>,
    /// `contacts`
    pub contacts: Vec<Contact>,
}

/// `localisation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Localisation {
    /// `localisationReady`
    pub localisation_ready: bool,
    /// `availableLanguages`
    pub available_languages: Vec<String>,
}

/// `intendedAudience`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntendedAudience {
    /// `countries`, upper-cased.
    pub countries: Vec<String>,
    /// `unsupportedCountries`, upper-cased.
    pub unsupported_countries: Vec<String>,
    /// `scope`
    pub scope: Vec<String>,
}

/// A dependency in `dependsOn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// `name`
    pub name: String,
    /// `versionMin`
    pub version_min: Option<String>,
    /// `versionMax`
    pub version_max: Option<String>,
    /// `version`
    pub version: Option<String>,
    /// `optional`
    pub optional: bool,
}

/// `dependsOn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DependsOn {
    /// `open`
    pub open: Vec<Dependency>,
    /// `proprietary`
    pub proprietary: Vec<Dependency>,
    /// `hardware`
    pub hardware: Vec<Dependency>,
}

/// `organisation`, or an entry of `fundedBy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// `name`
    pub name: Option<String>,
    /// `uri`
    pub uri: Option<String>,
}

/// The Italian country section (`IT`, or the deprecated `it`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Italian {
    /// `countryExtensionVersion`
    pub country_extension_version: Option<String>,
    /// `conforme.*`, by key.
    pub conforme: BTreeMap<String, bool>,
    /// `piattaforme.*`, by key.
    pub piattaforme: BTreeMap<String, bool>,
    /// `riuso.codiceIPA`
    pub codice_ipa: Option<String>,
}

/// A publiccode.yml file in the shape of the latest standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicCode {
    /// `publiccodeYmlVersion` as written.
    pub publiccode_yml_version: String,
    /// `name`
    pub name: String,
    /// `applicationSuite`
    pub application_suite: Option<String>,
    /// `url`
    pub url: String,
    /// `landingURL`
    #[serde(rename = "landingURL")]
    pub landing_url: Option<String>,
    /// `isBasedOn`, always a list.
    pub is_based_on: Vec<String>,
    /// `softwareVersion`
    pub software_version: Option<String>,
    /// `releaseDate`
    pub release_date: Option<NaiveDate>,
    /// `logo`
    pub logo: Option<String>,
    /// `monochromeLogo` (deprecated)
    pub monochrome_logo: Option<String>,
    /// `inputTypes` (deprecated)
    pub input_types: Vec<String>,
    /// `outputTypes` (deprecated)
    pub output_types: Vec<String>,
    /// `platforms`
    pub platforms: Vec<String>,
    /// `categories`
    pub categories: Vec<String>,
    /// `usedBy`
    pub used_by: Vec<String>,
    /// `roadmap`
    pub roadmap: Option<String>,
    /// `developmentStatus`
    pub development_status: DevelopmentStatus,
    /// `softwareType`
    pub software_type: SoftwareType,
    /// `intendedAudience`
    pub intended_audience: IntendedAudience,
    /// `description`, by language tag.
    pub description: BTreeMap<String, Description>,
    /// `legal`
    pub legal: Legal,
    /// `maintenance`
    pub maintenance: Maintenance,
    /// `localisation`
    pub localisation: Localisation,
    /// `dependsOn`
    pub depends_on: DependsOn,
    /// `organisation`
    pub organisation: Option<Organisation>,
    /// `fundedBy`
    pub funded_by: Vec<Organisation>,
    /// `supports[].id`
    pub supports: Vec<String>,
    /// `IT` (or the deprecated `it`)
    #[serde(rename = "IT")]
    pub it: Option<Italian>,
}
