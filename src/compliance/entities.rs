//! `SeaORM` entities of the compliance tables, one module per table, in the form
//! `sea-orm-cli generate entity` writes. Behaviour lives in the `store` module beside them.

pub mod review_events;
pub mod review_reminders;
pub mod rule_results;
