//! `SeaORM` entity of the `users` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: Option<String>,
    pub display_name: String,
    #[sea_orm(column_type = "Text")]
    pub password_hash: Option<String>,
    pub email_verified_at: Option<DateTimeWithTimeZone>,
    pub site_role: Option<String>,
    pub lang: String,
    pub created_at: DateTimeWithTimeZone,
    pub deleted_at: Option<DateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
