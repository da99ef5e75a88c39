//! What the catalog says of a candidate, read for its evaluation (§2.5.2 blocks a and b): the
//! entry as a search result ([`Found`]) and the facts an evaluation freezes ([`CatalogFacts`]):
//! declared compliance, maintenance and contracts, the administrations in `usedBy` and the
//! confirmed reuse declarations, vitality, licence, open and proprietary dependencies, all
//! from the entry's current snapshot.

use sea_orm::DatabaseConnection;

use super::CaseError;
use super::evidence::{CatalogFacts, Contract, Found};
use crate::catalog::read;
use crate::community::declarations;

/// Entry `id_or_slug` as found, with its facts; `None` when there is no such entry or it has no
/// snapshot yet.
///
/// # Errors
///
/// Fails on a database error.
pub async fn candidate(
    db: &DatabaseConnection,
    id_or_slug: &str,
) -> Result<Option<(Found, CatalogFacts)>, CaseError> {
    let Some(detail) = read::software(db, id_or_slug).await? else {
        return Ok(None);
    };
    let Some(current) = &detail.current else {
        return Ok(None);
    };
    let doc = current.document();
    let declarations = declarations::of_software(db, detail.software.id).await?;
    let publisher = detail.organisation.as_ref().map(|o| o.name.clone());
    let ipa = detail
        .organisation
        .as_ref()
        .and_then(|o| o.ipa_code.clone());
    let mut claims: Vec<String> = current
        .claims
        .iter()
        .filter(|c| c.value != "false" && c.kind != "publisher_ipa")
        .map(|c| c.kind.clone())
        .collect();
    claims.sort();
    claims.dedup();
    let licence = doc.as_ref().map(|d| d.legal.license.clone());
    let found = Found {
        software: detail.software.id,
        snapshot: current.snapshot.id,
        slug: detail.software.slug.clone(),
        name: detail.software.name.clone(),
        publisher: publisher.clone(),
        ipa: ipa.clone(),
        licence: licence.clone(),
    };
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the index is stored from whole points between 0 and 100"
    )]
    let vitality = detail
        .software
        .vitality
        .map(|v| v.round().clamp(0.0, 100.0) as i32);
    let facts = CatalogFacts {
        version: doc.as_ref().and_then(|d| d.software_version.clone()),
        publisher,
        ipa,
        claims,
        maintenance: doc.as_ref().map(|d| d.maintenance.kind.as_str().to_owned()),
        contracts: doc
            .as_ref()
            .map(|d| {
                d.maintenance
                    .contractors
                    .iter()
                    .map(|c| Contract {
                        name: c.name.clone(),
                        until: Some(c.until),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        used_by: u32::try_from(current.used_by.len()).unwrap_or(u32::MAX),
        declarations: u32::try_from(declarations.len()).unwrap_or(u32::MAX),
        vitality,
        licence,
        dependencies: doc
            .as_ref()
            .map(|d| d.depends_on.open.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default(),
        proprietary: doc
            .as_ref()
            .map(|d| {
                d.depends_on
                    .proprietary
                    .iter()
                    .map(|p| p.name.clone())
                    .collect()
            })
            .unwrap_or_default(),
    };
    Ok(Some((found, facts)))
}

/// Entries `ids` as a search found them, in that order: each with its current snapshot, its
/// publisher and its licence; entries without a snapshot are left out.
///
/// # Errors
///
/// Fails on a database error.
pub async fn found(db: &DatabaseConnection, ids: &[i64]) -> Result<Vec<Found>, CaseError> {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

    use crate::catalog::entities::software;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = software::Entity::find()
        .filter(software::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let orgs =
        crate::catalog::organisations::by_ids(db, rows.iter().filter_map(|r| r.organisation_id))
            .await?;
    let cards = crate::catalog::browse::cards(db, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            let row = rows.iter().find(|r| r.id == *id)?;
            let snapshot = row.current_snapshot_id?;
            let org = row.organisation_id.and_then(|o| orgs.get(&o));
            Some(Found {
                software: row.id,
                snapshot,
                slug: row.slug.clone(),
                name: row.name.clone(),
                publisher: org.map(|o| o.name.clone()),
                ipa: org.and_then(|o| o.ipa_code.clone()),
                licence: cards.get(id).and_then(|c| c.licence.clone()),
            })
        })
        .collect())
}
