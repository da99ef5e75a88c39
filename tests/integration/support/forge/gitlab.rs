//! The GitLab REST API v4.
//!
//! Shapes follow docs.gitlab.com: "REST API" (offset pagination: `page`, `per_page` default 20,
//! max 100; the headers `x-next-page` and `x-prev-page`, empty at the ends, `x-page`,
//! `x-per-page`, `x-total`, `x-total-pages`, and `link` with `prev`, `next`, `first`, `last`;
//! namespaced paths URL-encoded, `group%2Fsub`), "Groups API" (`GET /groups/:id/projects` with
//! `include_subgroups`), "Projects API" (`GET /projects/:id`, `GET /users/:user_id/projects`;
//! default order `created_at` descending), "Repository files API" (`GET
//! /projects/:id/repository/files/:file_path` as JSON with base64 `content`, and `/raw`; `ref`
//! defaults to the default branch) and the rate-limit headers of "Rate limits on GitLab.com"
//! (`RateLimit-Limit`, `-Observed`, `-Remaining`, `-Reset`, `-ResetTime`; 429 with `Retry-After`
//! past the budget). Errors are `{"message": "404 Project Not Found"}` and the like.
//!
//! Not served: keyset pagination, the search and filter parameters of the listings.

use serde_json::{Value, json};

use super::{
    AccountKind, Ask, ForgeKind, Page, Reply, RepoRec, Store, base64, blob_id, iso, sha256_hex,
};

const PREFIX: &str = "/gitlab/api/v4";

/// Answers one GET under the API prefix.
pub(super) fn handle(store: &Store, ask: &Ask<'_>) -> Reply {
    let segments = ask.segments();
    match segments.as_slice() {
        ["groups", id, "projects"] => {
            let group = decode(id).and_then(|id| match id.parse::<u64>() {
                Ok(n) => store
                    .accounts
                    .iter()
                    .find(|((f, _), a)| *f == ForgeKind::GitLab && a.id == n)
                    .map(|(_, a)| a),
                Err(_) => store.account(ForgeKind::GitLab, &id),
            });
            match group.filter(|g| g.kind == AccountKind::Organization) {
                Some(group) => {
                    let deep = ask.param("include_subgroups") == Some("true");
                    let repos =
                        store.repos_of(ForgeKind::GitLab, &group.full_path, deep, ask.authorized);
                    list(store, ask, repos)
                }
                None => not_found("404 Group Not Found"),
            }
        }
        ["users", user, "projects"] => {
            let user = decode(user).unwrap_or_default();
            match store.account(ForgeKind::GitLab, &user) {
                Some(account) if account.kind == AccountKind::User => {
                    let repos = store.repos_of(ForgeKind::GitLab, &user, false, ask.authorized);
                    list(store, ask, repos)
                }
                _ => not_found("404 User Not Found"),
            }
        }
        ["projects", id] => match project(store, ask, id) {
            Some(rec) => Reply::json(&project_json(store, ask.base, rec))
                .modified(rec.updated)
                .about(rec.full_name()),
            None => not_found("404 Project Not Found"),
        },
        ["projects", id, "repository", "files", file, rest @ ..]
            if rest.is_empty() || rest == ["raw"] =>
        {
            let Some(rec) = project(store, ask, id) else {
                return not_found("404 Project Not Found");
            };
            file_reply(rec, ask, file, !rest.is_empty()).about(rec.full_name())
        }
        _ => not_found("404 Not Found"),
    }
}

fn decode(segment: &str) -> Option<String> {
    super::percent_decode(segment)
}

fn not_found(message: &str) -> Reply {
    Reply::json(&json!({ "message": message })).status(404)
}

/// A project by numeric id or URL-encoded full path; private ones only with credentials.
fn project<'a>(store: &'a Store, ask: &Ask<'_>, id: &str) -> Option<&'a RepoRec> {
    let id = decode(id)?;
    let rec = match id.parse::<u64>() {
        Ok(n) => store
            .repos
            .iter()
            .find(|((f, _), r)| *f == ForgeKind::GitLab && r.id == n)
            .map(|(_, r)| r),
        Err(_) => store.repo(ForgeKind::GitLab, &id),
    };
    rec.filter(|r| ask.authorized || !r.repo.private)
}

fn list(store: &Store, ask: &Ask<'_>, mut repos: Vec<&RepoRec>) -> Reply {
    let order_by = ask.param("order_by").unwrap_or("created_at");
    let ascending = ask.param("sort") == Some("asc");
    repos.sort_by(|a, b| {
        let order = match order_by {
            "name" => a.repo.name.cmp(&b.repo.name),
            "path" => a.full_name().cmp(&b.full_name()),
            "updated_at" | "last_activity_at" => a.updated.cmp(&b.updated),
            "id" => a.id.cmp(&b.id),
            _ => a.created.cmp(&b.created),
        }
        .then(a.id.cmp(&b.id));
        if ascending { order } else { order.reverse() }
    });
    let page = Page::read(ask, "per_page", 20, 100, repos.len());
    let next = if page.page < page.last {
        (page.page + 1).to_string()
    } else {
        String::new()
    };
    let prev = if page.page > 1 {
        (page.page - 1).to_string()
    } else {
        String::new()
    };
    let url = |n: usize| page.url(ask, PREFIX, n, Some("per_page"), true);
    let mut links = Vec::new();
    if page.page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", url(page.page - 1)));
    }
    if page.page < page.last {
        links.push(format!("<{}>; rel=\"next\"", url(page.page + 1)));
    }
    links.push(format!("<{}>; rel=\"first\"", url(1)));
    links.push(format!("<{}>; rel=\"last\"", url(page.last)));
    page.reply(&repos, |rec| project_json(store, ask.base, rec))
        .header("link", links.join(", "))
        .header("x-next-page", next)
        .header("x-page", page.page.to_string())
        .header("x-per-page", page.per_page.to_string())
        .header("x-prev-page", prev)
        .header("x-total", page.total.to_string())
        .header("x-total-pages", page.last.to_string())
}

/// The project object of the Projects API.
fn project_json(store: &Store, base: &str, rec: &RepoRec) -> Value {
    let full = rec.full_name();
    let namespace = store.account(ForgeKind::GitLab, &rec.owner);
    let kind = match namespace.map(|a| a.kind) {
        Some(AccountKind::User) => "user",
        _ => "group",
    };
    json!({
        "id": rec.id,
        "description": null,
        "name": rec.repo.name,
        "name_with_namespace": full.replace('/', " / "),
        "path": rec.repo.name,
        "path_with_namespace": full,
        "created_at": iso(rec.created),
        "default_branch": rec.repo.default_branch,
        "tag_list": [],
        "topics": [],
        "ssh_url_to_repo": format!("git@127.0.0.1:{full}.git"),
        "http_url_to_repo": rec.repo.claimed_clone_url.clone().unwrap_or_else(|| format!("{base}/gitlab/{full}.git")),
        "web_url": rec.repo.claimed_web_url.clone().unwrap_or_else(|| format!("{base}/gitlab/{full}")),
        "readme_url": null,
        "forks_count": rec.repo.forks,
        "star_count": rec.repo.stars,
        "last_activity_at": iso(rec.updated),
        "namespace": {
            "id": namespace.map_or(0, |a| a.id),
            "name": namespace.map_or("", |a| a.name.as_str()),
            "path": namespace.map_or("", |a| a.name.as_str()),
            "kind": kind,
            "full_path": rec.owner,
            "parent_id": namespace.and_then(|a| a.parent),
            "web_url": format!("{base}/gitlab/{}", rec.owner),
        },
        "empty_repo": rec.repo.files.is_empty(),
        "archived": rec.repo.archived,
        "visibility": if rec.repo.private { "private" } else { "public" },
        "forked_from_project": if rec.repo.fork { json!({}) } else { Value::Null },
        "mirror": rec.repo.mirror,
    })
}

/// A file of the Repository files API: JSON, or with `raw` the bytes.
fn file_reply(rec: &RepoRec, ask: &Ask<'_>, encoded_path: &str, raw: bool) -> Reply {
    // The file path is one segment: its slashes must arrive as %2F.
    let Some(path) = decode(encoded_path) else {
        return not_found("404 File Not Found");
    };
    let branch = &rec.repo.default_branch;
    let reference = ask.param("ref").unwrap_or(branch);
    if reference != branch && reference != "HEAD" {
        return not_found("404 Commit Not Found");
    }
    let Some(bytes) = rec.repo.files.get(&path) else {
        return not_found("404 File Not Found");
    };
    let commit = blob_id(format!("{}@{}", rec.full_name(), rec.updated).as_bytes());
    let blob = blob_id(bytes);
    let reply = if raw {
        Reply::raw(bytes, "text/plain; charset=utf-8")
    } else {
        Reply::json(&json!({
            "file_name": path.rsplit('/').next().unwrap_or(&path),
            "file_path": path,
            "size": bytes.len(),
            "encoding": "base64",
            "content_sha256": sha256_hex(bytes),
            "ref": reference,
            "blob_id": blob,
            "commit_id": commit,
            "last_commit_id": commit,
            "execute_filemode": false,
            "content": base64(bytes, false),
        }))
    };
    reply
        .header("x-gitlab-blob-id", blob)
        .header("x-gitlab-commit-id", commit)
        .header("x-gitlab-file-path", path)
        .header("x-gitlab-ref", reference)
        .header("x-gitlab-size", bytes.len().to_string())
        .modified(rec.updated)
}
