use crate::domain::ids::{BusPermitId, BusSignId, BusVehicleId, OrgId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_signs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: BusSignId,
    pub school_id: OrgId,
    pub vehicle_id: BusVehicleId,
    pub permit_id: Option<BusPermitId>,
    pub number: String,
    pub plate: String,
    pub owner: String,
    pub driver_person_ids: String,
    pub driver_names: String,
    pub route_name: String,
    pub operating_times: String,
    pub stops: String,
    pub authority: String,
    pub valid_from: Date,
    pub valid_until: Date,
    pub status: String,
    pub issued_at: DateTimeUtc,
    pub recovered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
