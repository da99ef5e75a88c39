//! Sessions in the database: a signed-in browser holds a random token in a cookie; the table
//! keeps only its SHA-256, the user, the CSRF token of the session's forms, and when it ends.
//! Signing out deletes the row; signing out everywhere deletes every row of the user; expired
//! sessions and e-mailed links are purged by [`purge_expired`].

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, DatabaseConnection,
    EntityTrait as _, QueryFilter as _,
};

use super::entities::{sessions, user_tokens, users};
use super::tokens::{is_token, new_token, token_hash};
use super::{CommunityError, now};

/// How long a session lasts without use.
pub const IDLE_DAYS: i64 = 30;

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// The SHA-256 of the cookie's token.
    pub id: String,
    /// Who is signed in.
    pub user: users::Model,
    /// The token every form of this session carries.
    pub csrf: String,
    /// Whether this request moved the session's end forward (its cookie is then sent again,
    /// so that the browser keeps it as long as the server does).
    pub renewed: bool,
}

/// Starts a session for `user`; answers the token for the cookie and the session.
///
/// # Errors
///
/// On a database error.
pub async fn start(
    db: &DatabaseConnection,
    user: &users::Model,
    user_agent: Option<&str>,
) -> Result<(String, Session), CommunityError> {
    let (token, id) = new_token()?;
    let (csrf, _) = new_token()?;
    let at = now();
    // What has ended of this account goes when it signs in again: expired sessions, and links
    // used or expired.
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user.id))
        .filter(sessions::Column::ExpiresAt.lte(at))
        .exec(db)
        .await?;
    user_tokens::Entity::delete_many()
        .filter(user_tokens::Column::UserId.eq(user.id))
        .filter(
            Condition::any()
                .add(user_tokens::Column::UsedAt.is_not_null())
                .add(user_tokens::Column::ExpiresAt.lte(at)),
        )
        .exec(db)
        .await?;
    sessions::ActiveModel {
        id: Set(id.clone()),
        user_id: Set(user.id),
        csrf_token: Set(csrf.clone()),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(200).collect())),
        created_at: Set(at),
        last_seen_at: Set(at),
        expires_at: Set(at + chrono::Duration::days(IDLE_DAYS)),
    }
    .insert(db)
    .await?;
    Ok((
        token,
        Session {
            id,
            user: user.clone(),
            csrf,
            renewed: false,
        },
    ))
}

/// The live session of a cookie token, if any; its end moves forward at most once an hour.
///
/// # Errors
///
/// On a database error.
pub async fn find(db: &DatabaseConnection, token: &str) -> Result<Option<Session>, CommunityError> {
    if !is_token(token) {
        return Ok(None);
    }
    let Some(session) = sessions::Entity::find_by_id(token_hash(token))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = users::Entity::find_by_id(session.user_id).one(db).await? else {
        return Ok(None);
    };
    let at = now();
    if session.expires_at <= at || user.deleted_at.is_some() {
        return Ok(None);
    }
    let renewed = at - session.last_seen_at > chrono::Duration::hours(1);
    if renewed {
        sessions::ActiveModel {
            id: Set(session.id.clone()),
            last_seen_at: Set(at),
            expires_at: Set(at + chrono::Duration::days(IDLE_DAYS)),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(Some(Session {
        id: session.id,
        user,
        csrf: session.csrf_token,
        renewed,
    }))
}

/// Ends the session `id` (a sign-out).
///
/// # Errors
///
/// On a database error.
pub async fn end(db: &DatabaseConnection, id: &str) -> Result<(), CommunityError> {
    sessions::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of `user_id` (sign out everywhere); answers how many there were.
///
/// # Errors
///
/// On a database error.
pub async fn end_all(db: &DatabaseConnection, user_id: i64) -> Result<u64, CommunityError> {
    Ok(sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// How many live sessions `user_id` has.
///
/// # Errors
///
/// On a database error.
pub async fn count(db: &DatabaseConnection, user_id: i64) -> Result<u64, CommunityError> {
    use sea_orm::PaginatorTrait as _;
    Ok(sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::ExpiresAt.gt(now()))
        .count(db)
        .await?)
}

/// What [`purge_expired`] deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Sessions past their end.
    pub sessions: u64,
    /// E-mailed links (verification, reset, membership confirmation) past theirs, used or not.
    pub links: u64,
}

/// Deletes the sessions and the e-mailed links that ended before `at`: neither can be used
/// any more, and neither is kept for anything else.
///
/// # Errors
///
/// On a database error.
pub async fn purge_expired(
    db: &DatabaseConnection,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Purged, CommunityError> {
    let sessions = sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(at))
        .exec(db)
        .await?
        .rows_affected;
    let links = user_tokens::Entity::delete_many()
        .filter(user_tokens::Column::ExpiresAt.lte(at))
        .exec(db)
        .await?
        .rows_affected;
    Ok(Purged { sessions, links })
}
