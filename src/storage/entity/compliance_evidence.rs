use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

/// One record that can count for an obligation (kept by triggers on its source table).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: i64,
    pub org_id: OrgId,
    pub evidence: String,
    pub kind: String,
    pub happened_on: Date,
    pub recorded_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
