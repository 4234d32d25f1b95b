use crate::domain::ids::{OrgId, UserId, WorkPlanId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: WorkPlanId,
    pub district_id: OrgId,
    pub year: i32,
    pub title: String,
    pub version: i32,
    pub updated_at: DateTimeUtc,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
