//! The roles people hold within an organisation and within a community: a leaf the memberships, the authorization
//! rules and the mail texts share, depending on nothing else in the community.

/// A role within an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRole {
    /// Manages the organisation's members, and acts for it.
    Admin,
    /// Acts for the organisation: declares reuse, confirms declarations of its software.
    Member,
}

impl OrgRole {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// The role a stored value names, if any.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// A role within a community, from the least to the most trusted (the order is the derived
/// `Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommunityRole {
    /// Reads a members-only community and follows it; does not post.
    Observer,
    /// Posts, replies, reports.
    Member,
    /// A member who also moderates: locks, pins, hides posts, reads the reports and the log.
    Maintainer,
    /// Runs the community: members and their roles, announcements, release plans, and
    /// everything a maintainer does.
    Coordinator,
}

impl CommunityRole {
    /// Every role, the least trusted first.
    pub const ALL: [Self; 4] = [
        Self::Observer,
        Self::Member,
        Self::Maintainer,
        Self::Coordinator,
    ];

    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Observer => "observer",
            Self::Member => "member",
            Self::Maintainer => "maintainer",
            Self::Coordinator => "coordinator",
        }
    }

    /// The role a stored value names, if any.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
