//! Who is told of a post: the people it mentions (always, by e-mail too), the people who
//! follow its thread or its community, and, for the post that opens a release thread or an
//! announcement, the people who follow the solution (in the site, and by e-mail).
//!
//! A post only queues its fan-out ([`queue_fan_out`], in the post's transaction): the request
//! that writes a post to a community of ten thousand followers answers at once, and the
//! `notify-post` job ([`fan_out`]) tells them afterwards, in batches. The fan-out is idempotent:
//! one notification per person and post (a unique index), and only a notification it inserted
//! is mailed, in the transaction that inserted it, so a job run again tells nobody twice. Nobody
//! is told of their own post, nor of a post of a members-only community they may not read. Mail
//! is written in each person's language through the outbox.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TryInsertResult,
};

use super::members::{Mentioned, mentioned};
use super::{Visibility, standing};
use crate::catalog::unique;
use crate::community::authz::{self, Action, Actor};
use crate::community::entities::{
    communities, community_software, notifications, posts, releases, subscriptions, threads, users,
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
    /// They follow the solution: a release thread opened for it, or its community announced.
    pub const SOFTWARE: &str = "software";
}

/// What a person follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A community, by id.
    Community(i64),
    /// A thread, by id.
    Thread(i64),
    /// A solution (a catalog entry), by id, apart from its community.
    Software(i64),
}

/// Queues the fan-out of post `post_id`, in the caller's transaction.
///
/// # Errors
///
/// On a database error.
pub async fn queue_fan_out(db: &impl ConnectionTrait, post_id: i64) -> Result<(), CommunityError> {
    Ok(queue(db, post_id).await?)
}

/// As [`queue_fan_out`], for callers whose errors are the database's.
pub(super) async fn queue(db: &impl ConnectionTrait, post_id: i64) -> Result<(), sea_orm::DbErr> {
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
        Target::Software(id) => query.filter(subscriptions::Column::SoftwareId.eq(id)),
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
    subscribe(db, actor.user_id, target, mode).await
}

/// `actor` follows solution `software_id` (`Some(mode)`), or stops following it (`None`). A
/// catalog entry is public, so anyone signed in may follow it; what its followers are told of a
/// members-only community still goes only to those who read it (see [`fan_out`]).
///
/// # Errors
///
/// On a database error.
pub async fn follow_software(
    db: &DatabaseConnection,
    actor: &Actor,
    software_id: i64,
    mode: Option<Mode>,
) -> Result<(), CommunityError> {
    subscribe(db, actor.user_id, Target::Software(software_id), mode).await
}

async fn subscribe(
    db: &DatabaseConnection,
    user_id: i64,
    target: Target,
    mode: Option<Mode>,
) -> Result<(), CommunityError> {
    if let Some(mode) = mode {
        let digest = mode == Mode::Digest;
        let (community_id, thread_id, software_id) = match target {
            Target::Community(id) => (Some(id), None, None),
            Target::Thread(id) => (None, Some(id), None),
            Target::Software(id) => (None, None, Some(id)),
        };
        let inserted = unique::insert_new(
            db,
            subscriptions::ActiveModel {
                user_id: Set(user_id),
                community_id: Set(community_id),
                thread_id: Set(thread_id),
                software_id: Set(software_id),
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
                .filter(subscriptions::Column::UserId.eq(user_id));
            let query = match target {
                Target::Community(id) => query.filter(subscriptions::Column::CommunityId.eq(id)),
                Target::Thread(id) => query.filter(subscriptions::Column::ThreadId.eq(id)),
                Target::Software(id) => query.filter(subscriptions::Column::SoftwareId.eq(id)),
            };
            query.exec(db).await?;
        }
    } else {
        let query =
            subscriptions::Entity::delete_many().filter(subscriptions::Column::UserId.eq(user_id));
        let query = match target {
            Target::Community(id) => query.filter(subscriptions::Column::CommunityId.eq(id)),
            Target::Thread(id) => query.filter(subscriptions::Column::ThreadId.eq(id)),
            Target::Software(id) => query.filter(subscriptions::Column::SoftwareId.eq(id)),
        };
        query.exec(db).await?;
    }
    Ok(())
}

/// The solutions whose followers are told of `post` in `thread`: none, unless the post opens
/// its thread and the thread is a release thread (its release's entry) or an announcement (the
/// entries of its community).
async fn solutions_told(
    db: &impl ConnectionTrait,
    thread: &threads::Model,
    post: &posts::Model,
) -> Result<Vec<i64>, CommunityError> {
    let first: Option<i64> = posts::Entity::find()
        .filter(posts::Column::ThreadId.eq(thread.id))
        .select_only()
        .column_as(posts::Column::Id.min(), "first")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    if first != Some(post.id) {
        return Ok(Vec::new());
    }
    if let Some(release_id) = thread.release_id {
        return Ok(releases::Entity::find_by_id(release_id)
            .one(db)
            .await?
            .map(|r| vec![r.software_id])
            .unwrap_or_default());
    }
    if thread.kind == super::threads::ThreadKind::Announcement.as_str() {
        return Ok(community_software::Entity::find()
            .filter(community_software::Column::CommunityId.eq(thread.community_id))
            .select_only()
            .column(community_software::Column::SoftwareId)
            .into_tuple()
            .all(db)
            .await?);
    }
    Ok(Vec::new())
}

/// Notifications written per statement and per transaction by [`fan_out`].
pub const FAN_OUT_BATCH: usize = 500;

/// Tells everyone concerned of post `post_id` (see the module documentation); answers how many
/// people were told now.
///
/// The notifications are written [`FAN_OUT_BATCH`] to a statement, each batch in one
/// transaction with the mails of the people it told: a statement inserts only the notifications
/// that are not there yet (the unique index of person and post) and answers them, and only those
/// are mailed, so a job run again after a batch committed tells nobody of that batch twice.
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
    // Who, why, whether their mail waits for the digest, and what its link stops.
    let mut told: HashMap<i64, (&'static str, bool, Option<Target>)> = HashMap::new();
    let names = crate::untrusted::mentions(&post.body);
    for m in mentioned(db, community.id, &names).await?.into_values() {
        match m {
            Mentioned::Person { user_id, .. } => {
                told.insert(user_id, (reason::MENTION, false, None));
            }
            Mentioned::Organisation { id, .. } => {
                for user in memberships::verified_members(db, id).await? {
                    told.insert(user.id, (reason::MENTION, false, None));
                }
            }
        }
    }
    let mut targets = vec![
        (Target::Thread(thread_row.id), reason::THREAD),
        (Target::Community(community.id), reason::COMMUNITY),
    ];
    for software_id in solutions_told(db, &thread_row, &post).await? {
        targets.push((Target::Software(software_id), reason::SOFTWARE));
    }
    for (target, why) in targets {
        let ids: Vec<(i64, bool)> = target_filter(subscriptions::Entity::find(), target)
            .select_only()
            .column(subscriptions::Column::UserId)
            .column(subscriptions::Column::Digest)
            .into_tuple()
            .all(db)
            .await?;
        for (id, digest) in ids {
            told.entry(id).or_insert((why, digest, Some(target)));
        }
    }
    if let Some(author) = post.author_id {
        told.remove(&author);
    }
    if told.is_empty() {
        return Ok(0);
    }
    let members_only = community.visibility != Visibility::Public.as_str();
    let mut people: Vec<users::Model> = Vec::with_capacity(told.len());
    let ids: Vec<i64> = told.keys().copied().collect();
    for chunk in ids.chunks(FAN_OUT_BATCH) {
        for person in users::Entity::find()
            .filter(users::Column::Id.is_in(chunk.iter().copied()))
            .filter(users::Column::DeletedAt.is_null())
            .all(db)
            .await?
        {
            if members_only {
                let actor = Actor::of(db, &person).await?;
                let standing = standing(db, &community, Some(&actor)).await?;
                if authz::check(Some(&actor), Action::ReadCommunity(standing)).is_err() {
                    continue;
                }
            }
            people.push(person);
        }
    }
    people.sort_by_key(|p| p.id);
    let author = match post.author_id {
        Some(id) => users::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    }
    .unwrap_or_else(|| "riuso".to_owned());
    let link = format!(
        "{}/threads/{}?after={}#post-{}",
        public_url.trim_end_matches('/'),
        thread_row.id,
        post.id - 1,
        post.id
    );
    let excerpt: String = post.body.chars().take(500).collect();
    let mail = mails::PostMail {
        author: &author,
        community: &community.name,
        thread: &thread_row.title,
        excerpt: &excerpt,
        link: &link,
    };
    let mut count = 0;
    // One key for every link of the fan-out, read once.
    let key = signing::key(db, UNSUBSCRIBE).await?;
    for batch in people.chunks(FAN_OUT_BATCH) {
        let at = now();
        let rows = batch.iter().map(|person| {
            let (why, digest, _) =
                told.get(&person.id)
                    .copied()
                    .unwrap_or((reason::COMMUNITY, false, None));
            notifications::ActiveModel {
                user_id: Set(person.id),
                post_id: Set(post.id),
                thread_id: Set(thread_row.id),
                reason: Set(why.to_owned()),
                created_at: Set(at),
                read_at: Set(None),
                mailed_at: Set(None),
                digest: Set(digest),
                ..Default::default()
            }
        });
        let txn = crate::db::begin_write(db).await?;
        let inserted = match notifications::Entity::insert_many(rows)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .try_insert()
            .exec_with_returning_many(&txn)
            .await?
        {
            TryInsertResult::Inserted(rows) => rows,
            TryInsertResult::Conflicted | TryInsertResult::Empty => Vec::new(),
        };
        let by_id: HashMap<i64, &users::Model> = batch.iter().map(|p| (p.id, p)).collect();
        // The mails of the notifications this batch inserted, all queued at once.
        let mut messages = Vec::new();
        let mut mailed = Vec::new();
        for row in &inserted {
            let Some(person) = by_id.get(&row.user_id) else {
                continue;
            };
            let target = told.get(&person.id).and_then(|t| t.2);
            if let Some(message) = post_mail(&key, public_url, person, row, target, &mail)? {
                messages.push(message);
                mailed.push((row.id, person.id));
            }
        }
        let queued = mail::enqueue_many(&txn, &messages).await?;
        let mut mailed_ids = Vec::with_capacity(mailed.len());
        for ((id, user_id), ok) in mailed.into_iter().zip(queued) {
            if ok {
                mailed_ids.push(id);
            } else {
                tracing::warn!(user.id = user_id, "a follower's address cannot be mailed");
            }
        }
        if !mailed_ids.is_empty() {
            notifications::Entity::update_many()
                .col_expr(
                    notifications::Column::MailedAt,
                    sea_orm::sea_query::Expr::value(now()),
                )
                .filter(notifications::Column::Id.is_in(mailed_ids))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        count += inserted.len();
    }
    tracing::info!(post.id = post_id, told = count, "post fanned out");
    Ok(count)
}

/// The mail that tells `person` of notification `row` now, with the unsubscribe address it
/// carries: none when it waits for the digest or they have no verified address. A mention
/// always tells; a followed `target` says how to stop.
fn post_mail(
    key: &[u8],
    public_url: &str,
    person: &users::Model,
    row: &notifications::Model,
    target: Option<Target>,
    post: &mails::PostMail<'_>,
) -> Result<Option<(mail::Message, Option<String>)>, CommunityError> {
    if row.digest || person.email_verified_at.is_none() {
        return Ok(None);
    }
    let Some(email) = &person.email else {
        return Ok(None);
    };
    let lang = Lang::from_tag(&person.lang).unwrap_or_default();
    let mention = row.reason == reason::MENTION;
    let mut message = mails::community_post(lang, email, mention, post);
    let Some(target) = target.filter(|_| !mention) else {
        return Ok(Some((message, None)));
    };
    let url = unsubscribe_url(key, public_url, person.id, Stop::Following(target))?;
    message.text.push_str(&format!(
        "\n{}\n{url}\n",
        lang.t("community.unsubscribe_mail")
    ));
    Ok(Some((message, Some(url))))
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
                    "- {}\n  {base}/threads/{}?after={}#post-{}\n",
                    crate::untrusted::name(title),
                    n.thread_id,
                    n.post_id - 1,
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
            Self::Following(Target::Software(id)) => format!("software={id}"),
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
        Stop::Following(Target::Software(id)) => {
            query.filter(subscriptions::Column::SoftwareId.eq(id))
        }
        Stop::Digests => query.filter(subscriptions::Column::Digest.eq(true)),
    };
    query.exec(db).await?;
    tracing::info!(user.id = user_id, "unsubscribed by link");
    Ok(())
}
