use crate::domain::ids::{BusTripId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_trip_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub trip_id: BusTripId,
    pub seq: i32,
    pub action: String,
    pub detail: String,
    pub by_user: Option<UserId>,
    pub by_name: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
