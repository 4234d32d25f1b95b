use crate::domain::ids::{BusDriverId, BusRouteId, BusTripId, BusVehicleId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_trips")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusTripId,
    pub school_id: OrgId,
    pub route_id: BusRouteId,
    pub vehicle_id: BusVehicleId,
    pub driver_id: BusDriverId,
    pub attendant_ids: String,
    pub day: Date,
    pub run: String,
    pub adverse: bool,
    pub status: String,
    pub check_items: String,
    pub check_passed: Option<bool>,
    pub boarded: i64,
    pub alighted: Option<i64>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub off_route_since: Option<DateTimeUtc>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
