//! Synthetic community data for the benchmarks (`riuso dev seed-community`): one public
//! community of practice with many members who follow it, people who post there, and one long
//! thread. Rows are written in batches, as a bulk load, not through the commands a person uses
//! (which keep a person's pace); the posts are indexed for search as the commands would.
//! Seeding again finds what is there and adds nothing.

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};

use super::{ACTIVE, JoinPolicy, Kind, Visibility};
use crate::community::authz::CommunityRole;
use crate::community::entities::{
    communities, community_members, posts, subscriptions, threads, users,
};
use crate::community::{CommunityError, now};

/// The slug of the seeded community.
pub const SLUG: &str = "banco-di-prova";
/// The title of its long thread.
const THREAD: &str = "Una discussione lunga";
/// Rows a batch inserts.
const BATCH: usize = 500;

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The community.
    pub community: communities::Model,
    /// Its long thread.
    pub thread_id: i64,
    /// The people who post (members with a verified address), by id.
    pub posters: Vec<i64>,
    /// How many people follow the community.
    pub followers: u64,
}

/// Seeds the community with `followers` members following it, `posters` more members who post,
/// and a thread of `posts` posts (unless there is one already).
///
/// # Errors
///
/// On a database error.
pub async fn seed(
    db: &DatabaseConnection,
    posts: u64,
    followers: u64,
    posters: u64,
) -> Result<Seeded, CommunityError> {
    let at = now();
    let community = match communities::Entity::find()
        .filter(communities::Column::Slug.eq(SLUG))
        .one(db)
        .await?
    {
        Some(row) => row,
        None => {
            communities::ActiveModel {
                slug: Set(SLUG.to_owned()),
                name: Set("Banco di prova".to_owned()),
                description: Set("Una comunità di pratica per misurare il sito.".to_owned()),
                kind: Set(Kind::Practice.as_str().to_owned()),
                visibility: Set(Visibility::Public.as_str().to_owned()),
                join_policy: Set(JoinPolicy::Open.as_str().to_owned()),
                organisation_id: Set(None),
                created_by: Set(None),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let follower_ids = people(db, &community, "follower", followers).await?;
    let mut follows = Vec::new();
    let followed: Vec<i64> = subscriptions::Entity::find()
        .filter(subscriptions::Column::CommunityId.eq(community.id))
        .select_only()
        .column(subscriptions::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    for id in &follower_ids {
        if !followed.contains(id) {
            follows.push(subscriptions::ActiveModel {
                user_id: Set(*id),
                community_id: Set(Some(community.id)),
                thread_id: Set(None),
                created_at: Set(at),
                digest: Set(false),
                ..Default::default()
            });
        }
    }
    for chunk in follows.chunks(BATCH) {
        subscriptions::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    let poster_ids = people(db, &community, "poster", posters.max(1)).await?;
    let thread = match threads::Entity::find()
        .filter(threads::Column::CommunityId.eq(community.id))
        .filter(threads::Column::Title.eq(THREAD))
        .one(db)
        .await?
    {
        Some(thread) => thread,
        None => long_thread(db, &community, &poster_ids, posts).await?,
    };
    Ok(Seeded {
        community,
        thread_id: thread.id,
        posters: poster_ids,
        followers: u64::try_from(follower_ids.len()).unwrap_or(0),
    })
}

/// `n` people called `{prefix}N`, members of `community` (those there already are kept).
async fn people(
    db: &DatabaseConnection,
    community: &communities::Model,
    prefix: &str,
    n: u64,
) -> Result<Vec<i64>, CommunityError> {
    let at = now();
    let domain = "@bench.example.invalid";
    let existing: Vec<(i64, Option<String>)> = users::Entity::find()
        .filter(users::Column::Email.starts_with(prefix))
        .filter(users::Column::Email.ends_with(domain))
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Email)
        .into_tuple()
        .all(db)
        .await?;
    let have: std::collections::HashSet<String> =
        existing.iter().filter_map(|(_, e)| e.clone()).collect();
    let missing: Vec<users::ActiveModel> = (0..n)
        .map(|i| format!("{prefix}{i}{domain}"))
        .filter(|email| !have.contains(email))
        .map(|email| users::ActiveModel {
            display_name: Set(email.trim_end_matches(domain).to_owned()),
            email: Set(Some(email)),
            password_hash: Set(None),
            email_verified_at: Set(Some(at)),
            site_role: Set(None),
            lang: Set("it".to_owned()),
            created_at: Set(at),
            deleted_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in missing.chunks(BATCH) {
        users::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    let ids: Vec<i64> = users::Entity::find()
        .filter(users::Column::Email.starts_with(prefix))
        .filter(users::Column::Email.ends_with(domain))
        .order_by_asc(users::Column::Id)
        .select_only()
        .column(users::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let members: Vec<i64> = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community.id))
        .filter(community_members::Column::UserId.is_in(ids.iter().copied()))
        .select_only()
        .column(community_members::Column::UserId)
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let rows: Vec<community_members::ActiveModel> = ids
        .iter()
        .filter(|id| !members.contains(id))
        .map(|id| community_members::ActiveModel {
            community_id: Set(community.id),
            user_id: Set(Some(*id)),
            organisation_id: Set(None),
            role: Set(CommunityRole::Member.as_str().to_owned()),
            status: Set(ACTIVE.to_owned()),
            handle: Set(Some(format!("{prefix}{id}"))),
            requested_at: Set(at),
            joined_at: Set(Some(at)),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        community_members::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(ids)
}

/// A thread of `n` posts (at least one) by `authors` in turn, indexed for search.
async fn long_thread(
    db: &DatabaseConnection,
    community: &communities::Model,
    authors: &[i64],
    n: u64,
) -> Result<threads::Model, CommunityError> {
    let at = now();
    let n = n.max(1);
    let thread = threads::ActiveModel {
        community_id: Set(community.id),
        kind: Set(super::threads::ThreadKind::Discussion.as_str().to_owned()),
        title: Set(THREAD.to_owned()),
        author_id: Set(authors.first().copied()),
        release_id: Set(None),
        pinned: Set(false),
        locked: Set(false),
        accepted_post_id: Set(None),
        post_count: Set(i32::try_from(n).unwrap_or(i32::MAX)),
        created_at: Set(at),
        last_post_at: Set(at),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let rows: Vec<posts::ActiveModel> = (0..n)
        .map(|i| {
            let author = usize::try_from(i)
                .ok()
                .and_then(|i| authors.get(i % authors.len().max(1)));
            super::threads::new_post(
                thread.id,
                author.copied(),
                format!(
                    "Messaggio {i}: aggiornamento del **protocollo informatico** alla versione \
                     {}.{}, con le pratiche dei comuni e la conservazione dei documenti.\n\n> \
                     citazione del messaggio precedente\n\nVedi https://example.org/note/{i}.",
                    i / 100,
                    i % 100
                ),
                at,
            )
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        posts::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    let ids: Vec<i64> = posts::Entity::find()
        .filter(posts::Column::ThreadId.eq(thread.id))
        .select_only()
        .column(posts::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for id in ids {
        super::search::sync(db, id).await?;
    }
    Ok(thread)
}
