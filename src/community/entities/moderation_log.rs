//! `SeaORM` entity of the `moderation_log` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "moderation_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub thread_id: Option<i64>,
    pub post_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub detail: Option<String>,
    pub at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
