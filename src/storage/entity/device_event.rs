use crate::domain::ids::{DeviceEventId, DeviceId, OrgId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "device_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DeviceEventId,
    pub device_id: DeviceId,
    pub school_id: OrgId,
    pub event_id: String,
    pub at: DateTimeUtc,
    pub metric: String,
    pub value: f64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
