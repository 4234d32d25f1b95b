use crate::domain::ids::{DutyPeriodId, DutySpotCheckId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_spot_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DutySpotCheckId,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub org_id: Option<OrgId>,
    pub called_at: DateTimeUtc,
    pub phone: String,
    pub answered: bool,
    pub called_back_at: Option<DateTimeUtc>,
    pub result: String,
    pub note: String,
    pub checked_by: Option<UserId>,
    pub checked_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
