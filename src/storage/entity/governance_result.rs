use crate::domain::ids::{GovernanceActionId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub action_id: GovernanceActionId,
    pub school_id: OrgId,
    pub checks: String,
    pub found: i32,
    pub fixed: i32,
    pub summary: String,
    pub reported_on: Date,
    pub reported_by: Option<UserId>,
    pub reported_by_name: String,
    pub reported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
