use crate::domain::ids::{BusPermitId, BusRouteId, BusSignId, BusVehicleId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_permits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusPermitId,
    pub school_id: OrgId,
    pub vehicle_id: BusVehicleId,
    pub route_id: BusRouteId,
    pub driver_ids: String,
    pub operating_times: String,
    pub safety_rules: String,
    pub status: String,
    pub applied_on: Date,
    pub forwarded_on: Option<Date>,
    pub police_reply_on: Option<Date>,
    pub transport_reply_on: Option<Date>,
    pub reviewed_on: Option<Date>,
    pub favourable: Option<bool>,
    pub decided_on: Option<Date>,
    pub issued_on: Option<Date>,
    pub refused_on: Option<Date>,
    pub review_opinion: String,
    pub refusal_reasons: String,
    pub sign_id: Option<BusSignId>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
