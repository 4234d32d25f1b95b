use crate::domain::ids::{OrgId, TrainingId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trainings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: TrainingId,
    pub org_id: OrgId,
    pub group_code: String,
    pub held_on: Date,
    pub topic: String,
    pub hours_tenths: i32,
    pub trainer: String,
    pub attendee_count: i32,
    pub person_ids: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
