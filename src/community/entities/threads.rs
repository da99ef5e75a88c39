//! `SeaORM` entity of the `threads` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "threads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub community_id: i64,
    pub kind: String,
    pub title: String,
    pub author_id: Option<i64>,
    pub release_id: Option<i64>,
    pub pinned: bool,
    pub locked: bool,
    pub accepted_post_id: Option<i64>,
    pub post_count: i32,
    pub created_at: DateTimeWithTimeZone,
    pub last_post_at: DateTimeWithTimeZone,
    pub deleted_at: Option<DateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
