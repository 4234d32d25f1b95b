use crate::domain::ids::{BusVehicleId, DeviceId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_vehicles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusVehicleId,
    pub school_id: OrgId,
    pub plate: String,
    pub owner: String,
    pub seats: i64,
    pub bus_type: String,
    pub status: String,
    pub inspection_until: Date,
    pub insurance_until: Date,
    pub equipment: String,
    pub equipment_checked_on: Option<Date>,
    pub gps_device_id: Option<DeviceId>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
