//! Git over smart HTTP: real repositories made with the `git` command, served by
//! `git http-backend` run as a CGI program per request, for the plain git repositories and for
//! the repositories of the API forges alike.
//!
//! Follows git's documentation: `git-http-backend(1)` (the CGI variables `GIT_PROJECT_ROOT`,
//! `GIT_HTTP_EXPORT_ALL`, `PATH_INFO`, `QUERY_STRING`, `REQUEST_METHOD`, `CONTENT_TYPE`,
//! `CONTENT_LENGTH`, and `HTTP_GIT_PROTOCOL` for protocol v2), `gitprotocol-http(5)` and
//! `git-fast-import(1)`; the CGI answer is read as RFC 3875 says (a `Status:` header, then the
//! others, a blank line, the body).
//!
//! Layout under the fixture's temporary directory: `repos/{name}.git` (plain git, bare, served)
//! and `work/{name}` (the work tree each later commit is made from); the API forges' repositories
//! under `forges/{github,gitlab,gitea}/{full path}.git` and `forges-work/...`, made the first time
//! a client asks for them. Every commit holds exactly the repository's files, on its default
//! branch. A repository's [`Commit`] history gives its commits' authors, dates and tags; without
//! one there is a single commit by the fixture with its clock as the date, so the same world
//! gives the same commit ids.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use axum::body::Bytes;
use axum::http::HeaderMap;

use super::{Commit, Repo};

/// The bare repository served for `name`.
pub(super) fn bare_dir(root: &Path, name: &str) -> PathBuf {
    root.join("repos").join(format!("{name}.git"))
}

pub(super) fn work_dir(root: &Path, name: &str) -> PathBuf {
    root.join("work").join(name)
}

/// Runs git and panics with its error output if it fails (a broken fixture must stop the test).
fn git(args: &[&str], dir: Option<&Path>, date: Option<i64>) {
    let mut command = Command::new("git");
    command
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "user.name=Fixture Forge",
        ])
        .args(["-c", "user.email=fixture@riuso.invalid"])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    if let Some(date) = date {
        let date = format!("@{date} +0000");
        command
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
    }
    let out = command.output().expect("the git command runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Creates the bare repository at `bare` with the repository's history (or one commit by the
/// fixture at `date`), every commit holding the repository's files.
pub(super) fn create(bare: &Path, repo: &Repo, date: i64) {
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    let bare_arg = bare.to_str().unwrap();
    git(
        &[
            "init",
            "--quiet",
            "--bare",
            "--initial-branch",
            &repo.default_branch,
            bare_arg,
        ],
        None,
        None,
    );
    let history = if repo.history.is_empty() {
        vec![Commit::new(date, "fixture@riuso.invalid")]
    } else {
        repo.history.clone()
    };
    fast_import(bare, &repo.default_branch, &history, Some(repo), false);
}

/// Adds `commits` on top of the default branch of the bare repository at `bare`, with the same
/// files as its tip.
pub(super) fn append(bare: &Path, branch: &str, commits: &[Commit]) {
    fast_import(bare, branch, commits, None, true);
}

/// Writes `commits` on `branch` with `git fast-import`: the first one holds `files`' files (or
/// continues the branch's tip when `on_tip`), the others the same tree.
fn fast_import(bare: &Path, branch: &str, commits: &[Commit], files: Option<&Repo>, on_tip: bool) {
    let mut stream: Vec<u8> = Vec::new();
    for (i, commit) in commits.iter().enumerate() {
        let who = format!("Fixture Forge <{}> {} +0000", commit.author, commit.at);
        let message = "fixture content\n";
        stream.extend_from_slice(
            format!(
                "commit refs/heads/{branch}\nmark :{}\nauthor {who}\ncommitter {who}\ndata {}\n{message}",
                i + 1,
                message.len()
            )
            .as_bytes(),
        );
        if i == 0 && on_tip {
            stream.extend_from_slice(format!("from refs/heads/{branch}^0\n").as_bytes());
        }
        if i == 0
            && let Some(repo) = files
        {
            for (path, bytes) in &repo.files {
                stream.extend_from_slice(
                    format!("M 100644 inline {path}\ndata {}\n", bytes.len()).as_bytes(),
                );
                stream.extend_from_slice(bytes);
                stream.push(b'\n');
            }
        }
        stream.push(b'\n');
        for tag in &commit.tags {
            stream.extend_from_slice(
                format!("reset refs/tags/{tag}\nfrom :{}\n\n", i + 1).as_bytes(),
            );
        }
    }
    let mut child = Command::new("git")
        .arg(format!("--git-dir={}", bare.display()))
        .args(["fast-import", "--quiet"])
        .env_remove("GIT_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git fast-import starts");
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git fast-import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Commits the repository's files (and nothing else) on top of its default branch, with the
/// work tree `work`.
pub(super) fn commit(bare: &Path, work: &Path, repo: &Repo, date: i64) {
    if work.exists() {
        std::fs::remove_dir_all(work).unwrap();
    }
    std::fs::create_dir_all(work).unwrap();
    for (path, bytes) in &repo.files {
        let file = work.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    let git_dir = format!("--git-dir={}", bare.display());
    let work_tree = format!("--work-tree={}", work.display());
    git(
        &[&git_dir, &work_tree, "add", "--all", "."],
        Some(work),
        None,
    );
    git(
        &[
            &git_dir,
            &work_tree,
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            "fixture content",
        ],
        Some(work),
        Some(date),
    );
}

/// Renames the branch `from` of the bare repository at `bare` to `to`; `HEAD` follows it.
pub(super) fn rename_branch(bare: &Path, from: &str, to: &str) {
    let git_dir = format!("--git-dir={}", bare.display());
    git(&[&git_dir, "branch", "--move", from, to], None, None);
}

/// Deletes a repository and its work tree from disk.
pub(super) fn remove(bare: &Path, work: &Path) {
    let _ = std::fs::remove_dir_all(bare);
    let _ = std::fs::remove_dir_all(work);
}

/// The API forge repository and the git path a `{web prefix}/{full path}.git/...` path is about:
/// `/acme/app.git/info/refs` gives `("acme/app", "/info/refs")`.
pub(super) fn web_subject(rest: &str) -> Option<(String, String)> {
    let rest = rest.strip_prefix('/')?;
    let at = rest.find(".git/")?;
    let full = &rest[..at];
    (!full.is_empty()).then(|| (full.to_owned(), rest[at + ".git".len()..].to_owned()))
}

/// The repository a `/git/{name}.git/...` path is about.
pub(super) fn subject(path: &str) -> Option<String> {
    let first = path.strip_prefix("/git/")?.split('/').next()?;
    first.strip_suffix(".git").map(str::to_owned)
}

/// Runs `git http-backend` for one request and returns its status, headers and body.
pub(super) async fn serve(
    project_root: PathBuf,
    method: &str,
    path_info: &str,
    query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    if path_info.split('/').any(|s| s == "..") {
        return (404, Vec::new(), Vec::new());
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", &project_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", path_info)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", method)
        .env("CONTENT_TYPE", header("content-type").unwrap_or_default())
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .env_remove("GIT_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(protocol) = header("git-protocol") {
        command.env("HTTP_GIT_PROTOCOL", protocol);
    }
    if let Some(encoding) = header("content-encoding") {
        command.env("HTTP_CONTENT_ENCODING", encoding);
    }
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("git http-backend starts");
        let mut stdin = child.stdin.take().unwrap();
        // Written from another thread so a large answer cannot block on a full stdout pipe.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&body);
        });
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap();
        output
    })
    .await
    .unwrap();
    parse_cgi(&output.stdout)
}

/// Splits a CGI answer into status, headers and body.
fn parse_cgi(out: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let (head, body) = match find(out, b"\r\n\r\n") {
        Some(at) => (&out[..at], &out[at + 4..]),
        None => match find(out, b"\n\n") {
            Some(at) => (&out[..at], &out[at + 2..]),
            None => return (502, Vec::new(), out.to_vec()),
        },
    };
    let mut status = 200;
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            status = value
                .split_whitespace()
                .next()
                .and_then(|code| code.parse().ok())
                .unwrap_or(502);
        } else {
            headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
    }
    (status, headers, body.to_vec())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
