use crate::domain::ids::{CrossAssignmentId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cross_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: CrossAssignmentId,
    pub org_id: OrgId,
    pub round_name: String,
    pub inspector_user_id: UserId,
    pub inspector_school_id: OrgId,
    pub target_school_id: OrgId,
    pub starts_on: Date,
    pub ends_on: Date,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
