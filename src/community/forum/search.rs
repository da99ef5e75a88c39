//! Full-text search of the communities' posts, within one community or across all: SQLite FTS5
//! or a PostgreSQL `tsvector` (table `post_fts`, keyed by the post's id), with the catalog's own
//! preparation of the text ([`text::document`]) and of the query ([`search::text_query`]), so
//! `perché` finds `perche` and `comuni` finds `comune` here as in the catalog.
//!
//! The index holds only what may be shown: [`sync`] runs in the transaction of every command
//! that writes a post (start, reply, edit, delete, hide, a report that hides), and indexes the
//! post only while it is neither deleted nor hidden. A thread's title is indexed with its first
//! post. Reading is checked twice: the query joins the posts again (a deleted or hidden post is
//! never answered, whatever the index says) and keeps to the communities the reader may read.
//!
//! [`search::text_query`]: crate::catalog::search::text_query

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbBackend, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Value,
};

use super::{ACTIVE, Visibility, allow, standing};
use crate::catalog::{search, text};
use crate::community::CommunityError;
use crate::community::authz::{self, Action, Actor, Standing};
use crate::community::entities::{communities, community_members, posts, threads};
use crate::db::{in_list, statement};

/// Results on a page of a search.
pub const PER_PAGE: u64 = 20;
/// Longest query, in characters: longer ones are refused rather than cut.
pub const MAX_QUERY: usize = 200;
/// Characters of a post shown around the first word that matched.
const EXCERPT: usize = 240;

/// One post that matched.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The post.
    pub post_id: i64,
    /// Its thread.
    pub thread_id: i64,
    /// The thread's title.
    pub thread_title: String,
    /// The community's slug.
    pub community_slug: String,
    /// The community's name.
    pub community_name: String,
    /// Plain text of the post around the first word that matched (Markdown as written).
    pub excerpt: String,
    /// When the post was written.
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct Results {
    /// The hits of this page, the best first.
    pub hits: Vec<Hit>,
    /// How many posts match in all.
    pub total: u64,
}

/// Keeps the index entry of post `post_id` in step with the post: indexed (with its thread's
/// title when it opens the thread) while it is neither deleted nor hidden in a live thread,
/// absent otherwise. Runs in the caller's transaction.
///
/// # Errors
///
/// On a database error.
pub async fn sync(db: &impl ConnectionTrait, post_id: i64) -> Result<(), DbErr> {
    let Some(post) = posts::Entity::find_by_id(post_id).one(db).await? else {
        return Ok(());
    };
    let thread = threads::Entity::find_by_id(post.thread_id).one(db).await?;
    let visible = post.deleted_at.is_none()
        && post.hidden_at.is_none()
        && thread.as_ref().is_some_and(|t| t.deleted_at.is_none());
    let backend = db.get_database_backend();
    if !visible {
        let sql = match backend {
            DbBackend::Postgres => "DELETE FROM post_fts WHERE post_id = ?",
            _ => "DELETE FROM post_fts WHERE rowid = ?",
        };
        db.execute_raw(statement(backend, sql, [post_id.into()]))
            .await?;
        return Ok(());
    }
    let first = posts::Entity::find()
        .filter(posts::Column::ThreadId.eq(post.thread_id))
        .order_by_asc(posts::Column::Id)
        .select_only()
        .column(posts::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    let title = match (first == Some(post.id), thread) {
        (true, Some(thread)) => text::document(&thread.title),
        _ => String::new(),
    };
    write(db, post.id, &title, &text::document(&post.body)).await
}

async fn write(
    db: &impl ConnectionTrait,
    post_id: i64,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let values: [Value; 3] = [post_id.into(), title.into(), body.into()];
    match backend {
        DbBackend::Postgres => {
            db.execute_raw(statement(
                backend,
                "INSERT INTO post_fts (post_id, document) VALUES (?, \
                 setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'B')) \
                 ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document",
                values,
            ))
            .await?;
        }
        _ => {
            db.execute_raw(statement(
                backend,
                "DELETE FROM post_fts WHERE rowid = ?",
                [post_id.into()],
            ))
            .await?;
            db.execute_raw(statement(
                backend,
                "INSERT INTO post_fts (rowid, title, body) VALUES (?, ?, ?)",
                values,
            ))
            .await?;
        }
    }
    Ok(())
}

/// Indexes every post when the index is empty but posts exist: the posts written before the
/// index did. Answers how many posts it indexed (none when the index was already in use).
///
/// # Errors
///
/// On a database error.
pub async fn backfill(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let probe = match backend {
        DbBackend::Postgres => "SELECT post_id AS id FROM post_fts LIMIT 1",
        _ => "SELECT rowid AS id FROM post_fts LIMIT 1",
    };
    if db
        .query_one_raw(statement(backend, probe, []))
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let mut after = 0_i64;
    let mut indexed = 0_u64;
    loop {
        let ids: Vec<i64> = posts::Entity::find()
            .filter(posts::Column::Id.gt(after))
            .filter(posts::Column::DeletedAt.is_null())
            .filter(posts::Column::HiddenAt.is_null())
            .order_by_asc(posts::Column::Id)
            .select_only()
            .column(posts::Column::Id)
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = ids.last() else {
            return Ok(indexed);
        };
        after = *last;
        for id in ids {
            sync(db, id).await?;
            indexed += 1;
        }
    }
}

/// Where to search.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every community the reader may read.
    All,
    /// One community (refused unless the reader may read it).
    Community(&'a communities::Model),
}

/// At most `limit` posts matching `query` in `scope` after the first `offset`, the best first,
/// as `actor` may read them: public communities, the members-only ones they are a member of (site
/// administrators read all), never a deleted or hidden post.
///
/// # Errors
///
/// [`CommunityError::Invalid`] for a query longer than [`MAX_QUERY`];
/// [`CommunityError::Denied`] for a community `actor` may not read; on a database error.
pub async fn search(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    scope: Scope<'_>,
    query: &str,
    offset: u64,
    limit: u64,
) -> Result<Results, CommunityError> {
    if query.chars().count() > MAX_QUERY {
        return Err(CommunityError::Invalid("community.search.too_long"));
    }
    let backend = db.get_database_backend();
    let Some(matched) = search::text_query(backend, query) else {
        return Ok(Results {
            hits: Vec::new(),
            total: 0,
        });
    };
    let mut values: Vec<Value> = vec![matched.into()];
    let filter = match scope {
        Scope::Community(community) => {
            let standing = standing(db, community, actor).await?;
            allow(actor, Action::ReadCommunity(standing))?;
            values.push(community.id.into());
            "t.community_id = ?".to_owned()
        }
        // Whoever reads a members-only community without being a member: site administrators.
        Scope::All
            if authz::check(
                actor,
                Action::ReadCommunity(Standing {
                    role: None,
                    members_only: true,
                }),
            )
            .is_ok() =>
        {
            "1 = 1".to_owned()
        }
        Scope::All => {
            let mine = member_of(db, actor).await?;
            values.push(Visibility::Public.as_str().into());
            let filter = format!(
                "(c.visibility = ? OR c.id IN ({}))",
                if mine.is_empty() {
                    "NULL".to_owned()
                } else {
                    in_list(mine.len())
                }
            );
            values.extend(mine.into_iter().map(Value::from));
            filter
        }
    };
    let (from, score) = match backend {
        DbBackend::Postgres => (
            "FROM post_fts f CROSS JOIN to_tsquery('simple', ?) AS q(query) \
             JOIN posts p ON p.id = f.post_id WHERE f.document @@ q.query AND",
            "ts_rank(f.document, q.query)",
        ),
        _ => (
            "FROM post_fts f JOIN posts p ON p.id = f.rowid WHERE post_fts MATCH ? AND",
            // A word of the title counts five times one of the body.
            "-bm25(post_fts, 5.0, 1.0)",
        ),
    };
    let body = format!(
        "{from} p.deleted_at IS NULL AND p.hidden_at IS NULL AND EXISTS (\
         SELECT 1 FROM threads t JOIN communities c ON c.id = t.community_id \
         WHERE t.id = p.thread_id AND t.deleted_at IS NULL AND {filter})"
    );
    let total = db
        .query_one_raw(statement(
            backend,
            &format!("SELECT COUNT(*) AS n {body}"),
            values.clone(),
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let total = u64::try_from(total).unwrap_or(0);
    if total == 0 {
        return Ok(Results {
            hits: Vec::new(),
            total,
        });
    }
    values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    values.push(i64::try_from(offset).unwrap_or(i64::MAX).into());
    let ids: Vec<i64> = db
        .query_all_raw(statement(
            backend,
            &format!("SELECT p.id AS id, {score} AS score {body} ORDER BY score DESC, p.id DESC LIMIT ? OFFSET ?"),
            values,
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let hits = hits(db, &ids, query).await?;
    Ok(Results { hits, total })
}

/// The communities `actor` is an active member of, themselves or through an administration.
async fn member_of(db: &impl ConnectionTrait, actor: Option<&Actor>) -> Result<Vec<i64>, DbErr> {
    let Some(actor) = actor else {
        return Ok(Vec::new());
    };
    let orgs: Vec<i64> = actor.organisations.iter().map(|(id, _)| *id).collect();
    community_members::Entity::find()
        .filter(community_members::Column::Status.eq(ACTIVE))
        .filter(
            sea_orm::Condition::any()
                .add(community_members::Column::UserId.eq(actor.user_id))
                .add(community_members::Column::OrganisationId.is_in(orgs)),
        )
        .select_only()
        .column(community_members::Column::CommunityId)
        .distinct()
        .into_tuple()
        .all(db)
        .await
}

/// The hits of the posts `ids`, in that order.
async fn hits(db: &impl ConnectionTrait, ids: &[i64], query: &str) -> Result<Vec<Hit>, DbErr> {
    let posts: HashMap<i64, posts::Model> = posts::Entity::find()
        .filter(posts::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let threads: HashMap<i64, threads::Model> = threads::Entity::find()
        .filter(threads::Column::Id.is_in(posts.values().map(|p| p.thread_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let communities: HashMap<i64, communities::Model> = communities::Entity::find()
        .filter(communities::Column::Id.is_in(threads.values().map(|t| t.community_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(post) = posts.get(id) else { continue };
        let Some(thread) = threads.get(&post.thread_id) else {
            continue;
        };
        let Some(community) = communities.get(&thread.community_id) else {
            continue;
        };
        out.push(Hit {
            post_id: post.id,
            thread_id: thread.id,
            thread_title: thread.title.clone(),
            community_slug: community.slug.clone(),
            community_name: community.name.clone(),
            excerpt: excerpt(&post.body, query),
            created_at: post.created_at,
        });
    }
    Ok(out)
}

/// About [`EXCERPT`] characters of `body`, its whitespace collapsed, starting a little before
/// the first word that matches a word of `query` (by any of its keys).
fn excerpt(body: &str, query: &str) -> String {
    let wanted: Vec<String> = text::words(query).flat_map(|w| text::keys(&w)).collect();
    let flat: Vec<&str> = body.split_whitespace().collect();
    let at = flat
        .iter()
        .position(|w| {
            text::words(w).any(|word| text::keys(&word).iter().any(|k| wanted.contains(k)))
        })
        .unwrap_or(0);
    let start = at.saturating_sub(6);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for word in &flat[start..] {
        if out.chars().count() + word.chars().count() > EXCERPT {
            out.push_str(" …");
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_starts_near_the_match() {
        let body = format!("{} perché il protocollo", "parola ".repeat(100));
        let shown = excerpt(&body, "perche");
        assert!(shown.starts_with('…'), "{shown}");
        assert!(shown.contains("perché il protocollo"), "{shown}");
        assert_eq!(excerpt("breve testo", "altro"), "breve testo");
    }
}
