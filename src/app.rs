//! The application state shared by every request: configuration and the database, built once.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use sea_orm::DatabaseConnection;

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
    /// What is known of public administrations beyond their codes (empty unless configured).
    pub ipa: Registry,
    /// The bound on password hashing, shared by every request.
    pub hashing: Hashing,
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
            ipa: Registry::default(),
        }
    }

    /// The application over `db` with the IPA registry the configuration names, if any.
    ///
    /// # Errors
    ///
    /// When the registry file cannot be read.
    pub fn with_registry(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let ipa = match &config.ipa_registry {
            Some(path) => Registry::load(path)?,
            None => Registry::default(),
        };
        Ok(Self {
            ipa,
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
