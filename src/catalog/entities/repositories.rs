//! `SeaORM` entity of the `repositories` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "repositories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: Option<i64>,
    pub url: String,
    pub forge: String,
    pub default_branch: Option<String>,
    pub archived: bool,
    pub private: bool,
    pub stars: Option<i32>,
    pub forks: Option<i32>,
    pub last_commit: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub gone_at: Option<DateTimeWithTimeZone>,
    pub created_at: DateTimeWithTimeZone,
    pub updated_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
