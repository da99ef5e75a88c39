//! Entries whose `publiccode.yml` turned invalid: the grace they get, and what readers and
//! owners see of it.
//!
//! Ingest (`catalog::ingest`) records an invalid file beside the last valid one
//! (`software.invalid_since`, `software.invalid_snapshot_id`) and says how the state changed
//! ([`ValidityChange`]). [`expire`] deactivates the entries that stayed invalid longer than the
//! grace, each once: an entry is deactivated by the call that flips it, so a check running twice
//! at once (two servers, or a crawl and the periodic check) reports it once. A valid file makes
//! the entry active again (ingest does it). Nothing here sends mail: `pipeline` tells the owners.

use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};

use super::entities::software;

/// A change of the state of an entry's file, which the owner's members are told of once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidityChange {
    /// An invalid file followed a valid one: the entry keeps the valid one through its grace.
    TurnedInvalid,
    /// A valid file came back after invalid ones; the entry is active again.
    ValidAgain,
    /// The file stayed invalid past the grace: the entry was deactivated.
    Deactivated,
}

impl ValidityChange {
    /// Its name in message keys (`mail.<name>.subject`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TurnedInvalid => "invalid",
            Self::ValidAgain => "valid_again",
            Self::Deactivated => "deactivated",
        }
    }
}

/// Deactivates the entries (only `only`, when given) whose file has been invalid since
/// `cutoff` or earlier, while a valid one was current; answers the ids of those this call
/// deactivated. A manual deactivation, or an entry already inactive, is left as it is.
///
/// # Errors
///
/// The database's.
pub async fn expire(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<i64>,
) -> Result<Vec<i64>, DbErr> {
    let mut due = software::Entity::find()
        .select_only()
        .column(software::Column::Id)
        .filter(software::Column::Active.eq(true))
        .filter(software::Column::InvalidSince.lte(cutoff.fixed_offset()))
        .order_by_asc(software::Column::Id);
    if let Some(id) = only {
        due = due.filter(software::Column::Id.eq(id));
    }
    let due: Vec<i64> = due.into_tuple().all(db).await?;
    let mut expired = Vec::with_capacity(due.len());
    for id in due {
        // Only the writer that flips the flag reports the entry.
        let done = software::Entity::update_many()
            .set(software::ActiveModel {
                active: Set(false),
                changed_at_us: Set(super::change_stamp()),
                ..Default::default()
            })
            .filter(software::Column::Id.eq(id))
            .filter(software::Column::Active.eq(true))
            .filter(software::Column::InvalidSince.lte(cutoff.fixed_offset()))
            .exec(db)
            .await?;
        if done.rows_affected == 1 {
            expired.push(id);
        }
    }
    Ok(expired)
}

/// An entry as a message about its file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Entry id.
    pub id: i64,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The owning organisation: the publisher its file claims, only when its source confirmed
    /// it (`software.publisher_verified`).
    pub owner_id: Option<i64>,
    /// Since when its file is invalid, if it is.
    pub invalid_since: Option<DateTime<FixedOffset>>,
}

/// The entry `id`, as a message about its file names it.
///
/// # Errors
///
/// The database's.
pub async fn subject(db: &impl ConnectionTrait, id: i64) -> Result<Option<Subject>, DbErr> {
    Ok(software::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|s| Subject {
            id: s.id,
            owner_id: s.organisation_id.filter(|_| s.publisher_verified),
            slug: s.slug,
            name: s.name,
            invalid_since: s.invalid_since,
        }))
}

/// An entry of an organisation whose file is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Since when its file is invalid.
    pub since: DateTime<FixedOffset>,
    /// Whether it is still active (within its grace) or was deactivated.
    pub active: bool,
}

/// The entries `organisation_id` publishes whose file is invalid, within their grace or
/// deactivated for it, the longest invalid first (at most `limit`).
///
/// # Errors
///
/// The database's.
pub async fn problems_of(
    db: &impl ConnectionTrait,
    organisation_id: i64,
    limit: u64,
) -> Result<Vec<Problem>, DbErr> {
    let rows = software::Entity::find()
        .filter(software::Column::OrganisationId.eq(organisation_id))
        .filter(software::Column::InvalidSince.is_not_null())
        .filter(software::Column::DeactivatedManually.eq(false))
        .order_by_asc(software::Column::InvalidSince)
        .order_by_asc(software::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|s| {
            Some(Problem {
                since: s.invalid_since?,
                slug: s.slug,
                name: s.name,
                active: s.active,
            })
        })
        .collect())
}
