use crate::domain::ids::{PlanEventId, PlanId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emergency_plan_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: PlanEventId,
    pub plan_id: PlanId,
    pub seq: i32,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub round: i32,
    pub by_user: Option<UserId>,
    pub by_name: String,
    pub reviewer_id: Option<UserId>,
    pub reviewer_name: String,
    pub conclusion: Option<String>,
    pub note: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
