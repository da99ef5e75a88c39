//! `SeaORM` entities of the community tables, one module per table, in the form
//! `sea-orm-cli generate entity` writes. Behaviour lives in the sibling `community` modules.

pub mod communities;
pub mod community_members;
pub mod community_software;
pub mod declaration_events;
pub mod memberships;
pub mod moderation_log;
pub mod notifications;
pub mod post_reports;
pub mod post_revisions;
pub mod posts;
pub mod release_adoptions;
pub mod releases;
pub mod reuse_declarations;
pub mod sessions;
pub mod subscriptions;
pub mod threads;
pub mod user_tokens;
pub mod users;
