//! The person behind a record, as the community shows them: the pages pick the words (the
//! name, or "former member" in the reader's language).

use super::entities::users;

/// Who made a declaration, or holds a membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// A live account, by its display name.
    Member {
        /// The display name.
        name: String,
    },
    /// The account was deleted; its records stay.
    FormerMember,
}

impl Person {
    /// The person of `user` (`None`: no such account any more).
    #[must_use]
    pub fn of(user: Option<&users::Model>) -> Self {
        match user {
            Some(u) if u.deleted_at.is_none() => Self::Member {
                name: u.display_name.clone(),
            },
            _ => Self::FormerMember,
        }
    }
}
