//! `SeaORM` entity of the `release_adoptions` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "release_adoptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub release_id: i64,
    pub organisation_id: i64,
    pub status: String,
    pub staying_on: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub user_id: Option<i64>,
    pub updated_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
