//! `SeaORM` entities of the reuse cases' tables, one module per table, in the form
//! `sea-orm-cli generate entity` writes. Behaviour lives in the `store` module beside them.

pub mod case_documents;
pub mod case_evaluations;
pub mod case_events;
pub mod reuse_cases;
