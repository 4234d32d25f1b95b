use crate::domain::ids::{GovernanceActionId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: GovernanceActionId,
    pub org_id: OrgId,
    pub kind: String,
    pub title: String,
    pub targets: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub checklist: String,
    pub results: i32,
    pub first_result_on: Option<Date>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
