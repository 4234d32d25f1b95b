use crate::domain::ids::{DutyCheckInId, DutyPeriodId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_check_ins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DutyCheckInId,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub date: Date,
    pub user_id: UserId,
    pub name: String,
    pub on_roster: bool,
    pub checked_in_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
