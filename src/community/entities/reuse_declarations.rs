//! `SeaORM` entity of the `reuse_declarations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reuse_declarations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub software_id: i64,
    pub organisation_id: i64,
    pub user_id: i64,
    pub version: String,
    pub since: Date,
    pub modified: bool,
    pub variant_url: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub contact: String,
    pub status: String,
    pub issue_url: Option<String>,
    pub acknowledged_via: Option<String>,
    pub created_at: DateTimeWithTimeZone,
    pub updated_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
