//! `SeaORM` entity of the `crawl_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "crawl_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub crawl_run_id: Option<i64>,
    pub repository_id: Option<i64>,
    pub software_id: Option<i64>,
    pub outcome: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
