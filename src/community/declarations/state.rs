//! The status of a declaration and its moves ([`Status::can_become`]), applied in one
//! conditional update, each kept in `declaration_events`.

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr,
    EntityTrait as _, QueryFilter as _,
};

use crate::community::entities::{declaration_events, reuse_declarations};
use crate::community::now;

/// Where a declaration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Recorded here; the owner has not been told yet.
    Declared,
    /// The Annex D issue was opened on the owner's repository.
    Notified,
    /// The owner lists the administration in `usedBy`, or confirmed it here.
    Acknowledged,
    /// The administration no longer stands by it.
    Withdrawn,
}

impl Status {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Declared,
        Self::Notified,
        Self::Acknowledged,
        Self::Withdrawn,
    ];

    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::Notified => "notified",
            Self::Acknowledged => "acknowledged",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The status a stored value names.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "declared" => Some(Self::Declared),
            "notified" => Some(Self::Notified),
            "acknowledged" => Some(Self::Acknowledged),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }

    /// Whether a declaration in this status may move to `next` (recording a new issue address
    /// while notified is allowed).
    #[must_use]
    pub fn can_become(self, next: Self) -> bool {
        use Status::{Acknowledged, Declared, Notified, Withdrawn};
        matches!(
            (self, next),
            (Declared | Notified, Notified | Acknowledged)
                | (Declared | Notified | Acknowledged, Withdrawn)
        )
    }

    /// Whether the owner still has something to do about it.
    #[must_use]
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Declared | Self::Notified)
    }
}

/// How an acknowledgment came.
pub mod via {
    /// A crawl found the administration in the owner's `usedBy`.
    pub const CRAWL: &str = "crawl";
    /// A member of the owning organisation confirmed it here.
    pub const OWNER: &str = "owner";
}

pub(super) async fn event(
    db: &impl ConnectionTrait,
    declaration_id: i64,
    status: Status,
    user_id: Option<i64>,
    detail: Option<String>,
) -> Result<(), DbErr> {
    declaration_events::ActiveModel {
        declaration_id: Set(declaration_id),
        status: Set(status.as_str().to_owned()),
        user_id: Set(user_id),
        detail: Set(detail),
        at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Moves declaration `id` to `next` if its current status allows it, in one conditional update
/// (a withdrawal and a crawl at the same moment cannot both win); answers whether it moved.
pub(super) async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    next: Status,
    change: reuse_declarations::ActiveModel,
) -> Result<bool, DbErr> {
    let from: Vec<&str> = Status::ALL
        .into_iter()
        .filter(|s| s.can_become(next))
        .map(Status::as_str)
        .collect();
    let mut change = change;
    change.status = Set(next.as_str().to_owned());
    change.updated_at = Set(now());
    let done = reuse_declarations::Entity::update_many()
        .set(change)
        .filter(reuse_declarations::Column::Id.eq(id))
        .filter(reuse_declarations::Column::Status.is_in(from))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine() {
        use Status::*;
        assert!(Declared.can_become(Notified));
        assert!(Notified.can_become(Notified));
        assert!(Declared.can_become(Acknowledged));
        assert!(Acknowledged.can_become(Withdrawn));
        assert!(!Acknowledged.can_become(Notified));
        assert!(!Withdrawn.can_become(Declared));
        assert!(!Withdrawn.can_become(Acknowledged));
        assert!(!Withdrawn.can_become(Withdrawn));
        for s in [Declared, Notified, Acknowledged, Withdrawn] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
