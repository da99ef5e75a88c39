//! Organisations as other modules need them: found or created by IPA code with the registry's
//! name, and read by id. (Publishers are created by ingest from the files themselves.)

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr,
    EntityTrait as _, QueryFilter as _,
};

use super::entities::organisations;

/// The organisation with IPA code `code` (lower case), created with `name` (the registry's
/// official name) on first sight, and given that name if it was only known by its code.
///
/// # Errors
///
/// On a database error.
pub async fn for_ipa(
    db: &impl ConnectionTrait,
    code: &str,
    name: &str,
) -> Result<organisations::Model, DbErr> {
    let org = get_or_create(db, code, name).await?;
    // A publisher whose files give no name is known by its code: the registry's official
    // name is better, and it is the name `usedBy` entries are matched against.
    if org.name == code && !name.is_empty() && name != code {
        let mut named: organisations::ActiveModel = org.into();
        named.name = Set(name.to_owned());
        named.updated_at = Set(Utc::now().fixed_offset());
        return named.update(db).await;
    }
    Ok(org)
}

/// The organisation with IPA code `code` (lower case) as the catalog knows it, or created with
/// `name`; two writers creating it at once both get the one row.
///
/// # Errors
///
/// On a database error.
pub async fn get_or_create(
    db: &impl ConnectionTrait,
    code: &str,
    name: &str,
) -> Result<organisations::Model, DbErr> {
    if let Some(org) = by_ipa(db, code).await? {
        return Ok(org);
    }
    let now = Utc::now().fixed_offset();
    let fresh = organisations::ActiveModel {
        ipa_code: Set(Some(code.to_owned())),
        name: Set(name.to_owned()),
        kind: Set(Some("pa".to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(org) = super::unique::insert_new(db, fresh).await? {
        return Ok(org);
    }
    // Another writer inserted it since the look-up.
    by_ipa(db, code)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("organisation {code}")))
}

/// The organisation with IPA code `code` (any case), if the catalog knows it.
///
/// # Errors
///
/// On a database error.
pub async fn by_ipa(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<organisations::Model>, DbErr> {
    organisations::Entity::find()
        .filter(organisations::Column::IpaCode.eq(code.to_ascii_lowercase()))
        .one(db)
        .await
}

/// The organisations with these ids.
///
/// # Errors
///
/// On a database error.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, organisations::Model>, DbErr> {
    Ok(organisations::Entity::find()
        .filter(organisations::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// The ids of the organisations with these IPA codes.
///
/// # Errors
///
/// On a database error.
pub async fn ids_of_codes(
    db: &impl ConnectionTrait,
    codes: Vec<String>,
) -> Result<Vec<i64>, DbErr> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(organisations::Entity::find()
        .filter(organisations::Column::IpaCode.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect())
}
