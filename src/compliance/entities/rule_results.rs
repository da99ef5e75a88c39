//! `SeaORM` entity of the `rule_results` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub software_id: i64,
    pub snapshot_id: i64,
    pub ruleset_version: i32,
    pub rule_id: String,
    pub outcome: String,
    pub severity: String,
    #[sea_orm(column_type = "Text")]
    pub key_path: String,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    pub checked_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
