//! The community: accounts and their sessions, the administrations people act for, and the
//! reuse declarations they make (Annex D of the AgID guidelines).
//!
//! This module owns the `users`, `sessions`, `user_tokens`, `memberships`, `reuse_declarations`
//! and `declaration_events` tables, and who may do what ([`authz`], the one place for it);
//! [`forum`] owns the communities, their threads and their releases; [`signing`] the keys the
//! links of e-mails are signed with (`signing_keys`).
//! [`notices`] tells the members of an administration who asked for it when a file of its
//! software turns invalid, is valid again, or stayed invalid past its grace. It
//! writes the e-mail it sends into the outbox in the same transaction as what caused it. It knows
//! nothing of HTTP: the web layer maps its errors to statuses and its message keys to pages.

pub mod accounts;
pub mod authz;
pub mod declarations;
pub mod entities;
pub mod forum;
mod mails;
pub mod memberships;
pub mod notices;
pub mod people;
pub mod roles;
pub mod sessions;
pub mod signing;
pub mod tokens;

use sea_orm::DbErr;

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
    /// The person posts or reports faster than a person writes; they may try again after this
    /// many seconds.
    #[error("too many posts or reports: try again in {0} s")]
    TooFast(u64),
    /// The person may not do this (or must sign in first).
    #[error(transparent)]
    Denied(#[from] authz::Denied),
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
    fn plain_lines() {
        assert!(plain_line("Comune di Bologna", 80));
        assert!(!plain_line("  ", 80));
        assert!(!plain_line("a\nb", 80));
        assert!(!plain_line(&"x".repeat(81), 80));
    }
}
