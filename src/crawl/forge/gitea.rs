//! Gitea and Forgejo API v1 (Codeberg or any self-hosted instance): organisations' and users'
//! repositories, repository descriptions, and raw files, through the polite client.

use reqwest::header;

use super::{JsonKeys, Rest};

/// Gitea's paths (pages sized by `limit`), its token as `Authorization: token ...`, and its
/// names.
pub(super) static REST: Rest = Rest {
    listings: [
        "/orgs/{account}/repos?limit={per_page}",
        "/users/{account}/repos?limit={per_page}",
    ],
    repository: "/repos/{repo}",
    file: "/repos/{repo}/raw/{file}?ref={ref}",
    raw: "*/*",
    nested: false,
    token: (header::AUTHORIZATION, "token "),
    keys: JsonKeys {
        path: "full_name",
        web_url: "html_url",
        private: "private",
        stars: "stars_count",
        activity: "updated_at",
        clone_url: "clone_url",
    },
    octocrab: false,
};
