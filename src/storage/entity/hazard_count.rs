//! The per-school hazard roll-up, kept by triggers on `hazards` (migration m0006).
use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hazard_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_id: OrgId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: String,
    /// Level `major` (重大隐患).
    #[sea_orm(primary_key, auto_increment = false)]
    pub major: bool,
    /// Put under bureau supervision (挂牌督办) by a step.
    #[sea_orm(primary_key, auto_increment = false)]
    pub supervised: bool,
    /// The deadline while the clock runs; `9999-12-31` otherwise.
    #[sea_orm(primary_key, auto_increment = false)]
    pub deadline: Date,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
