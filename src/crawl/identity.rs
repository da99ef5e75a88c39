//! A repository's identity comes from the source that names it, not from what its forge says.
//!
//! A forge named in `publishers.yml` answers listings and descriptions with each repository's
//! web URL, which becomes the catalog entry's identity: a forge (or anything answering at its
//! API) that answered with another host's or another account's URL would write over that
//! entry. So every repository a forge answers with is checked against its source: same scheme,
//! host and port as the source's web URL, no user-info, query or fragment, a path under the
//! forge's web prefix that is the repository the API path names, under the listed account (a
//! GitLab group or one of its subgroups) or equal to the listed repository; compared without
//! regard to case, as the forges do. A repository that fails is not crawled: its source's
//! `failed` event says why. A clone URL (for the vitality index) off the forge's host is
//! dropped, and the web URL's `.git` is cloned instead.

use url::Url;

use super::forge::{Kind, Listing, RepoInfo};

/// What a source trusts a forge to answer about.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// The forge's API.
    pub kind: Kind,
    /// The web URL of the account or repository, as `publishers.yml` gives it.
    pub web: &'a Url,
    /// The account's path, or the repository's `owner/name` (a GitLab full path).
    pub path: &'a str,
    /// Whether `path` names one repository rather than an account.
    pub repository: bool,
}

/// Why a repository the forge answered with is not the source's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{source_url}: the forge answered with the repository {claimed:?}, which is not {expected}; \
     nothing was stored for it"
)]
pub struct Mismatch {
    /// The source's web URL.
    pub source_url: String,
    /// The web URL the forge answered with.
    pub claimed: String,
    /// What it should have been.
    pub expected: &'static str,
}

impl<'a> Source<'a> {
    /// The forge's web prefix: the source's URL without the account's or repository's path.
    fn prefix(&self) -> String {
        let path = self.web.path().trim_end_matches('/');
        let own = format!("/{}", self.path.trim_matches('/'));
        let cut = path.len().saturating_sub(own.len());
        match path.get(cut..) {
            Some(tail) if tail.eq_ignore_ascii_case(&own) => path[..cut].to_owned(),
            // A source whose URL does not end with its path: the whole URL is the prefix, and
            // the repository must still lie under it.
            _ => path.to_owned(),
        }
    }

    /// Whether `url` is on the source's scheme, host and port, with nothing but a path.
    fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.web.scheme()
            && url.host_str().map(str::to_ascii_lowercase)
                == self.web.host_str().map(str::to_ascii_lowercase)
            && url.port_or_known_default() == self.web.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
    }

    /// The repository's full path on the forge (`owner/name`, `group/sub/name`), when `web` is
    /// on the forge's web prefix.
    fn full_path(&self, web: &Url) -> Option<String> {
        let prefix = self.prefix();
        let path = web.path();
        let head = path.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(&prefix) {
            return None;
        }
        let rest = path.get(prefix.len()..)?.strip_prefix('/')?;
        Some(rest.trim_end_matches('/').to_owned())
    }

    /// Checks `info` against the source; a clone URL off the forge's host is dropped.
    ///
    /// # Errors
    ///
    /// [`Mismatch`] when the repository is not the source's.
    pub fn check(&self, info: &mut RepoInfo) -> Result<(), Mismatch> {
        let mismatch = |expected| Mismatch {
            source_url: self.web.to_string(),
            claimed: info.web_url.clone(),
            expected,
        };
        let web = Url::parse(&info.web_url).map_err(|_| mismatch("a URL"))?;
        if !self.same_origin(&web) || web.query().is_some() || web.fragment().is_some() {
            return Err(mismatch("on the source's host"));
        }
        let full = self
            .full_path(&web)
            .ok_or_else(|| mismatch("under the forge's web address"))?;
        let segments: Vec<&str> = full.split('/').collect();
        if segments.iter().any(|s| !plain_segment(s)) {
            return Err(mismatch("a plain repository path"));
        }
        // The file is fetched by the API path: it must be the repository the URL names.
        if !full.eq_ignore_ascii_case(info.path.trim_matches('/')) {
            return Err(mismatch("the repository the forge's API names"));
        }
        let own = self.path.trim_matches('/');
        if self.repository {
            if !full.eq_ignore_ascii_case(own) {
                return Err(mismatch("the listed repository"));
            }
        } else {
            let depth = own.split('/').count();
            let under = full.len() > own.len()
                && full
                    .get(..own.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(own))
                && full.as_bytes().get(own.len()) == Some(&b'/');
            // GitHub and Gitea accounts hold repositories; GitLab groups hold subgroups too.
            let nested_ok = self.kind == Kind::GitLab || segments.len() == depth + 1;
            if !under || !nested_ok {
                return Err(mismatch("in the listed account"));
            }
        }
        if let Some(clone) = &info.clone_url {
            let same = Url::parse(clone).is_ok_and(|c| {
                self.same_origin(&c)
                    && c.query().is_none()
                    && c.fragment().is_none()
                    && self.full_path(&c).is_some_and(|p| {
                        let p = p.strip_suffix(".git").unwrap_or(&p);
                        p.eq_ignore_ascii_case(&full)
                    })
            });
            if !same {
                tracing::warn!(
                    repository = %info.web_url,
                    clone_url = %clone,
                    "a clone URL off the repository's own address is ignored"
                );
                info.clone_url = None;
            }
        }
        Ok(())
    }

    /// Keeps in `listing` the repositories of the source; answers the others' mismatches.
    pub fn screen(&self, listing: &mut Listing) -> Vec<Mismatch> {
        let mut refused = Vec::new();
        for page in &mut listing.pages {
            page.repos.retain_mut(|info| match self.check(info) {
                Ok(()) => true,
                Err(e) => {
                    refused.push(e);
                    false
                }
            });
        }
        refused
    }
}

/// A path segment a forge gives its accounts and repositories: letters, digits, `-`, `_`, `.`,
/// not `.` or `..` alone.
fn plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(web: &str, path: &str) -> RepoInfo {
        RepoInfo {
            web_url: web.to_owned(),
            path: path.to_owned(),
            id: None,
            default_branch: None,
            archived: false,
            private: false,
            stars: None,
            forks: None,
            activity: None,
            clone_url: None,
        }
    }

    fn account<'a>(kind: Kind, web: &'a Url, path: &'a str) -> Source<'a> {
        Source {
            kind,
            web,
            path,
            repository: false,
        }
    }

    #[test]
    fn repositories_of_the_account_pass_and_others_do_not() {
        let web = Url::parse("https://github.com/italia").unwrap();
        let source = account(Kind::GitHub, &web, "italia");
        let ok = |u: &str, p: &str| source.check(&mut info(u, p)).is_ok();
        assert!(ok("https://github.com/italia/app", "italia/app"));
        assert!(ok("https://github.com/Italia/App", "italia/app"));
        for (url, path) in [
            ("https://evil.example/italia/app", "italia/app"),
            ("https://github.com/other/app", "other/app"),
            ("https://github.com/other/app", "italia/app"),
            ("http://github.com/italia/app", "italia/app"),
            ("https://github.com:8443/italia/app", "italia/app"),
            ("https://user@github.com/italia/app", "italia/app"),
            ("https://user:pw@github.com/italia/app", "italia/app"),
            ("javascript:alert(1)//github.com/italia/app", "italia/app"),
            ("https://github.com/italia/app?x=1", "italia/app"),
            ("https://github.com/italia/app#x", "italia/app"),
            ("https://github.com/italia/sub/app", "italia/sub/app"),
            ("https://github.com/italia", "italia"),
            ("https://github.com/italiaX/app", "italiaX/app"),
            ("https://github.com/italia/a%2Fb", "italia/a%2Fb"),
            ("not a url", "italia/app"),
        ] {
            assert!(!ok(url, path), "{url} {path}");
        }
    }

    #[test]
    fn gitlab_subgroups_belong_to_their_group_and_prefixes_are_kept() {
        let web = Url::parse("https://git.example/gitlab/Group").unwrap();
        let source = account(Kind::GitLab, &web, "group");
        let ok = |u: &str, p: &str| source.check(&mut info(u, p)).is_ok();
        assert!(ok(
            "https://git.example/gitlab/group/sub/app",
            "group/sub/app"
        ));
        assert!(ok("https://git.example/gitlab/group/app", "group/app"));
        assert!(!ok("https://git.example/group/app", "group/app"));
        assert!(!ok(
            "https://git.example/other/gitlab/group/app",
            "group/app"
        ));
        assert!(!ok("https://git.example/gitlab/groupie/app", "groupie/app"));
    }

    #[test]
    fn a_single_repository_must_be_itself_and_a_foreign_clone_url_is_dropped() {
        let web = Url::parse("https://gitea.example/org/app").unwrap();
        let source = Source {
            kind: Kind::Gitea,
            web: &web,
            path: "org/app",
            repository: true,
        };
        assert!(
            source
                .check(&mut info("https://gitea.example/org/app", "org/app"))
                .is_ok()
        );
        assert!(
            source
                .check(&mut info("https://gitea.example/org/other", "org/other"))
                .is_err()
        );
        let mut foreign = info("https://gitea.example/org/app", "org/app");
        foreign.clone_url = Some("https://evil.example/org/app.git".to_owned());
        assert!(source.check(&mut foreign).is_ok());
        assert_eq!(foreign.clone_url, None);
        let mut own = info("https://gitea.example/org/app", "org/app");
        own.clone_url = Some("https://gitea.example/org/app.git".to_owned());
        assert!(source.check(&mut own).is_ok());
        assert!(own.clone_url.is_some());
    }
}
