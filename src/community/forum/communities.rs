//! Communities themselves: starting one of practice, opening a solution's in one step, editing,
//! and reading them.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};

use super::members::{add_organisation, add_person};
use super::{ACTIVE, JoinPolicy, Kind, Visibility, allow, bounded, releases, slugify, standing};
use crate::catalog::reuse;
use crate::community::authz::{Action, Actor, CommunityRole};
use crate::community::entities::{
    communities, community_members, community_software, threads, users,
};
use crate::community::{CommunityError, now, plain_line};

/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 20_000;

/// What the form of a new community of practice, or of a community's settings, gives.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Its name.
    pub name: String,
    /// Its description, Markdown.
    pub description: String,
    /// Who reads it.
    pub visibility: Visibility,
    /// How people join.
    pub join_policy: JoinPolicy,
}

fn check(settings: &Settings) -> Result<(String, String), CommunityError> {
    if !plain_line(&settings.name, 120) {
        return Err(CommunityError::Invalid("community.error.name"));
    }
    let description = crate::untrusted::storable(settings.description.trim()).into_owned();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(CommunityError::Invalid("community.error.description"));
    }
    Ok((settings.name.trim().to_owned(), description))
}

/// Slugs a community never gets: the addresses of other pages under `/communities/`.
const RESERVED: [&str; 2] = ["new", "search"];

/// A slug made of `name` that no community holds yet.
async fn free_slug(db: &impl ConnectionTrait, name: &str) -> Result<String, CommunityError> {
    let mut base = slugify(name, 60);
    if base.is_empty() {
        base = "community".to_owned();
    }
    let taken: Vec<String> = communities::Entity::find()
        .filter(communities::Column::Slug.starts_with(base.as_str()))
        .select_only()
        .column(communities::Column::Slug)
        .into_tuple()
        .all(db)
        .await?;
    let mut slug = base.clone();
    let mut n = 2;
    // `/communities/new` and `/communities/search` are pages of their own.
    while taken.contains(&slug) || RESERVED.contains(&slug.as_str()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

async fn insert(
    db: &impl ConnectionTrait,
    kind: Kind,
    name: String,
    description: String,
    settings: (Visibility, JoinPolicy),
    organisation_id: Option<i64>,
    creator: &users::Model,
) -> Result<communities::Model, CommunityError> {
    let at = now();
    let slug = free_slug(db, &name).await?;
    let row = communities::ActiveModel {
        slug: Set(slug),
        name: Set(name),
        description: Set(description),
        kind: Set(kind.as_str().to_owned()),
        visibility: Set(settings.0.as_str().to_owned()),
        join_policy: Set(settings.1.as_str().to_owned()),
        organisation_id: Set(organisation_id),
        created_by: Set(Some(creator.id)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    add_person(db, row.id, creator, CommunityRole::Coordinator, ACTIVE).await?;
    Ok(row)
}

async fn user_of(db: &impl ConnectionTrait, actor: &Actor) -> Result<users::Model, CommunityError> {
    users::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)
}

/// `actor` starts a community of practice and is its first coordinator.
///
/// # Errors
///
/// [`CommunityError::Denied`] for someone who may not start one; [`CommunityError::Invalid`] for
/// a name or description that cannot be used.
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    settings: &Settings,
) -> Result<communities::Model, CommunityError> {
    allow(Some(actor), Action::StartCommunity)?;
    let (name, description) = check(settings)?;
    let txn = crate::db::begin_write(db).await?;
    let creator = user_of(&txn, actor).await?;
    let row = insert(
        &txn,
        Kind::Practice,
        name,
        description,
        (settings.visibility, settings.join_policy),
        None,
        &creator,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(community.id = row.id, "community of practice started");
    Ok(row)
}

/// A member of the administration that owns software `software_id` opens its solution
/// community in one step: named after the solution, public and open, with `actor` as its
/// coordinator and the administration as a maintainer; the entry's current version becomes its
/// first release, with its thread.
///
/// # Errors
///
/// [`CommunityError::Denied`] for someone who does not act for the owner (for an entry whose
/// owner is not confirmed, anyone but a site administrator); [`CommunityError::Conflict`] when
/// the entry has a community.
pub async fn open_for_software(
    db: &DatabaseConnection,
    actor: &Actor,
    software_id: i64,
) -> Result<communities::Model, CommunityError> {
    let entry = reuse::entries(db, [software_id])
        .await?
        .remove(&software_id)
        .ok_or(CommunityError::NotFound)?;
    let owner = entry.owner_id;
    allow(Some(actor), Action::OpenSolutionCommunity(owner))?;
    let txn = crate::db::begin_write(db).await?;
    if of_software(&txn, software_id).await?.is_some() {
        return Err(CommunityError::Conflict("community.error.exists"));
    }
    let creator = user_of(&txn, actor).await?;
    let name = crate::untrusted::name(&entry.name).into_owned();
    let row = insert(
        &txn,
        Kind::Solution,
        name,
        String::new(),
        (Visibility::Public, JoinPolicy::Open),
        owner,
        &creator,
    )
    .await?;
    community_software::ActiveModel {
        community_id: Set(row.id),
        software_id: Set(software_id),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(owner) = owner {
        add_organisation(&txn, row.id, owner, CommunityRole::Maintainer, ACTIVE).await?;
    }
    if let Some(snapshot) = entry.current_snapshot_id
        && let Some((version, date)) = releases::version_of(&txn, snapshot).await?
    {
        releases::seen(&txn, software_id, Some(&version), date).await?;
    }
    txn.commit().await?;
    tracing::info!(
        community.id = row.id,
        software.id = software_id,
        "solution community opened"
    );
    Ok(row)
}

/// A coordinator changes the name, description, visibility or join policy of `community`.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` coordinates it; [`CommunityError::Invalid`] as
/// [`start`].
pub async fn update(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    settings: &Settings,
) -> Result<(), CommunityError> {
    let standing = standing(db, community, Some(actor)).await?;
    allow(Some(actor), Action::Coordinate(standing))?;
    let (name, description) = check(settings)?;
    let mut change: communities::ActiveModel = community.clone().into();
    change.name = Set(name);
    change.description = Set(description);
    change.visibility = Set(settings.visibility.as_str().to_owned());
    change.join_policy = Set(settings.join_policy.as_str().to_owned());
    change.updated_at = Set(now());
    change.update(db).await?;
    Ok(())
}

/// The community with slug `slug`.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when there is none.
pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<communities::Model, CommunityError> {
    communities::Entity::find()
        .filter(communities::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)
}

/// The community with id `id`.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when there is none.
pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<communities::Model, CommunityError> {
    communities::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)
}

/// The solution community of software `software_id`, if it has one.
///
/// # Errors
///
/// On a database error.
pub async fn of_software(
    db: &impl ConnectionTrait,
    software_id: i64,
) -> Result<Option<communities::Model>, CommunityError> {
    let Some(link) = community_software::Entity::find()
        .filter(community_software::Column::SoftwareId.eq(software_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(communities::Entity::find_by_id(link.community_id)
        .one(db)
        .await?)
}

/// The catalog entries of `community_id`: (id, slug, name).
///
/// # Errors
///
/// On a database error.
pub async fn software_of(
    db: &impl ConnectionTrait,
    community_id: i64,
) -> Result<Vec<(i64, String, String)>, CommunityError> {
    let ids: Vec<i64> = community_software::Entity::find()
        .filter(community_software::Column::CommunityId.eq(community_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.software_id)
        .collect();
    let mut entries: Vec<(i64, String, String)> = reuse::entries(db, ids)
        .await?
        .into_values()
        .map(|e| (e.id, e.slug, e.name))
        .collect();
    entries.sort_by(|a, b| a.2.cmp(&b.2));
    Ok(entries)
}

/// A community in a list, with its counts.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The row.
    pub row: communities::Model,
    /// Its active members, people and administrations.
    pub members: u64,
    /// Its threads.
    pub threads: u64,
}

/// Every community, by name, with its counts (a members-only community's name, description and
/// counts are public; its content is not).
///
/// # Errors
///
/// On a database error.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<Summary>, CommunityError> {
    let rows = communities::Entity::find()
        .order_by_asc(communities::Column::Name)
        .order_by_asc(communities::Column::Id)
        .all(db)
        .await?;
    summaries(db, rows).await
}

/// The communities after id `after`, by id, at most `size`: a page of the API.
///
/// # Errors
///
/// On a database error.
pub async fn page(
    db: &DatabaseConnection,
    after: Option<i64>,
    size: u64,
) -> Result<Vec<Summary>, CommunityError> {
    let rows = communities::Entity::find()
        .filter(communities::Column::Id.gt(after.unwrap_or(0)))
        .order_by_asc(communities::Column::Id)
        .limit(size)
        .all(db)
        .await?;
    summaries(db, rows).await
}

/// `row` with its counts.
///
/// # Errors
///
/// On a database error.
pub async fn summary(
    db: &DatabaseConnection,
    row: communities::Model,
) -> Result<Summary, CommunityError> {
    summaries(db, vec![row])
        .await?
        .pop()
        .ok_or(CommunityError::NotFound)
}

/// `rows` with their counts: two grouped counts for the whole list, not two per community.
async fn summaries(
    db: &DatabaseConnection,
    rows: Vec<communities::Model>,
) -> Result<Vec<Summary>, CommunityError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let members: HashMap<i64, i64> = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.is_in(ids.iter().copied()))
        .filter(community_members::Column::Status.eq(ACTIVE))
        .select_only()
        .column(community_members::Column::CommunityId)
        .column_as(community_members::Column::Id.count(), "n")
        .group_by(community_members::Column::CommunityId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let threads: HashMap<i64, i64> = threads::Entity::find()
        .filter(threads::Column::CommunityId.is_in(ids))
        .filter(threads::Column::DeletedAt.is_null())
        .select_only()
        .column(threads::Column::CommunityId)
        .column_as(threads::Column::Id.count(), "n")
        .group_by(threads::Column::CommunityId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let count = |counts: &HashMap<i64, i64>, id: i64| {
        u64::try_from(counts.get(&id).copied().unwrap_or(0)).unwrap_or(0)
    };
    Ok(rows
        .into_iter()
        .map(|row| Summary {
            members: count(&members, row.id),
            threads: count(&threads, row.id),
            row,
        })
        .collect())
}

/// Whether `text` is an acceptable thread title, and the title to store.
pub(super) fn title(text: &str) -> Result<String, CommunityError> {
    let title = bounded(text, 200, "community.error.title")?;
    if title.chars().any(char::is_control) {
        return Err(CommunityError::Invalid("community.error.title"));
    }
    Ok(title)
}
