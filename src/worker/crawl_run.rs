//! What the jobs of a crawl run share: how they name a forge, their attempts, and the context of
//! the crawler's steps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use super::Environment;
use crate::crawl::forge::{Forge, Kind};
use crate::crawl::run::{RunContext, Target};

/// Attempts of a crawl job (each already retries its requests).
pub(super) const ATTEMPTS: u32 = 3;

/// A forge as a job names it: the name of its token's environment variable, never the token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForgeRef {
    kind: Kind,
    api: Url,
    token_env: Option<String>,
}

impl ForgeRef {
    /// The forge of `target`.
    #[must_use]
    pub fn of(target: &Target) -> Self {
        Self {
            kind: target.forge.kind,
            api: target.forge.api.clone(),
            token_env: target.token_env.clone(),
        }
    }

    /// The forge, with its token looked up in `tokens`.
    pub(super) fn forge(&self, tokens: &BTreeMap<String, String>) -> Forge {
        Forge {
            kind: self.kind,
            api: self.api.clone(),
            token: self.token_env.as_ref().and_then(|n| tokens.get(n)).cloned(),
        }
    }

    /// The crawl target at `path` on this forge, whose web URL in the sources is `web`, listed
    /// under the publisher with IPA code `ipa`.
    pub(super) fn target(
        &self,
        env: &Environment,
        path: &str,
        repository: bool,
        web: Url,
        ipa: Option<String>,
    ) -> Target {
        Target {
            forge: self.forge(&env.tokens),
            path: path.to_owned(),
            repository,
            token_env: self.token_env.clone(),
            web,
            ipa,
        }
    }

    /// The part of a deduplication key that names `path` on this forge.
    pub(super) fn key(&self, path: &str) -> String {
        format!("{}|{}|{path}", self.kind.as_str(), self.api)
    }
}

/// The context of a step of crawl run `run`.
pub(super) fn context(env: &Environment, run: i64) -> RunContext<'_> {
    RunContext {
        db: &env.db,
        http: &env.http,
        options: &env.crawl,
        run,
        source_ipa: None,
    }
}
