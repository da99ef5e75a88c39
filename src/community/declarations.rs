//! Reuse declarations (Annex D of the AgID guidelines): a verified member says "my
//! administration uses this", with the version, since when, whether it was modified and where
//! the variant lives. The owner is told the way the guidelines ask, by an issue on its
//! repository, which riuso prepares (title and body, with the IPA code and the `usedBy` line to
//! add); its address is recorded once opened.
//!
//! The status is a small state machine ([`Status::can_become`]):
//!
//! ```text
//! declared ──▶ notified ──▶ acknowledged
//!     │            │             │
//!     └────────────┴─────────────┴──▶ withdrawn
//! declared ─────────────────▶ acknowledged
//! ```
//!
//! A declaration is acknowledged when a later crawl of the owner's `publiccode.yml` lists the
//! administration in `usedBy` (matched by IPA code, or by the administration's name), or when a
//! member of the owning organisation confirms it here. Every change is kept in
//! `declaration_events`.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, TransactionTrait as _,
};
use url::Url;

use super::entities::{declaration_events, memberships, reuse_declarations, users};
use super::memberships::Status as MembershipStatus;
use super::{CommunityError, mails, now, plain_line};
use crate::catalog::entities::{organisations, repositories, snapshots, software, used_by};
use crate::i18n::Lang;
use crate::mail;

/// Where a declaration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Recorded here; the owner has not been told yet.
    Declared,
    /// The Annex D issue was opened on the owner's repository.
    Notified,
    /// The owner lists the administration in `usedBy`, or confirmed it here.
    Acknowledged,
    /// The administration no longer stands by it.
    Withdrawn,
}

impl Status {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::Notified => "notified",
            Self::Acknowledged => "acknowledged",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The status a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "declared" => Some(Self::Declared),
            "notified" => Some(Self::Notified),
            "acknowledged" => Some(Self::Acknowledged),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }

    /// Whether a declaration in this status may move to `next` (recording a new issue address
    /// while notified is allowed).
    #[must_use]
    pub fn can_become(self, next: Self) -> bool {
        use Status::{Acknowledged, Declared, Notified, Withdrawn};
        matches!(
            (self, next),
            (Declared | Notified, Notified | Acknowledged)
                | (Declared | Notified | Acknowledged, Withdrawn)
        )
    }

    /// Whether the owner still has something to do about it.
    #[must_use]
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Declared | Self::Notified)
    }
}

/// How an acknowledgment came.
pub mod via {
    /// A crawl found the administration in the owner's `usedBy`.
    pub const CRAWL: &str = "crawl";
    /// A member of the owning organisation confirmed it here.
    pub const OWNER: &str = "owner";
}

/// What the declaration form gives.
#[derive(Debug, Clone)]
pub struct NewDeclaration {
    /// The declaring organisation.
    pub organisation_id: i64,
    /// The version or commit in use.
    pub version: String,
    /// In use since.
    pub since: NaiveDate,
    /// Whether the administration modified the software.
    pub modified: bool,
    /// The repository of the modified variant, if any.
    pub variant_url: Option<String>,
    /// A public note.
    pub note: String,
    /// Whom the owner may contact (an office, an address).
    pub contact: String,
}

/// A declaration with what the pages show beside it.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The stored row.
    pub row: reuse_declarations::Model,
    /// Its status.
    pub status: Status,
    /// The declaring organisation.
    pub organisation: organisations::Model,
    /// Who declared it (their name, or "former member").
    pub declared_by: String,
    /// The software's slug.
    pub software_slug: String,
    /// The software's name.
    pub software_name: String,
    /// The software's repository.
    pub repository: String,
    /// The forge the repository is on (`github`, `gitlab`, `gitea`, `git`).
    pub forge: String,
    /// The organisation that publishes the software, if known.
    pub owner_id: Option<i64>,
}

/// A well-formed http(s) URL, for the variant repository and the issue address.
fn web_url(text: &str) -> Option<Url> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

fn validate(form: &NewDeclaration, today: NaiveDate) -> Result<(), CommunityError> {
    if !plain_line(&form.version, 100) {
        return Err(CommunityError::Invalid("declaration.error.version"));
    }
    let earliest = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(NaiveDate::MIN);
    if form.since > today || form.since < earliest {
        return Err(CommunityError::Invalid("declaration.error.since"));
    }
    if let Some(url) = &form.variant_url
        && web_url(url).is_none()
    {
        return Err(CommunityError::Invalid("declaration.error.variant"));
    }
    if form.note.chars().count() > 2000 {
        return Err(CommunityError::Invalid("declaration.error.note"));
    }
    if !plain_line(&form.contact, 200) {
        return Err(CommunityError::Invalid("declaration.error.contact"));
    }
    Ok(())
}

async fn event(
    db: &impl ConnectionTrait,
    declaration_id: i64,
    status: Status,
    user_id: Option<i64>,
    detail: Option<String>,
) -> Result<(), CommunityError> {
    declaration_events::ActiveModel {
        declaration_id: Set(declaration_id),
        status: Set(status.as_str().to_owned()),
        user_id: Set(user_id),
        detail: Set(detail),
        at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Records that organisation `form.organisation_id` uses software `software_id`, declared by
/// `user_id` (whose right to act for it the caller checked); the owning organisation's verified
/// members are told by e-mail. Answers the declaration's id.
///
/// # Errors
///
/// [`CommunityError::Invalid`] for a field that cannot be used; [`CommunityError::Conflict`]
/// when the organisation already has a declaration for it that is not withdrawn;
/// [`CommunityError::NotFound`] for an unknown software.
pub async fn declare(
    db: &DatabaseConnection,
    public_url: &str,
    software_id: i64,
    user_id: i64,
    form: &NewDeclaration,
) -> Result<i64, CommunityError> {
    validate(form, chrono::Utc::now().date_naive())?;
    let txn = db.begin().await?;
    let entry = software::Entity::find_by_id(software_id)
        .one(&txn)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let live = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(reuse_declarations::Column::OrganisationId.eq(form.organisation_id))
        .filter(reuse_declarations::Column::Status.ne(Status::Withdrawn.as_str()))
        .one(&txn)
        .await?;
    if live.is_some() {
        return Err(CommunityError::Conflict("declaration.error.exists"));
    }
    let org = organisations::Entity::find_by_id(form.organisation_id)
        .one(&txn)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let at = now();
    let row = reuse_declarations::ActiveModel {
        software_id: Set(software_id),
        organisation_id: Set(form.organisation_id),
        user_id: Set(user_id),
        version: Set(form.version.trim().to_owned()),
        since: Set(form.since),
        modified: Set(form.modified),
        variant_url: Set(form.variant_url.as_ref().map(|u| u.trim().to_owned())),
        note: Set(form.note.trim().to_owned()),
        contact: Set(form.contact.trim().to_owned()),
        status: Set(Status::Declared.as_str().to_owned()),
        issue_url: Set(None),
        acknowledged_via: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    event(&txn, row.id, Status::Declared, Some(user_id), None).await?;
    // The owner may list the administration already: then there is nothing to notify.
    if let Some(snapshot) = entry.current_snapshot_id {
        acknowledge_from_used_by(&txn, software_id, snapshot).await?;
    }
    if let Some(owner) = entry.organisation_id
        && let Some(code) = organisations::Entity::find_by_id(owner)
            .one(&txn)
            .await?
            .and_then(|o| o.ipa_code)
    {
        let link = format!(
            "{}/publishers/{code}/declarations",
            public_url.trim_end_matches('/')
        );
        for member in owner_members(&txn, owner).await? {
            let (Some(email), Some(lang)) = (&member.email, Lang::from_tag(&member.lang)) else {
                continue;
            };
            mail::enqueue(
                &txn,
                &mails::declared(lang, email, &entry.name, &org.name, &link),
            )
            .await?;
        }
    }
    txn.commit().await?;
    tracing::info!(
        declaration.id = row.id,
        software.id = software_id,
        "reuse declared"
    );
    Ok(row.id)
}

async fn owner_members(
    db: &impl ConnectionTrait,
    org_id: i64,
) -> Result<Vec<users::Model>, CommunityError> {
    let ids: Vec<i64> = memberships::Entity::find()
        .filter(memberships::Column::OrganisationId.eq(org_id))
        .filter(memberships::Column::Status.eq(MembershipStatus::Verified.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .filter(users::Column::DeletedAt.is_null())
        .all(db)
        .await?)
}

async fn moved(
    db: &DatabaseConnection,
    id: i64,
    next: Status,
    user_id: i64,
    change: impl FnOnce(&mut reuse_declarations::ActiveModel),
    detail: Option<String>,
) -> Result<(), CommunityError> {
    let txn = db.begin().await?;
    let row = reuse_declarations::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let current = Status::parse(&row.status).ok_or(CommunityError::NotFound)?;
    if !current.can_become(next) {
        return Err(CommunityError::Conflict("declaration.error.transition"));
    }
    let mut update: reuse_declarations::ActiveModel = row.into();
    update.status = Set(next.as_str().to_owned());
    update.updated_at = Set(now());
    change(&mut update);
    update.update(&txn).await?;
    event(&txn, id, next, Some(user_id), detail).await?;
    txn.commit().await?;
    Ok(())
}

/// Records the address of the Annex D issue (or pull request) opened on the owner's forge: the
/// declaration becomes notified. The address must be on the repository's host.
///
/// # Errors
///
/// [`CommunityError::Invalid`] for an address elsewhere; [`CommunityError::Conflict`] when the
/// declaration is already acknowledged or withdrawn.
pub async fn record_issue(
    db: &DatabaseConnection,
    declaration: &Declaration,
    user_id: i64,
    issue_url: &str,
) -> Result<(), CommunityError> {
    let url = web_url(issue_url).ok_or(CommunityError::Invalid("declaration.error.issue"))?;
    let repository_host = Url::parse(&declaration.repository)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    if url.host_str().map(str::to_owned) != repository_host {
        return Err(CommunityError::Invalid("declaration.error.issue_host"));
    }
    let address = url.to_string();
    moved(
        db,
        declaration.row.id,
        Status::Notified,
        user_id,
        |u| u.issue_url = Set(Some(address.clone())),
        Some(url.to_string()),
    )
    .await
}

/// A member of the owning organisation confirms the declaration.
///
/// # Errors
///
/// [`CommunityError::Conflict`] when it is not pending.
pub async fn acknowledge(
    db: &DatabaseConnection,
    id: i64,
    user_id: i64,
) -> Result<(), CommunityError> {
    moved(
        db,
        id,
        Status::Acknowledged,
        user_id,
        |u| u.acknowledged_via = Set(Some(via::OWNER.to_owned())),
        None,
    )
    .await
}

/// The declaring organisation withdraws it.
///
/// # Errors
///
/// [`CommunityError::Conflict`] when it is withdrawn already.
pub async fn withdraw(
    db: &DatabaseConnection,
    id: i64,
    user_id: i64,
) -> Result<(), CommunityError> {
    moved(db, id, Status::Withdrawn, user_id, |_| {}, None).await
}

/// After a crawl made `snapshot_id` current for `software_id`: every pending declaration of an
/// administration that snapshot's `usedBy` names (matched to an IPA code by the catalog) becomes
/// acknowledged. Runs in the ingest's transaction; answers the declarations acknowledged.
///
/// # Errors
///
/// On a database error.
pub async fn acknowledge_from_used_by(
    db: &impl ConnectionTrait,
    software_id: i64,
    snapshot_id: i64,
) -> Result<Vec<i64>, sea_orm::DbErr> {
    let codes: Vec<String> = used_by::Entity::find()
        .filter(used_by::Column::SnapshotId.eq(snapshot_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.ipa_code)
        .collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let orgs: Vec<i64> = organisations::Entity::find()
        .filter(organisations::Column::IpaCode.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let pending = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(reuse_declarations::Column::OrganisationId.is_in(orgs))
        .filter(
            reuse_declarations::Column::Status
                .is_in([Status::Declared.as_str(), Status::Notified.as_str()]),
        )
        .all(db)
        .await?;
    let mut done = Vec::with_capacity(pending.len());
    for row in pending {
        let id = row.id;
        let mut update: reuse_declarations::ActiveModel = row.into();
        update.status = Set(Status::Acknowledged.as_str().to_owned());
        update.acknowledged_via = Set(Some(via::CRAWL.to_owned()));
        update.updated_at = Set(now());
        update.update(db).await?;
        declaration_events::ActiveModel {
            declaration_id: Set(id),
            status: Set(Status::Acknowledged.as_str().to_owned()),
            user_id: Set(None),
            detail: Set(Some(format!("usedBy of snapshot {snapshot_id}"))),
            at: Set(now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        done.push(id);
    }
    if !done.is_empty() {
        tracing::info!(
            software.id = software_id,
            count = done.len(),
            "declarations acknowledged by a crawl"
        );
    }
    Ok(done)
}

async fn details(
    db: &DatabaseConnection,
    rows: Vec<reuse_declarations::Model>,
    lang: Lang,
) -> Result<Vec<Declaration>, CommunityError> {
    fn ids<T>(
        rows: &[reuse_declarations::Model],
        f: impl Fn(&reuse_declarations::Model) -> T,
    ) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    let orgs: HashMap<i64, organisations::Model> = organisations::Entity::find()
        .filter(organisations::Column::Id.is_in(ids(&rows, |r| r.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let people: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids(&rows, |r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let entries: HashMap<i64, software::Model> = software::Entity::find()
        .filter(software::Column::Id.is_in(ids(&rows, |r| r.software_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let repos: HashMap<i64, repositories::Model> = repositories::Entity::find()
        .filter(repositories::Column::Id.is_in(entries.values().map(|s| s.repository_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    // An entry imported from local files has a `file:` repository: the owner's repository is
    // then the `url` its publiccode.yml declares.
    let local: Vec<i64> = entries
        .values()
        .filter(|s| {
            repos
                .get(&s.repository_id)
                .is_some_and(|r| r.url.starts_with("file:"))
        })
        .filter_map(|s| s.current_snapshot_id)
        .collect();
    let declared_urls: HashMap<i64, String> = if local.is_empty() {
        HashMap::new()
    } else {
        snapshots::Entity::find()
            .filter(snapshots::Column::Id.is_in(local))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|snap| {
                let doc: serde_json::Value =
                    serde_json::from_str(snap.normalized.as_deref()?).ok()?;
                Some((snap.software_id, doc.get("url")?.as_str()?.to_owned()))
            })
            .collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let organisation = orgs.get(&row.organisation_id)?.clone();
            let entry = entries.get(&row.software_id)?;
            let repo = repos.get(&entry.repository_id)?;
            let repository = declared_urls
                .get(&entry.id)
                .cloned()
                .unwrap_or_else(|| repo.url.clone());
            Some(Declaration {
                status: Status::parse(&row.status)?,
                declared_by: super::accounts::shown_name(lang, people.get(&row.user_id)),
                organisation,
                software_slug: entry.slug.clone(),
                software_name: entry.name.clone(),
                repository,
                forge: repo.forge.clone(),
                owner_id: entry.organisation_id,
                row,
            })
        })
        .collect())
}

/// Declaration `id`.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when there is none.
pub async fn get(
    db: &DatabaseConnection,
    id: i64,
    lang: Lang,
) -> Result<Declaration, CommunityError> {
    let row = reuse_declarations::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    details(db, vec![row], lang)
        .await?
        .pop()
        .ok_or(CommunityError::NotFound)
}

/// The declarations of software `software_id` that are not withdrawn, acknowledged first.
///
/// # Errors
///
/// On a database error.
pub async fn of_software(
    db: &DatabaseConnection,
    software_id: i64,
    lang: Lang,
) -> Result<Vec<Declaration>, CommunityError> {
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(reuse_declarations::Column::Status.ne(Status::Withdrawn.as_str()))
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    let mut out = details(db, rows, lang).await?;
    out.sort_by_key(|d| d.status != Status::Acknowledged);
    Ok(out)
}

/// The declarations organisation `org_id` made, not withdrawn.
///
/// # Errors
///
/// On a database error.
pub async fn made_by(
    db: &DatabaseConnection,
    org_id: i64,
    lang: Lang,
) -> Result<Vec<Declaration>, CommunityError> {
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::OrganisationId.eq(org_id))
        .filter(reuse_declarations::Column::Status.ne(Status::Withdrawn.as_str()))
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    details(db, rows, lang).await
}

/// The pending declarations of the software organisation `owner_id` publishes, by software.
///
/// # Errors
///
/// On a database error.
pub async fn pending_for_owner(
    db: &DatabaseConnection,
    owner_id: i64,
    lang: Lang,
) -> Result<Vec<Declaration>, CommunityError> {
    for_owner(db, owner_id, &[Status::Declared, Status::Notified], lang).await
}

/// The declarations that stand of the software organisation `owner_id` publishes, by software.
///
/// # Errors
///
/// On a database error.
pub async fn received_by(
    db: &DatabaseConnection,
    owner_id: i64,
    lang: Lang,
) -> Result<Vec<Declaration>, CommunityError> {
    let standing = [Status::Declared, Status::Notified, Status::Acknowledged];
    for_owner(db, owner_id, &standing, lang).await
}

async fn for_owner(
    db: &DatabaseConnection,
    owner_id: i64,
    statuses: &[Status],
    lang: Lang,
) -> Result<Vec<Declaration>, CommunityError> {
    let software_ids: Vec<i64> = software::Entity::find()
        .filter(software::Column::OrganisationId.eq(owner_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.is_in(software_ids))
        .filter(reuse_declarations::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(reuse_declarations::Column::SoftwareId)
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    details(db, rows, lang).await
}

/// The `usedBy` names of the current snapshot of `software_id`.
///
/// # Errors
///
/// On a database error.
pub async fn current_used_by(
    db: &DatabaseConnection,
    software_id: i64,
) -> Result<Vec<String>, CommunityError> {
    let Some(snapshot) = software::Entity::find_by_id(software_id)
        .one(db)
        .await?
        .and_then(|s| s.current_snapshot_id)
    else {
        return Ok(Vec::new());
    };
    Ok(used_by::Entity::find()
        .filter(used_by::Column::SnapshotId.eq(snapshot))
        .order_by_asc(used_by::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect())
}

/// The Annex D notification, ready to open on the owner's forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The issue's title.
    pub title: String,
    /// The issue's body (Markdown).
    pub body: String,
    /// The line to add under `usedBy` in the owner's `publiccode.yml`.
    pub used_by_line: String,
    /// The forge's "new issue" page with title and body filled in, when the forge has one that
    /// takes them.
    pub new_issue_url: Option<String>,
}

/// The Annex D notice of `d`, in Italian (the language of the owner's repository, usually),
/// linking back to `public_url`.
#[must_use]
pub fn notice(d: &Declaration, public_url: &str) -> Notice {
    let code = d.organisation.ipa_code.clone().unwrap_or_default();
    let used_by_line = format!("  - {}", d.organisation.name);
    let title = format!("Dichiarazione di riuso: {}", d.organisation.name);
    let modified = if d.row.modified {
        match &d.row.variant_url {
            Some(url) => format!("sì, variante in {url}"),
            None => "sì".to_owned(),
        }
    } else {
        "no".to_owned()
    };
    let mut body = format!(
        "Ai sensi dell'Allegato D delle Linee guida AgID su acquisizione e riuso di software per \
         le PA, notifichiamo l'adozione in riuso di {software}.\n\n\
         - Amministrazione: {org} (codice IPA `{code}`)\n\
         - Versione o commit: {version}\n\
         - In uso dal: {since}\n\
         - Modificato: {modified}\n\
         - Contatto: {contact}\n",
        software = d.software_name,
        org = d.organisation.name,
        version = d.row.version,
        since = d.row.since,
        contact = d.row.contact,
    );
    if !d.row.note.is_empty() {
        body.push_str(&format!("\n{}\n", d.row.note));
    }
    body.push_str(&format!(
        "\nVi chiediamo di aggiungere l'amministrazione a `usedBy` nel `publiccode.yml`:\n\n\
         ```yaml\nusedBy:\n{used_by_line}\n```\n\n\
         Dichiarazione registrata su riuso: {}/declarations/{}\n",
        public_url.trim_end_matches('/'),
        d.row.id
    ));
    let new_issue_url = new_issue_url(&d.forge, &d.repository, &title, &body);
    Notice {
        title,
        body,
        used_by_line,
        new_issue_url,
    }
}

/// The forge's page for a new issue with `title` and `body` filled in: GitHub and Gitea/Forgejo
/// take `title` and `body`, GitLab `issue[title]` and `issue[description]`.
fn new_issue_url(forge: &str, repository: &str, title: &str, body: &str) -> Option<String> {
    let base = web_url(repository)?;
    let path = base
        .path()
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .to_owned();
    // An entry imported from files, or reached as plain git, does not say its forge: the
    // well-known hosts do.
    let forge = match (forge, base.host_str()) {
        ("github" | "gitea" | "gitlab", _) => forge,
        (_, Some("github.com")) => "github",
        (_, Some("gitlab.com")) => "gitlab",
        (_, Some("codeberg.org")) => "gitea",
        _ => return None,
    };
    let (suffix, title_key, body_key) = match forge {
        "gitlab" => ("/-/issues/new", "issue[title]", "issue[description]"),
        _ => ("/issues/new", "title", "body"),
    };
    let mut url = base;
    url.set_path(&format!("{path}{suffix}"));
    url.set_fragment(None);
    url.query_pairs_mut()
        .clear()
        .append_pair(title_key, title)
        .append_pair(body_key, body);
    Some(url.to_string())
}

/// The change to `usedBy` that lists every administration in `adding` beside those already in
/// `current`, as a unified diff of that section.
#[must_use]
pub fn used_by_patch(current: &[String], adding: &[String]) -> String {
    let mut out = String::from(" usedBy:\n");
    for name in current {
        out.push_str(&format!("   - {name}\n"));
    }
    let known: Vec<String> = current.iter().map(|n| n.trim().to_lowercase()).collect();
    for name in adding {
        if !known.contains(&name.trim().to_lowercase()) {
            out.push_str(&format!("+  - {name}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine() {
        use Status::*;
        assert!(Declared.can_become(Notified));
        assert!(Notified.can_become(Notified));
        assert!(Declared.can_become(Acknowledged));
        assert!(Acknowledged.can_become(Withdrawn));
        assert!(!Acknowledged.can_become(Notified));
        assert!(!Withdrawn.can_become(Declared));
        assert!(!Withdrawn.can_become(Acknowledged));
        assert!(!Withdrawn.can_become(Withdrawn));
        for s in [Declared, Notified, Acknowledged, Withdrawn] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn new_issue_pages_per_forge() {
        let gh =
            new_issue_url("github", "https://github.com/link-it/govpay", "T", "a b&c").unwrap();
        assert_eq!(
            gh,
            "https://github.com/link-it/govpay/issues/new?title=T&body=a+b%26c"
        );
        let gl = new_issue_url("gitlab", "https://gitlab.com/g/sub/p.git", "T", "B").unwrap();
        assert_eq!(
            gl,
            "https://gitlab.com/g/sub/p/-/issues/new?issue%5Btitle%5D=T&issue%5Bdescription%5D=B"
        );
        let gt = new_issue_url("gitea", "https://codeberg.org/o/r/", "T", "B").unwrap();
        assert_eq!(gt, "https://codeberg.org/o/r/issues/new?title=T&body=B");
        assert_eq!(
            new_issue_url("git", "https://example.org/r.git", "T", "B"),
            None
        );
    }

    #[test]
    fn the_used_by_patch_adds_only_who_is_missing() {
        let patch = used_by_patch(
            &["Comune di Milano".to_owned()],
            &[
                "comune di milano".to_owned(),
                "Comune di Bologna".to_owned(),
            ],
        );
        assert_eq!(
            patch,
            " usedBy:\n   - Comune di Milano\n+  - Comune di Bologna\n"
        );
    }

    #[test]
    fn declarations_are_validated() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let ok = NewDeclaration {
            organisation_id: 1,
            version: "2.1.0".to_owned(),
            since: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            modified: true,
            variant_url: Some("https://gitlab.example.org/c/fork".to_owned()),
            note: String::new(),
            contact: "ced@comune.example.it".to_owned(),
        };
        assert!(validate(&ok, today).is_ok());
        let bad = |f: fn(&mut NewDeclaration)| {
            let mut d = ok.clone();
            f(&mut d);
            validate(&d, today).unwrap_err().message_key()
        };
        assert_eq!(
            bad(|d| d.version = " ".into()),
            Some("declaration.error.version")
        );
        assert_eq!(
            bad(|d| d.since = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            Some("declaration.error.since")
        );
        assert_eq!(
            bad(|d| d.variant_url = Some("javascript:alert(1)".into())),
            Some("declaration.error.variant")
        );
        assert_eq!(
            bad(|d| d.contact = "a\nb".into()),
            Some("declaration.error.contact")
        );
        assert_eq!(
            bad(|d| d.note = "x".repeat(2001)),
            Some("declaration.error.note")
        );
    }
}
