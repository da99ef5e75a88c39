//! The roles people hold within an organisation: a leaf the memberships, the authorization
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
