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
    DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _, SqlErr, TransactionTrait as _,
};
use url::Url;

use super::entities::{declaration_events, memberships, reuse_declarations, users};
use super::memberships::Status as MembershipStatus;
use super::{CommunityError, mails, now, plain_line};
use crate::catalog::{organisations, reuse};
use crate::i18n::Lang;
use crate::mail::{self, MailError};

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
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Declared,
        Self::Notified,
        Self::Acknowledged,
        Self::Withdrawn,
    ];

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
    pub organisation: crate::catalog::entities::organisations::Model,
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
) -> Result<(), DbErr> {
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
/// [`CommunityError::Invalid`] for a field that cannot be used or a declaration of one's own
/// software; [`CommunityError::Conflict`] when the organisation already has a declaration for it
/// that is not withdrawn; [`CommunityError::NotFound`] for an unknown software.
pub async fn declare(
    db: &DatabaseConnection,
    public_url: &str,
    software_id: i64,
    user_id: i64,
    form: &NewDeclaration,
) -> Result<i64, CommunityError> {
    validate(form, chrono::Utc::now().date_naive())?;
    let txn = db.begin().await?;
    let entry = reuse::entries(&txn, [software_id])
        .await?
        .remove(&software_id)
        .ok_or(CommunityError::NotFound)?;
    if entry.owner_id == Some(form.organisation_id) {
        return Err(CommunityError::Invalid("declaration.error.own"));
    }
    let org = organisations::by_ids(&txn, [form.organisation_id])
        .await?
        .remove(&form.organisation_id)
        .ok_or(CommunityError::NotFound)?;
    let at = now();
    let inserted = reuse_declarations::ActiveModel {
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
    .await;
    // A unique index allows one declaration that stands per administration and software.
    let row = match inserted {
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(CommunityError::Conflict("declaration.error.exists"));
        }
        other => other?,
    };
    event(&txn, row.id, Status::Declared, Some(user_id), None).await?;
    // The owner may list the administration already: then there is nothing to notify.
    if let Some(snapshot) = entry.current_snapshot_id {
        acknowledge_from_used_by(&txn, software_id, snapshot).await?;
    }
    if let Some(owner) = entry.owner_id
        && let Some(code) = organisations::by_ids(&txn, [owner])
            .await?
            .remove(&owner)
            .and_then(|o| o.ipa_code)
    {
        let link = format!(
            "{}/publishers/{code}/declarations",
            public_url.trim_end_matches('/')
        );
        for member in owner_members(&txn, owner).await? {
            let Some(email) = &member.email else { continue };
            let lang = Lang::from_tag(&member.lang).unwrap_or_default();
            let message = mails::declared(lang, email, &entry.name, &org.name, &link);
            match mail::enqueue(&txn, &message).await {
                Ok(_) => {}
                // Someone else's unusable address does not stop the declaration.
                Err(MailError::Build(_)) => {
                    tracing::warn!(
                        user.id = member.id,
                        "an owner member's address cannot be mailed"
                    );
                }
                Err(e) => return Err(e.into()),
            }
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

/// Moves declaration `id` to `next` if its current status allows it, in one conditional update
/// (a withdrawal and a crawl at the same moment cannot both win); answers whether it moved.
async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    next: Status,
    change: reuse_declarations::ActiveModel,
) -> Result<bool, DbErr> {
    let from: Vec<&str> = Status::ALL
        .into_iter()
        .filter(|s| s.can_become(next))
        .map(Status::as_str)
        .collect();
    let mut change = change;
    change.status = Set(next.as_str().to_owned());
    change.updated_at = Set(now());
    let done = reuse_declarations::Entity::update_many()
        .set(change)
        .filter(reuse_declarations::Column::Id.eq(id))
        .filter(reuse_declarations::Column::Status.is_in(from))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

async fn moved(
    db: &DatabaseConnection,
    id: i64,
    next: Status,
    user_id: i64,
    change: reuse_declarations::ActiveModel,
    detail: Option<String>,
) -> Result<(), CommunityError> {
    let txn = db.begin().await?;
    if !transition(&txn, id, next, change).await? {
        let exists = reuse_declarations::Entity::find_by_id(id).one(&txn).await?;
        return Err(match exists {
            Some(_) => CommunityError::Conflict("declaration.error.transition"),
            None => CommunityError::NotFound,
        });
    }
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
    let change = reuse_declarations::ActiveModel {
        issue_url: Set(Some(url.to_string())),
        ..Default::default()
    };
    moved(
        db,
        declaration.row.id,
        Status::Notified,
        user_id,
        change,
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
    let change = reuse_declarations::ActiveModel {
        acknowledged_via: Set(Some(via::OWNER.to_owned())),
        ..Default::default()
    };
    moved(db, id, Status::Acknowledged, user_id, change, None).await
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
    let change = <reuse_declarations::ActiveModel as Default>::default();
    moved(db, id, Status::Withdrawn, user_id, change, None).await
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
) -> Result<Vec<i64>, DbErr> {
    // Most entries have no pending declaration: one indexed query settles them.
    let pending = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(
            reuse_declarations::Column::Status
                .is_in([Status::Declared.as_str(), Status::Notified.as_str()]),
        )
        .all(db)
        .await?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let codes = reuse::used_by(db, snapshot_id)
        .await?
        .into_iter()
        .filter_map(|(_, code)| code)
        .collect();
    let orgs = organisations::ids_of_codes(db, codes).await?;
    let mut done = Vec::new();
    for row in pending
        .into_iter()
        .filter(|d| orgs.contains(&d.organisation_id))
    {
        let change = reuse_declarations::ActiveModel {
            acknowledged_via: Set(Some(via::CRAWL.to_owned())),
            ..Default::default()
        };
        if transition(db, row.id, Status::Acknowledged, change).await? {
            let detail = format!("usedBy of snapshot {snapshot_id}");
            event(db, row.id, Status::Acknowledged, None, Some(detail)).await?;
            done.push(row.id);
        }
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
    let orgs = organisations::by_ids(db, rows.iter().map(|r| r.organisation_id)).await?;
    let people: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let entries = reuse::entries(db, rows.iter().map(|r| r.software_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let entry = entries.get(&row.software_id)?;
            Some(Declaration {
                status: Status::parse(&row.status)?,
                declared_by: super::accounts::shown_name(lang, people.get(&row.user_id)),
                organisation: orgs.get(&row.organisation_id)?.clone(),
                software_slug: entry.slug.clone(),
                software_name: entry.name.clone(),
                repository: entry.repository.clone(),
                forge: entry.forge.clone(),
                owner_id: entry.owner_id,
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
    let software_ids = reuse::published_by(db, owner_id).await?;
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.is_in(software_ids))
        .filter(reuse_declarations::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(reuse_declarations::Column::SoftwareId)
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    details(db, rows, lang).await
}

/// The pending declarations of one software of an owner, with the change to its `usedBy` that
/// acknowledges them all.
#[derive(Debug, Clone)]
pub struct PendingSoftware {
    /// The software's slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The `usedBy` section, as a diff adding each declaring administration.
    pub patch: String,
    /// The declarations waiting.
    pub declarations: Vec<Declaration>,
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
) -> Result<Vec<PendingSoftware>, CommunityError> {
    let pending = [Status::Declared, Status::Notified];
    let mut out: Vec<PendingSoftware> = Vec::new();
    for d in for_owner(db, owner_id, &pending, lang).await? {
        match out.last_mut() {
            Some(group) if group.slug == d.software_slug => group.declarations.push(d),
            _ => out.push(PendingSoftware {
                slug: d.software_slug.clone(),
                name: d.software_name.clone(),
                patch: String::new(),
                declarations: vec![d],
            }),
        }
    }
    for group in &mut out {
        let Some(first) = group.declarations.first() else {
            continue;
        };
        let entry = reuse::entries(db, [first.row.software_id]).await?;
        let current: Vec<String> = match entry
            .get(&first.row.software_id)
            .and_then(|e| e.current_snapshot_id)
        {
            Some(snapshot) => reuse::used_by(db, snapshot)
                .await?
                .into_iter()
                .map(|(name, _)| name)
                .collect(),
            None => Vec::new(),
        };
        let adding: Vec<String> = group
            .declarations
            .iter()
            .map(|d| d.organisation.name.clone())
            .collect();
        group.patch = used_by_patch(&current, &adding);
    }
    Ok(out)
}

/// The organisations `user` may declare reuse for: (id, name).
///
/// # Errors
///
/// On a database error.
pub async fn declarable_for(
    db: &DatabaseConnection,
    user: &users::Model,
    lang: Lang,
) -> Result<Vec<(i64, String)>, CommunityError> {
    let actor = super::authz::Actor::of(db, user).await?;
    Ok(super::memberships::of_user(db, user.id, lang)
        .await?
        .into_iter()
        .filter(|m| {
            super::authz::check(
                Some(&actor),
                super::authz::Action::Declare(m.organisation_id),
            )
            .is_ok()
        })
        .map(|m| (m.organisation_id, m.organisation))
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

/// The Annex D notice of `d`, linking back to `public_url`. It is in Italian, the language of
/// the owners' repositories and of the guidelines (`annex.*` in `locales/it.toml`).
#[must_use]
pub fn notice(d: &Declaration, public_url: &str) -> Notice {
    let lang = Lang::It;
    let code = d.organisation.ipa_code.clone().unwrap_or_default();
    let used_by_line = format!("  - {}", d.organisation.name);
    let modified = match (d.row.modified, &d.row.variant_url) {
        (true, Some(url)) => lang.tf("annex.modified_variant", &[("url", url)]),
        (true, None) => lang.t("annex.modified_yes").to_owned(),
        (false, _) => lang.t("annex.modified_no").to_owned(),
    };
    let note = if d.row.note.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", d.row.note)
    };
    let title = lang.tf("annex.title", &[("organisation", &d.organisation.name)]);
    let link = format!(
        "{}/declarations/{}",
        public_url.trim_end_matches('/'),
        d.row.id
    );
    let body = lang.tf(
        "annex.body",
        &[
            ("software", &d.software_name),
            ("organisation", &d.organisation.name),
            ("code", &code),
            ("version", &d.row.version),
            ("since", &d.row.since),
            ("modified", &modified),
            ("contact", &d.row.contact),
            ("note", &note),
            ("used_by", &used_by_line),
            ("link", &link),
        ],
    );
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
