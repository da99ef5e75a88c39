//! `SeaORM` entity of the `software` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "software")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub repository_id: i64,
    pub organisation_id: Option<i64>,
    pub current_snapshot_id: Option<i64>,
    pub name: String,
    pub active: bool,
    pub deactivated_manually: bool,
    #[sea_orm(column_type = "Text")]
    pub deactivation_reason: Option<String>,
    pub deactivated_by: Option<String>,
    pub deactivated_at: Option<DateTimeWithTimeZone>,
    pub vitality: Option<f64>,
    pub created_at: DateTimeWithTimeZone,
    pub updated_at: DateTimeWithTimeZone,
    pub changed_at_us: i64,
    #[sea_orm(column_type = "Text")]
    pub vitality_series: Option<String>,
    pub vitality_window_end: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub vitality_facts: Option<String>,
    pub publisher_verified: bool,
    pub invalid_since: Option<DateTimeWithTimeZone>,
    pub invalid_snapshot_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The repository the entry's file is in.
    #[sea_orm(
        belongs_to = "super::repositories::Entity",
        from = "Column::RepositoryId",
        to = "super::repositories::Column::Id"
    )]
    Repository,
    /// The administration that publishes it, once known.
    #[sea_orm(
        belongs_to = "super::organisations::Entity",
        from = "Column::OrganisationId",
        to = "super::organisations::Column::Id"
    )]
    Organisation,
}

impl Related<super::repositories::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Repository.def()
    }
}

impl Related<super::organisations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
