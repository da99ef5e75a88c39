//! The members of a community: people, each with an `@handle` unique in the community, and
//! administrations, each with a role; joining at once or on a coordinator's approval, leaving,
//! and the coordinators' changes. A community always keeps a coordinator.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use super::{ACTIVE, JoinPolicy, PENDING, allow, slugify, standing};
use crate::catalog::organisations;
use crate::community::authz::{Action, Actor, CommunityRole};
use crate::community::entities::{communities, community_members, users};
use crate::community::people::Person;
use crate::community::{CommunityError, now};

/// A member as the pages list them.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member row.
    pub id: i64,
    /// The role.
    pub role: CommunityRole,
    /// Whether the request waits for a coordinator.
    pub pending: bool,
    /// Who: a person or an administration.
    pub who: Who,
}

/// Who a member is.
#[derive(Debug, Clone)]
pub enum Who {
    /// A person, by account id, with their handle.
    Person {
        /// The account.
        user_id: i64,
        /// How they read.
        person: Person,
        /// Their `@handle` in the community.
        handle: String,
    },
    /// An administration.
    Organisation {
        /// Its id.
        id: i64,
        /// Its IPA code, by which posts mention it.
        code: Option<String>,
        /// Its name.
        name: String,
    },
}

/// What a request to join did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// A member at once.
    Member,
    /// Waiting for a coordinator's approval.
    Requested,
}

/// A handle for `display_name` that no member of `community_id` holds yet.
async fn free_handle(
    db: &impl ConnectionTrait,
    community_id: i64,
    display_name: &str,
) -> Result<String, CommunityError> {
    let mut base = slugify(display_name, 30);
    if base.is_empty() {
        base = "member".to_owned();
    }
    let taken: Vec<String> = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community_id))
        .filter(community_members::Column::Handle.starts_with(base.as_str()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.handle)
        .collect();
    let mut handle = base.clone();
    let mut n = 2;
    while taken.contains(&handle) {
        handle = format!("{base}-{n}");
        n += 1;
    }
    Ok(handle)
}

/// Adds `user` to `community_id` with `role` and `status` (no questions asked: the callers
/// decided), unless they are in already; answers the row.
pub(super) async fn add_person(
    db: &impl ConnectionTrait,
    community_id: i64,
    user: &users::Model,
    role: CommunityRole,
    status: &str,
) -> Result<community_members::Model, CommunityError> {
    if let Some(row) = person_row(db, community_id, user.id).await? {
        return Ok(row);
    }
    let at = now();
    let handle = free_handle(db, community_id, &user.display_name).await?;
    Ok(community_members::ActiveModel {
        community_id: Set(community_id),
        user_id: Set(Some(user.id)),
        organisation_id: Set(None),
        role: Set(role.as_str().to_owned()),
        status: Set(status.to_owned()),
        handle: Set(Some(handle)),
        requested_at: Set(at),
        joined_at: Set((status == ACTIVE).then_some(at)),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Adds the administration `org` to `community_id` with `role` and `status`, unless it is in.
pub(super) async fn add_organisation(
    db: &impl ConnectionTrait,
    community_id: i64,
    org: i64,
    role: CommunityRole,
    status: &str,
) -> Result<(), CommunityError> {
    let exists = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community_id))
        .filter(community_members::Column::OrganisationId.eq(org))
        .one(db)
        .await?;
    if exists.is_none() {
        let at = now();
        community_members::ActiveModel {
            community_id: Set(community_id),
            user_id: Set(None),
            organisation_id: Set(Some(org)),
            role: Set(role.as_str().to_owned()),
            status: Set(status.to_owned()),
            handle: Set(None),
            requested_at: Set(at),
            joined_at: Set((status == ACTIVE).then_some(at)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn person_row(
    db: &impl ConnectionTrait,
    community_id: i64,
    user_id: i64,
) -> Result<Option<community_members::Model>, CommunityError> {
    Ok(community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community_id))
        .filter(community_members::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

fn status_for(community: &communities::Model) -> &'static str {
    if community.join_policy == JoinPolicy::Open.as_str() {
        ACTIVE
    } else {
        PENDING
    }
}

/// `actor` joins `community` as a member, or asks to when a coordinator approves members.
///
/// # Errors
///
/// [`CommunityError::Denied`] for someone not signed in or without a verified address;
/// [`CommunityError::Conflict`] for a member already.
pub async fn join(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
) -> Result<Joined, CommunityError> {
    allow(Some(actor), Action::JoinCommunity)?;
    let user = users::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(row) = person_row(&txn, community.id, user.id).await? {
        return if row.status == PENDING {
            Ok(Joined::Requested)
        } else {
            Err(CommunityError::Conflict("community.error.member_already"))
        };
    }
    let status = status_for(community);
    add_person(&txn, community.id, &user, CommunityRole::Member, status).await?;
    txn.commit().await?;
    Ok(if status == ACTIVE {
        Joined::Member
    } else {
        Joined::Requested
    })
}

/// An admin of administration `org` makes it a member of `community` (or asks to).
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` manages `org`'s members.
pub async fn join_organisation(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    org: i64,
) -> Result<Joined, CommunityError> {
    allow(Some(actor), Action::ManageMembers(org))?;
    let status = status_for(community);
    add_organisation(db, community.id, org, CommunityRole::Member, status).await?;
    Ok(if status == ACTIVE {
        Joined::Member
    } else {
        Joined::Requested
    })
}

/// The active coordinators of `community_id` other than member row `except`.
async fn other_coordinators(
    db: &impl ConnectionTrait,
    community_id: i64,
    except: i64,
) -> Result<usize, CommunityError> {
    Ok(community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community_id))
        .filter(community_members::Column::Status.eq(ACTIVE))
        .filter(community_members::Column::Role.eq(CommunityRole::Coordinator.as_str()))
        .filter(community_members::Column::UserId.is_not_null())
        .filter(community_members::Column::Id.ne(except))
        .all(db)
        .await?
        .len())
}

/// Removes member row `row`, unless it is the community's last coordinator.
async fn remove_row(
    db: &DatabaseConnection,
    row: community_members::Model,
) -> Result<(), CommunityError> {
    let txn = crate::db::begin_write(db).await?;
    if row.role == CommunityRole::Coordinator.as_str()
        && row.user_id.is_some()
        && row.status == ACTIVE
        && other_coordinators(&txn, row.community_id, row.id).await? == 0
    {
        return Err(CommunityError::Conflict("community.error.last_coordinator"));
    }
    community_members::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// `actor` leaves `community` (or withdraws a request).
///
/// # Errors
///
/// [`CommunityError::NotFound`] for someone not in it; [`CommunityError::Conflict`] for its last
/// coordinator.
pub async fn leave(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
) -> Result<(), CommunityError> {
    let row = person_row(db, community.id, actor.user_id)
        .await?
        .ok_or(CommunityError::NotFound)?;
    remove_row(db, row).await
}

/// An admin of `org` takes the administration out of `community`.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` manages `org`'s members; [`CommunityError::NotFound`]
/// when it is not a member.
pub async fn leave_organisation(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    org: i64,
) -> Result<(), CommunityError> {
    allow(Some(actor), Action::ManageMembers(org))?;
    let row = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community.id))
        .filter(community_members::Column::OrganisationId.eq(org))
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    remove_row(db, row).await
}

async fn coordinated_row(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    member_id: i64,
) -> Result<community_members::Model, CommunityError> {
    let standing = standing(db, community, Some(actor)).await?;
    allow(Some(actor), Action::Coordinate(standing))?;
    community_members::Entity::find_by_id(member_id)
        .one(db)
        .await?
        .filter(|m| m.community_id == community.id)
        .ok_or(CommunityError::NotFound)
}

/// A coordinator approves the request of member row `member_id`.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` coordinates `community`.
pub async fn approve(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    member_id: i64,
) -> Result<(), CommunityError> {
    let row = coordinated_row(db, community, actor, member_id).await?;
    if row.status != PENDING {
        return Ok(());
    }
    let mut change: community_members::ActiveModel = row.into();
    change.status = Set(ACTIVE.to_owned());
    change.joined_at = Set(Some(now()));
    change.update(db).await?;
    Ok(())
}

/// A coordinator gives member row `member_id` the role `role` (an administration is at most a
/// maintainer: roles that run the community are people's).
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` coordinates `community`; [`CommunityError::Conflict`]
/// when it would leave the community without a coordinator.
pub async fn set_role(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    member_id: i64,
    role: CommunityRole,
) -> Result<(), CommunityError> {
    let row = coordinated_row(db, community, actor, member_id).await?;
    let role = if row.user_id.is_none() {
        role.min(CommunityRole::Maintainer)
    } else {
        role
    };
    let txn = crate::db::begin_write(db).await?;
    if row.role == CommunityRole::Coordinator.as_str()
        && role != CommunityRole::Coordinator
        && other_coordinators(&txn, community.id, row.id).await? == 0
    {
        return Err(CommunityError::Conflict("community.error.last_coordinator"));
    }
    let mut change: community_members::ActiveModel = row.into();
    change.role = Set(role.as_str().to_owned());
    change.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// A coordinator removes member row `member_id` (or refuses a request).
///
/// # Errors
///
/// As [`set_role`].
pub async fn remove(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    member_id: i64,
) -> Result<(), CommunityError> {
    let row = coordinated_row(db, community, actor, member_id).await?;
    remove_row(db, row).await
}

/// The members of `community`, people and administrations, coordinators first; requests
/// waiting for approval included (marked).
///
/// # Errors
///
/// On a database error.
pub async fn list(
    db: &impl ConnectionTrait,
    community_id: i64,
) -> Result<Vec<Member>, CommunityError> {
    let rows = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community_id))
        .order_by_asc(community_members::Column::Id)
        .all(db)
        .await?;
    let people: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(rows.iter().filter_map(|r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let orgs = organisations::by_ids(db, rows.iter().filter_map(|r| r.organisation_id)).await?;
    let mut members: Vec<Member> = rows
        .into_iter()
        .filter_map(|row| {
            let who = match (row.user_id, row.organisation_id) {
                (Some(user_id), _) => Who::Person {
                    user_id,
                    person: Person::of(people.get(&user_id)),
                    handle: row.handle.clone().unwrap_or_default(),
                },
                (None, Some(org)) => {
                    let org = orgs.get(&org)?;
                    Who::Organisation {
                        id: org.id,
                        code: org.ipa_code.clone(),
                        name: org.name.clone(),
                    }
                }
                (None, None) => return None,
            };
            Some(Member {
                id: row.id,
                role: CommunityRole::parse(&row.role)?,
                pending: row.status == PENDING,
                who,
            })
        })
        .collect();
    members.sort_by_key(|m| (m.pending, std::cmp::Reverse(m.role)));
    Ok(members)
}

/// What an `@name` in a post of a community names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mentioned {
    /// A member, by account id and handle.
    Person {
        /// The account.
        user_id: i64,
        /// The handle.
        handle: String,
    },
    /// A member administration, by id and IPA code.
    Organisation {
        /// Its id.
        id: i64,
        /// Its IPA code.
        code: String,
    },
}

/// The active members of `community_id` that `names` (lower-case, without `@`) mention: an
/// administration by its IPA code first, else a person by handle.
///
/// # Errors
///
/// On a database error.
pub async fn mentioned(
    db: &impl ConnectionTrait,
    community_id: i64,
    names: &[String],
) -> Result<HashMap<String, Mentioned>, CommunityError> {
    let mut found = HashMap::new();
    if names.is_empty() {
        return Ok(found);
    }
    let rows = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community_id))
        .filter(community_members::Column::Status.eq(ACTIVE))
        .all(db)
        .await?;
    let orgs = organisations::by_ids(db, rows.iter().filter_map(|r| r.organisation_id)).await?;
    for org in orgs.values() {
        if let Some(code) = &org.ipa_code
            && names.contains(code)
        {
            found.insert(
                code.clone(),
                Mentioned::Organisation {
                    id: org.id,
                    code: code.clone(),
                },
            );
        }
    }
    for row in rows {
        if let (Some(user_id), Some(handle)) = (row.user_id, row.handle)
            && names.contains(&handle)
            && !found.contains_key(&handle)
        {
            found.insert(handle.clone(), Mentioned::Person { user_id, handle });
        }
    }
    Ok(found)
}
