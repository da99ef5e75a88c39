//! `SeaORM` entities, one module per table, in the form `sea-orm-cli generate entity` writes.
//! They are never edited for behaviour: that lives in the sibling `catalog` modules.

pub mod claims;
pub mod crawl_events;
pub mod crawl_runs;
pub mod organisations;
pub mod repositories;
pub mod snapshots;
pub mod software;
pub mod software_facets;
pub mod sources;
pub mod used_by;
