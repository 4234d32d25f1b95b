use crate::domain::ids::{UserId, WorkPlanId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_plan_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: WorkPlanId,
    pub version: i32,
    pub content: String,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
