//! `SeaORM` entity of the `community_members` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "community_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub user_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub role: String,
    pub status: String,
    pub handle: Option<String>,
    pub requested_at: DateTimeWithTimeZone,
    pub joined_at: Option<DateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
