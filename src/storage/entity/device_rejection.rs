use crate::domain::ids::{DeviceId, DeviceRejectionId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "device_rejections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DeviceRejectionId,
    pub device_id: DeviceId,
    pub received_at: DateTimeUtc,
    pub event_id: String,
    pub event_index: i32,
    pub reason: String,
    pub excerpt: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
