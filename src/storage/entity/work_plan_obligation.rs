use crate::domain::ids::{ObligationId, PlanItemId, WorkPlanId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_plan_obligations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ObligationId,
    pub plan_id: WorkPlanId,
    pub item_id: PlanItemId,
    pub position: i32,
    pub who: String,
    pub min_students: Option<i32>,
    pub org_ids: String,
    pub evidence: String,
    pub kind: Option<String>,
    pub every: String,
    pub count: i32,
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
