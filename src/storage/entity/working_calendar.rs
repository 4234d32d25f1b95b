use crate::domain::ids::UserId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "working_calendar")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub csv: String,
    pub version: i32,
    pub updated_by: Option<UserId>,
    pub updated_by_name: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
