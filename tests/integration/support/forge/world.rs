//! The world's content: the builder types tests write ([`World`], [`Account`], [`Repo`]) and
//! the store the running server reads and the fixture's mutations change.

use std::collections::BTreeMap;

use super::ForgeKind;

/// Whether an account is an organisation (a group on GitLab) or a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// A GitHub or Gitea organisation, a GitLab group.
    Organization,
    /// A personal account.
    User,
}

/// A repository as the world holds it: flags, counters and its files on the default branch.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The repository's name (the last part of its path).
    pub name: String,
    /// The default branch, `main` unless set.
    pub default_branch: String,
    /// Archived (read-only) on the forge.
    pub archived: bool,
    /// Private: listed and served only to requests that carry credentials.
    pub private: bool,
    /// A fork of another repository.
    pub fork: bool,
    /// A pull mirror (Gitea's `mirror`).
    pub mirror: bool,
    /// Stars.
    pub stars: u32,
    /// Forks.
    pub forks: u32,
    /// The files at the head of the default branch, by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The commits of the default branch, oldest first, each holding the files; empty, the
    /// repository has one commit by the fixture, dated by its clock.
    pub history: Vec<Commit>,
    /// The web URL the forge answers with instead of the repository's own (`html_url`,
    /// `web_url`): a forge that claims another repository's identity.
    pub claimed_web_url: Option<String>,
    /// The clone URL the forge answers with instead of the repository's own.
    pub claimed_clone_url: Option<String>,
}

/// A commit of a repository's history, with a known author, date and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Author and committer date, in seconds since the Unix epoch (UTC).
    pub at: i64,
    /// The author's (and committer's) e-mail address.
    pub author: String,
    /// Lightweight tags on it.
    pub tags: Vec<String>,
}

impl Commit {
    /// A commit by `author` at `at` (seconds since the Unix epoch).
    pub fn new(at: i64, author: &str) -> Self {
        Self {
            at,
            author: author.to_owned(),
            tags: Vec::new(),
        }
    }

    /// Tags it.
    pub fn tag(mut self, name: &str) -> Self {
        self.tags.push(name.to_owned());
        self
    }
}

impl Repo {
    /// A public repository on `main` without any file.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            default_branch: "main".to_owned(),
            archived: false,
            private: false,
            fork: false,
            mirror: false,
            stars: 0,
            forks: 0,
            files: BTreeMap::new(),
            history: Vec::new(),
            claimed_web_url: None,
            claimed_clone_url: None,
        }
    }

    /// Answers `url` as the repository's web URL.
    pub fn claims_web_url(mut self, url: &str) -> Self {
        self.claimed_web_url = Some(url.to_owned());
        self
    }

    /// Answers `url` as the repository's clone URL.
    pub fn claims_clone_url(mut self, url: &str) -> Self {
        self.claimed_clone_url = Some(url.to_owned());
        self
    }

    /// Sets the default branch.
    pub fn branch(mut self, branch: &str) -> Self {
        branch.clone_into(&mut self.default_branch);
        self
    }

    /// Marks it archived.
    pub fn archived(mut self) -> Self {
        self.archived = true;
        self
    }

    /// Marks it private.
    pub fn private(mut self) -> Self {
        self.private = true;
        self
    }

    /// Marks it a fork.
    pub fn fork(mut self) -> Self {
        self.fork = true;
        self
    }

    /// Marks it a mirror.
    pub fn mirror(mut self) -> Self {
        self.mirror = true;
        self
    }

    /// Sets the stars and forks counters.
    pub fn counts(mut self, stars: u32, forks: u32) -> Self {
        self.stars = stars;
        self.forks = forks;
        self
    }

    /// Adds a file.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_owned(), bytes.into());
        self
    }

    /// Adds a `publiccode.yml` at the root.
    pub fn publiccode(self, bytes: impl Into<Vec<u8>>) -> Self {
        self.file("publiccode.yml", bytes)
    }

    /// Sets the history of its default branch (oldest first), instead of the one commit.
    pub fn history(mut self, commits: impl IntoIterator<Item = Commit>) -> Self {
        self.history = commits.into_iter().collect();
        self
    }
}

/// An account on one forge, with its repositories and (GitLab) its subgroups.
#[derive(Debug, Clone)]
pub struct Account {
    pub(super) forge: ForgeKind,
    name: String,
    kind: AccountKind,
    repos: Vec<Repo>,
    subgroups: Vec<Account>,
}

impl Account {
    /// An organisation on GitHub or Gitea (on GitLab, a group).
    pub fn org(forge: ForgeKind, name: &str) -> Self {
        Self {
            forge,
            name: name.to_owned(),
            kind: AccountKind::Organization,
            repos: Vec::new(),
            subgroups: Vec::new(),
        }
    }

    /// A user on any forge.
    pub fn user(forge: ForgeKind, name: &str) -> Self {
        Self {
            kind: AccountKind::User,
            ..Self::org(forge, name)
        }
    }

    /// A GitLab group.
    pub fn group(name: &str) -> Self {
        Self::org(ForgeKind::GitLab, name)
    }

    /// Adds a repository.
    pub fn repo(mut self, repo: Repo) -> Self {
        self.repos.push(repo);
        self
    }

    /// Adds repositories.
    pub fn repos(mut self, repos: impl IntoIterator<Item = Repo>) -> Self {
        self.repos.extend(repos);
        self
    }

    /// Adds a subgroup (GitLab), itself with repositories and subgroups; its full path is this
    /// group's path, a slash and its name.
    pub fn subgroup(mut self, group: Account) -> Self {
        self.subgroups.push(group);
        self
    }
}

/// The initial content of the fixture: accounts on the API forges and plain git repositories.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub(super) accounts: Vec<Account>,
    pub(super) git: Vec<Repo>,
}

impl World {
    /// An empty world.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an account with its repositories.
    pub fn account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// Adds a plain git repository, served at `{base}/git/{name}.git`.
    pub fn git_repo(mut self, repo: Repo) -> Self {
        self.git.push(repo);
        self
    }
}

/// The start of the fixture's logical clock (2024-01-01T00:00:00Z): creation and update times
/// are deterministic, one minute apart per event.
pub(super) const EPOCH: i64 = 1_704_067_200;

/// A repository in the running world.
#[derive(Debug, Clone)]
pub(super) struct RepoRec {
    pub(super) id: u64,
    /// The full path of its account (a GitLab group path may hold slashes; empty for plain git).
    pub(super) owner: String,
    pub(super) repo: Repo,
    pub(super) created: i64,
    pub(super) updated: i64,
}

impl RepoRec {
    pub(super) fn full_name(&self) -> String {
        if self.owner.is_empty() {
            self.repo.name.clone()
        } else {
            format!("{}/{}", self.owner, self.repo.name)
        }
    }
}

/// An account in the running world.
#[derive(Debug, Clone)]
pub(super) struct AccountRec {
    pub(super) id: u64,
    pub(super) kind: AccountKind,
    pub(super) name: String,
    pub(super) full_path: String,
    pub(super) parent: Option<u64>,
}

/// The world while the server runs.
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) accounts: BTreeMap<(ForgeKind, String), AccountRec>,
    pub(super) repos: BTreeMap<(ForgeKind, String), RepoRec>,
    pub(super) clock: i64,
    pub(super) next_id: u64,
}

impl Store {
    pub(super) fn tick(&mut self) -> i64 {
        self.clock += 60;
        EPOCH + self.clock
    }

    pub(super) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn insert_account(&mut self, account: &Account, parent: Option<(&str, u64)>) {
        let full_path = match parent {
            Some((path, _)) => format!("{path}/{}", account.name),
            None => account.name.clone(),
        };
        let id = self.id();
        self.accounts.insert(
            (account.forge, full_path.clone()),
            AccountRec {
                id,
                kind: account.kind,
                name: account.name.clone(),
                full_path: full_path.clone(),
                parent: parent.map(|(_, id)| id),
            },
        );
        for repo in &account.repos {
            self.insert_repo(account.forge, &full_path, repo.clone());
        }
        for sub in &account.subgroups {
            assert_eq!(
                sub.forge, account.forge,
                "a subgroup lives on its parent's forge"
            );
            self.insert_account(sub, Some((&full_path, id)));
        }
    }

    pub(super) fn insert_repo(&mut self, forge: ForgeKind, owner: &str, repo: Repo) -> RepoRec {
        let id = self.id();
        let now = self.tick();
        let rec = RepoRec {
            id,
            owner: owner.to_owned(),
            repo,
            created: now,
            updated: now,
        };
        self.repos.insert((forge, rec.full_name()), rec.clone());
        rec
    }

    pub(super) fn repo(&self, forge: ForgeKind, full_name: &str) -> Option<&RepoRec> {
        self.repos.get(&(forge, full_name.to_owned()))
    }

    /// A repository to change, by its store key; a test naming none is mistaken.
    pub(super) fn repo_mut(&mut self, forge: ForgeKind, key: &str) -> &mut RepoRec {
        self.repos
            .get_mut(&(forge, key.to_owned()))
            .unwrap_or_else(|| panic!("no repository {key} on {forge:?}"))
    }

    /// A repository a request may see: a private one only with credentials (the forges answer
    /// 404, not 403, rather than reveal it).
    pub(super) fn visible(
        &self,
        forge: ForgeKind,
        full_name: &str,
        authorized: bool,
    ) -> Option<&RepoRec> {
        self.repo(forge, full_name)
            .filter(|rec| authorized || !rec.repo.private)
    }

    pub(super) fn account(&self, forge: ForgeKind, full_path: &str) -> Option<&AccountRec> {
        self.accounts.get(&(forge, full_path.to_owned()))
    }

    /// The repositories of an account, with those of its subgroups at any depth if `deep`,
    /// private ones only for callers with credentials, in id order.
    pub(super) fn repos_of(
        &self,
        forge: ForgeKind,
        owner: &str,
        deep: bool,
        authorized: bool,
    ) -> Vec<&RepoRec> {
        let below = format!("{owner}/");
        self.repos
            .iter()
            .filter(|((f, _), r)| {
                *f == forge
                    && (r.owner == owner || (deep && r.owner.starts_with(&below)))
                    && (authorized || !r.repo.private)
            })
            .map(|(_, r)| r)
            .collect()
    }
}
