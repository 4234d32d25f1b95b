use crate::domain::ids::{DutyPeriodId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_periods")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DutyPeriodId,
    pub org_id: OrgId,
    pub name: String,
    pub first_day: Date,
    pub last_day: Date,
    pub cutoff: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
