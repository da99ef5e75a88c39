//! GitLab REST API v4 (gitlab.com or any self-hosted instance): groups with their subgroups,
//! users' projects, project descriptions, and raw files, through the polite client.

use reqwest::header::HeaderName;

use super::{JsonKeys, Rest};

/// GitLab's paths (a group's listing takes its subgroups' projects too; a project is one
/// URL-encoded full path, or its id for files), its token as `PRIVATE-TOKEN` (a personal, group
/// or project access token), and its names.
pub(super) static REST: Rest = Rest {
    listings: [
        "/groups/{account}/projects?include_subgroups=true&per_page={per_page}",
        "/users/{account}/projects?per_page={per_page}",
    ],
    repository: "/projects/{repo}",
    file: "/projects/{repo}/repository/files/{file}/raw?ref={ref}",
    raw: "*/*",
    nested: true,
    token: (HeaderName::from_static("private-token"), ""),
    keys: JsonKeys {
        path: "path_with_namespace",
        web_url: "web_url",
        private: "visibility",
        stars: "star_count",
        activity: "last_activity_at",
        clone_url: "http_url_to_repo",
    },
    octocrab: false,
};
