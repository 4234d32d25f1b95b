use crate::domain::ids::{PlanItemId, WorkPlanId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_plan_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: PlanItemId,
    pub plan_id: WorkPlanId,
    pub number: i32,
    pub heading: String,
    pub title: String,
    pub body: String,
    pub lead: String,
    pub cooperating: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
