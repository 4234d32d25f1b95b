use crate::domain::ids::{ActivityId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "education_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ActivityId,
    pub school_id: OrgId,
    pub kind: String,
    pub held_on: Date,
    pub title: String,
    pub classes: i32,
    pub pupils: i32,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
