//! Who is told of a post: the people it mentions (always, by e-mail too), and the people who
//! follow its thread or its community (in the site, and by e-mail).
//!
//! A post only queues its fan-out ([`queue_fan_out`], in the post's transaction): the request
//! that writes a post to a community of ten thousand followers answers at once, and the
//! `notify-post` job ([`fan_out`]) tells them afterwards. The fan-out is idempotent: one
//! notification per person and post (a unique index), and only a notification it inserted is
//! mailed, so a job run again tells nobody twice. Nobody is told of their own post, nor of a post
//! of a members-only community they may not read. Mail is written in each person's language
//! through the outbox.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};

use super::members::{Mentioned, mentioned};
use super::{Visibility, standing};
use crate::catalog::unique;
use crate::community::authz::{self, Action, Actor};
use crate::community::entities::{
    communities, notifications, posts, subscriptions, threads, users,
};
use crate::community::{CommunityError, mails, memberships, now, signing, tokens};
use crate::i18n::Lang;
use crate::jobs::{self, NewJob};
use crate::mail::{self, MailError};

/// The kind of the job that tells people of a post.
pub const JOB_KIND: &str = "notify-post";

/// Why someone is told of a post.
pub mod reason {
    /// The post mentions them (or their administration).
    pub const MENTION: &str = "mention";
    /// They follow the thread.
    pub const THREAD: &str = "thread";
    /// They follow the community.
    pub const COMMUNITY: &str = "community";
}

/// What a person follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A community, by id.
    Community(i64),
    /// A thread, by id.
    Thread(i64),
}

/// Queues the fan-out of post `post_id`, in the caller's transaction.
///
/// # Errors
///
/// On a database error.
pub async fn queue_fan_out(db: &impl ConnectionTrait, post_id: i64) -> Result<(), CommunityError> {
    jobs::enqueue(
        db,
        &NewJob::new(JOB_KIND, serde_json::json!({ "post": post_id }))
            .dedup(format!("{JOB_KIND}:{post_id}")),
    )
    .await?;
    Ok(())
}

fn target_filter(
    query: sea_orm::Select<subscriptions::Entity>,
    target: Target,
) -> sea_orm::Select<subscriptions::Entity> {
    match target {
        Target::Community(id) => query.filter(subscriptions::Column::CommunityId.eq(id)),
        Target::Thread(id) => query.filter(subscriptions::Column::ThreadId.eq(id)),
    }
}

/// How `user_id` follows `target`, if they do.
///
/// # Errors
///
/// On a database error.
pub async fn follows(
    db: &impl ConnectionTrait,
    user_id: i64,
    target: Target,
) -> Result<Option<Mode>, CommunityError> {
    let query = subscriptions::Entity::find().filter(subscriptions::Column::UserId.eq(user_id));
    Ok(target_filter(query, target).one(db).await?.map(|s| {
        if s.digest {
            Mode::Digest
        } else {
            Mode::Immediate
        }
    }))
}

/// How a follower gets mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A mail for each post.
    Immediate,
    /// One mail a day, listing the posts.
    Digest,
}

/// `actor` follows `target` in `community` (`Some(mode)`), or stops following it (`None`).
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` reads the community.
pub async fn follow(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    target: Target,
    mode: Option<Mode>,
) -> Result<(), CommunityError> {
    let standing = standing(db, community, Some(actor)).await?;
    super::allow(Some(actor), Action::ReadCommunity(standing))?;
    if let Some(mode) = mode {
        let digest = mode == Mode::Digest;
        let (community_id, thread_id) = match target {
            Target::Community(id) => (Some(id), None),
            Target::Thread(id) => (None, Some(id)),
        };
        let inserted = unique::insert_new(
            db,
            subscriptions::ActiveModel {
                user_id: Set(actor.user_id),
                community_id: Set(community_id),
                thread_id: Set(thread_id),
                created_at: Set(now()),
                digest: Set(digest),
                ..Default::default()
            },
        )
        .await?;
        if inserted.is_none() {
            let query = subscriptions::Entity::update_many()
                .col_expr(
                    subscriptions::Column::Digest,
                    sea_orm::sea_query::Expr::value(digest),
                )
                .filter(subscriptions::Column::UserId.eq(actor.user_id));
            let query = match target {
                Target::Community(id) => query.filter(subscriptions::Column::CommunityId.eq(id)),
                Target::Thread(id) => query.filter(subscriptions::Column::ThreadId.eq(id)),
            };
            query.exec(db).await?;
        }
    } else {
        let query = subscriptions::Entity::delete_many()
            .filter(subscriptions::Column::UserId.eq(actor.user_id));
        let query = match target {
            Target::Community(id) => query.filter(subscriptions::Column::CommunityId.eq(id)),
            Target::Thread(id) => query.filter(subscriptions::Column::ThreadId.eq(id)),
        };
        query.exec(db).await?;
    }
    Ok(())
}

/// Tells everyone concerned of post `post_id` (see the module documentation); answers how many
/// people were told now.
///
/// # Errors
///
/// On a database error.
pub async fn fan_out(
    db: &DatabaseConnection,
    post_id: i64,
    public_url: &str,
) -> Result<usize, CommunityError> {
    let Some(post) = posts::Entity::find_by_id(post_id).one(db).await? else {
        return Ok(0);
    };
    if post.deleted_at.is_some() || post.hidden_at.is_some() {
        return Ok(0);
    }
    let thread_row = threads::Entity::find_by_id(post.thread_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let community = super::communities::by_id(db, thread_row.community_id).await?;
    // Who, why, and whether their mail waits for the digest.
    let mut told: HashMap<i64, (&'static str, bool)> = HashMap::new();
    let names = crate::untrusted::mentions(&post.body);
    for m in mentioned(db, community.id, &names).await?.into_values() {
        match m {
            Mentioned::Person { user_id, .. } => {
                told.insert(user_id, (reason::MENTION, false));
            }
            Mentioned::Organisation { id, .. } => {
                for user in memberships::verified_members(db, id).await? {
                    told.insert(user.id, (reason::MENTION, false));
                }
            }
        }
    }
    for (target, why) in [
        (Target::Thread(thread_row.id), reason::THREAD),
        (Target::Community(community.id), reason::COMMUNITY),
    ] {
        let ids: Vec<(i64, bool)> = target_filter(subscriptions::Entity::find(), target)
            .select_only()
            .column(subscriptions::Column::UserId)
            .column(subscriptions::Column::Digest)
            .into_tuple()
            .all(db)
            .await?;
        for (id, digest) in ids {
            told.entry(id).or_insert((why, digest));
        }
    }
    if let Some(author) = post.author_id {
        told.remove(&author);
    }
    if told.is_empty() {
        return Ok(0);
    }
    let people: Vec<users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(told.keys().copied()))
        .filter(users::Column::DeletedAt.is_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    let members_only = community.visibility != Visibility::Public.as_str();
    let author = match post.author_id {
        Some(id) => users::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    }
    .unwrap_or_else(|| "riuso".to_owned());
    let link = format!(
        "{}/threads/{}#post-{}",
        public_url.trim_end_matches('/'),
        thread_row.id,
        post.id
    );
    let excerpt: String = post.body.chars().take(500).collect();
    let mut count = 0;
    // One key for every link of the fan-out, read once.
    let key = signing::key(db, UNSUBSCRIBE).await?;
    for person in people {
        if members_only {
            let actor = Actor::of(db, &person).await?;
            let standing = standing(db, &community, Some(&actor)).await?;
            if authz::check(Some(&actor), Action::ReadCommunity(standing)).is_err() {
                continue;
            }
        }
        let (why, digest) = told
            .get(&person.id)
            .copied()
            .unwrap_or((reason::COMMUNITY, false));
        let txn = crate::db::begin_write(db).await?;
        let inserted = unique::insert_new(
            &txn,
            notifications::ActiveModel {
                user_id: Set(person.id),
                post_id: Set(post.id),
                thread_id: Set(thread_row.id),
                reason: Set(why.to_owned()),
                created_at: Set(now()),
                read_at: Set(None),
                mailed_at: Set(None),
                digest: Set(digest),
                ..Default::default()
            },
        )
        .await?;
        let Some(row) = inserted else { continue };
        if !digest
            && let Some(email) = &person.email
            && person.email_verified_at.is_some()
        {
            let lang = Lang::from_tag(&person.lang).unwrap_or_default();
            let message = mails::community_post(
                lang,
                email,
                why == reason::MENTION,
                &mails::PostMail {
                    author: &author,
                    community: &community.name,
                    thread: &thread_row.title,
                    excerpt: &excerpt,
                    link: &link,
                },
            );
            // A mention always tells; a followed thread or community says how to stop.
            let queued = if why == reason::MENTION {
                mail::enqueue(&txn, &message).await
            } else {
                let target = if why == reason::THREAD {
                    Target::Thread(thread_row.id)
                } else {
                    Target::Community(community.id)
                };
                let url = unsubscribe_url(&key, public_url, person.id, Stop::Following(target))?;
                let mut message = message;
                message.text.push_str(&format!(
                    "\n{}\n{url}\n",
                    lang.t("community.unsubscribe_mail")
                ));
                mail::enqueue_listed(&txn, &message, &url).await
            };
            match queued {
                Ok(_) => {
                    let mut change: notifications::ActiveModel = row.into();
                    change.mailed_at = Set(Some(now()));
                    change.update(&txn).await?;
                }
                Err(MailError::Build(_)) => {
                    tracing::warn!(user.id = person.id, "a follower's address cannot be mailed");
                }
                Err(e) => return Err(e.into()),
            }
        }
        txn.commit().await?;
        count += 1;
    }
    tracing::info!(post.id = post_id, told = count, "post fanned out");
    Ok(count)
}

/// A notification as the page lists it.
#[derive(Debug, Clone)]
pub struct Item {
    /// The row.
    pub row: notifications::Model,
    /// The thread's title.
    pub thread: String,
}

/// The latest 100 notifications of `user_id`, the newest first, and how many are unread.
///
/// # Errors
///
/// On a database error.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<(Vec<Item>, u64), CommunityError> {
    let rows = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .order_by_desc(notifications::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let titles: HashMap<i64, String> = threads::Entity::find()
        .filter(threads::Column::Id.is_in(rows.iter().map(|r| r.thread_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.title))
        .collect();
    let unread = unread(db, user_id).await?;
    Ok((
        rows.into_iter()
            .map(|row| Item {
                thread: titles.get(&row.thread_id).cloned().unwrap_or_default(),
                row,
            })
            .collect(),
        unread,
    ))
}

/// How many notifications of `user_id` are unread.
///
/// # Errors
///
/// On a database error.
pub async fn unread(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, CommunityError> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks every notification of `user_id` read.
///
/// # Errors
///
/// On a database error.
pub async fn mark_read(db: &impl ConnectionTrait, user_id: i64) -> Result<(), CommunityError> {
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::ReadAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// How long the first post waiting for a person's digest waits before the digest goes.
pub const DIGEST_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Posts a digest lists (the others are counted).
const DIGEST_POSTS: usize = 50;

/// Mails each person whose oldest post waiting for the digest is at least [`DIGEST_AFTER`] old
/// (at `at`) one digest of every post waiting, and marks them sent, in one transaction per
/// person; answers how many digests went.
///
/// # Errors
///
/// On a database error.
pub async fn digest(
    db: &DatabaseConnection,
    public_url: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<usize, CommunityError> {
    let due: Vec<i64> = notifications::Entity::find()
        .filter(notifications::Column::Digest.eq(true))
        .filter(notifications::Column::CreatedAt.lte(at - DIGEST_AFTER))
        .select_only()
        .column(notifications::Column::UserId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let base = public_url.trim_end_matches('/');
    let mut sent = 0;
    let key = signing::key(db, UNSUBSCRIBE).await?;
    for user_id in due {
        let txn = crate::db::begin_write(db).await?;
        let waiting = notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(user_id))
            .filter(notifications::Column::Digest.eq(true))
            .order_by_asc(notifications::Column::Id)
            .all(&txn)
            .await?;
        let titles: HashMap<i64, String> = threads::Entity::find()
            .filter(threads::Column::Id.is_in(waiting.iter().map(|n| n.thread_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect();
        let person = users::Entity::find_by_id(user_id).one(&txn).await?;
        if let Some(person) = person
            && let Some(email) = &person.email
            && person.email_verified_at.is_some()
            && person.deleted_at.is_none()
            && !waiting.is_empty()
        {
            let mut list = String::new();
            for n in waiting.iter().take(DIGEST_POSTS) {
                let title = titles.get(&n.thread_id).map_or("", String::as_str);
                list.push_str(&format!(
                    "- {}\n  {base}/threads/{}#post-{}\n",
                    crate::untrusted::name(title),
                    n.thread_id,
                    n.post_id
                ));
            }
            let lang = Lang::from_tag(&person.lang).unwrap_or_default();
            let url = unsubscribe_url(&key, public_url, user_id, Stop::Digests)?;
            let mut message = mails::community_digest(lang, email, waiting.len(), &list);
            message.text.push_str(&format!(
                "\n{}\n{url}\n",
                lang.t("community.unsubscribe_mail")
            ));
            match mail::enqueue_listed(&txn, &message, &url).await {
                Ok(_) => sent += 1,
                Err(MailError::Build(_)) => {
                    tracing::warn!(user.id = user_id, "a follower's address cannot be mailed");
                }
                Err(e) => return Err(e.into()),
            }
        }
        notifications::Entity::update_many()
            .col_expr(
                notifications::Column::Digest,
                sea_orm::sea_query::Expr::value(false),
            )
            .col_expr(
                notifications::Column::MailedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(notifications::Column::Id.is_in(waiting.iter().map(|n| n.id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    if sent > 0 {
        tracing::info!(digests = sent, "community digests sent");
    }
    Ok(sent)
}

/// The purpose of the key that signs unsubscribe links (and of the stored tokens of the links
/// written before links were signed).
const UNSUBSCRIBE: &str = "unsubscribe";

/// How long an unsubscribe link works, in hours (sixty days).
const UNSUBSCRIBE_HOURS: i64 = 60 * 24;

/// What an unsubscribe link stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Following a thread or a community.
    Following(Target),
    /// Every subscription with the daily digest.
    Digests,
}

impl Stop {
    /// The query string of the link that stops it: `thread=ID`, `community=ID` or `digest=1`.
    #[must_use]
    pub fn query(self) -> String {
        match self {
            Self::Following(Target::Thread(id)) => format!("thread={id}"),
            Self::Following(Target::Community(id)) => format!("community={id}"),
            Self::Digests => "digest=1".to_owned(),
        }
    }
}

/// What the signature of an unsubscribe link covers: whom it is for, until when, what it stops.
fn signed_message(user_id: i64, expires: i64, stop: Stop) -> String {
    format!("{UNSUBSCRIBE}|{user_id}|{expires}|{}", stop.query())
}

/// The token of the link that stops `stop` for `user_id` until `expires` (Unix seconds):
/// `USER-EXPIRES-SIGNATURE`, the signature an HMAC-SHA256 of the three.
fn signed_token(
    key: &[u8],
    user_id: i64,
    expires: i64,
    stop: Stop,
) -> Result<String, CommunityError> {
    let signature = signing::sign(key, &signed_message(user_id, expires, stop))?;
    Ok(format!("{user_id}-{expires}-{signature}"))
}

/// A link that stops `stop` for `user_id` without signing in, for [`UNSUBSCRIBE_HOURS`]: signed
/// with `key` (the key of [`UNSUBSCRIBE`], see [`signing`]), so nothing is stored per link.
fn unsubscribe_url(
    key: &[u8],
    public_url: &str,
    user_id: i64,
    stop: Stop,
) -> Result<String, CommunityError> {
    let expires = (now() + chrono::TimeDelta::hours(UNSUBSCRIBE_HOURS)).timestamp();
    let token = signed_token(key, user_id, expires, stop)?;
    Ok(format!(
        "{}/unsubscribe/{token}?{}",
        public_url.trim_end_matches('/'),
        stop.query()
    ))
}

/// Whose link `token` for `stop` is, while it works: a signed token of the links mails carry, or
/// a stored one of the links written before links were signed.
///
/// # Errors
///
/// [`CommunityError::Invalid`] with `community.unsubscribe.invalid` for a link that is not one
/// of ours or was changed, `community.unsubscribe.expired` for one past its time;
/// [`CommunityError::BadToken`] for an unknown or expired stored token.
pub async fn unsubscribe_owner(
    db: &impl ConnectionTrait,
    token: &str,
    stop: Stop,
) -> Result<i64, CommunityError> {
    if tokens::is_token(token) {
        return Ok(tokens::find_token(db, UNSUBSCRIBE, token).await?.user_id);
    }
    let invalid = CommunityError::Invalid("community.unsubscribe.invalid");
    let mut parts = token.splitn(3, '-');
    let (Some(user), Some(expires), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid);
    };
    let (Ok(user_id), Ok(expires)) = (user.parse::<i64>(), expires.parse::<i64>()) else {
        return Err(invalid);
    };
    let key = signing::key(db, UNSUBSCRIBE).await?;
    // The signature first: a changed date is a changed link, not an expired one.
    if !signing::verify(&key, &signed_message(user_id, expires, stop), signature) {
        return Err(invalid);
    }
    if expires < now().timestamp() {
        return Err(CommunityError::Invalid("community.unsubscribe.expired"));
    }
    Ok(user_id)
}

/// Stops `stop` for the owner of the link `token`, signed in or not.
///
/// # Errors
///
/// [`CommunityError::BadToken`] for a link that is unknown or expired.
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    token: &str,
    stop: Stop,
) -> Result<(), CommunityError> {
    let user_id = unsubscribe_owner(db, token, stop).await?;
    let query =
        subscriptions::Entity::delete_many().filter(subscriptions::Column::UserId.eq(user_id));
    let query = match stop {
        Stop::Following(Target::Community(id)) => {
            query.filter(subscriptions::Column::CommunityId.eq(id))
        }
        Stop::Following(Target::Thread(id)) => query.filter(subscriptions::Column::ThreadId.eq(id)),
        Stop::Digests => query.filter(subscriptions::Column::Digest.eq(true)),
    };
    query.exec(db).await?;
    tracing::info!(user.id = user_id, "unsubscribed by link");
    Ok(())
}
