use crate::domain::ids::{ExpertId, PlanId, PlanReviewerId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emergency_plan_reviewers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: PlanReviewerId,
    pub plan_id: PlanId,
    pub round: i32,
    pub user_id: UserId,
    pub expert_id: ExpertId,
    pub name: String,
    pub org_name: String,
    pub assigned_by_name: String,
    pub assigned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
