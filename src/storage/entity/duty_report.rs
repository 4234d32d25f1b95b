use crate::domain::ids::{DutyPeriodId, DutyReportId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DutyReportId,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub date: Date,
    pub zero: bool,
    pub incidents: String,
    pub incident_ids: String,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: Option<UserId>,
    pub submitted_by_name: String,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
