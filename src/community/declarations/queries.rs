//! Declarations as the pages show them, with their software, organisation and author.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use super::annex_d::used_by_patch;
use super::state::Status;
use crate::catalog::{organisations, reuse};
use crate::community::CommunityError;
use crate::community::entities::{reuse_declarations, users};
use crate::community::people::Person;

/// A declaration with what the pages show beside it.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The stored row.
    pub row: reuse_declarations::Model,
    /// Its status.
    pub status: Status,
    /// The declaring organisation.
    pub organisation: crate::catalog::entities::organisations::Model,
    /// Who declared it.
    pub declared_by: Person,
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

async fn details(
    db: &impl ConnectionTrait,
    rows: Vec<reuse_declarations::Model>,
) -> Result<Vec<Declaration>, CommunityError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
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
                declared_by: Person::of(people.get(&row.user_id)),
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
pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Declaration, CommunityError> {
    let row = reuse_declarations::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    details(db, vec![row])
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
    db: &impl ConnectionTrait,
    software_id: i64,
) -> Result<Vec<Declaration>, CommunityError> {
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.eq(software_id))
        .filter(reuse_declarations::Column::Status.ne(Status::Withdrawn.as_str()))
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    let mut out = details(db, rows).await?;
    out.sort_by_key(|d| d.status != Status::Acknowledged);
    Ok(out)
}

/// The declarations organisation `org_id` made, not withdrawn.
///
/// # Errors
///
/// On a database error.
pub async fn made_by(
    db: &impl ConnectionTrait,
    org_id: i64,
) -> Result<Vec<Declaration>, CommunityError> {
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::OrganisationId.eq(org_id))
        .filter(reuse_declarations::Column::Status.ne(Status::Withdrawn.as_str()))
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    details(db, rows).await
}

/// The declarations that stand of the software organisation `owner_id` publishes, by software.
///
/// # Errors
///
/// On a database error.
pub async fn received_by(
    db: &impl ConnectionTrait,
    owner_id: i64,
) -> Result<Vec<Declaration>, CommunityError> {
    let standing = [Status::Declared, Status::Notified, Status::Acknowledged];
    for_owner(db, owner_id, &standing).await
}

async fn for_owner(
    db: &impl ConnectionTrait,
    owner_id: i64,
    statuses: &[Status],
) -> Result<Vec<Declaration>, CommunityError> {
    let software_ids = reuse::published_by(db, owner_id).await?;
    let rows = reuse_declarations::Entity::find()
        .filter(reuse_declarations::Column::SoftwareId.is_in(software_ids))
        .filter(reuse_declarations::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(reuse_declarations::Column::SoftwareId)
        .order_by_asc(reuse_declarations::Column::Id)
        .all(db)
        .await?;
    details(db, rows).await
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
    db: &impl ConnectionTrait,
    owner_id: i64,
) -> Result<Vec<PendingSoftware>, CommunityError> {
    let pending = [Status::Declared, Status::Notified];
    let mut out: Vec<PendingSoftware> = Vec::new();
    for d in for_owner(db, owner_id, &pending).await? {
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
    db: &impl ConnectionTrait,
    user: &users::Model,
) -> Result<Vec<(i64, String)>, CommunityError> {
    let actor = crate::community::authz::Actor::of(db, user).await?;
    Ok(crate::community::memberships::of_user(db, user.id)
        .await?
        .into_iter()
        .filter(|m| {
            crate::community::authz::check(
                Some(&actor),
                crate::community::authz::Action::Declare(m.organisation_id),
            )
            .is_ok()
        })
        .map(|m| (m.organisation_id, m.organisation))
        .collect())
}
