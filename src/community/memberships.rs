//! Memberships: a person claims to act for an administration, by its IPA code, as its admin or
//! a member. The claim is confirmed by a link e-mailed to the address the IPA registry gives for
//! the administration (its PEC, usually), never to an address the claimant chooses: whoever
//! reads the administration's mail vouches for the person.

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use super::entities::{memberships, user_tokens, users};
use super::people::Person;
pub use super::roles::OrgRole;
use super::tokens::{find_token, insert_token as issue_token, redeem_token};
use super::{CommunityError, mails, now};
use crate::catalog::entities::organisations as organisation_rows;
use crate::catalog::organisations;
use crate::ipa::Registry;
use crate::mail;
use crate::publiccode;

/// How long the administration has to confirm a claim.
const CLAIM_DAYS: i64 = 14;
/// The same claim mails the administration at most once in this many hours: its link stays
/// valid meanwhile, and an administration's mailbox is not for anyone to fill.
const CLAIM_MAIL_HOURS: i64 = 24;

/// What a claim did.
#[derive(Debug, Clone)]
pub enum Claimed {
    /// The confirmation link went to the administration's registered address.
    Sent {
        /// The claim.
        membership: memberships::Model,
        /// Where the link went.
        address: String,
    },
    /// The same claim mailed the administration less than a day ago: that link still works,
    /// and nothing new was sent.
    AlreadySent {
        /// The claim.
        membership: memberships::Model,
    },
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the administration to confirm.
    Pending,
    /// Confirmed through the e-mailed link.
    Verified,
}

impl Status {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
        }
    }
}

/// A membership as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    /// The membership.
    pub id: i64,
    /// The organisation's id.
    pub organisation_id: i64,
    /// Its IPA code.
    pub code: String,
    /// Its name.
    pub organisation: String,
    /// The role.
    pub role: OrgRole,
    /// Whether the administration confirmed it.
    pub verified: bool,
    /// Whether the member asked to be e-mailed about the state of the organisation's files.
    pub notify_invalid: bool,
    /// The member (for the organisation's member list).
    pub member: Person,
}

/// `user` claims to be `role` of the administration with IPA code `code`: the claim is recorded
/// (or renewed) and the confirmation link goes to the administration's registered address,
/// unless the same claim already sent one within a day.
///
/// # Errors
///
/// [`CommunityError::Invalid`] when the user's address is not verified, the code does not exist,
/// or the registry has no address for it; [`CommunityError::Conflict`] when the membership is
/// already verified.
pub async fn claim(
    db: &DatabaseConnection,
    registry: &Registry,
    public_url: &str,
    user: &users::Model,
    code: &str,
    role: OrgRole,
) -> Result<Claimed, CommunityError> {
    if user.email_verified_at.is_none() {
        return Err(CommunityError::Invalid("membership.error.unverified"));
    }
    let code = code.trim();
    let code = publiccode::ipa_urn_code(code)
        .unwrap_or(code)
        .to_ascii_lowercase();
    if !publiccode::is_ipa_code(&code) {
        return Err(CommunityError::Invalid("membership.error.unknown_code"));
    }
    let Some((entry, address)) = registry
        .get(&code)
        .and_then(|e| e.email.clone().map(|a| (e, a)))
    else {
        return Err(CommunityError::Invalid("membership.error.no_address"));
    };
    // The role asked for travels with the link, so that a member asking to become admin keeps
    // the verified role until the administration confirms the new one.
    let purpose = match role {
        OrgRole::Admin => "claim-admin",
        OrgRole::Member => "claim-member",
    };
    let txn = crate::db::begin_write(db).await?;
    let org = organisations::for_ipa(&txn, &code, &entry.name).await?;
    let existing = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user.id))
        .filter(memberships::Column::OrganisationId.eq(org.id))
        .one(&txn)
        .await?;
    let membership = match existing {
        Some(m) if m.status == Status::Verified.as_str() && m.role == role.as_str() => {
            return Err(CommunityError::Conflict("membership.error.already"));
        }
        Some(m) if mailed_recently(&txn, m.id, purpose).await? => {
            return Ok(Claimed::AlreadySent { membership: m });
        }
        Some(m) => {
            // A new claim (a pending one renewed, or a member asking to become admin): the
            // verified role stays until the new one is confirmed.
            let mut update: memberships::ActiveModel = m.clone().into();
            if m.status != Status::Verified.as_str() {
                update.role = Set(role.as_str().to_owned());
            }
            update.requested_at = Set(now());
            update.update(&txn).await?
        }
        None => {
            let fresh = memberships::ActiveModel {
                user_id: Set(user.id),
                organisation_id: Set(org.id),
                role: Set(role.as_str().to_owned()),
                status: Set(Status::Pending.as_str().to_owned()),
                requested_at: Set(now()),
                verified_at: Set(None),
                ..Default::default()
            };
            // The same claim sent twice at once: the other request mails the administration.
            crate::catalog::unique::insert_new(&txn, fresh)
                .await?
                .ok_or(CommunityError::Conflict("membership.error.in_flight"))?
        }
    };
    let token = issue_token(&txn, purpose, user.id, Some(membership.id), CLAIM_DAYS * 24).await?;
    let link = format!(
        "{}/memberships/confirm/{token}",
        public_url.trim_end_matches('/')
    );
    let message = mails::claim(
        &address,
        &user.display_name,
        user.email.as_deref().unwrap_or_default(),
        &entry.name,
        &code,
        role,
        &link,
    );
    match mail::enqueue(&txn, &message).await {
        Ok(_) => {}
        // The registry's address for the administration is not one: it cannot confirm.
        Err(mail::MailError::Build(_)) => {
            return Err(CommunityError::Invalid("membership.error.no_address"));
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    tracing::info!(user.id = user.id, organisation.code = %code, "membership claimed");
    Ok(Claimed::Sent {
        membership,
        address,
    })
}

/// Whether a `purpose` link for the claim `membership_id` went out within the last
/// [`CLAIM_MAIL_HOURS`] and is still unused.
async fn mailed_recently(
    db: &impl ConnectionTrait,
    membership_id: i64,
    purpose: &str,
) -> Result<bool, CommunityError> {
    let since = now() - chrono::Duration::hours(CLAIM_MAIL_HOURS);
    Ok(user_tokens::Entity::find()
        .filter(user_tokens::Column::MembershipId.eq(membership_id))
        .filter(user_tokens::Column::Purpose.eq(purpose))
        .filter(user_tokens::Column::UsedAt.is_null())
        .filter(user_tokens::Column::CreatedAt.gt(since))
        .one(db)
        .await?
        .is_some())
}

/// What a confirmation link asks, for the page that shows it before the click that confirms.
#[derive(Debug, Clone)]
pub struct PendingClaim {
    /// The claimant's name.
    pub claimant: String,
    /// The claimant's e-mail address.
    pub email: String,
    /// The organisation's name.
    pub organisation: String,
    /// Its IPA code.
    pub code: String,
    /// The role asked for.
    pub role: OrgRole,
}

async fn claim_token(
    db: &impl ConnectionTrait,
    token: &str,
    redeem: bool,
) -> Result<(crate::community::entities::user_tokens::Model, OrgRole), CommunityError> {
    for (purpose, role) in [
        ("claim-admin", OrgRole::Admin),
        ("claim-member", OrgRole::Member),
    ] {
        let found = if redeem {
            redeem_token(db, purpose, token).await
        } else {
            find_token(db, purpose, token).await
        };
        match found {
            Ok(row) => return Ok((row, role)),
            Err(CommunityError::BadToken) => {}
            Err(e) => return Err(e),
        }
    }
    Err(CommunityError::BadToken)
}

/// The claim a confirmation link is for, without confirming it.
///
/// # Errors
///
/// [`CommunityError::BadToken`] when the link is unknown, used or expired.
pub async fn pending(db: &DatabaseConnection, token: &str) -> Result<PendingClaim, CommunityError> {
    let (row, role) = claim_token(db, token, false).await?;
    let membership = memberships::Entity::find_by_id(row.membership_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or(CommunityError::BadToken)?;
    let user = users::Entity::find_by_id(row.user_id)
        .one(db)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(CommunityError::BadToken)?;
    let org = organisation_rows::Entity::find_by_id(membership.organisation_id)
        .one(db)
        .await?
        .ok_or(CommunityError::BadToken)?;
    Ok(PendingClaim {
        claimant: user.display_name,
        email: user.email.unwrap_or_default(),
        organisation: org.name,
        code: org.ipa_code.unwrap_or_default(),
        role,
    })
}

/// Confirms the claim a link is for: the membership becomes verified with the role asked for.
///
/// # Errors
///
/// [`CommunityError::BadToken`] when the link is unknown, used or expired.
pub async fn confirm(
    db: &DatabaseConnection,
    token: &str,
) -> Result<memberships::Model, CommunityError> {
    let txn = crate::db::begin_write(db).await?;
    let (row, role) = claim_token(&txn, token, true).await?;
    let membership = memberships::Entity::find_by_id(row.membership_id.unwrap_or_default())
        .one(&txn)
        .await?
        .ok_or(CommunityError::BadToken)?;
    let mut update: memberships::ActiveModel = membership.into();
    update.status = Set(Status::Verified.as_str().to_owned());
    update.role = Set(role.as_str().to_owned());
    update.verified_at = Set(Some(now()));
    let membership = update.update(&txn).await?;
    txn.commit().await?;
    tracing::info!(membership.id = membership.id, "membership confirmed");
    Ok(membership)
}

async fn views(
    db: &impl sea_orm::ConnectionTrait,
    rows: Vec<memberships::Model>,
) -> Result<Vec<MembershipView>, CommunityError> {
    let org_ids: Vec<i64> = rows.iter().map(|m| m.organisation_id).collect();
    let user_ids: Vec<i64> = rows.iter().map(|m| m.user_id).collect();
    let orgs = organisations::by_ids(db, org_ids).await?;
    let people: std::collections::HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let org = orgs.get(&m.organisation_id)?;
            Some(MembershipView {
                id: m.id,
                organisation_id: org.id,
                code: org.ipa_code.clone().unwrap_or_default(),
                organisation: org.name.clone(),
                role: OrgRole::parse(&m.role)?,
                verified: m.status == Status::Verified.as_str(),
                notify_invalid: m.notify_invalid,
                member: Person::of(people.get(&m.user_id)),
            })
        })
        .collect())
}

/// The memberships of `user_id`, verified or waiting.
///
/// # Errors
///
/// On a database error.
pub async fn of_user(
    db: &impl sea_orm::ConnectionTrait,
    user_id: i64,
) -> Result<Vec<MembershipView>, CommunityError> {
    let rows = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .order_by_asc(memberships::Column::Id)
        .all(db)
        .await?;
    views(db, rows).await
}

/// Turns on or off (`on`) the e-mails to `user_id` about the files of the organisation of their
/// verified membership `id`: a file that turns invalid, is valid again, or stayed invalid past
/// its grace.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when the user has no such verified membership.
pub async fn set_notices(
    db: &DatabaseConnection,
    user_id: i64,
    id: i64,
    on: bool,
) -> Result<(), CommunityError> {
    let done = memberships::Entity::update_many()
        .set(memberships::ActiveModel {
            notify_invalid: Set(on),
            ..Default::default()
        })
        .filter(memberships::Column::Id.eq(id))
        .filter(memberships::Column::UserId.eq(user_id))
        .filter(memberships::Column::Status.eq(Status::Verified.as_str()))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(CommunityError::NotFound);
    }
    Ok(())
}

/// The members of organisation `org_id`, verified or waiting.
///
/// # Errors
///
/// On a database error.
pub async fn of_organisation(
    db: &DatabaseConnection,
    org_id: i64,
) -> Result<Vec<MembershipView>, CommunityError> {
    let rows = memberships::Entity::find()
        .filter(memberships::Column::OrganisationId.eq(org_id))
        .order_by_asc(memberships::Column::Id)
        .all(db)
        .await?;
    views(db, rows).await
}

/// The people whose membership of organisation `org_id` is verified, without deleted
/// accounts: whom the catalog tells about what the organisation publishes.
///
/// # Errors
///
/// On a database error.
pub async fn verified_members(
    db: &impl ConnectionTrait,
    org_id: i64,
) -> Result<Vec<users::Model>, sea_orm::DbErr> {
    let ids: Vec<i64> = memberships::Entity::find()
        .filter(memberships::Column::OrganisationId.eq(org_id))
        .filter(memberships::Column::Status.eq(Status::Verified.as_str()))
        .order_by_asc(memberships::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .filter(users::Column::DeletedAt.is_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
}

/// Removes membership `id` of organisation `org_id`.
///
/// # Errors
///
/// [`CommunityError::NotFound`] when the organisation has no such membership.
pub async fn remove(db: &DatabaseConnection, org_id: i64, id: i64) -> Result<(), CommunityError> {
    let done = memberships::Entity::delete_many()
        .filter(memberships::Column::Id.eq(id))
        .filter(memberships::Column::OrganisationId.eq(org_id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(CommunityError::NotFound);
    }
    Ok(())
}

/// The organisation with IPA code `code` (any case), if the catalog knows it.
///
/// # Errors
///
/// On a database error.
pub async fn organisation_by_code(
    db: &DatabaseConnection,
    code: &str,
) -> Result<Option<crate::catalog::entities::organisations::Model>, CommunityError> {
    Ok(organisations::by_ipa(db, code).await?)
}

/// The demonstration member `email` (named `name`) of organisation `org_id`, created when
/// missing: an account without a password (nobody signs in as it) whose address and membership
/// count as verified, for the demonstration data `riuso dev demo-cases` loads. No mail is sent.
///
/// # Errors
///
/// On a database error.
pub async fn demo_member(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    org_id: i64,
) -> Result<users::Model, CommunityError> {
    let txn = crate::db::begin_write(db).await?;
    let user = match users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(&txn)
        .await?
    {
        Some(user) => user,
        None => {
            users::ActiveModel {
                email: Set(Some(email.to_owned())),
                display_name: Set(name.to_owned()),
                password_hash: Set(None),
                email_verified_at: Set(Some(now())),
                site_role: Set(None),
                lang: Set("it".to_owned()),
                created_at: Set(now()),
                deleted_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let member = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user.id))
        .filter(memberships::Column::OrganisationId.eq(org_id))
        .one(&txn)
        .await?;
    if member.is_none() {
        memberships::ActiveModel {
            user_id: Set(user.id),
            organisation_id: Set(org_id),
            role: Set(OrgRole::Member.as_str().to_owned()),
            status: Set(Status::Verified.as_str().to_owned()),
            requested_at: Set(now()),
            verified_at: Set(Some(now())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(user)
}
