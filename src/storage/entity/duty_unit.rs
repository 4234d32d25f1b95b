use crate::domain::ids::{DutyPeriodId, OrgId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
