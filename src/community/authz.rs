//! Who may do what: the one place where a role becomes a permission.
//!
//! An [`Actor`] is a signed-in person with their site role and the organisations they are a
//! *verified* member of (a claim waiting for its e-mailed confirmation gives nothing). Every
//! protected action names the organisation it acts for, and [`check`] answers for all of them;
//! handlers call it before they change or show anything private. The table below is also what
//! the authorization matrix test asserts, route by route.
//!
//! | action | member | org admin | reviewer | site admin |
//! |---|---|---|---|---|
//! | `Account` (own account, claims) | yes | yes | yes | yes |
//! | `Declare(org)` | of `org` | of `org` | no | no |
//! | `ManageDeclaration(org)` (record the issue, withdraw) | of `org` | of `org` | no | yes |
//! | `Acknowledge(owner)` | of `owner` | of `owner` | no | yes |
//! | `ViewPending(owner)` | of `owner` | of `owner` | yes | yes |
//! | `ManageMembers(org)` | no | of `org` | no | yes |
//! | `ManageUsers` | no | no | no | yes |
//! | `Review` (the queue, claims, outcomes, assignments) | no | no | yes | yes |
//! | `ViewRelease(owner)` (the owner's release checklist) | of `owner` | of `owner` | yes | yes |
//! | `Case(org)` (read and move `org`'s reuse cases; a published case anyone reads) | of `org` | of `org` | no | no |
//! | `StartCommunity` (a community of practice) | yes | yes | no | yes |
//! | `OpenSolutionCommunity(owner)` (no owner confirmed: site admins) | of `owner` | of `owner` | no | yes |
//! | `Adopt(org)` (say what `org` does with a release) | of `org` | of `org` | no | no |
//!
//! Within a community, what a person may do follows their [`Standing`] there, the role they hold
//! themselves or through their administration (site administrators may do everything but act
//! for an administration):
//!
//! | action | anyone | signed in | observer | member | maintainer | coordinator |
//! |---|---|---|---|---|---|---|
//! | `ReadCommunity` of a public community | yes | yes | yes | yes | yes | yes |
//! | `ReadCommunity` of a members-only one | no | no | yes | yes | yes | yes |
//! | `JoinCommunity` (verified address) | no | yes | yes | yes | yes | yes |
//! | `Report` (whoever reads) | no | yes | yes | yes | yes | yes |
//! | `Post` (threads, replies, release adoption talk) | no | no | no | yes | yes | yes |
//! | `EditPost` (one's own post; any post for moderators) | no | no | no | own | yes | yes |
//! | `Moderate` (lock, pin, hide, reports, log) | no | no | no | no | yes | yes |
//! | `Coordinate` (members, roles, announcements, release plans) | no | no | no | no | no | yes |
//!
//! Anyone not signed in is asked to sign in; a signed-in person without the right is refused.

use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

use super::CommunityError;
use super::accounts::SiteRole;
use super::entities::{memberships, users};
use super::memberships::{OrgRole, Status};
pub use super::roles::CommunityRole;

/// A signed-in person, as far as permissions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account.
    pub user_id: i64,
    /// The site role, if any.
    pub site_role: Option<SiteRole>,
    /// Whether the account's e-mail address is verified.
    pub verified_email: bool,
    /// Organisations (by id) the person is a verified member of, with the role.
    pub organisations: Vec<(i64, OrgRole)>,
}

impl Actor {
    /// The actor `user` is, with their verified memberships.
    ///
    /// # Errors
    ///
    /// On a database error.
    pub async fn of(
        db: &impl sea_orm::ConnectionTrait,
        user: &users::Model,
    ) -> Result<Self, CommunityError> {
        let organisations = memberships::Entity::find()
            .filter(memberships::Column::UserId.eq(user.id))
            .filter(memberships::Column::Status.eq(Status::Verified.as_str()))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|m| OrgRole::parse(&m.role).map(|role| (m.organisation_id, role)))
            .collect();
        Ok(Self {
            user_id: user.id,
            site_role: user.site_role.as_deref().and_then(SiteRole::parse),
            verified_email: user.email_verified_at.is_some(),
            organisations,
        })
    }

    /// The role held in `org`, if any.
    #[must_use]
    pub fn role_in(&self, org: i64) -> Option<OrgRole> {
        self.organisations
            .iter()
            .find_map(|(o, role)| (*o == org).then_some(*role))
    }

    fn is(&self, role: SiteRole) -> bool {
        self.site_role == Some(role)
    }
}

/// Something a person may or may not do, with the organisation it is done for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See and change one's own account, claim a membership.
    Account,
    /// Declare that `org` uses a solution.
    Declare(i64),
    /// Record the Annex D issue of, or withdraw, a declaration made for `org`.
    ManageDeclaration(i64),
    /// Confirm, as the owner `org`, a declaration of reuse of its software.
    Acknowledge(i64),
    /// Read the pending declarations of the owner `org`.
    ViewPending(i64),
    /// See the members of `org` and remove one.
    ManageMembers(i64),
    /// Give or take site roles.
    ManageUsers,
    /// Work on compliance reviews: the queue, claims, outcomes, assignments.
    Review,
    /// See the release checklist of the software of the owner `org`.
    ViewRelease(i64),
    /// Read and move the reuse cases of `org` (its art. 68 evaluations, drafts of an
    /// administrative procedure: nobody else's business until published).
    Case(i64),
    /// Start a community of practice.
    StartCommunity,
    /// Open the solution community of the software of the owner `org` (site administrators only
    /// for software whose owner is not confirmed).
    OpenSolutionCommunity(Option<i64>),
    /// Say, for `org`, what it does with a release of a solution it declared reusing.
    Adopt(i64),
    /// Read a community's threads, members and releases.
    ReadCommunity(Standing),
    /// Join a community, or ask to.
    JoinCommunity,
    /// Report a post to the moderators.
    Report(Standing),
    /// Start threads and reply.
    Post(Standing),
    /// Edit or delete a post (`own`: the actor wrote it).
    EditPost {
        /// The place of the actor in the post's community.
        standing: Standing,
        /// Whether the actor wrote the post.
        own: bool,
    },
    /// Lock, pin and hide, read the reports and the moderation log.
    Moderate(Standing),
    /// Manage members and roles, post announcements, plan releases, edit the community.
    Coordinate(Standing),
}

/// A person's place in one community, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// The role they hold there, themselves or through their administration; `None` for
    /// someone who is not a member (or whose request waits for a coordinator).
    pub role: Option<CommunityRole>,
    /// Whether only members may read the community.
    pub members_only: bool,
}

impl Standing {
    fn at_least(self, role: CommunityRole) -> bool {
        self.role.is_some_and(|r| r >= role)
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Nobody is signed in.
    #[error("sign in first")]
    SignIn,
    /// The person signed in may not do this.
    #[error("not allowed")]
    Forbidden,
}

/// Whether `actor` (nobody, when `None`) may do `action`.
///
/// # Errors
///
/// [`Denied`] says why not.
pub fn check(actor: Option<&Actor>, action: Action) -> Result<(), Denied> {
    if let Action::ReadCommunity(standing) = action
        && !standing.members_only
    {
        return Ok(());
    }
    let Some(actor) = actor else {
        return Err(Denied::SignIn);
    };
    let admin = actor.is(SiteRole::Admin);
    let allowed = match action {
        Action::Account => true,
        Action::Declare(org) | Action::Case(org) => actor.role_in(org).is_some(),
        Action::ManageDeclaration(org) | Action::Acknowledge(org) => {
            admin || actor.role_in(org).is_some()
        }
        Action::ViewPending(org) | Action::ViewRelease(org) => {
            admin || actor.is(SiteRole::Reviewer) || actor.role_in(org).is_some()
        }
        Action::ManageMembers(org) => admin || actor.role_in(org) == Some(OrgRole::Admin),
        Action::ManageUsers => admin,
        Action::Review => admin || actor.is(SiteRole::Reviewer),
        Action::StartCommunity => {
            admin || (actor.verified_email && !actor.organisations.is_empty())
        }
        Action::OpenSolutionCommunity(org) => {
            admin || org.is_some_and(|org| actor.role_in(org).is_some())
        }
        Action::Adopt(org) => actor.role_in(org).is_some(),
        Action::JoinCommunity => actor.verified_email,
        Action::ReadCommunity(s) | Action::Report(s) => {
            admin || !s.members_only || s.role.is_some()
        }
        Action::Post(s) => admin || s.at_least(CommunityRole::Member),
        Action::EditPost { standing, own } => {
            admin
                || standing.at_least(CommunityRole::Maintainer)
                || (own && standing.at_least(CommunityRole::Member))
        }
        Action::Moderate(s) => admin || s.at_least(CommunityRole::Maintainer),
        Action::Coordinate(s) => admin || s.at_least(CommunityRole::Coordinator),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(site_role: Option<SiteRole>, organisations: Vec<(i64, OrgRole)>) -> Actor {
        Actor {
            user_id: 1,
            site_role,
            verified_email: true,
            organisations,
        }
    }

    #[test]
    fn roles_become_permissions_per_organisation() {
        let member = actor(None, vec![(1, OrgRole::Member)]);
        let org_admin = actor(None, vec![(1, OrgRole::Admin)]);
        let other = actor(None, vec![(2, OrgRole::Admin)]);
        let reviewer = actor(Some(SiteRole::Reviewer), vec![]);
        let admin = actor(Some(SiteRole::Admin), vec![]);
        let all = [&member, &org_admin, &other, &reviewer, &admin];
        let allowed =
            |action| -> Vec<bool> { all.iter().map(|a| check(Some(a), action).is_ok()).collect() };
        assert_eq!(
            allowed(Action::Declare(1)),
            [true, true, false, false, false]
        );
        assert_eq!(
            allowed(Action::ManageDeclaration(1)),
            [true, true, false, false, true]
        );
        assert_eq!(
            allowed(Action::ViewPending(1)),
            [true, true, false, true, true]
        );
        assert_eq!(
            allowed(Action::ManageMembers(1)),
            [false, true, false, false, true]
        );
        assert_eq!(
            allowed(Action::ManageUsers),
            [false, false, false, false, true]
        );
        assert_eq!(allowed(Action::Review), [false, false, false, true, true]);
        assert_eq!(
            allowed(Action::ViewRelease(1)),
            [true, true, false, true, true]
        );
        assert_eq!(allowed(Action::Case(1)), [true, true, false, false, false]);
        assert_eq!(check(None, Action::Account), Err(Denied::SignIn));
    }

    #[test]
    fn community_roles_become_permissions() {
        let signed_in = actor(None, vec![(1, OrgRole::Member)]);
        let admin = actor(Some(SiteRole::Admin), vec![]);
        let standing = |role, members_only| Standing { role, members_only };
        let public = standing(None, false);
        let closed = standing(None, true);
        assert_eq!(check(None, Action::ReadCommunity(public)), Ok(()));
        assert_eq!(
            check(None, Action::ReadCommunity(closed)),
            Err(Denied::SignIn)
        );
        assert_eq!(
            check(Some(&signed_in), Action::ReadCommunity(closed)),
            Err(Denied::Forbidden)
        );
        assert_eq!(check(Some(&admin), Action::ReadCommunity(closed)), Ok(()));
        let roles = [None]
            .into_iter()
            .chain(CommunityRole::ALL.map(Some))
            .map(|role| standing(role, true));
        let table: Vec<[bool; 5]> = roles
            .map(|s| {
                [
                    Action::ReadCommunity(s),
                    Action::Post(s),
                    Action::EditPost {
                        standing: s,
                        own: false,
                    },
                    Action::Moderate(s),
                    Action::Coordinate(s),
                ]
                .map(|a| check(Some(&signed_in), a).is_ok())
            })
            .collect();
        assert_eq!(
            table,
            [
                [false, false, false, false, false],
                [true, false, false, false, false],
                [true, true, false, false, false],
                [true, true, true, true, false],
                [true, true, true, true, true],
            ]
        );
        let member = standing(Some(CommunityRole::Member), false);
        assert!(
            check(
                Some(&signed_in),
                Action::EditPost {
                    standing: member,
                    own: true
                }
            )
            .is_ok()
        );
        assert!(check(Some(&signed_in), Action::Adopt(1)).is_ok());
        assert!(check(Some(&signed_in), Action::Adopt(2)).is_err());
        assert!(check(Some(&admin), Action::Adopt(1)).is_err());
        assert!(check(Some(&signed_in), Action::OpenSolutionCommunity(Some(1))).is_ok());
        assert!(check(Some(&signed_in), Action::OpenSolutionCommunity(Some(2))).is_err());
    }
}
