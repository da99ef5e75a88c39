//! What members do with declarations: declare, record the Annex D issue, confirm, withdraw;
//! and the acknowledgment a crawl of the owner's `usedBy` brings.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait as _, QueryFilter as _, SqlErr,
};
use url::Url;

use super::annex_d::web_url;
use super::queries::Declaration;
use super::state::{Status, event, transition, via};
use crate::catalog::{organisations, reuse};
use crate::community::entities::reuse_declarations;
use crate::community::memberships;
use crate::community::{CommunityError, mails, now, plain_line};
use crate::i18n::Lang;
use crate::mail::{self, MailError};

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
    let txn = crate::db::begin_write(db).await?;
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
        for member in memberships::verified_members(&txn, owner).await? {
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

async fn moved(
    db: &DatabaseConnection,
    id: i64,
    next: Status,
    user_id: i64,
    change: reuse_declarations::ActiveModel,
    detail: Option<String>,
) -> Result<(), CommunityError> {
    let txn = crate::db::begin_write(db).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
