//! The GitHub REST API v3 as GitHub Enterprise Server serves it under `/api/v3`.
//!
//! Shapes follow docs.github.com, REST API reference: "List organization repositories" and
//! "List repositories for a user" (`per_page` default 30, max 100; `page`; `sort` default
//! `created` for organisations and `full_name` for users, `direction` default `asc` with
//! `full_name` and `desc` otherwise), "Get a repository", "Get repository content" (the
//! `application/vnd.github.raw+json` media type for raw bytes, otherwise a `file` object with
//! base64 `content` wrapped every 60 characters), "Using pagination in the REST API" (`link`
//! with `prev`, `next`, `last`, `first`, omitted when everything fits one page) and "Rate limits
//! for the REST API" (`x-ratelimit-*` headers, 403 past the budget). Errors carry `message`,
//! `documentation_url` and `status`.
//!
//! Not served: directory listings, the `type` filter, GraphQL. Names are case-sensitive here.

use serde_json::{Value, json};

use super::{
    AccountKind, Ask, ForgeKind, Page, Reply, RepoRec, Store, base64, blob_id, decode_path, iso,
};

const PREFIX: &str = "/github/api/v3";

/// Answers one GET under the API prefix.
pub(super) fn handle(store: &Store, ask: &Ask<'_>) -> Reply {
    let segments = ask.segments();
    match segments.as_slice() {
        ["orgs", org, "repos"] => list(store, ask, &decode_path(&[org]), true),
        ["users", user, "repos"] => list(store, ask, &decode_path(&[user]), false),
        ["repos", owner, repo] => {
            let full = decode_path(&[owner, repo]);
            let rec = store.visible(ForgeKind::GitHub, &full, ask.authorized);
            Reply::described(
                rec,
                full,
                |rec| repository(store, ask.base, rec),
                not_found("repos/repos#get-a-repository"),
            )
        }
        ["repos", owner, repo, "contents", path @ ..] if !path.is_empty() => {
            let full = decode_path(&[owner, repo]);
            contents(store, ask, &full, &decode_path(path)).about(full)
        }
        _ => not_found("rest"),
    }
}

fn not_found(doc: &str) -> Reply {
    Reply::json(&json!({
        "message": "Not Found",
        "documentation_url": format!("https://docs.github.com/rest/{doc}"),
        "status": "404",
    }))
    .status(404)
}

fn list(store: &Store, ask: &Ask<'_>, owner: &str, orgs_endpoint: bool) -> Reply {
    let doc = if orgs_endpoint {
        "repos/repos#list-organization-repositories"
    } else {
        "repos/repos#list-repositories-for-a-user"
    };
    let Some(account) = store.account(ForgeKind::GitHub, owner) else {
        return not_found(doc);
    };
    // `/orgs/{org}` does not know users; `/users/{user}` also answers for organisations.
    if orgs_endpoint && account.kind == AccountKind::User {
        return not_found(doc);
    }
    let mut repos = store.repos_of(ForgeKind::GitHub, owner, false, ask.authorized);
    let sort = ask.param("sort").unwrap_or(if orgs_endpoint {
        "created"
    } else {
        "full_name"
    });
    let ascending = match ask.param("direction") {
        Some("asc") => true,
        Some("desc") => false,
        _ => sort == "full_name",
    };
    repos.sort_by(|a, b| {
        let order = match sort {
            "full_name" => a.full_name().cmp(&b.full_name()),
            "updated" | "pushed" => a.updated.cmp(&b.updated),
            _ => a.created.cmp(&b.created),
        }
        .then(a.id.cmp(&b.id));
        if ascending { order } else { order.reverse() }
    });
    let page = Page::read(ask, "per_page", 30, 100, repos.len());
    let mut reply = page.reply(&repos, |rec| repository(store, ask.base, rec));
    if page.last > 1 {
        let mut links = Vec::new();
        if page.page > 1 {
            links.push(format!(
                "<{}>; rel=\"prev\"",
                page.url(ask, PREFIX, page.page - 1, None, false)
            ));
        }
        if page.page < page.last {
            links.push(format!(
                "<{}>; rel=\"next\"",
                page.url(ask, PREFIX, page.page + 1, None, false)
            ));
            links.push(format!(
                "<{}>; rel=\"last\"",
                page.url(ask, PREFIX, page.last, None, false)
            ));
        }
        if page.page > 1 {
            links.push(format!(
                "<{}>; rel=\"first\"",
                page.url(ask, PREFIX, 1, None, false)
            ));
        }
        reply = reply.header("link", links.join(", "));
    }
    reply
}

/// The repository object ("full repository" fields the crawler reads, and their neighbours).
fn repository(store: &Store, base: &str, rec: &RepoRec) -> Value {
    let full = rec.full_name();
    let owner = store.account(ForgeKind::GitHub, &rec.owner);
    let owner_type = match owner.map(|a| a.kind) {
        Some(AccountKind::User) => "User",
        _ => "Organization",
    };
    let api = format!("{base}{PREFIX}/repos/{full}");
    json!({
        "id": rec.id,
        "node_id": format!("R_fixture{}", rec.id),
        "name": rec.repo.name,
        "full_name": full,
        "private": rec.repo.private,
        "owner": simple_user(base, &rec.owner, owner.map_or(0, |a| a.id), owner_type),
        "html_url": rec.repo.claimed_web_url.clone().unwrap_or_else(|| format!("{base}/github/{full}")),
        "description": null,
        "fork": rec.repo.fork,
        "url": api,
        "contents_url": format!("{api}/contents/{{+path}}"),
        "clone_url": rec.repo.claimed_clone_url.clone().unwrap_or_else(|| format!("{base}/github/{full}.git")),
        "homepage": null,
        "size": rec.repo.files.values().map(Vec::len).sum::<usize>().div_ceil(1024),
        "stargazers_count": rec.repo.stars,
        "watchers_count": rec.repo.stars,
        "forks_count": rec.repo.forks,
        "forks": rec.repo.forks,
        "open_issues_count": 0,
        "default_branch": rec.repo.default_branch,
        "archived": rec.repo.archived,
        "disabled": false,
        "is_template": false,
        "visibility": if rec.repo.private { "private" } else { "public" },
        "topics": [],
        "pushed_at": iso(rec.updated),
        "created_at": iso(rec.created),
        "updated_at": iso(rec.updated),
    })
}

/// The "simple user" object (`owner` of a repository), every field GitHub always sends.
fn simple_user(base: &str, login: &str, id: u64, kind: &str) -> Value {
    let api = format!("{base}{PREFIX}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": format!("O_fixture{id}"),
        "avatar_url": format!("{base}/github/avatars/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("{base}/github/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    })
}

fn contents(store: &Store, ask: &Ask<'_>, full: &str, path: &str) -> Reply {
    const DOC: &str = "repos/contents#get-repository-content";
    let Some(rec) = store.visible(ForgeKind::GitHub, full, ask.authorized) else {
        return not_found(DOC);
    };
    if let Some(r) = ask.param("ref").filter(|r| *r != rec.repo.default_branch) {
        return Reply::json(&json!({
            "message": format!("No commit found for the ref {r}"),
            "documentation_url": format!("https://docs.github.com/rest/{DOC}"),
            "status": "404",
        }))
        .status(404);
    }
    let Some(bytes) = rec.repo.files.get(path) else {
        return not_found(DOC);
    };
    let accept = ask
        .headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/vnd.github.raw")
        || accept.contains("application/vnd.github.v3.raw")
    {
        return Reply::raw(bytes, "application/vnd.github.raw+json; charset=utf-8")
            .header("x-github-media-type", "github.v3; param=raw; format=json")
            .modified(rec.updated);
    }
    let api = format!("{}{PREFIX}/repos/{full}", ask.base);
    let sha = blob_id(bytes);
    let branch = &rec.repo.default_branch;
    let name = path.rsplit('/').next().unwrap_or(path);
    let self_url = format!("{api}/contents/{path}?ref={branch}");
    let git_url = format!("{api}/git/blobs/{sha}");
    let html_url = format!("{}/github/{full}/blob/{branch}/{path}", ask.base);
    Reply::json(&json!({
        "type": "file",
        "encoding": "base64",
        "size": bytes.len(),
        "name": name,
        "path": path,
        "content": base64(bytes, true),
        "sha": sha,
        "url": self_url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": format!("{}/github/raw/{full}/{branch}/{path}", ask.base),
        "_links": { "self": self_url, "git": git_url, "html": html_url },
    }))
    .header("x-github-media-type", "github.v3; format=json")
    .modified(rec.updated)
}
