use crate::domain::ids::{BusPermitId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_permit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub permit_id: BusPermitId,
    pub seq: i32,
    pub action: String,
    pub on_date: Date,
    pub detail: String,
    pub by_user: Option<UserId>,
    pub by_name: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
