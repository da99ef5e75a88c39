//! Gitea and Forgejo API v1 (Codeberg or any self-hosted instance): organisations' and users'
//! repositories, repository descriptions, and raw files, through the polite client.

use reqwest::header::{self, HeaderName};
use url::Url;

use super::{
    FILE, ForgeApi, ForgeError, JsonKeys, PER_PAGE, RepoInfo, api_url, read_array,
    read_json_repository, read_object,
};

/// A Gitea or Forgejo instance at its API base URL (`https://codeberg.org/api/v1`).
#[derive(Debug)]
pub struct Gitea {
    /// The API base URL.
    pub api: Url,
    /// An access token, sent as `Authorization: token ...`.
    pub token: Option<String>,
}

const KEYS: JsonKeys = JsonKeys {
    path: "full_name",
    web_url: "html_url",
    private: "private",
    stars: "stars_count",
    activity: "updated_at",
    clone_url: "clone_url",
};

#[async_trait::async_trait]
impl ForgeApi for Gitea {
    fn listing_urls(&self, account: &str) -> Result<[Url; 2], ForgeError> {
        Ok([
            api_url(
                &self.api,
                &format!("/orgs/{account}/repos?limit={PER_PAGE}"),
            )?,
            api_url(
                &self.api,
                &format!("/users/{account}/repos?limit={PER_PAGE}"),
            )?,
        ])
    }

    fn repository_url(&self, path: &str) -> Result<Url, ForgeError> {
        api_url(&self.api, &format!("/repos/{path}"))
    }

    fn file_url(
        &self,
        repo: &RepoInfo,
        reference: &str,
    ) -> Result<(Url, &'static str), ForgeError> {
        let url = api_url(
            &self.api,
            &format!("/repos/{}/raw/{FILE}?ref={reference}", repo.path),
        )?;
        Ok((url, "*/*"))
    }

    fn credentials(&self) -> Option<(HeaderName, String)> {
        self.token
            .as_ref()
            .map(|t| (header::AUTHORIZATION, format!("token {t}")))
    }

    fn read_repositories(&self, url: &str, bytes: &[u8]) -> Result<Vec<RepoInfo>, ForgeError> {
        read_array(url, bytes, |item| read_json_repository(url, item, &KEYS))
    }

    fn read_repository(&self, url: &str, bytes: &[u8]) -> Result<RepoInfo, ForgeError> {
        read_object(url, bytes, |item| read_json_repository(url, item, &KEYS))
    }
}
