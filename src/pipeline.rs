//! The steps that write both the catalog and the community, each in one transaction.
//!
//! A crawled or imported file is stored by [`catalog::ingest`], and the reuse declarations its
//! `usedBy` acknowledges (Annex D) by [`declarations::acknowledge_from_used_by`], atomically
//! with the snapshot that says so (and the reuse cases those declarations were made from close
//! with them); a transaction that loses a race with another writer runs
//! again. A file whose state changed (a valid file followed by an invalid one, or the reverse)
//! and an entry deactivated after its grace ([`expire_invalid`]) are told to the owner's
//! members who asked for it ([`notices`]), in the same transaction as the change. A file that
//! declares a new version of an entry with a community opens its release thread there
//! ([`releases::seen`]), in the same transaction too. The catalog
//! never calls the community: this module, above both, calls one and then the other. The crawler, `riuso import` and the synthetic catalogs
//! store files through here.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use crate::catalog::{
    self, Declared, Fetched, IngestError, IngestOutcome, Ingested, Origin, ValidityChange, unique,
    validity,
};
use crate::community::forum::releases;
use crate::community::{declarations, notices};
use crate::publiccode::{self, Context, Inspection, Limits, Outcome, Rejected, Validated};

/// What keeping an entry's state up to date needs beside the file: the grace an invalid file
/// gets before its entry is deactivated, and the public address the mails about it link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upkeep {
    /// Days an entry whose file turned invalid stays active with its last valid file.
    pub grace_days: u32,
    /// The server's public address, for the links in mail.
    pub public_url: String,
}

impl Default for Upkeep {
    fn default() -> Self {
        Self {
            grace_days: crate::config::DEFAULT_INVALID_GRACE_DAYS,
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

impl Upkeep {
    /// The grace, as a span of time.
    #[must_use]
    pub fn grace(&self) -> TimeDelta {
        TimeDelta::days(i64::from(self.grace_days))
    }

    /// The upkeep the configuration describes.
    #[must_use]
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            grace_days: config.invalid_grace_days,
            public_url: config.public_url.clone(),
        }
    }
}

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
    upkeep: &Upkeep,
) -> Result<Ingested, IngestError> {
    match &inspected.outcome {
        Outcome::Valid(v) => ingest_valid(db, origin, fetched, v, upkeep).await,
        Outcome::Invalid(r) => {
            let declared = Declared {
                version: inspected.declared_version.as_deref(),
                name: inspected.declared_name.as_deref(),
            };
            ingest_invalid(db, origin, fetched, r, declared, upkeep).await
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
    upkeep: &Upkeep,
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
                let acknowledged = declarations::acknowledge_from_used_by(
                    &txn,
                    ingested.software_id,
                    ingested.snapshot_id,
                )
                .await?;
                // The reuse cases waiting for those acknowledgements close with them.
                crate::cases::store::follow_declarations(&txn, &acknowledged, Utc::now())
                    .await
                    .map_err(|e| match e {
                        crate::cases::CaseError::Db(db) => db,
                        other => DbErr::Custom(other.to_string()),
                    })?;
            }
            if matches!(
                ingested.outcome,
                IngestOutcome::New | IngestOutcome::Updated
            ) {
                // A new version opens its release thread in the entry's community, in the
                // same transaction as the file that declares it.
                let code = validated.code();
                releases::seen(
                    &txn,
                    ingested.software_id,
                    code.software_version.as_deref(),
                    code.release_date,
                )
                .await?;
            }
            if let Some(change) = ingested.change {
                tell(&txn, ingested.software_id, change, upkeep).await?;
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

/// Records an invalid file with its diagnostics and what it declares, if readable; deactivates
/// its entry when the file has been invalid longer than the grace (counted to the time it was
/// fetched); one transaction.
///
/// # Errors
///
/// Fails on a database error; nothing is written.
pub async fn ingest_invalid(
    db: &DatabaseConnection,
    origin: Origin<'_>,
    fetched: Fetched<'_>,
    rejected: &Rejected,
    declared: Declared<'_>,
    upkeep: &Upkeep,
) -> Result<Ingested, IngestError> {
    unique::retry_races(
        || async {
            let txn = crate::db::begin_write(db).await?;
            let ingested =
                catalog::ingest_invalid(&txn, origin, fetched, rejected, declared).await?;
            if let Some(change) = ingested.change {
                tell(&txn, ingested.software_id, change, upkeep).await?;
            }
            let cutoff = fetched.fetched_at - upkeep.grace();
            for id in validity::expire(&txn, cutoff, Some(ingested.software_id)).await? {
                tell(&txn, id, ValidityChange::Deactivated, upkeep).await?;
            }
            txn.commit().await?;
            Ok(ingested)
        },
        lost_to,
    )
    .await
}

/// Tells the owner's members who asked for it that the file of entry `id` changed state.
async fn tell(
    txn: &impl ConnectionTrait,
    id: i64,
    change: ValidityChange,
    upkeep: &Upkeep,
) -> Result<(), DbErr> {
    let Some(subject) = validity::subject(txn, id).await? else {
        return Ok(());
    };
    notices::validity_changed(txn, &subject, change, upkeep.grace_days, &upkeep.public_url).await?;
    Ok(())
}

/// Deactivates every entry (only `only`, when given) whose file has been invalid longer than
/// the grace at `now`, and tells the owners' members who asked for it; one transaction.
/// Answers how many entries it deactivated. The periodic check runs it for all; a crawl that
/// finds a repository unchanged, for that repository's entry (reading an invalid file again
/// does the same through [`ingest_invalid`]).
///
/// # Errors
///
/// Fails on a database error; nothing is written.
pub async fn expire_invalid(
    db: &DatabaseConnection,
    upkeep: &Upkeep,
    now: DateTime<Utc>,
    only: Option<i64>,
) -> Result<u64, DbErr> {
    unique::retry_races(
        || async {
            let txn = crate::db::begin_write(db).await?;
            let expired = validity::expire(&txn, now - upkeep.grace(), only).await?;
            for id in &expired {
                tell(&txn, *id, ValidityChange::Deactivated, upkeep).await?;
            }
            txn.commit().await?;
            if !expired.is_empty() {
                tracing::info!(
                    deactivated = expired.len(),
                    "entries deactivated after their grace"
                );
            }
            Ok(u64::try_from(expired.len()).unwrap_or(u64::MAX))
        },
        |e: &DbErr| Some(e),
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
        if ingest_valid(db, origin, fetched, &v, &Upkeep::default())
            .await?
            .outcome
            == IngestOutcome::New
        {
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
