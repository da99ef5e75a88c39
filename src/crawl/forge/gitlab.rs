//! GitLab REST API v4 (gitlab.com or any self-hosted instance): groups with their subgroups,
//! users' projects, project descriptions, and raw files, through the polite client.

use reqwest::header::HeaderName;
use url::Url;

use super::{
    FILE, ForgeApi, ForgeError, JsonKeys, PER_PAGE, RepoInfo, api_url, encode, read_array,
    read_json_repository, read_object,
};

/// A GitLab instance at its API base URL (`https://gitlab.com/api/v4`).
#[derive(Debug)]
pub struct GitLab {
    /// The API base URL.
    pub api: Url,
    /// A personal, group or project access token, sent as `PRIVATE-TOKEN`.
    pub token: Option<String>,
}

const KEYS: JsonKeys = JsonKeys {
    path: "path_with_namespace",
    web_url: "web_url",
    private: "visibility",
    stars: "star_count",
    activity: "last_activity_at",
    clone_url: "http_url_to_repo",
};

#[async_trait::async_trait]
impl ForgeApi for GitLab {
    fn listing_urls(&self, account: &str) -> Result<[Url; 2], ForgeError> {
        let account = encode(account);
        Ok([
            api_url(
                &self.api,
                &format!("/groups/{account}/projects?include_subgroups=true&per_page={PER_PAGE}"),
            )?,
            api_url(
                &self.api,
                &format!("/users/{account}/projects?per_page={PER_PAGE}"),
            )?,
        ])
    }

    fn repository_url(&self, path: &str) -> Result<Url, ForgeError> {
        api_url(&self.api, &format!("/projects/{}", encode(path)))
    }

    fn file_url(
        &self,
        repo: &RepoInfo,
        reference: &str,
    ) -> Result<(Url, &'static str), ForgeError> {
        // Projects are addressed by id when the listing gave one, else by encoded full path.
        let project = repo.id.clone().unwrap_or_else(|| encode(&repo.path));
        let url = api_url(
            &self.api,
            &format!("/projects/{project}/repository/files/{FILE}/raw?ref={reference}"),
        )?;
        Ok((url, "*/*"))
    }

    fn credentials(&self) -> Option<(HeaderName, String)> {
        self.token
            .as_ref()
            .map(|t| (HeaderName::from_static("private-token"), t.clone()))
    }

    fn read_repositories(&self, url: &str, bytes: &[u8]) -> Result<Vec<RepoInfo>, ForgeError> {
        read_array(url, bytes, |item| read_json_repository(url, item, &KEYS))
    }

    fn read_repository(&self, url: &str, bytes: &[u8]) -> Result<RepoInfo, ForgeError> {
        read_object(url, bytes, |item| read_json_repository(url, item, &KEYS))
    }
}
