//! Threads and posts: starting a thread (a discussion, a question, an announcement), replying,
//! editing with the earlier text kept, deleting softly, and moderation: lock, pin, hide a post
//! with a reason, reports (enough of them hide a post until a moderator looks), the log of what
//! moderators did. Bodies are Markdown, stored as written and rendered by
//! [`crate::untrusted::user_markdown`] with the community's `@mentions` ([`render`]).

use std::collections::HashMap;

use chrono::TimeDelta;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, ExprTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, SqlErr,
};

use super::communities::{by_id, title};
use super::members::{Mentioned, mentioned};
use super::{allow, bounded, standing, stored};
use crate::community::authz::{Action, Actor, Standing};
use crate::community::entities::{
    communities, moderation_log, post_reports, post_revisions, posts, releases, threads, users,
};
use crate::community::people::Person;
use crate::community::{CommunityError, now};

/// What a thread is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    /// A conversation.
    Discussion,
    /// A question, which may get an accepted answer.
    Question,
    /// News from the coordinators.
    Announcement,
    /// The thread of a release (opened with the release, never by hand).
    Release,
}

stored!(ThreadKind {
    Discussion => "discussion",
    Question => "question",
    Announcement => "announcement",
    Release => "release",
});

/// Longest post, in characters.
pub const MAX_POST: usize = 20_000;
/// Threads on a page of a community.
pub const THREADS_PER_PAGE: u64 = 25;
/// Posts on a page of a thread.
pub const POSTS_PER_PAGE: u64 = 50;
/// Reports of different people that hide a post until a moderator looks.
pub const REPORT_THRESHOLD: i32 = 3;
/// Posts (replies and new threads) one person may write in a minute.
pub const POSTS_PER_MINUTE: u64 = 6;
/// Reports one person may make in an hour.
pub const REPORTS_PER_HOUR: u64 = 20;

/// What moderators did, as the log names it.
pub mod logged {
    /// A thread locked.
    pub const LOCK: &str = "lock";
    /// A thread unlocked.
    pub const UNLOCK: &str = "unlock";
    /// A thread pinned.
    pub const PIN: &str = "pin";
    /// A thread unpinned.
    pub const UNPIN: &str = "unpin";
    /// A post hidden, with the reason.
    pub const HIDE: &str = "hide";
    /// A post shown again.
    pub const UNHIDE: &str = "unhide";
    /// A post hidden by its reports.
    pub const REPORTED: &str = "hidden-by-reports";
    /// A post someone else wrote deleted.
    pub const DELETE: &str = "delete";
    /// A post reported.
    pub const REPORT: &str = "report";
}

/// A thread with its community and the place of the reader in it.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The thread.
    pub row: threads::Model,
    /// Its kind.
    pub kind: ThreadKind,
    /// Its community.
    pub community: communities::Model,
    /// The reader's place in it.
    pub standing: Standing,
    /// The release it is about, for a release thread.
    pub release: Option<releases::Model>,
}

async fn log(
    db: &impl ConnectionTrait,
    community_id: i64,
    actor: Option<i64>,
    action: &str,
    target: (Option<i64>, Option<i64>),
    detail: Option<String>,
) -> Result<(), CommunityError> {
    moderation_log::ActiveModel {
        community_id: Set(community_id),
        actor_id: Set(actor),
        action: Set(action.to_owned()),
        thread_id: Set(target.0),
        post_id: Set(target.1),
        detail: Set(detail),
        at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

fn body(text: &str) -> Result<String, CommunityError> {
    bounded(text, MAX_POST, "community.error.body")
}

/// Refuses when `user_id` wrote [`POSTS_PER_MINUTE`] posts in the last minute.
async fn pace(db: &impl ConnectionTrait, user_id: i64) -> Result<(), CommunityError> {
    let since = now() - TimeDelta::minutes(1);
    let recent = posts::Entity::find()
        .filter(posts::Column::AuthorId.eq(user_id))
        .filter(posts::Column::CreatedAt.gt(since))
        .count(db)
        .await?;
    if recent >= POSTS_PER_MINUTE {
        return Err(CommunityError::TooFast(60));
    }
    Ok(())
}

/// Thread `thread_id` as `actor` may read it.
///
/// # Errors
///
/// [`CommunityError::NotFound`] for no such thread (or a deleted one);
/// [`CommunityError::Denied`] when the community is members-only and `actor` is not a member.
pub async fn get(
    db: &impl ConnectionTrait,
    thread_id: i64,
    actor: Option<&Actor>,
) -> Result<Thread, CommunityError> {
    let row = threads::Entity::find_by_id(thread_id)
        .one(db)
        .await?
        .filter(|t| t.deleted_at.is_none())
        .ok_or(CommunityError::NotFound)?;
    let community = by_id(db, row.community_id).await?;
    let standing = standing(db, &community, actor).await?;
    allow(actor, Action::ReadCommunity(standing))?;
    let release = match row.release_id {
        Some(id) => releases::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Thread {
        kind: ThreadKind::parse(&row.kind).unwrap_or(ThreadKind::Discussion),
        row,
        community,
        standing,
        release,
    })
}

/// A new thread.
#[derive(Debug, Clone)]
pub struct NewThread {
    /// Discussion, question or announcement.
    pub kind: ThreadKind,
    /// Its title.
    pub title: String,
    /// Its first post, Markdown.
    pub body: String,
}

/// `actor` starts a thread in `community`; answers it and its first post.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` may post there (announcements: coordinate);
/// [`CommunityError::Invalid`] for a title or body that cannot be used, or a release thread
/// (those open with their release); [`CommunityError::TooFast`] past the pace of a person.
pub async fn start(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: &Actor,
    new: &NewThread,
) -> Result<(threads::Model, posts::Model), CommunityError> {
    let standing = standing(db, community, Some(actor)).await?;
    allow(Some(actor), Action::Post(standing))?;
    match new.kind {
        ThreadKind::Announcement => allow(Some(actor), Action::Coordinate(standing))?,
        ThreadKind::Release => return Err(CommunityError::Invalid("community.error.kind")),
        ThreadKind::Discussion | ThreadKind::Question => {}
    }
    let title = title(&new.title)?;
    let text = body(&new.body)?;
    let txn = crate::db::begin_write(db).await?;
    pace(&txn, actor.user_id).await?;
    let at = now();
    let thread = threads::ActiveModel {
        community_id: Set(community.id),
        kind: Set(new.kind.as_str().to_owned()),
        title: Set(title),
        author_id: Set(Some(actor.user_id)),
        release_id: Set(None),
        pinned: Set(false),
        locked: Set(false),
        accepted_post_id: Set(None),
        post_count: Set(1),
        created_at: Set(at),
        last_post_at: Set(at),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let post = insert_post(&txn, thread.id, actor.user_id, text).await?;
    super::search::sync(&txn, post.id).await?;
    super::notify::queue_fan_out(&txn, post.id).await?;
    txn.commit().await?;
    tracing::info!(
        thread.id = thread.id,
        community.id = community.id,
        "thread started"
    );
    Ok((thread, post))
}

async fn insert_post(
    db: &impl ConnectionTrait,
    thread_id: i64,
    author: i64,
    text: String,
) -> Result<posts::Model, CommunityError> {
    Ok(new_post(thread_id, Some(author), text, now())
        .insert(db)
        .await?)
}

/// A new post of thread `thread_id` by `author` (none for the crawl), written `at`: shown, never
/// edited, reported or hidden.
pub(super) fn new_post(
    thread_id: i64,
    author: Option<i64>,
    body: String,
    at: sea_orm::prelude::DateTimeWithTimeZone,
) -> posts::ActiveModel {
    posts::ActiveModel {
        thread_id: Set(thread_id),
        author_id: Set(author),
        body: Set(body),
        created_at: Set(at),
        edited_at: Set(None),
        deleted_at: Set(None),
        deleted_by: Set(None),
        hidden_at: Set(None),
        hidden_by: Set(None),
        hidden_reason: Set(None),
        reports: Set(0),
        ..Default::default()
    }
}

/// `actor` replies in thread `thread_id`.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` may post in its community;
/// [`CommunityError::Conflict`] when the thread is locked (moderators still may);
/// [`CommunityError::Invalid`] for a body that cannot be used; [`CommunityError::TooFast`].
pub async fn reply(
    db: &DatabaseConnection,
    thread_id: i64,
    actor: &Actor,
    text: &str,
) -> Result<(Thread, posts::Model), CommunityError> {
    let thread = get(db, thread_id, Some(actor)).await?;
    allow(Some(actor), Action::Post(thread.standing))?;
    if thread.row.locked && allow(Some(actor), Action::Moderate(thread.standing)).is_err() {
        return Err(CommunityError::Conflict("community.error.locked"));
    }
    let text = body(text)?;
    let txn = crate::db::begin_write(db).await?;
    pace(&txn, actor.user_id).await?;
    let post = insert_post(&txn, thread_id, actor.user_id, text).await?;
    threads::Entity::update_many()
        .col_expr(
            threads::Column::PostCount,
            sea_orm::sea_query::Expr::col(threads::Column::PostCount).add(1),
        )
        .col_expr(
            threads::Column::LastPostAt,
            sea_orm::sea_query::Expr::value(post.created_at),
        )
        .filter(threads::Column::Id.eq(thread_id))
        .exec(&txn)
        .await?;
    super::search::sync(&txn, post.id).await?;
    super::notify::queue_fan_out(&txn, post.id).await?;
    txn.commit().await?;
    Ok((thread, post))
}

/// Post `post_id` with its thread, as `actor` may read it.
async fn post_in(
    db: &impl ConnectionTrait,
    post_id: i64,
    actor: &Actor,
) -> Result<(posts::Model, Thread), CommunityError> {
    let post = posts::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let thread = get(db, post.thread_id, Some(actor)).await?;
    Ok((post, thread))
}

/// Refuses unless `actor` may edit or delete `post`.
fn may_edit(actor: &Actor, post: &posts::Model, thread: &Thread) -> Result<(), CommunityError> {
    allow(
        Some(actor),
        Action::EditPost {
            standing: thread.standing,
            own: post.author_id == Some(actor.user_id),
        },
    )
}

/// `actor` edits post `post_id`; the earlier text is kept in its history.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless it is their post (or they moderate);
/// [`CommunityError::NotFound`] for a deleted post; [`CommunityError::Invalid`] for a body that
/// cannot be used.
pub async fn edit(
    db: &DatabaseConnection,
    post_id: i64,
    actor: &Actor,
    text: &str,
) -> Result<posts::Model, CommunityError> {
    let (post, thread) = post_in(db, post_id, actor).await?;
    may_edit(actor, &post, &thread)?;
    if post.deleted_at.is_some() {
        return Err(CommunityError::NotFound);
    }
    let text = body(text)?;
    if text == post.body {
        return Ok(post);
    }
    let txn = crate::db::begin_write(db).await?;
    let at = now();
    post_revisions::ActiveModel {
        post_id: Set(post.id),
        body: Set(post.body.clone()),
        edited_by: Set(Some(actor.user_id)),
        edited_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut change: posts::ActiveModel = post.into();
    change.body = Set(text);
    change.edited_at = Set(Some(at));
    let post = change.update(&txn).await?;
    super::search::sync(&txn, post.id).await?;
    txn.commit().await?;
    Ok(post)
}

/// `actor` deletes post `post_id`: it stays, marked deleted, and shows as such; its text is
/// no longer served (its history stays for moderators).
///
/// # Errors
///
/// As [`edit`].
pub async fn delete(
    db: &DatabaseConnection,
    post_id: i64,
    actor: &Actor,
) -> Result<(), CommunityError> {
    let (post, thread) = post_in(db, post_id, actor).await?;
    may_edit(actor, &post, &thread)?;
    if post.deleted_at.is_some() {
        return Ok(());
    }
    let own = post.author_id == Some(actor.user_id);
    let txn = crate::db::begin_write(db).await?;
    let mut change: posts::ActiveModel = post.into();
    change.deleted_at = Set(Some(now()));
    change.deleted_by = Set(Some(actor.user_id));
    change.update(&txn).await?;
    super::search::sync(&txn, post_id).await?;
    if !own {
        log(
            &txn,
            thread.community.id,
            Some(actor.user_id),
            logged::DELETE,
            (Some(thread.row.id), Some(post_id)),
            None,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A moderator hides post `post_id` (`Some(reason)`) or shows it again (`None`); shown again, its
/// reports are settled.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` moderates its community; [`CommunityError::Invalid`]
/// for an empty reason.
pub async fn hide(
    db: &DatabaseConnection,
    post_id: i64,
    actor: &Actor,
    reason: Option<&str>,
) -> Result<(), CommunityError> {
    let (post, thread) = post_in(db, post_id, actor).await?;
    allow(Some(actor), Action::Moderate(thread.standing))?;
    let reason = reason
        .map(|r| bounded(r, 500, "community.error.reason"))
        .transpose()?;
    let txn = crate::db::begin_write(db).await?;
    let mut change: posts::ActiveModel = post.into();
    let action = if let Some(reason) = &reason {
        change.hidden_at = Set(Some(now()));
        change.hidden_by = Set(Some(actor.user_id));
        change.hidden_reason = Set(Some(reason.clone()));
        logged::HIDE
    } else {
        change.hidden_at = Set(None);
        change.hidden_by = Set(None);
        change.hidden_reason = Set(None);
        post_reports::Entity::update_many()
            .col_expr(
                post_reports::Column::ResolvedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(post_reports::Column::PostId.eq(post_id))
            .filter(post_reports::Column::ResolvedAt.is_null())
            .exec(&txn)
            .await?;
        logged::UNHIDE
    };
    change.update(&txn).await?;
    super::search::sync(&txn, post_id).await?;
    log(
        &txn,
        thread.community.id,
        Some(actor.user_id),
        action,
        (Some(thread.row.id), Some(post_id)),
        reason,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// The moderators will see it.
    Noted,
    /// It reached [`REPORT_THRESHOLD`]: the post is hidden until a moderator looks.
    Hidden,
}

/// `actor` reports post `post_id` to the moderators, saying why.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` reads its community; [`CommunityError::Conflict`]
/// when they reported it already; [`CommunityError::TooFast`] past [`REPORTS_PER_HOUR`].
pub async fn report(
    db: &DatabaseConnection,
    post_id: i64,
    actor: &Actor,
    reason: &str,
) -> Result<Reported, CommunityError> {
    let (post, thread) = post_in(db, post_id, actor).await?;
    allow(Some(actor), Action::Report(thread.standing))?;
    let reason = bounded(reason, 500, "community.error.reason")?;
    let txn = crate::db::begin_write(db).await?;
    let recent = post_reports::Entity::find()
        .filter(post_reports::Column::UserId.eq(actor.user_id))
        .filter(post_reports::Column::CreatedAt.gt(now() - TimeDelta::hours(1)))
        .count(&txn)
        .await?;
    if recent >= REPORTS_PER_HOUR {
        return Err(CommunityError::TooFast(3600));
    }
    let inserted = post_reports::ActiveModel {
        post_id: Set(post_id),
        user_id: Set(actor.user_id),
        reason: Set(reason.clone()),
        created_at: Set(now()),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(CommunityError::Conflict("community.error.reported"));
        }
        other => other?,
    };
    let reports = post.reports + 1;
    let hide = reports >= REPORT_THRESHOLD && post.hidden_at.is_none();
    let mut change: posts::ActiveModel = post.into();
    change.reports = Set(reports);
    if hide {
        change.hidden_at = Set(Some(now()));
        change.hidden_by = Set(None);
        change.hidden_reason = Set(None);
    }
    change.update(&txn).await?;
    if hide {
        super::search::sync(&txn, post_id).await?;
    }
    let target = (Some(thread.row.id), Some(post_id));
    log(
        &txn,
        thread.community.id,
        Some(actor.user_id),
        logged::REPORT,
        target,
        Some(reason),
    )
    .await?;
    if hide {
        log(
            &txn,
            thread.community.id,
            None,
            logged::REPORTED,
            target,
            None,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(if hide {
        Reported::Hidden
    } else {
        Reported::Noted
    })
}

/// A thread flag moderators set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// No more replies (moderators excepted).
    Locked,
    /// First in its community's list.
    Pinned,
}

/// A moderator sets or clears `flag` on thread `thread_id`.
///
/// # Errors
///
/// [`CommunityError::Denied`] unless `actor` moderates its community.
pub async fn set_flag(
    db: &DatabaseConnection,
    thread_id: i64,
    actor: &Actor,
    flag: Flag,
    on: bool,
) -> Result<(), CommunityError> {
    let thread = get(db, thread_id, Some(actor)).await?;
    allow(Some(actor), Action::Moderate(thread.standing))?;
    let txn = crate::db::begin_write(db).await?;
    let mut change: threads::ActiveModel = thread.row.clone().into();
    let action = match (flag, on) {
        (Flag::Locked, true) => logged::LOCK,
        (Flag::Locked, false) => logged::UNLOCK,
        (Flag::Pinned, true) => logged::PIN,
        (Flag::Pinned, false) => logged::UNPIN,
    };
    match flag {
        Flag::Locked => change.locked = Set(on),
        Flag::Pinned => change.pinned = Set(on),
    }
    change.update(&txn).await?;
    log(
        &txn,
        thread.community.id,
        Some(actor.user_id),
        action,
        (Some(thread_id), None),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The author of question `thread_id` (or a moderator) accepts post `post_id` as its answer.
///
/// # Errors
///
/// [`CommunityError::Denied`] for anyone else; [`CommunityError::Invalid`] for a thread that is
/// not a question or a post of another thread.
pub async fn accept(
    db: &DatabaseConnection,
    thread_id: i64,
    post_id: i64,
    actor: &Actor,
) -> Result<(), CommunityError> {
    let thread = get(db, thread_id, Some(actor)).await?;
    allow(
        Some(actor),
        Action::EditPost {
            standing: thread.standing,
            own: thread.row.author_id == Some(actor.user_id),
        },
    )?;
    if thread.kind != ThreadKind::Question {
        return Err(CommunityError::Invalid("community.error.not_question"));
    }
    let post = posts::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .filter(|p| p.thread_id == thread_id && p.deleted_at.is_none())
        .ok_or(CommunityError::Invalid("community.error.not_question"))?;
    let mut change: threads::ActiveModel = thread.row.into();
    change.accepted_post_id = Set(Some(post.id));
    change.update(db).await?;
    Ok(())
}

/// A thread in a community's list.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The thread.
    pub row: threads::Model,
    /// Its kind.
    pub kind: ThreadKind,
    /// Who started it (nobody: a release a crawl saw).
    pub author: Option<Person>,
}

async fn people(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, users::Model>, CommunityError> {
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Page `page` (from 0) of the threads of `community_id`, pinned first, then by latest post;
/// and how many there are.
///
/// # Errors
///
/// On a database error.
pub async fn list(
    db: &impl ConnectionTrait,
    community_id: i64,
    page: u64,
    per_page: u64,
) -> Result<(Vec<Summary>, u64), CommunityError> {
    let query = threads::Entity::find()
        .filter(threads::Column::CommunityId.eq(community_id))
        .filter(threads::Column::DeletedAt.is_null());
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(threads::Column::Pinned)
        .order_by_desc(threads::Column::LastPostAt)
        .order_by_desc(threads::Column::Id)
        .offset(page.saturating_mul(per_page))
        .limit(per_page)
        .all(db)
        .await?;
    let authors = people(db, rows.iter().filter_map(|t| t.author_id)).await?;
    Ok((
        rows.into_iter()
            .map(|row| Summary {
                kind: ThreadKind::parse(&row.kind).unwrap_or(ThreadKind::Discussion),
                author: row.author_id.map(|id| Person::of(authors.get(&id))),
                row,
            })
            .collect(),
        total,
    ))
}

/// The threads of `community_id` before id `before` (all, when `None`), the newest first, at
/// most `size`: a page of the API.
///
/// # Errors
///
/// On a database error.
pub async fn page_by_id(
    db: &impl ConnectionTrait,
    community_id: i64,
    before: Option<i64>,
    size: u64,
) -> Result<Vec<Summary>, CommunityError> {
    let rows = threads::Entity::find()
        .filter(threads::Column::CommunityId.eq(community_id))
        .filter(threads::Column::DeletedAt.is_null())
        .filter(threads::Column::Id.lt(before.unwrap_or(i64::MAX)))
        .order_by_desc(threads::Column::Id)
        .limit(size)
        .all(db)
        .await?;
    let authors = people(db, rows.iter().filter_map(|t| t.author_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| Summary {
            kind: ThreadKind::parse(&row.kind).unwrap_or(ThreadKind::Discussion),
            author: row.author_id.map(|id| Person::of(authors.get(&id))),
            row,
        })
        .collect())
}

/// The first post of each of `thread_ids` that is neither deleted nor hidden, by thread.
///
/// # Errors
///
/// On a database error.
pub async fn first_posts(
    db: &impl ConnectionTrait,
    thread_ids: &[i64],
) -> Result<HashMap<i64, posts::Model>, CommunityError> {
    let mut first: HashMap<i64, posts::Model> = HashMap::new();
    let rows = posts::Entity::find()
        .filter(posts::Column::ThreadId.is_in(thread_ids.iter().copied()))
        .filter(posts::Column::DeletedAt.is_null())
        .filter(posts::Column::HiddenAt.is_null())
        .order_by_asc(posts::Column::Id)
        .all(db)
        .await?;
    for row in rows {
        first.entry(row.thread_id).or_insert(row);
    }
    Ok(first)
}

/// Who started `thread`.
///
/// # Errors
///
/// On a database error.
pub async fn author_of(
    db: &impl ConnectionTrait,
    thread: &threads::Model,
) -> Result<Person, CommunityError> {
    let authors = people(db, thread.author_id).await?;
    Ok(Person::of(thread.author_id.and_then(|id| authors.get(&id))))
}

/// A post as a thread shows it.
#[derive(Debug, Clone)]
pub struct Post {
    /// The post.
    pub row: posts::Model,
    /// Who wrote it.
    pub author: Person,
    /// How many times it was edited.
    pub revisions: u64,
}

/// Which posts of a thread a page shows: keyset windows, so a page deep in a long thread costs
/// what the first does (an offset would read every post before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The first posts.
    First,
    /// The posts after post id `.0`.
    After(i64),
    /// The posts before post id `.0` (the last of them at the bottom).
    Before(i64),
}

/// A page of a thread's posts, the oldest first.
#[derive(Debug, Clone)]
pub struct PostPage {
    /// At most [`POSTS_PER_PAGE`] posts.
    pub posts: Vec<Post>,
    /// Whether posts come before the first of them.
    pub earlier: bool,
    /// Whether posts come after the last of them.
    pub later: bool,
}

/// The posts of `thread_id` in `window`, the oldest first, at most [`POSTS_PER_PAGE`].
///
/// # Errors
///
/// On a database error.
pub async fn posts(
    db: &impl ConnectionTrait,
    thread_id: i64,
    window: Window,
) -> Result<PostPage, CommunityError> {
    let in_thread = || posts::Entity::find().filter(posts::Column::ThreadId.eq(thread_id));
    // One more than a page says whether the window goes on.
    let (rows, earlier, later) = match window {
        Window::First | Window::After(_) => {
            let after = match window {
                Window::After(id) => id,
                _ => 0,
            };
            let mut rows = in_thread()
                .filter(posts::Column::Id.gt(after))
                .order_by_asc(posts::Column::Id)
                .limit(POSTS_PER_PAGE + 1)
                .all(db)
                .await?;
            let later = rows.len() as u64 > POSTS_PER_PAGE;
            rows.truncate(usize::try_from(POSTS_PER_PAGE).unwrap_or(usize::MAX));
            let earlier = after > 0
                && in_thread()
                    .filter(posts::Column::Id.lte(after))
                    .one(db)
                    .await?
                    .is_some();
            (rows, earlier, later)
        }
        Window::Before(before) => {
            let mut rows = in_thread()
                .filter(posts::Column::Id.lt(before))
                .order_by_desc(posts::Column::Id)
                .limit(POSTS_PER_PAGE + 1)
                .all(db)
                .await?;
            let earlier = rows.len() as u64 > POSTS_PER_PAGE;
            rows.truncate(usize::try_from(POSTS_PER_PAGE).unwrap_or(usize::MAX));
            rows.reverse();
            let later = in_thread()
                .filter(posts::Column::Id.gte(before))
                .one(db)
                .await?
                .is_some();
            (rows, earlier, later)
        }
    };
    Ok(PostPage {
        posts: with_authors(db, rows).await?,
        earlier,
        later,
    })
}

/// The posts of `thread_id` after id `after`, the oldest first, at most `size`: a page of the
/// API.
///
/// # Errors
///
/// On a database error.
pub async fn posts_after(
    db: &impl ConnectionTrait,
    thread_id: i64,
    after: Option<i64>,
    size: u64,
) -> Result<Vec<Post>, CommunityError> {
    let rows = posts::Entity::find()
        .filter(posts::Column::ThreadId.eq(thread_id))
        .filter(posts::Column::Id.gt(after.unwrap_or(0)))
        .order_by_asc(posts::Column::Id)
        .limit(size)
        .all(db)
        .await?;
    with_authors(db, rows).await
}

async fn with_authors(
    db: &impl ConnectionTrait,
    rows: Vec<posts::Model>,
) -> Result<Vec<Post>, CommunityError> {
    let authors = people(db, rows.iter().filter_map(|p| p.author_id)).await?;
    let edited: Vec<i64> = rows
        .iter()
        .filter(|p| p.edited_at.is_some())
        .map(|p| p.id)
        .collect();
    let mut revisions: HashMap<i64, u64> = HashMap::new();
    if !edited.is_empty() {
        for r in post_revisions::Entity::find()
            .filter(post_revisions::Column::PostId.is_in(edited))
            .all(db)
            .await?
        {
            *revisions.entry(r.post_id).or_default() += 1;
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| Post {
            author: Person::of(row.author_id.and_then(|id| authors.get(&id))),
            revisions: revisions.get(&row.id).copied().unwrap_or_default(),
            row,
        })
        .collect())
}

/// The earlier texts of post `post_id`, the oldest first, for those who may edit it.
///
/// # Errors
///
/// [`CommunityError::Denied`] for anyone else.
pub async fn history(
    db: &DatabaseConnection,
    post_id: i64,
    actor: &Actor,
) -> Result<(posts::Model, Thread, Vec<post_revisions::Model>), CommunityError> {
    let (post, thread) = post_in(db, post_id, actor).await?;
    may_edit(actor, &post, &thread)?;
    let revisions = post_revisions::Entity::find()
        .filter(post_revisions::Column::PostId.eq(post_id))
        .order_by_asc(post_revisions::Column::Id)
        .all(db)
        .await?;
    Ok((post, thread, revisions))
}

/// Post `post_id` for someone who may read it (to quote it, or edit it).
///
/// # Errors
///
/// As [`get`].
pub async fn post(
    db: &DatabaseConnection,
    post_id: i64,
    actor: Option<&Actor>,
) -> Result<(posts::Model, Thread), CommunityError> {
    let post = posts::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .ok_or(CommunityError::NotFound)?;
    let thread = get(db, post.thread_id, actor).await?;
    Ok((post, thread))
}

/// A line of the moderation log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The row.
    pub row: moderation_log::Model,
    /// Who (nobody: the reports' threshold).
    pub actor: Option<Person>,
}

/// The latest 200 lines of `community`'s moderation log, for its moderators.
///
/// # Errors
///
/// [`CommunityError::Denied`] for anyone else.
pub async fn moderation_log(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: Option<&Actor>,
) -> Result<Vec<LogEntry>, CommunityError> {
    let standing = standing(db, community, actor).await?;
    allow(actor, Action::Moderate(standing))?;
    let rows = moderation_log::Entity::find()
        .filter(moderation_log::Column::CommunityId.eq(community.id))
        .order_by_desc(moderation_log::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let actors = people(db, rows.iter().filter_map(|r| r.actor_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| LogEntry {
            actor: row.actor_id.map(|id| Person::of(actors.get(&id))),
            row,
        })
        .collect())
}

/// The posts of `community` with reports no moderator settled, the most reported first.
///
/// # Errors
///
/// [`CommunityError::Denied`] for anyone but its moderators.
pub async fn reported(
    db: &DatabaseConnection,
    community: &communities::Model,
    actor: Option<&Actor>,
) -> Result<Vec<(posts::Model, Vec<String>)>, CommunityError> {
    let standing = standing(db, community, actor).await?;
    allow(actor, Action::Moderate(standing))?;
    let open = post_reports::Entity::find()
        .filter(post_reports::Column::ResolvedAt.is_null())
        .all(db)
        .await?;
    let ids: Vec<i64> = open.iter().map(|r| r.post_id).collect();
    let thread_ids: Vec<i64> = threads::Entity::find()
        .filter(threads::Column::CommunityId.eq(community.id))
        .select_only()
        .column(threads::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut found: Vec<(posts::Model, Vec<String>)> = posts::Entity::find()
        .filter(posts::Column::Id.is_in(ids))
        .filter(posts::Column::ThreadId.is_in(thread_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| {
            let reasons = open
                .iter()
                .filter(|r| r.post_id == p.id)
                .map(|r| r.reason.clone())
                .collect();
            (p, reasons)
        })
        .collect();
    found.sort_by_key(|(p, _)| std::cmp::Reverse(p.reports));
    Ok(found)
}

/// The bodies `texts` of posts of `community` as HTML, `@mentions` of its members linked to
/// their line of its members' page.
///
/// # Errors
///
/// On a database error.
pub async fn render(
    db: &impl ConnectionTrait,
    community: &communities::Model,
    texts: &[&str],
) -> Result<Vec<String>, CommunityError> {
    let mut names: Vec<String> = Vec::new();
    for text in texts {
        for name in crate::untrusted::mentions(text) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let known = mentioned(db, community.id, &names).await?;
    let slug = community.slug.clone();
    let link = move |name: &str| {
        known.get(name).map(|m| match m {
            Mentioned::Person { handle, .. } => {
                format!("/communities/{slug}/members#m-{handle}")
            }
            Mentioned::Organisation { code, .. } => {
                format!("/communities/{slug}/members#o-{code}")
            }
        })
    };
    Ok(texts
        .iter()
        .map(|t| crate::untrusted::user_markdown(t, &link))
        .collect())
}

/// The latest `n` threads of `community_id`, by latest post.
///
/// # Errors
///
/// On a database error.
pub async fn latest(
    db: &impl ConnectionTrait,
    community_id: i64,
    n: u64,
) -> Result<Vec<threads::Model>, CommunityError> {
    Ok(threads::Entity::find()
        .filter(threads::Column::CommunityId.eq(community_id))
        .filter(threads::Column::DeletedAt.is_null())
        .order_by_desc(threads::Column::LastPostAt)
        .order_by_desc(threads::Column::Id)
        .limit(n)
        .all(db)
        .await?)
}
