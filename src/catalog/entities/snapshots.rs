//! `SeaORM` entity of the `snapshots` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "snapshots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub software_id: i64,
    pub sha256: String,
    pub raw: Vec<u8>,
    pub commit_sha: Option<String>,
    pub fetched_at: DateTimeWithTimeZone,
    pub declared_version: Option<String>,
    pub valid: bool,
    #[sea_orm(column_type = "Text")]
    pub diagnostics: String,
    #[sea_orm(column_type = "Text")]
    pub normalized: Option<String>,
    pub created_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
