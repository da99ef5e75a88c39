//! The Gitea (and Forgejo) API v1.
//!
//! Shapes follow Gitea's swagger document (`/api/swagger`, definitions `Repository`, `User` and
//! `ContentsResponse`; operations `orgListRepos`, `userListRepos`, `repoGet`, `repoGetRawFile`,
//! `repoGetContents`) and docs.gitea.com "API Usage" on pagination: `page` and `limit`, whose
//! default and maximum come from the `[api]` settings `DEFAULT_PAGING_NUM` (30) and
//! `MAX_RESPONSE_ITEMS` (50); `x-total-count`; `link` with `next` and `last` on all but the last
//! page, `first` and `prev` on all but the first, joined by a bare comma, query keys sorted.
//! Errors are `{"message", "url"}` ("The target couldn't be found." for 404). Listings are in
//! id order. Gitea sends no rate-limit headers.

use serde_json::{Value, json};

use super::{
    AccountKind, Ask, ForgeKind, Page, Reply, RepoRec, Store, base64, blob_id, decode_path, iso,
};

const PREFIX: &str = "/gitea/api/v1";

/// Answers one GET under the API prefix.
pub(super) fn handle(store: &Store, ask: &Ask<'_>) -> Reply {
    let segments = ask.segments();
    match segments.as_slice() {
        ["orgs", org, "repos"] => list(store, ask, &decode_path(&[org]), true),
        ["users", user, "repos"] => list(store, ask, &decode_path(&[user]), false),
        ["repos", owner, repo] => {
            let full = decode_path(&[owner, repo]);
            let rec = store.visible(ForgeKind::Gitea, &full, ask.authorized);
            Reply::described(
                rec,
                full,
                |rec| repository(store, ask.base, rec),
                not_found(ask),
            )
        }
        ["repos", owner, repo, op @ ("raw" | "contents"), path @ ..] if !path.is_empty() => {
            let full = decode_path(&[owner, repo]);
            file(store, ask, &full, &decode_path(path), *op == "raw").about(full)
        }
        _ => not_found(ask),
    }
}

fn not_found(ask: &Ask<'_>) -> Reply {
    Reply::json(&json!({
        "errors": [],
        "message": "The target couldn't be found.",
        "url": format!("{}/gitea/api/swagger", ask.base),
    }))
    .status(404)
}

fn list(store: &Store, ask: &Ask<'_>, owner: &str, orgs_endpoint: bool) -> Reply {
    match store.account(ForgeKind::Gitea, owner) {
        Some(account) if !orgs_endpoint || account.kind == AccountKind::Organization => {}
        _ => return not_found(ask),
    }
    let repos = store.repos_of(ForgeKind::Gitea, owner, false, ask.authorized);
    let page = Page::read(ask, "limit", 30, 50, repos.len());
    let url = |n: usize| page.url(ask, PREFIX, n, None, true);
    let mut links = Vec::new();
    if page.page < page.last {
        links.push(format!("<{}>; rel=\"next\"", url(page.page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url(page.last)));
    }
    if page.page > 1 {
        links.push(format!("<{}>; rel=\"first\"", url(1)));
        links.push(format!("<{}>; rel=\"prev\"", url(page.page - 1)));
    }
    let mut reply = page
        .reply(&repos, |rec| repository(store, ask.base, rec))
        .header("x-total-count", page.total.to_string());
    if !links.is_empty() {
        reply = reply
            .header("link", links.join(","))
            .header("access-control-expose-headers", "Link, X-Total-Count");
    }
    reply
}

/// The `Repository` definition, with its `User` owner.
fn repository(store: &Store, base: &str, rec: &RepoRec) -> Value {
    let full = rec.full_name();
    let owner = store.account(ForgeKind::Gitea, &rec.owner);
    json!({
        "id": rec.id,
        "owner": {
            "id": owner.map_or(0, |a| a.id),
            "login": rec.owner,
            "login_name": "",
            "full_name": "",
            "username": rec.owner,
            "visibility": "public",
        },
        "name": rec.repo.name,
        "full_name": full,
        "description": "",
        "empty": rec.repo.files.is_empty(),
        "private": rec.repo.private,
        "fork": rec.repo.fork,
        "template": false,
        "parent": null,
        "mirror": rec.repo.mirror,
        "size": rec.repo.files.values().map(Vec::len).sum::<usize>().div_ceil(1024),
        "html_url": rec.repo.claimed_web_url.clone().unwrap_or_else(|| format!("{base}/gitea/{full}")),
        "ssh_url": format!("git@127.0.0.1:{full}.git"),
        "clone_url": rec.repo.claimed_clone_url.clone().unwrap_or_else(|| format!("{base}/gitea/{full}.git")),
        "original_url": "",
        "website": "",
        "stars_count": rec.repo.stars,
        "forks_count": rec.repo.forks,
        "watchers_count": 0,
        "open_issues_count": 0,
        "default_branch": rec.repo.default_branch,
        "archived": rec.repo.archived,
        "created_at": iso(rec.created),
        "updated_at": iso(rec.updated),
        "internal": false,
    })
}

/// `raw/{filepath}` (bytes) or `contents/{filepath}` (`ContentsResponse`, base64 unwrapped).
fn file(store: &Store, ask: &Ask<'_>, full: &str, path: &str, raw: bool) -> Reply {
    let Some(rec) = store.visible(ForgeKind::Gitea, full, ask.authorized) else {
        return not_found(ask);
    };
    let branch = &rec.repo.default_branch;
    if ask
        .param("ref")
        .is_some_and(|r| !r.is_empty() && r != branch)
    {
        return not_found(ask);
    }
    let Some(bytes) = rec.repo.files.get(path) else {
        return not_found(ask);
    };
    if raw {
        return Reply::raw(bytes, "text/plain; charset=utf-8").modified(rec.updated);
    }
    let api = format!("{}{PREFIX}/repos/{full}", ask.base);
    let sha = blob_id(bytes);
    let self_url = format!("{api}/contents/{path}?ref={branch}");
    let git_url = format!("{api}/git/blobs/{sha}");
    let html_url = format!("{}/gitea/{full}/src/branch/{branch}/{path}", ask.base);
    Reply::json(&json!({
        "name": path.rsplit('/').next().unwrap_or(path),
        "path": path,
        "sha": sha,
        "last_commit_sha": blob_id(format!("{full}@{}", rec.updated).as_bytes()),
        "type": "file",
        "size": bytes.len(),
        "encoding": "base64",
        "content": base64(bytes, false),
        "target": null,
        "url": self_url,
        "html_url": html_url,
        "git_url": git_url,
        "download_url": format!("{}/gitea/{full}/raw/branch/{branch}/{path}", ask.base),
        "submodule_git_url": null,
        "_links": { "self": self_url, "git": git_url, "html": html_url },
    }))
    .modified(rec.updated)
}
