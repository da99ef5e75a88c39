//! Secrets: the tokens of session cookies and of e-mailed links (generated, and kept only as
//! their SHA-256), and the single-use links of `user_tokens` (stored, looked up, redeemed).

use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, QueryFilter as _,
};
use sha2::{Digest as _, Sha256};

use super::entities::user_tokens;
use super::{CommunityError, now};

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

/// Whether `token` has the shape of ours (64 hex digits): anything else is not looked up.
#[must_use]
pub fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The hash of `token`, when it has the shape of ours.
fn hash_of(token: &str) -> Result<String, CommunityError> {
    if is_token(token) {
        Ok(token_hash(token))
    } else {
        Err(CommunityError::BadToken)
    }
}

/// What a `purpose` link whose token hashes to `hash` must be to work at `at`: unused, unexpired.
fn usable(purpose: &str, hash: &str, at: DateTime<FixedOffset>) -> Condition {
    Condition::all()
        .add(user_tokens::Column::TokenHash.eq(hash))
        .add(user_tokens::Column::Purpose.eq(purpose))
        .add(user_tokens::Column::UsedAt.is_null())
        .add(user_tokens::Column::ExpiresAt.gt(at))
}

/// Stores a new single-use `purpose` link for `user_id` valid `hours`; answers its token.
pub(super) async fn insert_token(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: i64,
    membership_id: Option<i64>,
    hours: i64,
) -> Result<String, CommunityError> {
    let (token, hash) = new_token()?;
    let at = now();
    user_tokens::ActiveModel {
        token_hash: Set(hash),
        purpose: Set(purpose.to_owned()),
        user_id: Set(user_id),
        membership_id: Set(membership_id),
        created_at: Set(at),
        expires_at: Set(at + chrono::Duration::hours(hours)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Marks the unused, unexpired `purpose` token `token` as used and answers it, in one
/// conditional update: two requests with the same link cannot both use it.
pub(super) async fn redeem_token(
    db: &impl ConnectionTrait,
    purpose: &str,
    token: &str,
) -> Result<user_tokens::Model, CommunityError> {
    let hash = hash_of(token)?;
    let at = now();
    let used = user_tokens::Entity::update_many()
        .col_expr(user_tokens::Column::UsedAt, Expr::value(at))
        .filter(usable(purpose, &hash, at))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(CommunityError::BadToken);
    }
    user_tokens::Entity::find()
        .filter(user_tokens::Column::TokenHash.eq(hash))
        .one(db)
        .await?
        .ok_or(CommunityError::BadToken)
}

/// The unused, unexpired `purpose` token `token`, without using it.
pub(super) async fn find_token(
    db: &impl ConnectionTrait,
    purpose: &str,
    token: &str,
) -> Result<user_tokens::Model, CommunityError> {
    let hash = hash_of(token)?;
    user_tokens::Entity::find()
        .filter(usable(purpose, &hash, now()))
        .one(db)
        .await?
        .ok_or(CommunityError::BadToken)
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
}
