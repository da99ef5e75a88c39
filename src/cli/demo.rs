//! `riuso demo PATH...`: the demo catalog `make run` serves.
//!
//! 1. The real `publiccode.yml` files under `PATH...` are imported as local files.
//! 2. A few of them become local git repositories with a history made here (several authors
//!    over the last weeks, release tags, three versions of the file), crawled after each
//!    version through `file://` URLs: their entries have a snapshot history, a diff between
//!    versions and a vitality index computed from their commits, as a forge's would.
//! 3. A demo account of the Comune di Milano, verified and confirmed as member through the
//!    links riuso e-mails (read from the outbox), declares that Milano reuses the payments
//!    layer of the Comune di Montesilvano (`GovPay-Interaction-Layer`); the last version of its
//!    file lists Milano in `usedBy`, and its crawl acknowledges the declaration.
//! 4. The community of `ComunicaPA` (`community::forum::demo`), with its people, threads and
//!    release matrix, and two art. 68 reuse cases (`cases::demo`), one finished, one in
//!    progress.
//!
//! Steps 2 and 3 run once per database: when the demo account exists, only the files are
//! imported again (unchanged files change nothing); step 4 when not loaded yet.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use crate::community::accounts::{self, Hashing, SignUp};
use crate::community::declarations::{self, NewDeclaration};
use crate::community::memberships;
use crate::community::roles::OrgRole;
use crate::config::Config;
use crate::crawl::sources;
use crate::db;
use crate::i18n::Lang;
use crate::ipa::Registry;
use crate::mail::outbox;

use super::{crawl, import};

/// Arguments of `riuso demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Real publiccode.yml files, or directories of them, imported as local files.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The directory holding the files the demo's git repositories are made of.
    #[arg(long, value_name = "DIR", default_value = "demo")]
    pub repositories: PathBuf,

    /// Where the demo's git repositories are made [default: `RIUSO_DATA_DIR`/demo].
    #[arg(long, value_name = "DIR")]
    pub work: Option<PathBuf>,
}

/// The demo account's address and password, printed at the end for whoever runs the demo.
pub const ACCOUNT: &str = "referente@comune.milano.example";
const PASSWORD: &str = "riuso-demo-2026";
/// The administration the demo account acts for, and the one whose software it reuses.
const MEMBER_OF: &str = "c_f205";
const REUSED: &str = "GovPay-Interaction-Layer";

/// A demo repository: the file it is made of, and the versions it went through before it.
struct Repository {
    /// The file under `--repositories`: the repository's last version.
    file: &'static str,
    /// The repository's name.
    name: &'static str,
    /// Earlier `softwareVersion` and `releaseDate`, oldest first.
    earlier: [(&'static str, &'static str); 2],
    /// An administration the last version adds to `usedBy`, if any.
    adds_user: Option<&'static str>,
    /// How busy the repository is: a commit every `every` days, by this many authors.
    every: usize,
    authors: usize,
}

const REPOSITORIES: [Repository; 3] = [
    Repository {
        file: "Comune-di-Montesilvano__GovPay-Interaction-Layer.yml",
        name: REUSED,
        earlier: [("1.5.45", "2026-07-10"), ("1.5.46", "2026-07-28")],
        adds_user: Some("Comune di Milano"),
        every: 1,
        authors: 3,
    },
    Repository {
        file: "Comune-di-Montesilvano__ComunicaPA.yml",
        name: "ComunicaPA",
        earlier: [("v1.5.6", "2026-06-20"), ("v1.5.7", "2026-07-15")],
        adds_user: None,
        every: 2,
        authors: 2,
    },
    Repository {
        file: "Comune-Milano__geoworks-mi.yml",
        name: "geoworks-mi",
        earlier: [("4.3.0.0", "2020-03-02"), ("4.3.1.0", "2020-06-15")],
        adds_user: None,
        every: 5,
        authors: 1,
    },
];

/// The people who commit to the demo repositories.
const AUTHORS: [(&str, &str); 3] = [
    ("Anna Ferri", "anna.ferri@comune.example"),
    ("Marco Gallo", "marco.gallo@fornitore.example"),
    ("Giulia Conti", "giulia.conti@comune.example"),
];

/// Runs the command; returns the exit code (1 when something of the demo could not be loaded).
///
/// # Errors
///
/// Fails when the database fails, a file cannot be read, `git` cannot run, or the
/// configuration names no IPA registry (the demo's is `demo/ipa-registry.tsv`).
pub fn run(args: &Args, config: &Config) -> anyhow::Result<u8> {
    let Some(registry_path) = &config.ipa_registry else {
        bail!("the demo needs RIUSO_IPA_REGISTRY (the demo's registry is demo/ipa-registry.tsv)");
    };
    let registry = Registry::load(registry_path)?;
    let crawled: Vec<&str> = REPOSITORIES.iter().map(|r| r.file).collect();
    // A file the demo crawls from its own repository is not imported as well.
    let files: Vec<PathBuf> = import::collect(&args.paths)?
        .into_iter()
        .filter(|f| {
            !f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| crawled.contains(&n))
        })
        .collect();
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let summary = import::import(&files, config, true).await?;
        println!(
            "demo: {} files imported ({} new, {} updated, {} unchanged, {} invalid, {} failed)",
            files.len(),
            summary.new,
            summary.updated,
            summary.unchanged,
            summary.invalid,
            summary.failed.len()
        );
        let conn = db::open(&config.database_url).await?;
        let loaded = accounts::by_email(&conn, ACCOUNT).await?.is_some();
        let failed = if loaded {
            println!("demo: the repositories and the declaration are already loaded");
            false
        } else {
            let work = args
                .work
                .clone()
                .unwrap_or_else(|| config.data_dir.join("demo"));
            repositories_and_declaration(&conn, config, &registry, &args.repositories, &work)
                .await?
        };
        // The community of ComunicaPA, once (it says whether it loaded it).
        let community = crate::community::forum::demo::load(&conn, &config.public_url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot load the demo community: {e}"))?;
        if community {
            println!("demo: the community of ComunicaPA loaded");
        }
        // Two reuse cases, a finished one and one in progress, once.
        if let Some(cases) =
            crate::cases::demo::load(&conn, &config.public_url, chrono::Utc::now()).await?
        {
            println!(
                "demo: reuse cases loaded: /cases/{} (finished), /cases/{} (in progress)",
                cases.finished, cases.in_progress
            );
        }
        conn.close().await?;
        println!(
            "demo: sign in as {ACCOUNT}, password {PASSWORD} (a member of the Comune di Milano)"
        );
        println!(
            "demo: or as ada@montesilvano.example.invalid or bruno@bologna.example.invalid, \
             password {} (the community's coordinator and a member)",
            crate::community::forum::demo::PASSWORD
        );
        anyhow::Ok(u8::from(failed || !summary.failed.is_empty()))
    })
}

/// Makes the repositories, crawls each of their three versions, and the declaration between the
/// second and the third. Answers whether a crawl reported a failure.
async fn repositories_and_declaration(
    conn: &DatabaseConnection,
    config: &Config,
    registry: &Registry,
    from: &Path,
    work: &Path,
) -> anyhow::Result<bool> {
    let repos = work.join("repositories");
    if repos.exists() {
        std::fs::remove_dir_all(&repos)
            .with_context(|| format!("cannot empty {}", repos.display()))?;
    }
    std::fs::create_dir_all(&repos)
        .with_context(|| format!("cannot create {}", repos.display()))?;
    let repos = repos
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", repos.display()))?;
    let mut listing = String::from("publishers:\n  - name: Demo\n    repositories:\n");
    let mut finals = Vec::with_capacity(REPOSITORIES.len());
    for repo in &REPOSITORIES {
        let path = from.join(repo.file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        finals.push(text);
        listing.push_str(&format!(
            "      - file://{}\n",
            repos.join(repo.name).display()
        ));
    }
    let sources = sources::parse(listing.as_bytes())?;
    // The demo's own repositories are on this disk: its crawls may read them.
    let config = Config {
        fetch_files: true,
        ..config.clone()
    };
    let now = Utc::now();
    let mut failed = false;
    for step in 0..3 {
        for (repo, last) in REPOSITORIES.iter().zip(&finals) {
            let dir = repos.join(repo.name);
            let (text, tag) = match repo.earlier.get(step) {
                Some((version, date)) => (earlier_version(last, version, date), *version),
                None => (last_version(last, repo.adds_user), "HEAD"),
            };
            // Each version gets three weeks of work, the last one ending today.
            let start = now - Duration::days(63 - 21 * step as i64);
            commit_version(repo, &dir, &text, start, tag, step)?;
        }
        if step == 2 {
            declare(conn, &config, registry).await?;
        }
        let report =
            crawl::crawl_once(conn, &config, &sources, crate::worker::LANES, || {}).await?;
        crawl::print_report(&format!("demo: crawl {} of 3", step + 1), &report);
        failed |= crawl::failed(&report);
    }
    Ok(failed)
}

/// `last` with another top-level `softwareVersion` and `releaseDate`.
fn earlier_version(last: &str, version: &str, date: &str) -> String {
    last.lines()
        .map(|line| {
            if line.starts_with("softwareVersion:") {
                format!("softwareVersion: \"{version}\"")
            } else if line.starts_with("releaseDate:") {
                format!("releaseDate: \"{date}\"")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `last`, with `adds_user` first in its top-level `usedBy` list.
fn last_version(last: &str, adds_user: Option<&str>) -> String {
    let Some(user) = adds_user else {
        return last.to_owned();
    };
    let mut out = String::with_capacity(last.len() + user.len() + 8);
    for line in last.lines() {
        out.push_str(line);
        out.push('\n');
        if line.trim_end() == "usedBy:" {
            out.push_str(&format!("  - {user}\n"));
        }
    }
    out
}

/// Commits to `dir` (made on the first step) three weeks of `repo`'s changelog work, then
/// `text` as its `publiccode.yml`, tagged `tag` unless it is `HEAD`.
fn commit_version(
    repo: &Repository,
    dir: &Path,
    text: &str,
    start: chrono::DateTime<Utc>,
    tag: &str,
    step: usize,
) -> anyhow::Result<()> {
    if step == 0 {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        git(
            dir,
            &["init", "--quiet", "--initial-branch", "main"],
            None,
            0,
        )?;
    }
    let changelog = dir.join("CHANGELOG.md");
    for day in 0..21 {
        if day % repo.every != 0 {
            continue;
        }
        let at = start + Duration::days(day as i64) + Duration::hours(9 + (day % 7) as i64);
        let author = (day + step) % repo.authors;
        let mut log = std::fs::read_to_string(&changelog).unwrap_or_default();
        log.push_str(&format!(
            "- {}: {}\n",
            at.format("%Y-%m-%d"),
            CHANGES[(day * 7 + step) % CHANGES.len()]
        ));
        std::fs::write(&changelog, log)
            .with_context(|| format!("cannot write {}", changelog.display()))?;
        git(dir, &["add", "CHANGELOG.md"], None, author)?;
        git(
            dir,
            &[
                "commit",
                "--quiet",
                "-m",
                CHANGES[(day * 7 + step) % CHANGES.len()],
            ],
            Some(at),
            author,
        )?;
    }
    let file = dir.join("publiccode.yml");
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    let at = start + Duration::days(20) + Duration::hours(17);
    git(dir, &["add", "publiccode.yml"], None, 0)?;
    git(
        dir,
        &["commit", "--quiet", "-m", "publiccode.yml: the new release"],
        Some(at),
        0,
    )?;
    if tag != "HEAD" {
        git(dir, &["tag", tag], Some(at), 0)?;
    }
    Ok(())
}

/// What the changelog says was done.
const CHANGES: [&str; 8] = [
    "Corretto l'ordinamento delle pendenze",
    "Aggiornate le dipendenze",
    "Migliorata l'accessibilità del modulo di ricerca",
    "Aggiunti test di integrazione",
    "Documentata l'installazione con Docker Compose",
    "Corretto un errore nella rendicontazione",
    "Tradotti i messaggi in inglese",
    "Ridotti i tempi di avvio",
];

/// Runs `git` in `dir` as the `author`-th demo author, dated `at` when given.
fn git(
    dir: &Path,
    args: &[&str],
    at: Option<chrono::DateTime<Utc>>,
    author: usize,
) -> anyhow::Result<()> {
    let (name, email) = AUTHORS[author % AUTHORS.len()];
    let mut command = Command::new("git");
    command
        .arg("-c")
        .arg(format!("user.name={name}"))
        .arg("-c")
        .arg(format!("user.email={email}"))
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null());
    if let Some(at) = at {
        let date = format!("@{} +0000", at.timestamp());
        command
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
    }
    let out = command
        .output()
        .context("cannot run git (the demo makes its repositories with it)")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// The demo account signs up, verifies its address, is confirmed as a member of the Comune di
/// Milano and declares that Milano reuses `GovPay-Interaction-Layer`: each step as a person
/// would take it, following the links riuso e-mails (read from the outbox, as without SMTP).
async fn declare(
    conn: &DatabaseConnection,
    config: &Config,
    registry: &Registry,
) -> anyhow::Result<()> {
    let hashing = Hashing::new(config.max_hashes, config.hash_wait);
    let form = SignUp {
        email: ACCOUNT.to_owned(),
        display_name: "Referente riuso, Comune di Milano".to_owned(),
        password: PASSWORD.to_owned(),
        lang: Lang::It,
    };
    if accounts::sign_up(conn, &hashing, &config.public_url, &form)
        .await?
        .is_none()
    {
        bail!("the demo account {ACCOUNT} exists already");
    }
    let token = emailed_token(conn, ACCOUNT, "account/verify").await?;
    let user = accounts::verify_email(conn, &token).await?;
    let Some(address) = registry.get(MEMBER_OF).and_then(|e| e.email.clone()) else {
        bail!("the IPA registry has no address for {MEMBER_OF}");
    };
    memberships::claim(
        conn,
        registry,
        &config.public_url,
        &user,
        MEMBER_OF,
        OrgRole::Admin,
    )
    .await?;
    let token = emailed_token(conn, &address, "memberships/confirm").await?;
    let membership = memberships::confirm(conn, &token).await?;
    let software = reused_entry(conn).await?;
    declarations::declare(
        conn,
        &config.public_url,
        software,
        user.id,
        &NewDeclaration {
            organisation_id: membership.organisation_id,
            version: REPOSITORIES[0].earlier[1].0.to_owned(),
            since: (Utc::now() - Duration::days(30)).date_naive(),
            modified: false,
            variant_url: None,
            note: "In uso per i pagamenti pagoPA dei servizi scolastici.".to_owned(),
            contact: "Direzione Sistemi Informativi".to_owned(),
        },
    )
    .await?;
    Ok(())
}

/// The entry the demo crawled from the repository the declaration is about.
async fn reused_entry(conn: &DatabaseConnection) -> anyhow::Result<i64> {
    use crate::catalog::entities::{repositories, software};
    let missing = || "the demo's crawl did not store the GovPay Interaction Layer";
    let repository = repositories::Entity::find()
        .filter(repositories::Column::Url.ends_with(format!("/{REUSED}")))
        .order_by_desc(repositories::Column::Id)
        .one(conn)
        .await?
        .with_context(missing)?;
    let entry = software::Entity::find()
        .filter(software::Column::RepositoryId.eq(repository.id))
        .one(conn)
        .await?
        .with_context(missing)?;
    Ok(entry.id)
}

/// The token of the newest link to `path` e-mailed to `to`.
async fn emailed_token(conn: &DatabaseConnection, to: &str, path: &str) -> anyhow::Result<String> {
    let message = outbox::Entity::find()
        .filter(outbox::Column::Recipient.eq(to))
        .order_by_desc(outbox::Column::Id)
        .one(conn)
        .await?
        .with_context(|| format!("no e-mail to {to} in the outbox"))?;
    let marker = format!("/{path}/");
    let at = message
        .body_text
        .find(&marker)
        .with_context(|| format!("the e-mail to {to} has no link to /{path}"))?;
    let token: String = message.body_text[at + marker.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if token.is_empty() {
        bail!("the e-mail to {to} has an empty link to /{path}");
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "name: X\nsoftwareVersion: 1.0\nreleaseDate: 2024-01-01\nusedBy:\n  - A\n";

    #[test]
    fn earlier_versions_change_only_version_and_date() {
        assert_eq!(
            earlier_version(FILE, "0.9", "2023-05-06"),
            "name: X\nsoftwareVersion: \"0.9\"\nreleaseDate: \"2023-05-06\"\nusedBy:\n  - A\n"
        );
    }

    #[test]
    fn the_last_version_adds_its_user_first() {
        assert_eq!(
            last_version(FILE, Some("Comune di Milano")),
            "name: X\nsoftwareVersion: 1.0\nreleaseDate: 2024-01-01\nusedBy:\n  - Comune di Milano\n  - A\n"
        );
        assert_eq!(last_version(FILE, None), FILE);
    }
}
