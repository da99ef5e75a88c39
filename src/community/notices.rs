//! Who hears about the state of an entry's `publiccode.yml`, and what they are told: the
//! verified members of the owning administration who asked for it (`memberships.notify_invalid`,
//! off until they turn it on), each in their own language, once per change of state
//! ([`ValidityChange`]). The messages go to the outbox in the caller's transaction, with the
//! change that caused them, so a change that rolls back mails nobody.

use sea_orm::{ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _};

use super::entities::{memberships, users};
use super::mails;
use super::memberships::Status;
use crate::catalog::ValidityChange;
use crate::catalog::validity::Subject;
use crate::i18n::Lang;
use crate::mail::{self, MailError};

/// Tells the members of the owner of `entry` who asked for it that its file changed state
/// (`change`), after a grace of `grace_days`; the page linked is under `public_url`. Answers
/// how many messages were queued (none for an entry without a verified owner).
///
/// # Errors
///
/// On a database error.
pub async fn validity_changed(
    db: &impl ConnectionTrait,
    entry: &Subject,
    change: ValidityChange,
    grace_days: u32,
    public_url: &str,
) -> Result<u64, DbErr> {
    let Some(owner) = entry.owner_id else {
        return Ok(0);
    };
    let ids: Vec<i64> = memberships::Entity::find()
        .filter(memberships::Column::OrganisationId.eq(owner))
        .filter(memberships::Column::Status.eq(Status::Verified.as_str()))
        .filter(memberships::Column::NotifyInvalid.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let people = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .filter(users::Column::DeletedAt.is_null())
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .all(db)
        .await?;
    let link = format!(
        "{}/software/{}",
        public_url.trim_end_matches('/'),
        entry.slug
    );
    let since = entry
        .invalid_since
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let mut queued = 0;
    for person in people {
        let Some(email) = &person.email else { continue };
        let lang = Lang::from_tag(&person.lang).unwrap_or_default();
        let message = mails::validity(lang, email, change, &entry.name, &since, grace_days, &link);
        match mail::enqueue(db, &message).await {
            Ok(_) => queued += 1,
            // One member's unusable address does not keep the others uninformed.
            Err(MailError::Build(_)) => {
                tracing::warn!(
                    user.id = person.id,
                    "an owner member's address cannot be mailed"
                );
            }
            Err(MailError::Db(e)) => return Err(e),
            // Queueing neither connects nor needs a server: only the two above can happen.
            Err(e @ (MailError::Smtp(_) | MailError::NotConfigured)) => {
                return Err(DbErr::Custom(e.to_string()));
            }
        }
    }
    tracing::info!(
        software.id = entry.id,
        change = change.as_str(),
        queued,
        "owners told of the state of a publiccode.yml"
    );
    Ok(queued)
}
