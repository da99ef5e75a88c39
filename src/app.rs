//! The application state shared by every request: configuration and the database, built once.

use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::FromRequestParts;
use sea_orm::DatabaseConnection;

use crate::catalog::browse::CardFiles;
use crate::catalog::search::Searcher;
use crate::community::accounts::Hashing;
use crate::config::Config;
use crate::ipa::Registry;

/// Everything a request handler may need, built once at start-up.
#[derive(Debug)]
pub struct App {
    /// The configuration read at start-up.
    pub config: Config,
    /// The catalog database.
    pub db: DatabaseConnection,
    /// Catalog search, sharing one in-process facet index between requests.
    pub search: Searcher,
    /// What search results show of each entry's file, kept by snapshot between requests.
    pub cards: CardFiles,
    /// What is known of public administrations beyond their codes (empty unless configured).
    pub ipa: Registry,
    /// The bound on password hashing, shared by every request.
    pub hashing: Hashing,
    /// The operator's own privacy notice and legal notes, read at start-up (none unless
    /// configured: the pages then show riuso's text).
    pub notices: NoticeTexts,
}

/// The texts of the configured notice files.
#[derive(Debug, Clone, Default)]
pub struct NoticeTexts {
    /// The privacy notice (`RIUSO_PRIVACY_FILE`).
    pub privacy: Option<String>,
    /// The legal notes (`RIUSO_LEGAL_FILE`).
    pub legal: Option<String>,
}

impl NoticeTexts {
    /// Reads the files `site` names.
    ///
    /// # Errors
    ///
    /// When a named file cannot be read as UTF-8 text, naming it.
    pub fn load(site: &crate::config::SiteNotices) -> anyhow::Result<Self> {
        let read = |path: &Option<std::path::PathBuf>| {
            path.as_ref()
                .map(|p| {
                    std::fs::read_to_string(p)
                        .with_context(|| format!("cannot read the notice {}", p.display()))
                })
                .transpose()
        };
        Ok(Self {
            privacy: read(&site.privacy_file)?,
            legal: read(&site.legal_file)?,
        })
    }
}

impl App {
    /// The application over `db`, with an empty IPA registry.
    #[must_use]
    pub fn new(config: Config, db: DatabaseConnection) -> Self {
        let search = Searcher::new(db.clone());
        let hashing = Hashing::new(config.max_hashes, config.hash_wait);
        Self {
            hashing,
            config,
            db,
            search,
            cards: CardFiles::default(),
            ipa: Registry::default(),
            notices: NoticeTexts::default(),
        }
    }

    /// The application over `db` with the IPA registry and the notice files the configuration
    /// names, if any.
    ///
    /// # Errors
    ///
    /// When the registry or a notice file cannot be read.
    pub fn with_registry(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let ipa = match &config.ipa_registry {
            Some(path) => Registry::load(path)?,
            None => Registry::default(),
        };
        let notices = NoticeTexts::load(&config.site)?;
        Ok(Self {
            ipa,
            notices,
            ..Self::new(config, db)
        })
    }
}

/// The state handlers extract: a cheap handle on the one [`App`].
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::State))]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
