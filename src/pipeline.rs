//! The steps that write both the catalog and the community, each in one transaction.
//!
//! A crawled or imported file is stored by [`catalog::ingest`], and the reuse declarations its
//! `usedBy` acknowledges (Annex D) by [`declarations::acknowledge_from_used_by`], atomically
//! with the snapshot that says so; a transaction that loses a race with another writer runs
//! again. The catalog never calls the community: this module, above
//! both, calls one and then the other. The crawler, `riuso import` and the synthetic catalogs
//! store files through here.

use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::catalog::{self, Fetched, IngestError, IngestOutcome, Ingested, Origin, unique};
use crate::community::declarations;
use crate::publiccode::{self, Context, Inspection, Limits, Outcome, Rejected, Validated};

/// Records an inspected file, valid or not (see [`ingest_valid`] and [`ingest_invalid`]).
///
/// # Errors
///
/// Fails on a database error; nothing is written.
pub async fn ingest(
    db: &DatabaseConnection,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    inspected: &Inspection,
) -> Result<Ingested, IngestError> {
    match &inspected.outcome {
        Outcome::Valid(v) => ingest_valid(db, origin, fetched, v).await,
        Outcome::Invalid(r) => {
            let version = inspected.declared_version.as_deref();
            ingest_invalid(db, origin, fetched, r, version).await
        }
    }
}

/// Records a valid file, and acknowledges the pending declarations of the administrations its
/// `usedBy` names when it became the entry's current snapshot; one transaction.
///
/// # Errors
///
/// Fails on a database error; nothing is written.
pub async fn ingest_valid(
    db: &DatabaseConnection,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    validated: &Validated,
) -> Result<Ingested, IngestError> {
    unique::retry_races(
        || async {
            let txn = crate::db::begin_write(db).await?;
            let ingested = catalog::ingest_valid(&txn, origin, fetched, validated).await?;
            if matches!(
                ingested.outcome,
                IngestOutcome::New | IngestOutcome::Updated
            ) && !validated.code().used_by.is_empty()
            {
                // An owner that lists a declaring administration in `usedBy` acknowledges its
                // declaration (Annex D), in the same transaction as the file that says so.
                declarations::acknowledge_from_used_by(
                    &txn,
                    ingested.software_id,
                    ingested.snapshot_id,
                )
                .await?;
            }
            txn.commit().await?;
            Ok(ingested)
        },
        lost_to,
    )
    .await
}

/// The database error behind an ingest's failure, for [`unique::retry_races`] to tell a lost
/// race (the transaction runs again) from any other failure.
fn lost_to(e: &IngestError) -> Option<&sea_orm::DbErr> {
    match e {
        IngestError::Db(e) => Some(e),
        IngestError::Encode(_) => None,
    }
}

/// Records an invalid file with its diagnostics and the version it declares, if readable; one
/// transaction.
///
/// # Errors
///
/// Fails on a database error; nothing is written.
pub async fn ingest_invalid(
    db: &DatabaseConnection,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    rejected: &Rejected,
    declared_version: Option<&str>,
) -> Result<Ingested, IngestError> {
    unique::retry_races(
        || async {
            let txn = crate::db::begin_write(db).await?;
            let ingested =
                catalog::ingest_invalid(&txn, origin, fetched, rejected, declared_version).await?;
            txn.commit().await?;
            Ok(ingested)
        },
        lost_to,
    )
    .await
}

/// Ingests entries `0..count` of `seed` through the whole pipeline (validation included),
/// calling `progress` after each; returns how many were new.
///
/// # Errors
///
/// Fails on a database error, or if the generator ever produced an invalid file.
pub async fn populate(
    db: &DatabaseConnection,
    seed: u64,
    count: u64,
    mut progress: impl FnMut(u64),
) -> Result<u64, SeedError> {
    let mut new = 0;
    for n in 0..count {
        let (url, yaml) = catalog::seed::entry(seed, n);
        let Outcome::Valid(v) =
            publiccode::check(yaml.as_bytes(), &Limits::default(), &Context::default())
        else {
            return Err(SeedError::Invalid(n));
        };
        let origin = Origin {
            repository_url: &url,
            forge: "git",
            facts: None,
            source_ipa: None,
        };
        let fetched = Fetched {
            bytes: yaml.as_bytes(),
            commit: None,
            fetched_at: Utc::now(),
        };
        if ingest_valid(db, origin, fetched, &v).await?.outcome == IngestOutcome::New {
            new += 1;
        }
        progress(n + 1);
    }
    if count >= catalog::COMPACT_AFTER {
        catalog::compact(db).await.map_err(IngestError::from)?;
    }
    Ok(new)
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The generator made an invalid file (a bug in the generator).
    #[error("synthetic entry {0} is invalid; this is a bug in the generator")]
    Invalid(u64),
    /// Ingest failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
}
