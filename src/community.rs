//! The community: accounts and their sessions, the administrations people act for, and the
//! reuse declarations they make (Annex D of the AgID guidelines).
//!
//! This module owns the `users`, `sessions`, `user_tokens`, `memberships`, `reuse_declarations`
//! and `declaration_events` tables, and who may do what ([`authz`], the one place for it). It
//! writes the e-mail it sends into the outbox in the same transaction as what caused it. It knows
//! nothing of HTTP: the web layer maps its errors to statuses and its message keys to pages.

pub mod accounts;
pub mod authz;
pub mod declarations;
pub mod entities;
mod mails;
pub mod memberships;
pub mod sessions;

use sea_orm::DbErr;
use sha2::{Digest as _, Sha256};

use crate::i18n::Lang;
use crate::mail::MailError;

/// Why a community operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// A message could not be queued.
    #[error(transparent)]
    Mail(#[from] MailError),
    /// The input is not acceptable; the key names the message (`locales/*.toml`) saying why.
    #[error("{}", Lang::En.t(.0))]
    Invalid(&'static str),
    /// No such thing (or not visible to this user).
    #[error("not found")]
    NotFound,
    /// The e-mail address and password do not match an account.
    #[error("{}", Lang::En.t("account.error.credentials"))]
    BadCredentials,
    /// The link is unknown, used or expired.
    #[error("{}", Lang::En.t("account.error.token"))]
    BadToken,
    /// The change contradicts the current state; the key names the message saying why.
    #[error("{}", Lang::En.t(.0))]
    Conflict(&'static str),
    /// Too many passwords are being hashed at once: try again in a moment.
    #[error("too many password checks at once: try again in a moment")]
    Busy,
    /// Something that should not fail did (the random source, a password hash).
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl CommunityError {
    /// The message key of a client-side mistake, for the page that shows it.
    #[must_use]
    pub fn message_key(&self) -> Option<&'static str> {
        match self {
            Self::Invalid(key) | Self::Conflict(key) => Some(key),
            Self::BadCredentials => Some("account.error.credentials"),
            Self::BadToken => Some("account.error.token"),
            Self::Mail(MailError::Build(_)) => Some("account.error.email"),
            _ => None,
        }
    }
}

/// A fresh secret for a cookie or an e-mailed link (256 random bits, hex) and its SHA-256, the
/// only form the database keeps.
///
/// # Errors
///
/// When the operating system's random source fails.
pub fn new_token() -> Result<(String, String), CommunityError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| CommunityError::Internal(Box::new(e)))?;
    let token = hex(&bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The SHA-256 of a token, hex: what the database stores in place of the token.
#[must_use]
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
#[must_use]
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Now, as the database columns store it.
fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().fixed_offset()
}

/// Whether `text` is a single line of at most `max` characters with no control characters.
fn plain_line(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, hash_a) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), hash_a);
        assert_ne!(a, hash_a);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
        assert!(!same_secret(&a, &a[1..]));
    }

    #[test]
    fn plain_lines() {
        assert!(plain_line("Comune di Bologna", 80));
        assert!(!plain_line("  ", 80));
        assert!(!plain_line("a\nb", 80));
        assert!(!plain_line(&"x".repeat(81), 80));
    }
}
