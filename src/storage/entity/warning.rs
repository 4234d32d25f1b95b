use crate::domain::ids::{DeviceId, HazardId, OrgId, RiskPointId, UserId, WarningId, ZoneId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "warnings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: WarningId,
    pub school_id: OrgId,
    pub source: String,
    pub rule: String,
    pub subject: String,
    pub level: String,
    pub status: String,
    pub open_key: Option<String>,
    pub device_id: Option<DeviceId>,
    pub zone_id: Option<ZoneId>,
    pub risk_point_id: Option<RiskPointId>,
    pub value: Option<f64>,
    pub detail: String,
    pub raised_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
    pub repeats: i32,
    pub cleared_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub assignee_id: Option<UserId>,
    pub closed_at: Option<DateTimeUtc>,
    pub hazard_id: Option<HazardId>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
