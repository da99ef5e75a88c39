//! Links that prove themselves: an HMAC-SHA256 of what a link says (its purpose, whom it is for,
//! what it does, until when), with a random key per purpose kept in `signing_keys`. Nothing is
//! stored per link, so a message to 10,000 people writes no row per person, and any server of
//! the site checks a link another wrote.
//!
//! The key is made by the first server that needs it (256 random bits); concurrent servers race
//! on the primary key and all read back the one that won.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sea_orm::{ConnectionTrait, DbErr};
use sha2::Sha256;

use super::{CommunityError, now};
use crate::db::statement;

type HmacSha256 = Hmac<Sha256>;

/// The key of `purpose`, made on first use.
///
/// # Errors
///
/// On a database error, or when the random source fails.
pub async fn key(db: &impl ConnectionTrait, purpose: &str) -> Result<Vec<u8>, CommunityError> {
    if let Some(key) = stored(db, purpose).await? {
        return Ok(key);
    }
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| CommunityError::Internal(Box::new(e)))?;
    let backend = db.get_database_backend();
    db.execute_raw(statement(
        backend,
        "INSERT INTO signing_keys (purpose, secret, created_at) VALUES (?, ?, ?) \
         ON CONFLICT (purpose) DO NOTHING",
        [purpose.into(), hex(&bytes).into(), now().into()],
    ))
    .await?;
    stored(db, purpose)
        .await?
        .ok_or(CommunityError::Db(DbErr::RecordNotFound(format!(
            "signing key {purpose}"
        ))))
}

async fn stored(db: &impl ConnectionTrait, purpose: &str) -> Result<Option<Vec<u8>>, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(statement(
            backend,
            "SELECT secret FROM signing_keys WHERE purpose = ?",
            [purpose.into()],
        ))
        .await?;
    Ok(row
        .map(|row| row.try_get::<String>("", "secret"))
        .transpose()?
        .and_then(|hex| unhex(&hex)))
}

/// The signature of `message` under `key`, as 64 hex digits.
///
/// # Errors
///
/// Never in practice: HMAC takes a key of any length.
pub fn sign(key: &[u8], message: &str) -> Result<String, CommunityError> {
    let mac = mac(key, message).map_err(|e| CommunityError::Internal(Box::new(e)))?;
    Ok(hex(&mac.finalize().into_bytes()))
}

/// Whether `signature` (hex) is the signature of `message` under `key`, compared in constant
/// time.
#[must_use]
pub fn verify(key: &[u8], message: &str, signature: &str) -> bool {
    match (unhex(signature), mac(key, message)) {
        (Some(sig), Ok(mac)) => mac.verify_slice(&sig).is_ok(),
        _ => false,
    }
}

fn mac(key: &[u8], message: &str) -> Result<HmacSha256, hmac::digest::InvalidLength> {
    let mut mac = HmacSha256::new_from_slice(key)?;
    mac.update(message.as_bytes());
    Ok(mac)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 256 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_test_case_2() {
        assert_eq!(
            sign(b"Jefe", "what do ya want for nothing?").unwrap(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_changed_message_or_signature_fails() {
        let key = b"0123456789abcdef0123456789abcdef";
        let sig = sign(key, "unsubscribe|1|thread=2|100").unwrap();
        assert!(verify(key, "unsubscribe|1|thread=2|100", &sig));
        assert!(!verify(key, "unsubscribe|1|thread=3|100", &sig));
        assert!(!verify(b"another key", "unsubscribe|1|thread=2|100", &sig));
        let mut tampered = sig.clone();
        tampered.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
        assert!(!verify(key, "unsubscribe|1|thread=2|100", &tampered));
        assert!(!verify(key, "unsubscribe|1|thread=2|100", "zz"));
    }
}
