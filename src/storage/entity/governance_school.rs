use crate::domain::ids::{GovernanceActionId, OrgId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_schools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub action_id: GovernanceActionId,
    pub school_id: OrgId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
