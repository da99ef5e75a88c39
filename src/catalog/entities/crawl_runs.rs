//! `SeaORM` entity of the `crawl_runs` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "crawl_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub trigger: String,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub stats: String,
    pub started_at: DateTimeWithTimeZone,
    pub finished_at: Option<DateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
