//! The per-school roll-up of active risk points by current grade, kept by triggers on
//! `risk_points` (migration m0028).
use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_id: OrgId,
    /// The current grade's code; empty for points not yet assessed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub grade: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
