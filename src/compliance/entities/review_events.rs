//! `SeaORM` entity of the `review_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub software_id: i64,
    pub user_id: Option<i64>,
    pub role: String,
    pub at: DateTimeWithTimeZone,
    pub from_state: String,
    pub to_state: String,
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    pub snapshot_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
