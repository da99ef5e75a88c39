//! Communities: the administrations that share a solution and keep it alive together (a
//! solution community around catalog entries), or that meet around a practice (a community of
//! practice); their threads and posts, and the coordination of the releases of their solutions.
//!
//! This module owns the `communities`, `community_software`, `community_members`, `threads`,
//! `posts`, `post_revisions`, `post_reports`, `moderation_log`, `releases`, `release_adoptions`
//! and `post_fts` tables. Every command takes the [`Actor`] who asks and decides with
//! [`authz::check`] on the actor's [`Standing`] in the community ([`standing`]), so the pages and
//! the API cannot disagree on who may do what.
//!
//! - [`communities`]: start a community of practice, open a solution's community in one step,
//!   edit it, list and read them;
//! - [`members`]: people and administrations, their roles, joining (open, or on a coordinator's
//!   approval) and leaving, and each person's `@handle`;
//! - [`threads`]: threads and posts, Markdown with `@mentions`, edits that keep the earlier
//!   text, soft deletion, moderation (lock, pin, hide with a reason, reports, the log);
//! - [`releases`]: the release thread a crawl opens when an entry's version changes (never two
//!   for one version, whichever crawl or worker gets there first), coordinators' release plans
//!   (planned → candidate → released), and what each administration does with each release;
//! - [`notify`]: following communities and threads, and telling people of posts (mentions
//!   always), in the site and by e-mail, by a job;
//! - [`search`]: full-text search of the posts, within a community or across all, kept in step
//!   with every write of a post (`post_fts`);
//! - [`seed`]: a community of many followers and a long thread, for the benchmarks.

pub mod communities;
pub mod demo;
pub mod members;
pub mod notify;
pub mod releases;
pub mod search;
pub mod seed;
pub mod threads;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, ExprTrait as _, QueryFilter as _,
};

use super::CommunityError;
use super::authz::{self, Action, Actor, CommunityRole, Standing};
use super::entities::{communities as community_rows, community_members};

/// What a community gathers around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Administrations around one or more catalog entries.
    Solution,
    /// A community of practice, not tied to one solution.
    Practice,
}

/// Who reads a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Anyone, signed in or not; members post.
    Public,
    /// Its members only (and site administrators); others see its name and description.
    Members,
}

/// How people join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinPolicy {
    /// Whoever asks is a member at once.
    Open,
    /// A coordinator approves each request.
    Approval,
}

macro_rules! stored {
    ($ty:ty { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            /// The stored form.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }

            /// The value a stored form names, if any.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use stored;

stored!(Kind { Solution => "solution", Practice => "practice" });
stored!(Visibility { Public => "public", Members => "members" });
stored!(JoinPolicy { Open => "open", Approval => "approval" });

/// Whether a member row counts (a request waiting for approval does not).
pub(crate) const ACTIVE: &str = "active";
/// A request waiting for a coordinator.
pub(crate) const PENDING: &str = "pending";

/// The place of `actor` (nobody, when `None`) in `community`: the role they hold themselves,
/// or through an administration they are a verified member of (which makes them at most a
/// member: an administration's role does not make its people moderators).
///
/// # Errors
///
/// On a database error.
pub async fn standing(
    db: &impl ConnectionTrait,
    community: &community_rows::Model,
    actor: Option<&Actor>,
) -> Result<Standing, CommunityError> {
    let members_only = community.visibility != Visibility::Public.as_str();
    let Some(actor) = actor else {
        return Ok(Standing {
            role: None,
            members_only,
        });
    };
    let orgs: Vec<i64> = actor.organisations.iter().map(|(id, _)| *id).collect();
    let rows = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community.id))
        .filter(community_members::Column::Status.eq(ACTIVE))
        .filter(
            community_members::Column::UserId
                .eq(actor.user_id)
                .or(community_members::Column::OrganisationId.is_in(orgs)),
        )
        .all(db)
        .await?;
    let role = rows
        .iter()
        .filter_map(|row| {
            let role = CommunityRole::parse(&row.role)?;
            Some(if row.user_id.is_some() {
                role
            } else {
                role.min(CommunityRole::Member)
            })
        })
        .max();
    Ok(Standing { role, members_only })
}

/// Refuses unless `actor` may do `action`.
///
/// # Errors
///
/// [`CommunityError::Denied`] saying why not.
pub fn allow(actor: Option<&Actor>, action: Action) -> Result<(), CommunityError> {
    authz::check(actor, action).map_err(CommunityError::Denied)
}

/// `text` trimmed, refused with `key` when empty or longer than `max` characters.
fn bounded(text: &str, max: usize, key: &'static str) -> Result<String, CommunityError> {
    let text = crate::untrusted::storable(text.trim()).into_owned();
    if text.is_empty() || text.chars().count() > max {
        return Err(CommunityError::Invalid(key));
    }
    Ok(text)
}

/// A readable address part made of `text`: lower-case ASCII letters and digits joined by `-`,
/// at most `max` characters (accents dropped to their letter where it is plain).
#[must_use]
pub fn slugify(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    out.trim_matches('-').to_owned()
}

/// The plain letter of an accented Latin letter Italian and its neighbours use.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            slugify("Comunità del Protocollo!", 60),
            "comunita-del-protocollo"
        );
        assert_eq!(slugify("  --  ", 60), "");
        assert_eq!(slugify("Ada Lovelace", 3), "ada");
        assert_eq!(Kind::parse("practice"), Some(Kind::Practice));
        assert_eq!(Visibility::Members.as_str(), "members");
    }
}
