use crate::domain::ids::{BusDriverId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_driver_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: OrgId,
    pub driver_id: BusDriverId,
    pub kind: String,
    pub on_date: Date,
    pub severity: String,
    pub responsibility: String,
    pub valid_until: Option<Date>,
    pub hours: Option<f64>,
    pub note: String,
    pub recorded_by: Option<UserId>,
    pub recorded_by_name: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
