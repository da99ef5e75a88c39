//! `SeaORM` entity of the `case_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub user_id: Option<i64>,
    pub role: String,
    pub acting_ipa: String,
    pub at: DateTimeWithTimeZone,
    pub from_state: String,
    pub to_state: String,
    pub transition: String,
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    #[sea_orm(column_type = "Text")]
    pub documents: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
