use crate::domain::ids::{DutyPeriodId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_rosters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub days: String,
    pub without_leader: String,
    pub submitted_by: Option<UserId>,
    pub submitted_by_name: String,
    pub submitted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
