//! `SeaORM` entity of the `releases` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "releases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub software_id: i64,
    pub version: String,
    pub release_date: Option<Date>,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    pub target_date: Option<Date>,
    pub source: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeWithTimeZone,
    pub updated_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
