//! What reuse declarations need of the catalog: the entries they are about (with the repository
//! the owner can be reached at), the entries an organisation publishes, and the administrations
//! a snapshot's `usedBy` names.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};

use super::entities::{repositories, snapshots, software, used_by};

/// A catalog entry as a declaration shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    /// Entry id.
    pub id: i64,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The owner's repository: where it was crawled from, or, for an entry imported from local
    /// files, the `url` its `publiccode.yml` declares.
    pub repository: String,
    /// The forge (`github`, `gitlab`, `gitea`, `git`, `local`).
    pub forge: String,
    /// The owning organisation: the publisher the file claims, only when the source it was
    /// crawled from confirmed it (`software.publisher_verified`). A claim alone gives no rights
    /// and no mail.
    pub owner_id: Option<i64>,
    /// The current snapshot, if any.
    pub current_snapshot_id: Option<i64>,
}

/// The first entry (by id) named `name`, if any.
///
/// # Errors
///
/// On a database error.
pub async fn entry_named(db: &impl ConnectionTrait, name: &str) -> Result<Option<EntryRef>, DbErr> {
    let Some(row) = software::Entity::find()
        .filter(software::Column::Name.eq(name))
        .order_by_asc(software::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(entries(db, [row.id]).await?.remove(&row.id))
}

/// The entries with these ids.
///
/// # Errors
///
/// On a database error.
pub async fn entries(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, EntryRef>, DbErr> {
    let rows = software::Entity::find()
        .filter(software::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let repos: HashMap<i64, repositories::Model> = repositories::Entity::find()
        .filter(repositories::Column::Id.is_in(rows.iter().map(|s| s.repository_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let local: Vec<i64> = rows
        .iter()
        .filter(|s| {
            repos
                .get(&s.repository_id)
                .is_some_and(|r| r.url.starts_with("file:"))
        })
        .filter_map(|s| s.current_snapshot_id)
        .collect();
    let declared: HashMap<i64, String> = if local.is_empty() {
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
        .filter_map(|s| {
            let repo = repos.get(&s.repository_id)?;
            Some((
                s.id,
                EntryRef {
                    id: s.id,
                    repository: declared
                        .get(&s.id)
                        .cloned()
                        .unwrap_or_else(|| repo.url.clone()),
                    forge: repo.forge.clone(),
                    slug: s.slug,
                    name: s.name,
                    owner_id: s.organisation_id.filter(|_| s.publisher_verified),
                    current_snapshot_id: s.current_snapshot_id,
                },
            ))
        })
        .collect())
}

/// The ids of the entries organisation `owner_id` owns: it publishes them, verified.
///
/// # Errors
///
/// On a database error.
pub async fn published_by(db: &impl ConnectionTrait, owner_id: i64) -> Result<Vec<i64>, DbErr> {
    Ok(software::Entity::find()
        .filter(software::Column::OrganisationId.eq(owner_id))
        .filter(software::Column::PublisherVerified.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// The `usedBy` names of snapshot `snapshot_id`, in file order, with the IPA code matched to
/// each.
///
/// # Errors
///
/// On a database error.
pub async fn used_by(
    db: &impl ConnectionTrait,
    snapshot_id: i64,
) -> Result<Vec<(String, Option<String>)>, DbErr> {
    Ok(used_by::Entity::find()
        .filter(used_by::Column::SnapshotId.eq(snapshot_id))
        .order_by_asc(used_by::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.name, u.ipa_code))
        .collect())
}
