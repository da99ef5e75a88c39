//! `SeaORM` entities of the community tables, one module per table, in the form
//! `sea-orm-cli generate entity` writes. Behaviour lives in the sibling `community` modules.

pub mod declaration_events;
pub mod memberships;
pub mod reuse_declarations;
pub mod sessions;
pub mod user_tokens;
pub mod users;
