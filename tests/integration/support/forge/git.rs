//! Plain git over smart HTTP: real repositories made with the `git` command, served by
//! `git http-backend` run as a CGI program per request.
//!
//! Follows git's documentation: `git-http-backend(1)` (the CGI variables `GIT_PROJECT_ROOT`,
//! `GIT_HTTP_EXPORT_ALL`, `PATH_INFO`, `QUERY_STRING`, `REQUEST_METHOD`, `CONTENT_TYPE`,
//! `CONTENT_LENGTH`, and `HTTP_GIT_PROTOCOL` for protocol v2) and `gitprotocol-http(5)`; the CGI
//! answer is read as RFC 3875 says (a `Status:` header, then the others, a blank line, the body).
//!
//! Layout under the fixture's temporary directory: `repos/{name}.git` (bare, served) and
//! `work/{name}` (the work tree each commit is made from). Every commit holds exactly the
//! repository's files, on its default branch, with a fixed author and the fixture's clock as its
//! date, so the same world gives the same commit ids.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use axum::body::Bytes;
use axum::http::HeaderMap;

use super::Repo;

/// The bare repository served for `name`.
pub(super) fn bare_dir(root: &Path, name: &str) -> PathBuf {
    root.join("repos").join(format!("{name}.git"))
}

fn work_dir(root: &Path, name: &str) -> PathBuf {
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

/// Creates the bare repository with one commit holding the repository's files.
pub(super) fn create(root: &Path, repo: &Repo, date: i64) {
    let bare = bare_dir(root, &repo.name);
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
    commit(root, repo, date);
}

/// Commits the repository's files (and nothing else) on top of its default branch.
pub(super) fn commit(root: &Path, repo: &Repo, date: i64) {
    let bare = bare_dir(root, &repo.name);
    let work = work_dir(root, &repo.name);
    if work.exists() {
        std::fs::remove_dir_all(&work).unwrap();
    }
    std::fs::create_dir_all(&work).unwrap();
    for (path, bytes) in &repo.files {
        let file = work.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    let git_dir = format!("--git-dir={}", bare.display());
    let work_tree = format!("--work-tree={}", work.display());
    git(
        &[&git_dir, &work_tree, "add", "--all", "."],
        Some(&work),
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
        Some(&work),
        Some(date),
    );
}

/// Deletes a repository from disk.
pub(super) fn remove(root: &Path, name: &str) {
    let _ = std::fs::remove_dir_all(bare_dir(root, name));
    let _ = std::fs::remove_dir_all(work_dir(root, name));
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
